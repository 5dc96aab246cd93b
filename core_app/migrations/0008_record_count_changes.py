"""``RecordCount.changes``: transactions that changed an object's index, per counter shard.

``core_app.store.counts.kept_count`` keeps a filtered count while an object's ``changes`` stay
the same. The column has a database default (0), as the store's inserts do not always name it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core_app", "0007_links_unique_without_slash")]

    operations = [
        migrations.AddField(
            model_name="recordcount",
            name="changes",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
    ]
