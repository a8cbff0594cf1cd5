"""Two live bookings of one facility never overlap, whatever writes them.

PostgreSQL: an exclusion constraint over the facility and the blocked range
(btree_gist lets the facility's equality join the range's overlap in one GiST
index). SQLite has no such constraint: triggers refuse an insert or update
that would overlap, inside the same write transaction, so two concurrent
requests cannot both pass (SQLite lets one writer at a time).

The triggers and the constraint raise the same way to Django: IntegrityError
naming ``facility_booking_no_overlap``."""

from django.db import migrations

CONSTRAINT = "facility_booking_no_overlap"
LIVE = "('pending', 'approved')"

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE agenda_booking ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (
            facility_id WITH =,
            tstzrange(blocked_from, blocked_until, '[)') WITH &&
        ) WHERE (state IN {LIVE})""",
]
POSTGRES_DOWN = [f"ALTER TABLE agenda_booking DROP CONSTRAINT {CONSTRAINT}"]


def _sqlite_trigger(when: str) -> str:
    other = "AND b.id != NEW.id" if when == "UPDATE" else ""
    return f"""
CREATE TRIGGER {CONSTRAINT}_{when.lower()}
BEFORE {when} ON agenda_booking
FOR EACH ROW WHEN NEW.state IN {LIVE}
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: {CONSTRAINT}')
    WHERE EXISTS (
        SELECT 1 FROM agenda_booking b
        WHERE b.facility_id = NEW.facility_id {other}
          AND b.state IN {LIVE}
          AND b.blocked_from < NEW.blocked_until
          AND b.blocked_until > NEW.blocked_from
    );
END"""


SQLITE_UP = [_sqlite_trigger("INSERT"), _sqlite_trigger("UPDATE")]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {CONSTRAINT}_insert",
    f"DROP TRIGGER IF EXISTS {CONSTRAINT}_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("agenda", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
