"""Statistics back on the store's tenant columns (PostgreSQL).

An earlier 0003 set ``STATISTICS 0`` on the tenant columns so that plans could not follow stale
estimates; the plans are now robust by their shape (id-led keys, bounded id lists, probes of the
position index) and the planner needs real sizes for the rest, so databases migrated then get the
default back. On a database that never had the setting this changes nothing.
"""

from django.db import migrations

TENANT_COLUMNS = {
    "core_app_record": ("workspace_id", "object_id"),
    "core_app_recordindex": ("workspace_id", "slot"),
    "core_app_uniquevalue": ("workspace_id", "field_id", "object_id"),
    "core_app_recordcount": ("workspace_id", "object_id"),
}


def default_statistics(apps, schema_editor):
    """Give every tenant column of the store the default statistics target again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in TENANT_COLUMNS.items():
        clauses = ", ".join(f"ALTER COLUMN {column} SET STATISTICS -1" for column in columns)
        schema_editor.execute(f"ALTER TABLE {table} {clauses}")


class Migration(migrations.Migration):
    dependencies = [("core_app", "0003_store_index_path")]

    operations = [migrations.RunPython(default_statistics, migrations.RunPython.noop)]
