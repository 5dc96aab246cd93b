"""``manage.py rebuild_search_index [workspace id ...]``: recompute the search index from the records.

Every workspace when none is named. Each workspace is rebuilt in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from core_app.store.maintenance import rebuild_search
from metadata_app.models import Workspace
from metadata_app.registry import build_snapshot


class Command(BaseCommand):
    """Recompute the search tokens of every record of the named workspaces (all by default)."""

    help = "Recompute the search index (api-reference §13.2) of workspaces from their records."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("workspace_ids", nargs="*", help="Workspace ids (default: every workspace)")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = options["workspace_ids"] or [str(pk) for pk in Workspace.objects.values_list("pk", flat=True)]
        for workspace_id in ids:
            with transaction.atomic():
                rebuild_search(build_snapshot(workspace_id, 0))
            self.stdout.write(f"search index rebuilt: {workspace_id}")
