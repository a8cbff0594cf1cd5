"""Radius search over 100,000 listings: the page selector against a full geodesic scan.

    .venv/bin/python bench/geo_search.py [--rows 100000] [--queries 200] [--scan-reps 3]
        [--sqlite-path var/bench-geo.sqlite3] [--database-url postgres://...]

Runs on SQLite (var/bench-geo.sqlite3, or --sqlite-path) and on PostgreSQL when
--database-url or DATABASE_URL is given or postgres://postgres@127.0.0.1:5432/nabolag_bench
is reachable (the database is created when missing). Each database is measured in a
child process (settings are read once per process). For radii of
1, 5, 20 and 50 km it times ``marketplace.selectors.listing_search`` (the selector the
pages use: nearest first by the GiST index on PostgreSQL and by growing rings of the
bounding-box index on SQLite, a planar distance, geopy's geodesic at the edge, the
first page of 20 by distance with its tags and photos, matches counted up to
COUNT_CAP) from random centres, counts
its queries, and times the same search done by fetching every listing and computing
geopy's geodesic distance to each. Prints a table, then one line of JSON.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import support

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/nabolag_bench"
RADII = (1, 5, 20, 50)
# Listings are spread over mid and south Jutland (about 170 x 280 km).
REGION = (55.0, 57.5, 8.2, 10.9)
MARGIN = 0.5  # centres are kept this many degrees inside, so circles fit


def _pg_url(args: argparse.Namespace) -> str:
    return args.database_url or os.environ.get("DATABASE_URL") or PG_DEFAULT


def _child_env(db: str, args: argparse.Namespace) -> dict:
    """The child's environment; _postgres_reachable has created the database."""
    if db == "sqlite":
        return support.child_env(sqlite_path=args.sqlite_path, keep_settings=False)
    return support.child_env(
        database_url=_pg_url(args), create_database=False, keep_settings=False
    )


def _postgres_reachable(url: str) -> bool:
    if not url.startswith("postgres"):
        return False
    try:
        support.postgres_database(url)
    except Exception as exc:  # noqa: BLE001 (any failure means: skip PostgreSQL)
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); skipping it.")
        return False
    return True


# --- the child: one database ---------------------------------------------------------


def _seed(rows: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from hub import geo
    from marketplace.models import Category, Listing

    author, _ = User.objects.get_or_create(
        email="bench-author@bench.example", defaults={"display_name": "Bench"}
    )
    have = Listing.objects.filter(author=author, state=Listing.State.OPEN).count()
    if have == rows:
        _analyze()  # indexes may have changed since seeding
        return
    print(f"  seeding {rows} listings ...", flush=True)
    Listing.objects.filter(author=author).delete()
    rng = random.Random(42)
    kinds, categories = Listing.Kind.values, Category.values
    now = timezone.now()
    lat0, lat1, lon0, lon1 = REGION
    batch = []
    with transaction.atomic():
        for n in range(rows):
            lat, lon = geo.snap_to_grid(
                rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)
            )
            batch.append(
                Listing(
                    author=author,
                    kind=kinds[n % len(kinds)],
                    title=f"Bench listing {n}",
                    description="Generated for the radius-search benchmark.",
                    category=categories[n % len(categories)],
                    everyone_nearby=True,
                    state=Listing.State.OPEN,
                    public_latitude=lat,
                    public_longitude=lon,
                    published_at=now,
                    expires_at=now,
                )
            )
            if len(batch) == 5000:
                Listing.objects.bulk_create(batch)
                batch = []
        Listing.objects.bulk_create(batch)
    _analyze()


