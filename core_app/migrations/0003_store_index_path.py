"""The record store with an index path (see core_app/models.py and docs/architecture.md).

- ``Record`` is keyed ``(id, workspace_id)`` (ready for distribution by workspace; an id is unique
  within a workspace), with partial indexes for live records and for the trash;
- ``RecordIndex`` (new): one typed, sortable key per live record and indexed field;
- ``UniqueValue`` is keyed ``(workspace_id, field_id, value)``;
- ``RecordCount`` (new): live records per object.

Existing records are copied, then their index rows and counters are computed from their data.
The former tables (and their GIN index) are dropped.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def copy_records(apps, schema_editor):
    """Copy the former tables' rows, then build the index path and counters of every workspace."""
    from core_app.store.maintenance import rebuild
    from metadata_app.registry import build_snapshot

    LegacyRecord = apps.get_model("core_app", "LegacyRecord")
    LegacyUniqueValue = apps.get_model("core_app", "LegacyUniqueValue")
    Record = apps.get_model("core_app", "Record")
    UniqueValue = apps.get_model("core_app", "UniqueValue")
    batch = []
    # Each object's records side by side, in creation order: the layout inserts would have given.
    for old in LegacyRecord.objects.order_by("workspace_id", "object_id", "created_at", "id").iterator(chunk_size=2000):
        batch.append(
            Record(
                workspace_id=old.workspace_id,
                id=old.id,
                object_id=old.object_id,
                data=old.data,
                position=old.position,
                created_at=old.created_at,
                updated_at=old.updated_at,
                deleted_at=old.deleted_at,
                created_by=old.created_by,
                updated_by=old.updated_by,
            )
        )
        if len(batch) == 2000:
            Record.objects.bulk_create(batch)
            batch = []
    Record.objects.bulk_create(batch)
    owners = dict(LegacyRecord.objects.values_list("id", "workspace_id"))
    UniqueValue.objects.bulk_create(
        [
            UniqueValue(
                workspace_id=owners[value.record_id],
                field_id=value.field_id,
                value=value.value,
                object_id=value.object_id,
                record_id=value.record_id,
            )
            for value in LegacyUniqueValue.objects.iterator(chunk_size=2000)
            if value.record_id in owners
        ],
        batch_size=2000,
    )
    Workspace = apps.get_model("metadata_app", "Workspace")
    for workspace_id in Workspace.objects.values_list("id", flat=True):
        rebuild(build_snapshot(workspace_id, 0))


def byte_order_keys(apps, schema_editor):
    """Index keys compare byte-wise on PostgreSQL (the C collation), as SQLite's BINARY does."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE core_app_recordindex ALTER COLUMN "key" TYPE text COLLATE "C"')


def create_key_index(apps, schema_editor):
    """The index path's B-tree, with records without a value first (NULLS FIRST, SQLite's own order),
    so that Twenty's default direction (AscNullsFirst) is one forward range scan."""
    nulls = " NULLS FIRST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f'CREATE INDEX record_index_key ON core_app_recordindex (workspace_id, slot, "key"{nulls}, record_id)'
    )


def drop_key_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX record_index_key")


class Migration(migrations.Migration):
    dependencies = [
        ("core_app", "0002_record_data_gin"),
        ("metadata_app", "0002_field_is_indexed"),
    ]

    operations = [
        migrations.RenameModel("Record", "LegacyRecord"),
        migrations.RenameModel("UniqueValue", "LegacyUniqueValue"),
        migrations.CreateModel(
            name="Record",
            fields=[
                ("pk", models.CompositePrimaryKey("id", "workspace_id", blank=True, editable=False, serialize=False)),
                ("id", models.UUIDField(default=uuid.uuid4, editable=False)),
                ("data", models.JSONField(default=dict)),
                ("position", models.FloatField(default=0)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("deleted_at", models.DateTimeField(blank=True, null=True)),
                ("created_by", models.JSONField(blank=True, null=True)),
                ("updated_by", models.JSONField(blank=True, null=True)),
                (
                    "object",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="metadata_app.objectmetadata",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="metadata_app.workspace",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("deleted_at__isnull", True)),
                        fields=["workspace", "object", "id"],
                        name="record_live",
                    ),
                    models.Index(
                        condition=models.Q(("deleted_at__isnull", False)),
                        fields=["workspace", "object", "id"],
                        name="record_trash",
                    ),
                    models.Index(
                        condition=models.Q(("deleted_at__isnull", True)),
                        fields=["workspace", "object", "created_at", "id"],
                        name="record_created",
                    ),
                    models.Index(
                        condition=models.Q(("deleted_at__isnull", True)),
                        fields=["workspace", "object", "position", "id"],
                        name="record_position",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RecordIndex",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "record_id", "slot", "workspace_id", blank=True, editable=False, serialize=False
                    ),
                ),
                ("workspace_id", models.UUIDField()),
                ("record_id", models.UUIDField()),
                ("slot", models.UUIDField()),
                ("key", models.TextField(null=True)),
            ],
        ),
        migrations.RunPython(byte_order_keys, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create_key_index, drop_key_index)],
            state_operations=[
                migrations.AddIndex(
                    model_name="recordindex",
                    index=models.Index(fields=["workspace_id", "slot", "key", "record_id"], name="record_index_key"),
                ),
            ],
        ),
        migrations.CreateModel(
            name="UniqueValue",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "workspace_id", "field_id", "value", blank=True, editable=False, serialize=False
                    ),
                ),
                ("workspace_id", models.UUIDField()),
                ("field_id", models.UUIDField()),
                ("value", models.TextField()),
                ("object_id", models.UUIDField()),
                ("record_id", models.UUIDField()),
            ],
            options={
                "indexes": [models.Index(fields=["record_id"], name="unique_value_record")],
            },
        ),
        migrations.CreateModel(
            name="RecordCount",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "workspace_id", "object_id", "shard", blank=True, editable=False, serialize=False
                    ),
                ),
                ("workspace_id", models.UUIDField()),
                ("object_id", models.UUIDField()),
                ("shard", models.SmallIntegerField()),
                ("live", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(copy_records, migrations.RunPython.noop),
        migrations.DeleteModel("LegacyUniqueValue"),
        migrations.DeleteModel("LegacyRecord"),
    ]
