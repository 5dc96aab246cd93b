"""``manage.py create_workspace "Acme"``: create a workspace with the standard objects."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from metadata_app.services.workspaces import create_workspace


class Command(BaseCommand):
    """Create a workspace and print its id."""

    help = "Create a workspace seeded with the standard objects (person, company, opportunity, ...)."

    def add_arguments(self, parser):
        parser.add_argument("display_name")

    def handle(self, *args, display_name: str, **options):
        try:
            workspace = create_workspace(display_name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{workspace.pk}\t{workspace.display_name}")
