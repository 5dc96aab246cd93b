"""``manage.py list_workspaces``: one line per workspace."""

from django.core.management.base import BaseCommand
from django.db.models import Count

from metadata_app.models import Workspace


class Command(BaseCommand):
    """Print id, name, metadata version and object count of every workspace."""

    help = "List workspaces."

    def handle(self, *args, **options):
        for workspace in Workspace.objects.annotate(object_count=Count("objects_metadata")).order_by("created_at"):
            self.stdout.write(
                f"{workspace.pk}\t{workspace.display_name}\tversion {workspace.metadata_version}\t{workspace.object_count} objects"
            )
