"""Moderation: `audit_verify` over a million audit rows on PostgreSQL.

Seeds a chain of --rows rows (COPY, each sealed as moderation.audit.record seals
it), then times `manage.py audit_verify`'s check beside its floor: the same rows
read through one server-side cursor and each hashed with plain SHA-256, which is
the least any chain check must do. Target: under 60 s for a million rows.

    .venv/bin/python bench/moderation.py [--rows 1000000] [--database-url URL]

(The review queue's figures join this script when the queue exists.)
"""

import argparse
import hashlib
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import support

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/nabolag_bench_audit"


def _seed(rows: int) -> float:
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


def _floor() -> float:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL URL (else DATABASE_URL)")
    args = parser.parse_args()
    url = args.database_url or os.environ.get("DATABASE_URL") or PG_DEFAULT
    try:
        support.postgres_database(url)
    except Exception as exc:  # noqa: BLE001 (any failure means: nothing to measure)
        sys.exit(f"PostgreSQL not reachable at {url} ({exc.__class__.__name__})")
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from moderation.audit import verify

    call_command("migrate", verbosity=0)
    print(f"seeding {args.rows:,} audit rows ...", flush=True)
    seeded = _seed(args.rows)
    start = time.perf_counter()
    verdict = verify()
    verify_s = time.perf_counter() - start
    floor_s = _floor()
    if not verdict.intact or verdict.rows != args.rows:
        sys.exit(f"the seeded chain did not verify: {verdict}")
    print()
    print(f"audit_verify, {args.rows:,} rows on PostgreSQL (seeded in {seeded:.0f} s)")
    print(f"{'':22}{'seconds':>9}{'µs/row':>9}")
    rows = (("audit_verify", verify_s), ("floor (read + SHA-256)", floor_s))
    for label, seconds in rows:
        print(f"{label:22}{seconds:9.1f}{seconds / args.rows * 1e6:9.1f}")
    print(f"target: under 60 s; ratio to the floor {verify_s / floor_s:.1f}x")
    print(
        json.dumps(
            {
                "bench": "moderation",
                "audit_rows": args.rows,
                "audit_verify_s": round(verify_s, 2),
                "floor_s": round(floor_s, 2),
                "ratio": round(verify_s / floor_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
