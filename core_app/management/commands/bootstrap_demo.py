"""``manage.py bootstrap_demo``: the Demo workspace (idempotent), a few records, a fresh API key."""

from django.core.management.base import BaseCommand
from django.db import transaction

from apikeys_app.services import create_api_key
from core_app.services.samples import seed_samples
from metadata_app.models import Workspace
from metadata_app.services.workspaces import create_workspace

DEMO_NAME = "Demo"


class Command(BaseCommand):
    """Create the Demo workspace once, then print a new API key for it on every run."""

    help = "Create (once) the Demo workspace with sample records and print a fresh API key."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args, host: str, **options):
        workspace = Workspace.objects.filter(display_name=DEMO_NAME).order_by("created_at").first()
        if workspace is None:
            workspace = create_workspace(DEMO_NAME)
            seed_samples(workspace)
        _, token = create_api_key(workspace, {"name": "Demo key (make run)"})
        base = f"http://{host}"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"Workspace  {workspace.display_name} ({workspace.pk})",
                    f"API key    {token}",
                    "           (shown once; create more with: python3 dev.py manage create_api_key Demo)",
                    f"API        {base}/rest/   metadata: {base}/rest/metadata/objects",
                    f"Docs       {base}/docs   (paste the API key there)",
                    f"Try        curl -H 'Authorization: Bearer {token}' {base}/rest/metadata/objects",
                    "",
                ]
            )
        )
