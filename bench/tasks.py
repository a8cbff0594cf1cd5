"""The task board at 40 clubs and 5,000 tasks: the contractor's board, and a
board update reaching the sockets that watch it.

    .venv/bin/python bench/tasks.py [--clubs 40] [--tasks 5000] [--runs 30]
        [--database-url URL | --sqlite [--sqlite-path var/bench-tasks.sqlite3]]
        [--both] [--board-only | --sockets 50 --updates 200]

    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/tasks.py --sqlite

    smaller: --clubs 4 --tasks 400 --runs 5 --sockets 10 --updates 20

The board (on one database per child process: settings are read once per
process). Seeds a contractor community serving --clubs associations, each by
an active agreement over one site, with --tasks tasks over a season of 26
weeks (bulk writes; the board is what is measured, not how the bench seeds):
a tenth of each club's tasks in the coming seven days, the rest spread from
eight weeks ago to eighteen weeks ahead, their states mixed (accepted, done,
disputed, missed and cancelled behind; confirmed with their slot, proposed
with the times offered, in progress, planned and cancelled ahead). The
contractor's board (``/tasks/board/<slug>/?day=<today>`` through Django's test
client, signed in as the contractor's organiser): its query count at a tenth
of the clubs and
at all of them (must be the same: the script exits 1 when it grows), median
and p95 ms over --runs. Floor: one raw SELECT of the same week's tasks joined
to their site and their club's name.

The update (--board-only skips it; it needs REDIS_URL, as bench/realtime.py
does). ``daphne hub.asgi:application`` as bench/realtime.py starts it
(hub.settings.production, the Redis pub/sub layer, PostgreSQL when
DATABASE_URL is set, else SQLite in var/): --sockets signed-in sockets (full
sockets, not ``?only=notices``) of members of one club with an active
agreement, so each hears the club's board topic. Each update is a new step:
an organiser of the club offers another time for one of 20 tasks over the
JSON API (``POST /api/tasks/tasks/<id>/propose``, session and CSRF); timed
from the post to the moment the last socket has that step's ``task`` frame
(found by its task and version), p50 and p99 over --updates, and the
server's CPU per delivery. Floors: bench/realtime.py's, by its own functions:
the Daphne floor (sending frames as long as ours) and the websockets floor.
The steps rotate among enough organisers that none passes the "task-step"
limit, and the server uses cache and layer prefixes of this run only.

--both runs the board on SQLite and then PostgreSQL (--database-url,
DATABASE_URL, else nabolag_bench_tasks on the local server, created when
missing). Ends with one line of JSON.
"""

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# First, so ``tasks`` is the app, not this script.
sys.path.insert(0, str(ROOT))

import realtime  # noqa: E402 (bench/, after the project's root)
import support  # noqa: E402

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/nabolag_bench_tasks"
SLUG = "bench-tasks-"
SEASON_BEHIND = 56  # days of the season already past
SEASON_DAYS = 182
WEEK_SHARE = 10  # one task in this many falls in the coming seven days
# The tables whose planner statistics the seeding changes.
TABLES = ("tasks_task", "tasks_taskslot", "tasks_taskstep")
WARM_UP = 3
LIVE_SLUG = "bench-tasks-live-"
LIVE_TASKS = 20
LIVE_WARM_UP = 10
STEPS_PER_POSTER = 500  # the real limit ("task-step") is 600 an hour


# --- seeding ---------------------------------------------------------------------


def _wipe(prefix: str) -> None:
    from agenda.models import Facility
    from communities.models import Community
    from tasks.models import Agreement, Task

    ours = Agreement.objects.filter(contractor__slug__startswith=prefix)
    Task.objects.filter(agreement__in=ours).delete()
    ours.delete()
    Facility.objects.filter(slug__startswith=prefix).delete()
    Community.objects.filter(slug__startswith=prefix).delete()


def _contractor():
    """The contractor community, its organiser and two crews."""
    from accounts.models import User
    from communities.models import Community, Membership
    from tasks.models import Crew

    firm = Community.objects.create(
        name="Bench contractor", slug=f"{SLUG}firm", kind=Community.Kind.CONTRACTOR
    )
    organiser, _new = User.objects.get_or_create(
        email="bench-tasks-organiser@bench.example",
        defaults={"display_name": "Bench organiser"},
    )
    Membership.objects.create(
        community=firm,
        user=organiser,
        role=Membership.Role.ORGANISER,
        state=Membership.State.ACTIVE,
    )
    crews = [Crew.objects.create(contractor=firm, name=f"Crew {n}") for n in (1, 2)]
    return firm, organiser, crews


