"""``manage.py create_api_key <workspace id or name> [--name NAME] [--expires-at ISO]``.

It lives in metadata_app because it looks the workspace up; apikeys_app depends on no other app.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace


class Command(BaseCommand):
    """Create an API key and print its token, which is shown this once only."""

    help = "Create an API key for a workspace and print the token (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="workspace id or display name")
        parser.add_argument("--name", default="CLI key")
        parser.add_argument("--expires-at", default=None, help="ISO 8601 date-time")

    def handle(self, *args, workspace: str, name: str, expires_at: str | None, **options):
        matches = Workspace.objects.filter(display_name=workspace)
        if not matches.exists() and (workspace_id := as_uuid(workspace)) is not None:
            matches = Workspace.objects.filter(pk=workspace_id)
        if matches.count() != 1:
            raise CommandError(f"No single workspace matches {workspace!r}; see manage.py list_workspaces")
        try:
            _, token = create_api_key(
                matches.get(), {"name": name, **({"expiresAt": expires_at} if expires_at else {})}
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(token)


def as_uuid(value: str) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one (then it can only be a display name)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
