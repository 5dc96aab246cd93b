"""Existing workspaces get the ``timelineActivities`` and ``attachments`` standard objects (api-reference §16, §17).

New workspaces are seeded with them; this gives every workspace created before them the two objects,
their relations to every business and custom object, and a new metadata version (each process
rebuilds its snapshot). The real models are used on purpose: the objects are built by the same code
that seeds a new workspace, so the two can never differ. No schema change.
"""

from django.db import migrations


def install(apps, schema_editor):
    from metadata_app.models import Workspace
    from metadata_app.standard_objects import install_timeline_and_attachments

    for workspace in Workspace.objects.order_by("pk").iterator():
        install_timeline_and_attachments(workspace)


class Migration(migrations.Migration):
    dependencies = [("metadata_app", "0004_field_is_searchable")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