def _at(day: date, hour: int) -> datetime:
    from agenda import recurrence

    return datetime.combine(day, datetime.min.time(), tzinfo=recurrence.zone()) + (
        timedelta(hours=hour)
    )


def _shape(i: int, window_from: datetime, now: datetime) -> tuple[str, bool]:
    """Task ``i``'s state, and whether it has an agreed slot, by when it is."""
    past = window_from + timedelta(days=2) < now
    if past:
        cycle = ["accepted"] * 5 + ["done", "disputed", "missed", "cancelled"]
        cycle.append("accepted")
    elif window_from < now + timedelta(days=7):
        cycle = ["confirmed"] * 4 + ["proposed"] * 2 + ["planned"] * 2
        cycle += ["in_progress", "cancelled"]
    else:
        cycle = ["planned"] * 5 + ["proposed"] * 2 + ["confirmed"] * 3
    state = cycle[i % len(cycle)]
    return state, state in ("confirmed", "in_progress", "done", "accepted", "disputed")


def _seed_clubs(firm, organiser, crews, first: int, count: int, per_club: int):
    """Clubs ``first`` to ``first + count - 1``: each a community, a site, an
    active agreement and ``per_club`` tasks with their slots and steps."""
    from django.utils import timezone

    from agenda.models import Facility
    from communities.models import Community
    from tasks.models import Agreement, Side, Task, TaskSlot, TaskStep, WorkKind

    now = timezone.now()
    today = timezone.localdate()
    clubs = [
        Community.objects.create(
            name=f"Bench club {n}",
            slug=f"{SLUG}club-{n}",
            kind=Community.Kind.ASSOCIATION,
        )
        for n in range(first, first + count)
    ]
    sites = Facility.objects.bulk_create(
        Facility(
            name=f"Pitch of club {n}",
            slug=f"{SLUG}site-{n}",
            kind=Facility.Kind.NATURAL_GRASS,
            owner=club,
            latitude=56.1 + n * 0.001,
            longitude=9.5 + n * 0.001,
        )
        for n, club in enumerate(clubs, start=first)
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(
            client=club,
            contractor=firm,
            title=f"Pitches {club.name}",
            work_kinds=[WorkKind.MOWING, WorkKind.LINE_MARKING, WorkKind.CLEANING],
            state=Agreement.State.ACTIVE,
            invited_by=organiser,
            answered_by=organiser,
            answered_at=now,
        )
        for club in clubs
    )
    Agreement.sites.through.objects.bulk_create(
        Agreement.sites.through(agreement_id=a.pk, facility_id=s.pk)
        for a, s in zip(agreements, sites, strict=True)
    )
    in_week = max(1, per_club // WEEK_SHARE)
    spread = max(1, per_club - in_week)
    season_start = today - timedelta(days=SEASON_BEHIND)
    rows = []
    for n, (agreement, site) in enumerate(zip(agreements, sites, strict=True)):
        for i in range(per_club):
            if i < in_week:
                window_from = _at(today + timedelta(days=i % 7), 6 + n % 4)
            else:
                offset = (i - in_week) * SEASON_DAYS / spread + n * 0.37
                day = season_start + timedelta(days=int(offset))
                window_from = _at(day, 6 + int(offset * 24) % 6)
            state, agreed = _shape(i + n, window_from, now)
            starts_at = window_from + timedelta(hours=2 + i % 3) if agreed else None
            kind = [WorkKind.MOWING, WorkKind.LINE_MARKING, WorkKind.CLEANING][i % 3]
            rows.append(
                Task(
                    agreement=agreement,
                    site=site,
                    crew=crews[i % 2] if i % 3 else None,
                    title=f"{kind.label} {i}",
                    kind=kind,
                    checklist=["Done as agreed", "Cleared up after"],
                    duration=timedelta(hours=2),
                    window_from=window_from,
                    window_until=window_from + timedelta(days=2),
                    state=state,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2) if agreed else None,
                    done_at=starts_at + timedelta(hours=2)
                    if state in ("done", "accepted", "disputed")
                    else None,
                    version=1 if state == "planned" else 2,
                )
            )
    tasks = Task.objects.bulk_create(rows, batch_size=500)
    TaskSlot.objects.bulk_create(
        (
            TaskSlot(
                task=t,
                starts_at=t.window_from + timedelta(hours=hours),
                ends_at=t.window_from + timedelta(hours=hours + 2),
                side=Side.CLIENT if t.pk % 2 else Side.CONTRACTOR,
                proposed_by=organiser,
            )
            for t in tasks
            if t.state == "proposed"
            for hours in (3, 27)
        ),
        batch_size=500,
    )
    steps = [
        TaskStep(
            task=t,
            actor=organiser,
            side=Side.CONTRACTOR,
            action="created",
            to_state="planned",
        )
        for t in tasks
    ]
    steps += [
        TaskStep(
            task=t,
            actor=organiser,
            side=Side.CONTRACTOR,
            action="proposed" if t.state == "proposed" else "confirmed",
            from_state="planned",
            to_state=t.state,
        )
        for t in tasks
        if t.state != "planned"
    ]
    TaskStep.objects.bulk_create(steps, batch_size=500)
    return len(tasks)