def _analyze() -> None:
    """Planner statistics and PostgreSQL's visibility map, as autovacuum would."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE marketplace_listing")
        else:
            cursor.execute("ANALYZE")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _full_scan(viewer, lat: float, lon: float, radius: float) -> list[int]:
    from hub import geo
    from marketplace import selectors
    from marketplace.models import Listing

    rows = (
        selectors.visible_listings(viewer)
        .filter(state=Listing.State.OPEN)
        .values_list("pk", "public_latitude", "public_longitude")
    )
    found = []
    for pk, p_lat, p_lon in rows:
        distance = geo.geodesic_km(lat, lon, p_lat, p_lon)
        if distance <= radius:
            found.append((distance, pk))
    found.sort()
    return [pk for _d, pk in found[:20]]


def _calibrate() -> dict:
    """Microseconds per distance call on this machine, to read the figures by."""
    from hub import geo

    out = {}
    for name, fn, n in (
        ("geodesic_us", geo.geodesic_km, 2000),
        ("haversine_us", geo.haversine_km, 50000),
    ):
        start = time.perf_counter()
        for i in range(n):
            fn(56.1, 9.5, 56.2 + i / 1e6, 9.6)
        out[name] = round((time.perf_counter() - start) / n * 1e6, 2)
    return out


def run_child(db: str, rows: int, queries: int, scan_reps: int) -> list[dict]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from marketplace import selectors

    call_command("migrate", verbosity=0)
    _seed(rows)
    viewer, _ = User.objects.get_or_create(
        email="bench-viewer@bench.example", defaults={"display_name": "Viewer"}
    )
    rng = random.Random(7)
    lat0, lat1, lon0, lon1 = REGION
    results = []
    for radius in RADII:
        centres = [
            (
                rng.uniform(lat0 + MARGIN, lat1 - MARGIN),
                rng.uniform(lon0 + MARGIN, lon1 - MARGIN),
            )
            for _ in range(queries + 10)
        ]
        timings, totals = [], []
        for i, (lat, lon) in enumerate(centres):
            start = time.perf_counter()
            result = selectors.listing_search(
                viewer=viewer, latitude=lat, longitude=lon, radius_km=radius
            )
            elapsed = (time.perf_counter() - start) * 1000
            if i >= 10:  # the first few warm caches and connections
                timings.append(elapsed)
                totals.append(result.total)
        with CaptureQueriesContext(connection) as captured:
            lat, lon = centres[0]
            selectors.listing_search(
                viewer=viewer, latitude=lat, longitude=lon, radius_km=radius
            )
        scan = []
        for lat, lon in centres[10 : 10 + scan_reps]:
            start = time.perf_counter()
            _full_scan(viewer, lat, lon, radius)
            scan.append((time.perf_counter() - start) * 1000)
        p50 = statistics.median(timings)
        results.append(
            {
                "db": db,
                "radius_km": radius,
                "p50_ms": round(p50, 2),
                "p99_ms": round(_percentile(timings, 0.99), 2),
                "full_scan_ratio": round(statistics.median(scan) / p50, 1),
                "full_scan_p50_ms": round(statistics.median(scan), 1),
                "median_matches": int(statistics.median(totals)),
                "queries": len(captured),
            }
        )
    return results


# --- the parent ----------------------------------------------------------------------


def _measure(db: str, args: argparse.Namespace) -> list[dict]:
    command = [
        sys.executable,
        __file__,
        "--child",
        db,
        "--rows",
        str(args.rows),
        "--queries",
        str(args.queries),
        "--scan-reps",
        str(args.scan_reps),
    ]
    print(f"{db}: measuring ...", flush=True)
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=_child_env(db, args),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        raise SystemExit(f"{db} benchmark failed")
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    print("\n".join(line for line in done.stdout.splitlines() if line.startswith("  ")))
    return json.loads(lines[-1].removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scan-reps", type=int, default=3)
    parser.add_argument(
        "--sqlite-path", default=str(ROOT / "var" / "bench-geo.sqlite3")
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (else DATABASE_URL)")
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        results = run_child(args.child, args.rows, args.queries, args.scan_reps)
        print("RESULT " + json.dumps(results))
        return
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    import django

    django.setup()
    calibration = _calibrate()
    dbs = ["sqlite"] + (["postgres"] if _postgres_reachable(_pg_url(args)) else [])
    results = []
    for db in dbs:
        results += _measure(db, args)
    print()
    print(f"Radius search over {args.rows:,} listings, first page of 20 by distance")
    print(f"({args.queries} queries per radius; full scan = geodesic to every listing)")
    print(
        f"{'db':<9}{'radius':>8}{'matches':>9}{'queries':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'scan ms':>10}{'ratio':>8}"
    )
    for r in results:
        print(
            f"{r['db']:<9}{r['radius_km']:>6}km{r['median_matches']:>9}{r['queries']:>9}"
            f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['full_scan_p50_ms']:>10.0f}"
            f"{r['full_scan_ratio']:>7.0f}x"
        )
    print(
        f"One geodesic call costs {calibration['geodesic_us']} µs and one haversine "
        f"{calibration['haversine_us']} µs on this machine."
    )
    keys = ("db", "radius_km", "p50_ms", "p99_ms", "full_scan_ratio")
    summary = [{k: r[k] for k in keys} for r in results]
    print(json.dumps({"bench": "geo_search", "results": summary}))


if __name__ == "__main__":
    main()
