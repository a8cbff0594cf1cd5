"""The calendar with 50,000 occurrences in the municipality: the clash check for
a new event, a portal's year feed and the month view of the municipal calendar.

Seeds ASSOCIATIONS associations in VILLAGES villages with weekly series (bulk
writes; the services are what is measured, not how the bench seeds), a fifth of
them at FACILITIES facilities with their bookings, until the municipality holds
--occurrences occurrences over a year. Then, on one database:

- the clash check (``agenda.clashes.check``) for a new weekly series of 30 dates
  at a busy facility, in a busy village and audience, expecting a large crowd:
  p50 and p95 of --runs runs. Target: p95 under 50 ms. Floor: one raw SQL
  statement that finds the same rival occurrences and bookings for those dates.
- a portal's year feed (``/calendar/feeds/<token>.ics`` through Django's test
  client, the busiest association's): median ms and its size. Floor: the same
  rows read by one raw SELECT and written as VEVENT lines by string formatting.
- the month view (``/calendar/?view=month``) for a visitor: its query count at
  a tenth of the occurrences and at all of them (must be the same: the script
  exits 1 when it grows) and its median ms. Floor: that month's occurrences and
  their events by one raw SELECT.

    .venv/bin/python bench/agenda_calendar.py [--occurrences 50000] [--runs 50]
        [--database-url URL | --sqlite [--sqlite-path var/bench-calendar.sqlite3]]
        [--both]

--both runs SQLite and then PostgreSQL (DATABASE_URL, else nabolag_bench_calendar
on the local server, created when missing). Each database runs in a child
process (settings are read once per process). Ends with one line of JSON.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import support

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/nabolag_bench_calendar"
VILLAGES = 5
ASSOCIATIONS = 40
FACILITIES = 20
WEEKS = 50
# The tables whose planner statistics the seeding changes.
TABLES = ("agenda_event", "agenda_occurrence", "agenda_booking")
WARM_UP = 3


# --- seeding ---------------------------------------------------------------------


def _wipe() -> None:
    from agenda.models import Booking, Event, Facility, Feed
    from communities.models import Community

    Booking.objects.all().delete()
    Feed.objects.all().delete()
    Event.objects.all().delete()
    Facility.objects.all().delete()
    Community.objects.filter(slug__startswith="bench-").delete()


def _places() -> tuple[list, list, list]:
    from agenda.models import Facility, OpeningHours
    from communities.models import Community

    villages = [
        Community.objects.create(
            name=f"Bench village {i}",
            slug=f"bench-village-{i}",
            kind=Community.Kind.VILLAGE,
            latitude=56.1 + i * 0.02,
            longitude=9.5 + i * 0.02,
        )
        for i in range(VILLAGES)
    ]
    associations = [
        Community.objects.create(
            name=f"Bench association {i}",
            slug=f"bench-association-{i}",
            kind=Community.Kind.ASSOCIATION,
        )
        for i in range(ASSOCIATIONS)
    ]
    facilities = [
        Facility.objects.create(
            name=f"Bench hall {i}",
            slug=f"bench-hall-{i}",
            kind=Facility.Kind.HALL,
            village=villages[i % VILLAGES],
            latitude=56.1,
            longitude=9.5,
        )
        for i in range(FACILITIES)
    ]
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=f, weekday=d, opens="06:00", closes="23:59")
        for f in facilities
        for d in range(7)
    )
    return villages, associations, facilities


def _seed(target: int, first_series: int, places, start) -> int:
    """Weekly series of WEEKS dates from ``start`` until the municipality holds
    ``target`` occurrences; series ``n`` at a facility when n % 5 == 0, at a
    slot no other series there takes. Returns the next series number."""
    from agenda.models import Audience, Booking, Event, Occurrence

    villages, associations, facilities = places
    audiences = list(Audience.values)
    n = first_series
    have = Occurrence.objects.count()
    while have < target:
        batch = []
        for _ in range(min(100, (target - have) // WEEKS or 1)):
            facility = facilities[(n // 5) % FACILITIES] if n % 5 == 0 else None
            # A facility's series: its own weekday and hour, never overlapping.
            slot = (n // 5) // FACILITIES
            day = slot % 7 if facility else n % 7
            hour = 7 + (slot // 7) * 2 if facility else 8 + n % 12
            first = start + timedelta(days=day, hours=hour)
            batch.append(
                (
                    Event(
                        community=associations[n % ASSOCIATIONS],
                        village=villages[n % VILLAGES],
                        facility=facility,
                        title=f"Series {n}",
                        starts_at=first,
                        duration=timedelta(hours=1, minutes=30),
                        rrule=f"FREQ=WEEKLY;COUNT={WEEKS}",
                        audience=audiences[(n // VILLAGES) % len(audiences)],
                        expected_attendance=150 if n % 50 == 0 else 20,
                    ),
                    first,
                )
            )
            n += 1
        events = Event.objects.bulk_create([e for e, _first in batch])
        occurrences = Occurrence.objects.bulk_create(
            Occurrence(
                event=event,
                original_start=first + timedelta(weeks=w),
                starts_at=first + timedelta(weeks=w),
                ends_at=first + timedelta(weeks=w) + event.duration,
            )
            for event, (_e, first) in zip(events, batch, strict=True)
            for w in range(WEEKS)
        )
        Booking.objects.bulk_create(
            Booking(
                facility=o.event.facility,
                community=o.event.community,
                occurrence=o,
                title=o.event.title,
                starts_at=o.starts_at,
                ends_at=o.ends_at,
                blocked_from=o.starts_at,
                blocked_until=o.ends_at,
                state=Booking.State.APPROVED,
            )
            for o in occurrences
            if o.event.facility is not None
        )
        have += len(occurrences)
    return n


# --- measuring -------------------------------------------------------------------


def _clash(places, start, runs: int) -> dict:
    from django.db import connection

    from agenda import clashes, recurrence
    from agenda.models import Audience, Event

    villages, associations, facilities = places
    first = recurrence.local(start + timedelta(days=1, hours=7))
    candidate = Event(
        community=associations[1],
        village=villages[0],
        facility=facilities[0],
        audience=Audience.EVERYONE,
        title="New series",
        starts_at=first,
        duration=timedelta(hours=2),
        expected_attendance=200,
    )
    starts = recurrence.expand(first, "FREQ=WEEKLY;COUNT=30")
    found = clashes.check(candidate, starts)
    timings = support.timings_ms(
        lambda: clashes.check(candidate, starts), runs, warm_up=WARM_UP
    )
    windows = " OR ".join("(o.starts_at < %s AND o.ends_at > %s)" for _ in starts)
    near = timedelta(hours=2)
    params = []
    for s in starts:
        params += [s + candidate.duration + near, s - near]
    booking_windows = " OR ".join(
        "(b.blocked_from < %s AND b.blocked_until > %s)" for _ in starts
    )
    booking_params = []
    for s in starts:
        booking_params += [s + candidate.duration, s]
    # Only placeholders are formatted in; the values go as parameters.
    sql = (
        "SELECT o.id FROM agenda_occurrence o JOIN agenda_event e ON e.id = o.event_id "  # noqa: S608
        f"WHERE e.village_id = %s AND e.audience = %s AND ({windows}) "
        "UNION ALL SELECT b.id FROM agenda_booking b WHERE b.facility_id = %s "
        f"AND b.state IN ('pending', 'approved') AND ({booking_windows})"
    )
    args = [
        villages[0].pk,
        candidate.audience,
        *params,
        facilities[0].pk,
        *booking_params,
    ]

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            cursor.fetchall()

    floor_timings = support.timings_ms(floor, runs, warm_up=WARM_UP)
    return {
        "clash_dates": len(starts),
        "clashes_found": len(found),
        "clash_p50_ms": round(statistics.median(timings), 2),
        "clash_p95_ms": round(support.p95(timings), 2),
        "clash_floor_p50_ms": round(statistics.median(floor_timings), 2),
        "clash_floor_p95_ms": round(support.p95(floor_timings), 2),
    }


def _feed(places, runs: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from agenda.models import Event, Feed

    community = places[1][0]
    # A visitor's address of a public portal: its public events.
    reader, _new = User.objects.get_or_create(
        email="bench-feed@bench.example", defaults={"display_name": "Bench"}
    )
    feed = Feed.objects.create(
        kind=Feed.Kind.COMMUNITY, community=community, created_by=reader
    )
    client = Client()
    path = reverse("agenda:feed", kwargs={"token": feed.token})
    response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"{path}: status {response.status_code}")
    size = len(response.content)
    events = Event.objects.filter(community=community).count()
    timings = support.timings_ms(
        lambda: client.get(path), max(5, runs // 5), warm_up=WARM_UP
    )

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.uid, e.title, e.starts_at, e.duration, e.rrule, o.state, "
                "o.original_start, o.starts_at, o.ends_at FROM agenda_event e "
                "LEFT JOIN agenda_occurrence o ON o.event_id = e.id AND "
                "(o.moved OR o.state != 'scheduled') WHERE e.community_id = %s",
                [community.pk],
            )
            lines = ["BEGIN:VCALENDAR"]
            for row in cursor.fetchall():
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:{row[0]}",
                    f"SUMMARY:{row[1]}",
                    f"DTSTART:{row[2]:%Y%m%dT%H%M%SZ}",
                    f"RRULE:{row[4]}",
                    "END:VEVENT",
                ]
            lines.append("END:VCALENDAR")
            "\r\n".join(lines).encode()

    floor_timings = support.timings_ms(floor, max(5, runs // 5), warm_up=WARM_UP)
    return {
        "feed_events": events,
        "feed_bytes": size,
        "feed_p50_ms": round(statistics.median(timings), 2),
        "feed_floor_p50_ms": round(statistics.median(floor_timings), 2),
    }


def _month(start, runs: int) -> tuple[int, float, float, int]:
    """The month view's query count, median ms, floor ms and occurrences."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agenda import recurrence

    month = recurrence.local(start + timedelta(days=40))
    path = f"/calendar/?view=month&date={month:%Y-%m-%d}"
    client = Client()
    for _ in range(WARM_UP):
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries = len(captured)
    if response.status_code != 200:
        sys.exit(f"{path}: status {response.status_code}")
    timings = support.timings_ms(
        lambda: client.get(path), max(5, runs // 5), warm_up=WARM_UP
    )
    first = month.replace(day=1, hour=0, minute=0)
    last = (first + timedelta(days=32)).replace(day=1)
    count = [0]

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT o.id, o.starts_at, o.ends_at, o.state, e.title, c.name "
                "FROM agenda_occurrence o JOIN agenda_event e ON e.id = o.event_id "
                "JOIN communities_community c ON c.id = e.community_id "
                "WHERE o.starts_at < %s AND o.ends_at > %s AND e.is_public "
                "ORDER BY o.starts_at, o.id",
                [last, first],
            )
            count[0] = len(cursor.fetchall())

    floor_ms = statistics.median(
        support.timings_ms(floor, max(5, runs // 5), warm_up=WARM_UP)
    )
    return queries, statistics.median(timings), floor_ms, count[0]


def run(occurrences: int, runs: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    _wipe()
    start = (timezone.now() + timedelta(days=2)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    began = time.perf_counter()
    places = _places()
    n = _seed(occurrences // 10, 0, places, start)
    support.analyze(TABLES)
    small = _month(start, runs)
    _seed(occurrences, n, places, start)
    support.analyze(TABLES)
    seeded = time.perf_counter() - began
    large = _month(start, runs)
    figures = {
        "database": connection.vendor,
        "occurrences": occurrences,
        **_clash(places, start, runs),
        **_feed(places, runs),
        "month_queries_small": small[0],
        "month_queries": large[0],
        "month_occurrences": large[3],
        "month_p50_ms": round(large[1], 2),
        "month_floor_p50_ms": round(large[2], 2),
    }
    _report(figures, seeded)
    return figures


def _report(f: dict, seeded: float) -> None:
    print()
    print(
        f"calendar on {f['database']}: {f['occurrences']:,} occurrences "
        f"(seeded in {seeded:.0f} s)"
    )
    print(f"{'':34}{'p50 ms':>9}{'p95 ms':>9}{'floor p50':>11}{'floor p95':>11}")
    print(
        f"{'clash check, ' + str(f['clash_dates']) + ' dates':34}"
        f"{f['clash_p50_ms']:9.2f}{f['clash_p95_ms']:9.2f}"
        f"{f['clash_floor_p50_ms']:11.2f}{f['clash_floor_p95_ms']:11.2f}"
    )
    print(
        f"{'year feed, ' + str(f['feed_events']) + ' events':34}"
        f"{f['feed_p50_ms']:9.2f}{'':9}{f['feed_floor_p50_ms']:11.2f}"
    )
    print(
        f"{'month view, ' + str(f['month_occurrences']) + ' dates':34}"
        f"{f['month_p50_ms']:9.2f}{'':9}{f['month_floor_p50_ms']:11.2f}"
    )
    print(
        f"clash check target: p95 under 50 ms ({f['clashes_found']} clashes found); "
        f"month view queries: {f['month_queries_small']} at a tenth, "
        f"{f['month_queries']} at all; feed {f['feed_bytes']:,} bytes"
    )
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occurrences", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", help="PostgreSQL URL (else DATABASE_URL)")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--both", action="store_true", help="SQLite, then PostgreSQL")
    parser.add_argument(
        "--sqlite-path", default=str(ROOT / "var" / "bench-calendar.sqlite3")
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        print("RESULT " + json.dumps(run(args.occurrences, args.runs)))
        return
    url = args.database_url or os.environ.get("DATABASE_URL") or PG_DEFAULT
    envs = []
    if args.sqlite or args.both:
        envs.append(("sqlite", support.child_env(sqlite_path=args.sqlite_path)))
    if not args.sqlite or args.both:
        envs.append(("postgresql", support.child_env(database_url=url)))
    command = ["--child", "--occurrences", str(args.occurrences)]
    command += ["--runs", str(args.runs)]
    figures: dict = {"bench": "calendar"}
    grew = False
    for name, env in envs:
        result = support.run_child(__file__, command, env, "calendar")
        grew |= result["month_queries"] != result["month_queries_small"]
        figures[name] = result
    print(json.dumps(figures))
    if grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
