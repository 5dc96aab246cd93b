"""``FieldMetadata.is_indexed``: fields kept in the record store's index path.

Existing fields that Twenty indexes become indexed: ``createdAt``, ``position`` and ``deletedAt``
of every object, and each object's label identifier (``name``...). Unique fields and relation
join columns are indexed whatever the flag says.
"""

from django.db import migrations, models


def mark_standard_indexes(apps, schema_editor):
    FieldMetadata = apps.get_model("metadata_app", "FieldMetadata")
    ObjectMetadata = apps.get_model("metadata_app", "ObjectMetadata")
    FieldMetadata.objects.filter(is_system=True, name__in=("createdAt", "position", "deletedAt")).update(
        is_indexed=True
    )
    identifiers = ObjectMetadata.objects.exclude(label_identifier_field_metadata_id=None).values_list(
        "label_identifier_field_metadata_id", flat=True
    )
    FieldMetadata.objects.filter(pk__in=list(identifiers)).update(is_indexed=True)


class Migration(migrations.Migration):
    dependencies = [("metadata_app", "0001_initial")]

    operations = [
        migrations.AddField(model_name="fieldmetadata", name="is_indexed", field=models.BooleanField(default=False)),
        migrations.RunPython(mark_standard_indexes, migrations.RunPython.noop),
    ]