# --- the board -------------------------------------------------------------------


FLOOR_SQL = """
SELECT t.id, t.title, t.state, t.version, t.starts_at, t.window_from,
       t.window_until, f.name, f.latitude, f.longitude, c.name
FROM tasks_task t
JOIN agenda_facility f ON f.id = t.site_id
JOIN tasks_agreement a ON a.id = t.agreement_id
JOIN communities_community c ON c.id = a.client_id
WHERE a.contractor_id = %s
  AND ((t.starts_at >= %s AND t.starts_at < %s)
       OR (t.starts_at IS NULL AND t.state IN ('planned', 'proposed')
           AND t.window_from < %s AND t.window_until >= %s))
ORDER BY t.starts_at, t.window_until, t.id
"""


def _board(firm, organiser, runs: int) -> dict:
    """The contractor's board of this week: queries, ms, bytes; the floor."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tasks import selectors

    today = timezone.localdate()
    path = f"/tasks/board/{firm.slug}/?day={today.isoformat()}"
    client = Client()
    client.force_login(organiser)
    for _ in range(WARM_UP):
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    # Now: the next request's start clears the connection's query log.
    queries = len(captured)
    if response.status_code != 200:
        sys.exit(f"{path}: status {response.status_code}")
    timings = support.timings_ms(lambda: client.get(path), runs, warm_up=WARM_UP)
    shown = selectors.contractor_board(organiser, firm, day=today).task_count
    first, after = _at(today, 0), _at(today + timedelta(days=7), 0)
    args = [firm.pk, first, after, after, first]
    rows = [0]

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, args)
            rows[0] = len(cursor.fetchall())

    floor_timings = support.timings_ms(floor, runs, warm_up=WARM_UP)
    if rows[0] != shown:
        sys.exit(f"the floor read {rows[0]} tasks, the board shows {shown}")
    return {
        "queries": queries,
        "tasks_shown": shown,
        "bytes": len(response.content),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(support.p95(timings), 2),
        "floor_p50_ms": round(statistics.median(floor_timings), 2),
        "floor_p95_ms": round(support.p95(floor_timings), 2),
    }


def run_board(clubs: int, tasks: int, runs: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    _wipe(SLUG)
    per_club = max(1, tasks // clubs)
    tenth = max(1, clubs // 10)
    began = time.perf_counter()
    firm, organiser, crews = _contractor()
    seeded = _seed_clubs(firm, organiser, crews, 0, tenth, per_club)
    support.analyze(TABLES)
    small = _board(firm, organiser, runs)
    seeded += _seed_clubs(firm, organiser, crews, tenth, clubs - tenth, per_club)
    support.analyze(TABLES)
    seconds = time.perf_counter() - began
    large = _board(firm, organiser, runs)
    figures = {
        "database": connection.vendor,
        "clubs": clubs,
        "tasks": seeded,
        "small_clubs": tenth,
        "small_tasks": tenth * per_club,
        **{f"board_{k}_small": v for k, v in small.items()},
        **{f"board_{k}": v for k, v in large.items()},
    }
    _report_board(figures, seconds)
    return figures


def _report_board(f: dict, seeded: float) -> None:
    print()
    print(
        f"task board on {f['database']}: {f['clubs']} clubs, {f['tasks']:,} tasks "
        f"(seeded in {seeded:.0f} s)"
    )
    print(
        f"{'contractor board, this week':36}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'floor p50':>11}{'floor p95':>11}"
    )
    for suffix, clubs, tasks in [
        ("_small", f["small_clubs"], f["small_tasks"]),
        ("", f["clubs"], f["tasks"]),
    ]:
        shown = f["board_tasks_shown" + suffix]
        label = f"{clubs} club{'s' * (clubs != 1)}, {tasks:,} tasks: {shown} shown"
        print(
            f"{label:36}{f['board_queries' + suffix]:>8}"
            f"{f['board_p50_ms' + suffix]:9.2f}{f['board_p95_ms' + suffix]:9.2f}"
            f"{f['board_floor_p50_ms' + suffix]:11.2f}"
            f"{f['board_floor_p95_ms' + suffix]:11.2f}"
        )
    print(
        f"queries: {f['board_queries_small']} at a tenth, {f['board_queries']} at all; "
        f"page {f['board_bytes']:,} bytes; floor: one SELECT of the week's tasks"
    )
    print(flush=True)


# --- a board update reaching its sockets -------------------------------------------


def live_env() -> dict:
    """bench/realtime.py's server environment, on a SQLite file of our own."""
    env = realtime.server_env()
    if not env.get("DATABASE_URL"):
        sqlite = ROOT / "var" / "bench-tasks-live.sqlite3"
        env["SQLITE_PATH"] = support.sqlite_file(sqlite)
    return env


