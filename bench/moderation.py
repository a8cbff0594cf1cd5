"""Moderation: the review queue at 100 and 10,000 open cases, and `audit_verify`
over a million audit rows on PostgreSQL.

The queue: seeds N open cases (bulk_create, one report each from a few reporters)
spread over SPACES communities, of which the bench organiser organises one; then
requests the organisers' page (/moderation/queue/) as that organiser and the
Wagtail admin's (/admin/moderation/) as a municipal moderator through Django's
test client, counts each page's SQL queries and takes the median time of
--requests requests. The floor is the same rows (the 200 oldest open cases the
person sees, with their space's name and their number of reports) read by one
SELECT through a raw cursor; the script also checks that each page lists those
cases in that order ("oldest"; cases are opened in an order unrelated to their
ids). The query count must not grow from the smallest N to the largest: the
script exits 1, after its figures, when it does.

The audit log: seeds a chain of --rows rows (COPY, each sealed as
moderation.audit.record seals it), then times `manage.py audit_verify`'s check
beside its floor: the same rows read through one server-side cursor and each
hashed with plain SHA-256, which is the least any chain check must do. Target:
under 60 s for a million rows.

    .venv/bin/python bench/moderation.py [--queue-only | --audit-only]
        [--rows 1000000] [--cases 100 10000] [--requests 20]
        [--database-url URL] [--sqlite [--sqlite-path var/bench-queue.sqlite3]]

Each part runs in a child process (settings are read once per process) on its
own database: --database-url, else DATABASE_URL, else nabolag_bench_queue and
nabolag_bench_audit on the local PostgreSQL (created when missing). Both parts
empty the tables they seed. --sqlite puts the queue on SQLite; the audit part
needs PostgreSQL's COPY and stays there. Ends with one line of JSON.
"""

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import support

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/nabolag_bench_audit"
PG_QUEUE_DEFAULT = "postgres://postgres@127.0.0.1:5432/nabolag_bench_queue"
SPACES = 4  # the organiser organises the first: their queue is a quarter
REPORTERS = 5
AUTHORS = 20
PAGE_SIZE = 200  # what both queue views slice
CASE_LINK = re.compile(r'class="case-row">\s*<p><a href="[^"]*/(\d+)/"')
WARM_UP = 3  # requests before the measured ones: session, site and plan caches


# --- the audit log -------------------------------------------------------------------


