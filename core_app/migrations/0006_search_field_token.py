"""The search index led by the field, without the document rows (docs/architecture.md, "The search index").

``search_field_token (workspace_id, object_id, field_id, token, record_id) WHERE document IS NULL``
replaces ``search_token (workspace_id, object_id, token, record_id, field_id)``: a word's range is
read per search field (so a search can count it per field, bounded), and the one document row per
record and field, which no range reads, is no longer in the index.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core_app", "0005_search_index")]

    operations = [
        migrations.RemoveIndex(model_name="searchtoken", name="search_token"),
        migrations.AddIndex(
            model_name="searchtoken",
            index=models.Index(
                condition=models.Q(document__isnull=True),
                fields=["workspace_id", "object_id", "field_id", "token", "record_id"],
                name="search_field_token",
            ),
        ),
    ]
