"""A GiST index on PostgreSQL's built-in point of the public grid point of open
listings, for nearest-first radius search (``<->``, no extension needed).

PostgreSQL only: SQLite searches in growing rings on the bounding-box index.
The model state does not change, so makemigrations stays clean on both.
"""

from django.db import migrations

INDEX = "listing_public_point"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("marketplace", "Listing")._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(INDEX)} ON {table}"
        " USING gist (point(public_longitude, public_latitude))"
        " WHERE state = 'open'"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(INDEX)}")


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0003_listing_client_id_and_end_in_bbox"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