def _session(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def prepare_live(sockets: int, steps: int) -> dict:
    """Migrate, then one club with an active agreement with a contractor over
    one site, LIVE_TASKS planned tasks with a month to be done in, ``sockets``
    members of the club and enough organisers that ``steps`` rotated among
    them keep each under the "task-step" limit, each with a session."""
    os.environ.update(live_env())
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from agenda.models import Facility
    from communities.models import Community, Membership
    from tasks.events import board_topic
    from tasks.models import Agreement, Task, WorkKind

    call_command("migrate", verbosity=0, interactive=False)
    _wipe(LIVE_SLUG)
    firm = Community.objects.create(
        name="Bench live contractor",
        slug=f"{LIVE_SLUG}firm",
        kind=Community.Kind.CONTRACTOR,
    )
    club = Community.objects.create(
        name="Bench live club", slug=f"{LIVE_SLUG}club", kind=Community.Kind.ASSOCIATION
    )
    site = Facility.objects.create(
        name="Bench live pitch",
        slug=f"{LIVE_SLUG}site",
        kind=Facility.Kind.NATURAL_GRASS,
        owner=club,
    )
    agreement = Agreement.objects.create(
        client=club,
        contractor=firm,
        title="Bench live pitches",
        work_kinds=[WorkKind.MOWING],
        state=Agreement.State.ACTIVE,
        answered_at=timezone.now(),
    )
    agreement.sites.add(site)
    opens = timezone.now() + timedelta(days=1)
    tasks = Task.objects.bulk_create(
        Task(
            agreement=agreement,
            site=site,
            title=f"Mowing {n}",
            kind=WorkKind.MOWING,
            duration=timedelta(hours=1),
            window_from=opens,
            window_until=opens + timedelta(days=30),
        )
        for n in range(LIVE_TASKS)
    )

    def person(name: str, role: str) -> str:
        user, _new = User.objects.get_or_create(
            email=f"{LIVE_SLUG}{name}@bench.example",
            defaults={"display_name": f"Bench {name}"},
        )
        Membership.objects.update_or_create(
            community=club,
            user=user,
            defaults={"role": role, "state": Membership.State.ACTIVE},
        )
        return _session(user)

    readers = [person(f"reader-{n}", Membership.Role.MEMBER) for n in range(sockets)]
    count = max(2, -(-steps // STEPS_PER_POSTER))
    posters = [person(f"poster-{n}", Membership.Role.ORGANISER) for n in range(count)]
    return {
        "topic": board_topic(club.pk),
        "readers": readers,
        "posters": posters,
        "tasks": [(t.pk, t.version, t.window_from) for t in tasks],
    }


class StepDeliveries(realtime.Deliveries):
    """realtime.Deliveries for task frames: a frame counts for the token
    ``"<task>:<version>"``, the version the step gave the task."""

    def arrived(self, raw: str) -> None:
        if '"type":"task"' not in raw:
            return
        frame = json.loads(raw)
        entry = self.pending.get(f"{frame['task']}:{frame['version']}")
        if entry is None:
            return
        entry[0] += 1
        self.frame_chars = max(self.frame_chars, len(raw))
        if entry[0] == self.sockets:
            entry[2] = time.perf_counter()
            entry[1].set()


def stepper(base: str, setup: dict):
    """A new step per call, as a planning system takes it: an organiser of the
    club (the next of the posters) offers another time for the next task,
    JSON on a kept-alive connection from a worker thread. Returns the step
    function and the token its frame will carry."""
    import requests

    http = requests.Session()
    turn = itertools.count()
    versions = {pk: version for pk, version, _opens in setup["tasks"]}
    tasks = setup["tasks"]

    def next_step() -> tuple[str, object]:
        n = next(turn)
        pk, _version, opens = tasks[n % len(tasks)]
        session = setup["posters"][n % len(setup["posters"])]
        # Each time an hour after the last one offered for the task.
        starts = opens + timedelta(hours=1 + (n // len(tasks)) % 600)

        def post() -> None:
            response = http.post(
                f"{base}/api/tasks/tasks/{pk}/propose",
                cookies={"sessionid": session, "csrftoken": realtime.CSRF},
                json={"starts": [starts.isoformat()], "version": versions[pk]},
                headers={"X-CSRFToken": realtime.CSRF, "Referer": f"{base}/"},
                timeout=10,
            )
            if response.status_code != 200:
                raise SystemExit(f"step failed: {response.status_code} {response.text}")
            versions[pk] = response.json()["version"]

        return f"{pk}:{versions[pk] + 1}", post

    return next_step


async def step_rounds(next_step, deliveries: StepDeliveries, count: int) -> list:
    latencies = []
    for _ in range(count):
        token, post = next_step()
        done = deliveries.expect(token)
        started = time.perf_counter()
        await asyncio.to_thread(post)
        await asyncio.wait_for(done.wait(), 10)
        latencies.append((deliveries.finished_at(token) - started) * 1000)
    return latencies


async def measure_live(sockets: int, updates: int, setup: dict) -> dict:
    """Ours: the board's sockets on ``daphne hub.asgi:application``."""
    port = realtime.free_port()
    log = (ROOT / "var" / "bench-tasks-live.log").open("w")
    process = subprocess.Popen(  # noqa: ASYNC220 (started once, before measuring)
        [realtime.DAPHNE, "-b", "127.0.0.1", "-p", str(port), "hub.asgi:application"],
        env=live_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        realtime.wait_until_up(f"{base}/healthz", process)
        deliveries = StepDeliveries(sockets)
        readers = setup["readers"]
        wss = await realtime.open_sockets(
            f"ws://127.0.0.1:{port}/ws/",
            sockets,
            lambda n: {"Cookie": f"sessionid={readers[n]}"},
        )
        for ws in wss:
            hello = json.loads(await ws.recv())  # the subscriptions frame
            if setup["topic"] not in hello.get("topics", []):
                raise SystemExit(f"a socket does not hear {setup['topic']}: {hello}")
        listening = [asyncio.create_task(realtime.reader(ws, deliveries)) for ws in wss]
        next_step = stepper(base, setup)
        await step_rounds(next_step, deliveries, LIVE_WARM_UP)
        cpu_before = realtime.cpu_seconds(process.pid)
        latencies = await step_rounds(next_step, deliveries, updates)
        cpu_used = realtime.cpu_seconds(process.pid) - cpu_before
        for task in listening:
            task.cancel()
        for ws in wss:
            await ws.close()
    finally:
        realtime.stop(process)
        log.close()
    return {
        "p50_ms": statistics.median(latencies),
        "p99_ms": realtime.percentile(latencies, 99),
        "cpu_us_per_delivery": cpu_used * 1e6 / (updates * sockets),
        "frame_chars": deliveries.frame_chars,
    }


LIVE_SERVERS = {"": "ours", "daphne_floor_": "Daphne floor", "floor_": "websockets"}


def run_live(sockets: int, updates: int) -> dict:
    setup = prepare_live(sockets, LIVE_WARM_UP + updates)
    ours = asyncio.run(measure_live(sockets, updates, setup))
    # The floors take realtime.py's setup: a conversation id for their URL,
    # a cookie per socket and per poster, which they never read.
    floor_setup = (0, ["none"] * sockets, ["none"])
    daphne_floor = asyncio.run(
        realtime.measure_daphne_floor(
            sockets, updates, floor_setup, ours["frame_chars"]
        )
    )
    floor = asyncio.run(
        realtime.measure_floor(sockets, updates, floor_setup, over_http=True)
    )
    figures = {
        "sockets": sockets,
        "updates": updates,
        "frame_chars": ours["frame_chars"],
        **realtime.figures("", ours),
        "p99_vs_floor": round(ours["p99_ms"] / floor["p99_ms"], 2),
        **realtime.figures("daphne_floor_", daphne_floor),
        **realtime.figures("floor_", floor),
    }
    _report_live(figures)
    return figures


def _report_live(f: dict) -> None:
    from django.db import connection

    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(
        f"a board update to {f['sockets']} sockets: Daphne + Redis pub/sub layer + "
        f"{database}; {f['updates']} steps one after another; task frame "
        f"{f['frame_chars']} characters"
    )
    print(
        f"{'server':<14}{'p50 ms':>9}{'p99 ms':>9}{'p99/floor':>11}{'CPU us/dlv':>12}"
    )
    for prefix, name in LIVE_SERVERS.items():
        p99 = f[prefix + "p99_ms"]
        print(
            f"{name:<14}{f[prefix + 'p50_ms']:9.2f}{p99:9.2f}"
            f"{p99 / f['floor_p99_ms']:11.2f}{f[prefix + 'cpu_us_per_delivery']:12.1f}"
        )
    print(flush=True)


# --- the command -------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clubs", type=int, default=40)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sockets", type=int, default=50)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--database-url", help="PostgreSQL URL (else DATABASE_URL)")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--both", action="store_true", help="SQLite, then PostgreSQL")
    parser.add_argument(
        "--sqlite-path", default=str(ROOT / "var" / "bench-tasks.sqlite3")
    )
    parser.add_argument(
        "--board-only", action="store_true", help="skip the sockets (no Redis)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 2 or args.clubs < 1 or args.updates < 1 or args.sockets < 1:
        parser.error("--runs needs 2 or more; --clubs, --updates, --sockets 1 or more")
    if args.child:
        import django

        django.setup()
        print("RESULT " + json.dumps(run_board(args.clubs, args.tasks, args.runs)))
        return
    if not args.board_only:
        if not os.environ.get("REDIS_URL"):
            sys.exit(
                "Set REDIS_URL (e.g. redis://127.0.0.1:6379/11): the board update "
                "is measured through the Redis channel layer. --board-only skips it."
            )
        support.require("websockets")
    url = args.database_url or os.environ.get("DATABASE_URL") or PG_DEFAULT
    envs = []
    if args.sqlite or args.both:
        envs.append(("sqlite", support.child_env(sqlite_path=args.sqlite_path)))
    if not args.sqlite or args.both:
        envs.append(("postgresql", support.child_env(database_url=url)))
    command = ["--child", "--clubs", str(args.clubs), "--tasks", str(args.tasks)]
    command += ["--runs", str(args.runs)]
    figures: dict = {"bench": "tasks"}
    grew = False
    for name, env in envs:
        result = support.run_child(__file__, command, env, "task board")
        grew |= result["board_queries"] != result["board_queries_small"]
        figures[name] = result
    if not args.board_only:
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            support.postgres_database(os.environ["DATABASE_URL"])
        figures["live"] = run_live(args.sockets, args.updates)
    print(json.dumps(figures))
    if grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