def _audit_seed(rows: int) -> float:
    from django.db import connection

    from moderation import audit

    start = time.perf_counter()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    prev = audit.GENESIS
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE moderation_auditentry RESTART IDENTITY")
        # moderation.audit.FIELDS but the id, which the table numbers itself.
        columns = ", ".join(audit.FIELDS[1:])
        copy_sql = f"COPY moderation_auditentry ({columns}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for n in range(rows):
                at = base + timedelta(seconds=n, microseconds=n % 997)
                details = json.dumps({"case": n // 3, "step": n % 3}, sort_keys=True)
                fields = (
                    at.isoformat(),
                    n % 500 + 1,
                    "case.decided",
                    "messaging.message",
                    str(n),
                    "Overtræder husreglerne",
                    details,
                )
                sealed = audit.seal(prev, *fields)
                copy.write_row((prev, at, *fields[1:], sealed))
                prev = sealed
    return time.perf_counter() - start


def _audit_floor() -> float:
    """Every row read through one server-side cursor and hashed with SHA-256."""
    from django.db import connection, transaction

    from moderation.audit import FIELDS

    start = time.perf_counter()
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor(name="floor") as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            f"SELECT {', '.join(FIELDS)} FROM moderation_auditentry ORDER BY id"  # noqa: S608 (our own column names)
        )
        for row in cursor:
            hashlib.sha256(repr(row).encode()).hexdigest()
    return time.perf_counter() - start


def run_audit(rows: int) -> dict:
    from django.core.management import call_command

    from moderation.audit import verify

    call_command("migrate", verbosity=0)
    print(f"seeding {rows:,} audit rows ...", flush=True)
    seeded = _audit_seed(rows)
    start = time.perf_counter()
    verdict = verify()
    verify_s = time.perf_counter() - start
    floor_s = _audit_floor()
    if not verdict.intact or verdict.rows != rows:
        sys.exit(f"the seeded chain did not verify: {verdict}")
    print()
    print(f"audit_verify, {rows:,} rows on PostgreSQL (seeded in {seeded:.0f} s)")
    print(f"{'':22}{'seconds':>9}{'µs/row':>9}")
    lines = (("audit_verify", verify_s), ("floor (read + SHA-256)", floor_s))
    for label, seconds in lines:
        print(f"{label:22}{seconds:9.1f}{seconds / rows * 1e6:9.1f}")
    print(f"target: under 60 s; ratio to the floor {verify_s / floor_s:.1f}x")
    print(flush=True)
    return {
        "audit_rows": rows,
        "audit_verify_s": round(verify_s, 2),
        "floor_s": round(floor_s, 2),
        "ratio": round(verify_s / floor_s, 2),
    }


# --- the review queue ----------------------------------------------------------------


def _user(name: str, **extra):
    from accounts.models import User

    user, _ = User.objects.get_or_create(
        email=f"bench-{name}@bench.example",
        defaults={"display_name": name.title(), **extra},
    )
    return user


def _queue_people() -> dict:
    """The spaces, the organiser of the first, a municipal moderator, and the
    authors and reporters of the cases (kept between runs)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from communities.models import Community, Membership

    spaces = [
        Community.objects.get_or_create(
            slug=f"bench-queue-{i}",
            defaults={"name": f"Benchby {i}", "kind": Community.Kind.VILLAGE},
        )[0]
        for i in range(SPACES)
    ]
    organiser = _user("organiser")
    Membership.objects.update_or_create(
        community=spaces[0],
        user=organiser,
        defaults={"role": Membership.Role.ORGANISER, "state": Membership.State.ACTIVE},
    )
    staff = _user("moderator", is_staff=True)
    wanted = Q(content_type__app_label="communities", codename="manage_all") | Q(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    staff.user_permissions.add(*Permission.objects.filter(wanted))
    return {
        "spaces": spaces,
        "organiser": organiser,
        "staff": staff,
        "authors": [_user(f"author-{i}") for i in range(AUTHORS)],
        "reporters": [_user(f"reporter-{i}") for i in range(REPORTERS)],
    }


def _queue_seed(n: int, people: dict) -> float:
    """Exactly ``n`` open cases, each with one report, opened ten seconds apart
    (none overdue) in an order unrelated to their ids: a page that shows cases
    in id order, not oldest first, then differs from the floor."""
    from django.db import connection, transaction
    from django.utils import timezone

    from moderation.models import Appeal, Case, Decision, Reason, Report

    start = time.perf_counter()
    spaces, authors, reporters = (
        people["spaces"],
        people["authors"],
        people["reporters"],
    )
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in (Appeal, Decision, Report, Case):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 (our own table names)
        cases = Case.objects.bulk_create(
            (
                Case(
                    kind="message",
                    object_id=str(i),
                    revision="1",
                    excerpt=f"Bench case {i}: køb billige kasinochips på example.com",
                    space=spaces[i % SPACES],
                    author=authors[i % AUTHORS],
                    score=1.0,
                )
                for i in range(n)
            ),
            batch_size=2000,
        )
        # opened_at is auto_now_add, which bulk_create fills with one instant.
        ages = list(range(1, n + 1))
        random.Random(n).shuffle(ages)
        for case, age in zip(cases, ages, strict=True):
            case.opened_at = now - timedelta(seconds=10 * age)
        Case.objects.bulk_update(cases, ["opened_at"], batch_size=1000)
        Report.objects.bulk_create(
            (
                Report(case=case, reporter=reporters[i % REPORTERS], reason=Reason.SPAM)
                for i, case in enumerate(cases)
            ),
            batch_size=2000,
        )
    _analyze(Case, Report)
    return time.perf_counter() - start


def _analyze(*models) -> None:
    """Planner statistics and PostgreSQL's visibility map, as autovacuum would."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _case_ids(content: bytes) -> list[int]:
    """The cases a queue page lists, in its order (from their links)."""
    return [int(pk) for pk in CASE_LINK.findall(content.decode())]


def _page(client, path: str, shown: int, requests: int) -> tuple[int, float, list]:
    """The page's query count, its median time in ms over ``requests`` and the
    cases it lists."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    # Read now: the next request's request_started empties the log it slices.
    queries = len(captured)
    listed = _case_ids(response.content)
    if response.status_code != 200 or len(listed) != shown:
        status = response.status_code
        sys.exit(f"{path}: status {status}, {len(listed)} cases, not {shown}")
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
    return queries, statistics.median(timings), listed


def _queue_floor(space_id: int | None, shown: int, requests: int) -> tuple:
    """The same rows by one SELECT through a raw cursor: median ms, and the ids
    of the oldest open cases, oldest first. The reports are counted by a
    subquery per row returned, not by grouping every open case's reports."""
    from django.db import connection

    from communities.models import Community
    from moderation.models import Case, Report

    columns = ", ".join(f"c.{field.column}" for field in Case._meta.concrete_fields)
    count = f"SELECT COUNT(*) FROM {Report._meta.db_table} r WHERE r.case_id = c.id"  # noqa: S608 (our own names)
    mine = "AND c.space_id = %s" if space_id is not None else ""
    sql = (
        f"SELECT {columns}, s.name, ({count}) FROM {Case._meta.db_table} c "  # noqa: S608 (our own names)
        f"LEFT JOIN {Community._meta.db_table} s ON s.id = c.space_id "
        f"WHERE c.state = %s {mine} ORDER BY c.opened_at, c.id LIMIT {PAGE_SIZE}"
    )
    params = [Case.State.OPEN] + ([space_id] if space_id is not None else [])
    timings = []
    with connection.cursor() as cursor:
        for i in range(WARM_UP + requests):
            start = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if i >= WARM_UP:
                timings.append((time.perf_counter() - start) * 1000)
    if len(rows) != shown:
        sys.exit(f"the floor read {len(rows)} cases, not {shown}")
    return statistics.median(timings), [row[0] for row in rows]


def _queue_measure(n: int, people: dict, clients: dict, requests: int) -> list[dict]:
    from django.urls import reverse

    pages = (
        ("organiser", reverse("moderation:queue"), people["spaces"][0].pk),
        ("staff", reverse("moderation_admin_queue"), None),
    )
    results = []
    for name, path, space_id in pages:
        visible = len(range(0, n, SPACES)) if space_id is not None else n
        shown = min(visible, PAGE_SIZE)
        queries, page_ms, listed = _page(clients[name], path, shown, requests)
        floor_ms, oldest = _queue_floor(space_id, shown, requests)
        results.append(
            {
                "page": name,
                "open_cases": n,
                "visible": visible,
                "shown": shown,
                "queries": queries,
                "page_ms": round(page_ms, 2),
                "floor_ms": round(floor_ms, 2),
                "ratio": round(page_ms / floor_ms, 1),
                "oldest_first": listed == oldest,
            }
        )
    return results


def run_queue(sizes: list[int], requests: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    people = _queue_people()
    clients = {"organiser": Client(), "staff": Client()}
    clients["organiser"].force_login(people["organiser"])
    clients["staff"].force_login(people["staff"])
    results = []
    for n in sizes:
        print(f"seeding {n:,} open cases ...", flush=True)
        seeded = _queue_seed(n, people)
        print(f"  seeded in {seeded:.1f} s; measuring ...", flush=True)
        results += _queue_measure(n, people, clients, requests)
    grew = _queue_report(connection.vendor, results, requests)
    return {"queue_db": connection.vendor, "queue": results, "queue_queries_grew": grew}


def _queue_report(db: str, results: list[dict], requests: int) -> bool:
    """Print the figures; whether a page's query count grew with the cases."""
    print()
    print(
        f"Review queue on {db}: open cases in {SPACES} spaces, the organiser's "
        f"is one; median of {requests} requests"
    )
    print("(floor: the 200 oldest by one SELECT, reports counted per row, raw cursor;")
    print(" oldest: the page lists the floor's cases in the floor's order)")
    print(
        f"{'page':<11}{'open':>8}{'visible':>9}{'shown':>7}{'queries':>9}"
        f"{'page ms':>9}{'floor ms':>10}{'ratio':>8}{'oldest':>8}"
    )
    for r in results:
        print(
            f"{r['page']:<11}{r['open_cases']:>8,}{r['visible']:>9,}{r['shown']:>7}"
            f"{r['queries']:>9}{r['page_ms']:>9.1f}{r['floor_ms']:>10.2f}"
            f"{r['ratio']:>7.0f}x{'yes' if r['oldest_first'] else 'NO':>8}"
        )
    grew = False
    for page in ("organiser", "staff"):
        mine = [r for r in results if r["page"] == page]
        counts = [r["queries"] for r in mine]
        grew |= max(counts) > counts[0]
        steps = " → ".join(f"{r['queries']} ({r['open_cases']:,})" for r in mine)
        verdict = "GREW" if max(counts) > counts[0] else "did not grow"
        print(f"{page} queries: {steps}: {verdict}")
    if not all(r["oldest_first"] for r in results):
        print("NOTE: a page lists other cases, or another order, than the oldest first")
    print(flush=True)
    return grew


# --- the parent ----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--queue-only", action="store_true")
    only.add_argument("--audit-only", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000, help="audit rows")
    parser.add_argument(
        "--cases", type=int, nargs="+", default=[100, 10_000], help="open cases"
    )
    parser.add_argument("--requests", type=int, default=20, help="per queue page")
    parser.add_argument("--database-url", help="PostgreSQL URL (else DATABASE_URL)")
    parser.add_argument("--sqlite", action="store_true", help="the queue on SQLite")
    parser.add_argument(
        "--sqlite-path", default=str(ROOT / "var" / "bench-queue.sqlite3")
    )
    parser.add_argument("--child", choices=["queue", "audit"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        if args.child == "queue":
            result = run_queue(args.cases, args.requests)
        else:
            result = run_audit(args.rows)
        print("RESULT " + json.dumps(result))
        return
    url = args.database_url or os.environ.get("DATABASE_URL")
    sizes = ["--rows", str(args.rows), "--requests", str(args.requests)]
    sizes += ["--cases", *map(str, args.cases)]
    figures = {"bench": "moderation"}
    if not args.audit_only:
        sqlite = args.sqlite_path if args.sqlite else None
        env = support.child_env(
            database_url=url or PG_QUEUE_DEFAULT, sqlite_path=sqlite
        )
        command = ["--child", "queue", *sizes]
        figures |= support.run_child(__file__, command, env, "queue")
    if not args.queue_only:
        env = support.child_env(database_url=url or PG_DEFAULT)
        command = ["--child", "audit", *sizes]
        figures |= support.run_child(__file__, command, env, "audit")
    print(json.dumps(figures))
    if figures.get("queue_queries_grew"):
        sys.exit(1)


if __name__ == "__main__":
    main()
