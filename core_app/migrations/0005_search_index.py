"""The search index (api-reference §13.2): ``SearchToken`` and its bookkeeping ``SearchField``.

Tokens compare byte-wise on both databases (C collation on PostgreSQL, SQLite's BINARY), so a
query word's prefix range gives the same rows on both. Existing records are indexed here
(``manage.py rebuild_search_index`` does it again on demand).
"""

from django.db import migrations, models


def byte_order_tokens(apps, schema_editor):
    """Tokens in byte order on PostgreSQL (SQLite's BINARY already is)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE core_app_searchtoken ALTER COLUMN "token" TYPE text COLLATE "C"')


def index_existing_records(apps, schema_editor):
    """Tokens of every existing record's search fields, workspace by workspace."""
    from core_app.store.maintenance import rebuild_search
    from metadata_app.registry import build_snapshot

    Workspace = apps.get_model("metadata_app", "Workspace")
    for workspace_id in Workspace.objects.values_list("id", flat=True):
        rebuild_search(build_snapshot(workspace_id, 0))


class Migration(migrations.Migration):
    dependencies = [
        ("core_app", "0004_tenant_statistics"),
        ("metadata_app", "0005_timeline_and_attachments"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchField",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "workspace_id", "field_id", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("workspace_id", models.UUIDField()),
                ("field_id", models.UUIDField()),
                ("object_id", models.UUIDField()),
            ],
        ),
        migrations.CreateModel(
            name="SearchToken",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "record_id",
                        "field_id",
                        "token",
                        "workspace_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("workspace_id", models.UUIDField()),
                ("object_id", models.UUIDField()),
                ("record_id", models.UUIDField()),
                ("field_id", models.UUIDField()),
                ("token", models.TextField()),
                ("document", models.TextField(null=True)),
            ],
        ),
        migrations.RunPython(byte_order_tokens, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="searchtoken",
            index=models.Index(
                fields=["workspace_id", "object_id", "token", "record_id", "field_id"], name="search_token"
            ),
        ),
        migrations.RunPython(index_existing_records, migrations.RunPython.noop),
    ]
