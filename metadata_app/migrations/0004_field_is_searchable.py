"""``FieldMetadata.is_searchable``: the search fields of api-reference §13.2.

Existing workspaces get Twenty's defaults: the search fields of the standard objects, each custom
object's label identifier; system objects are no longer searchable.
"""

from django.db import migrations, models

SEARCH_FIELDS = {
    "person": ("name", "emails", "phones", "jobTitle"),
    "company": ("name", "domainName"),
    "opportunity": ("name",),
    "note": ("title", "bodyV2"),
    "task": ("title", "bodyV2"),
}


def mark_search_fields(apps, schema_editor):
    FieldMetadata = apps.get_model("metadata_app", "FieldMetadata")
    ObjectMetadata = apps.get_model("metadata_app", "ObjectMetadata")
    for singular, names in SEARCH_FIELDS.items():
        FieldMetadata.objects.filter(
            object__name_singular=singular, object__is_custom=False, is_custom=False, name__in=names
        ).update(is_searchable=True)
    identifiers = (
        ObjectMetadata.objects.filter(is_custom=True)
        .exclude(label_identifier_field_metadata_id=None)
        .values_list("label_identifier_field_metadata_id", flat=True)
    )
    FieldMetadata.objects.filter(
        pk__in=list(identifiers), type__in=("TEXT", "FULL_NAME", "EMAILS", "PHONES", "LINKS")
    ).update(is_searchable=True)
    ObjectMetadata.objects.filter(is_system=True).update(is_searchable=False)


class Migration(migrations.Migration):
    dependencies = [("metadata_app", "0003_workspace_settings")]

    operations = [
        migrations.AddField(model_name="fieldmetadata", name="is_searchable", field=models.BooleanField(default=False)),
        migrations.RunPython(mark_search_fields, migrations.RunPython.noop),
    ]
