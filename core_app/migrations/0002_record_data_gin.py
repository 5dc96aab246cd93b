"""A GIN (jsonb_path_ops) index on Record.data, on PostgreSQL only.

One index serves every field of every workspace: equality filters and relation lookups
compile to containment (``data @> '{"companyId": "..."}'``), which this index answers.
SQLite has no such index type; there the scope indexes do the work.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS record_data_gin ON core_app_record USING gin (data jsonb_path_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS record_data_gin")


class Migration(migrations.Migration):
    dependencies = [("core_app", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
