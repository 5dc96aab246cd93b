"""Unique link values without their trailing slashes (``https://acme.com/`` is ``https://acme.com``).

``LinksType.unique_value`` now drops the trailing slashes of ``primaryLinkUrl``, as Twenty does
before matching a link (unique constraint, upsert, ``connect``). Stored values written before keep
their old form until re-keyed here. A value whose new form another record already holds keeps the
old one (both records stay, as they were accepted); values stored as a digest (over 256
characters) keep theirs until their record is written again.
"""

from django.db import migrations


def rekey_links(apps, schema_editor):
    FieldMetadata = apps.get_model("metadata_app", "FieldMetadata")
    UniqueValue = apps.get_model("core_app", "UniqueValue")
    field_ids = list(FieldMetadata.objects.filter(type="LINKS", is_unique=True).values_list("id", flat=True))
    for row in UniqueValue.objects.filter(field_id__in=field_ids, value__endswith="/").iterator():
        new = row.value.rstrip("/")
        keyed = UniqueValue.objects.filter(workspace_id=row.workspace_id, field_id=row.field_id)
        if new and not keyed.filter(value=new).exists():
            keyed.filter(value=row.value).update(value=new)
        elif not new:
            keyed.filter(value=row.value).delete()


class Migration(migrations.Migration):
    dependencies = [("core_app", "0006_search_field_token"), ("metadata_app", "0005_timeline_and_attachments")]

    operations = [migrations.RunPython(rekey_links, migrations.RunPython.noop)]
