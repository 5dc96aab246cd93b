"""``manage.py delete_workspace <workspace id or name> [--yes]``: delete a workspace and all it owns.

Everything goes in one transaction, table by table (``Workspace.delete``): records, index rows,
unique values, search tokens, events, deliveries, imports, keys, webhooks, roles, the data model.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from metadata_app.management.commands.create_api_key import as_uuid
from metadata_app.models import Workspace


class Command(BaseCommand):
    """Delete one workspace after a confirmation (``--yes`` skips it)."""

    help = "Delete a workspace with its data model, records, events, imports, API keys and webhooks."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="workspace id or display name")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, workspace: str, yes: bool, **options: Any) -> None:
        matches = Workspace.objects.filter(display_name=workspace)
        if not matches.exists() and (workspace_id := as_uuid(workspace)) is not None:
            matches = Workspace.objects.filter(pk=workspace_id)
        if matches.count() != 1:
            raise CommandError(f"No single workspace matches {workspace!r}; give its id (manage.py list_workspaces)")
        target = matches.get()
        if not yes:
            answer = input(f"Delete workspace {target.display_name} ({target.pk}) and everything in it? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing deleted.")
        described = f"{target.display_name} ({target.pk})"  # Django clears the pk on delete
        target.delete()
        self.stdout.write(f"Deleted workspace {described}.")
