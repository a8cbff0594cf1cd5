"""On PostgreSQL the audit log refuses UPDATE and DELETE in the database itself,
whoever sends them (the models refuse them on every database: AuditEntry).

TRUNCATE stays possible: it is how a test database is emptied between tests, and
needs the table owner's rights that the application's role should not have.
"""

from django.db import migrations

FUNCTION = "moderation_audit_append_only"
TRIGGER = "moderation_audit_append_only"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("moderation", "AuditEntry")._meta.db_table)
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'the audit log is append-only: %% refused', TG_OP"
        " USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("moderation", "AuditEntry")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_audit_log")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
