"""``manage.py purge_trash [--workspace ID_OR_NAME] [--batch-size N]``: the trash purge, by hand.

The same work as the periodic job of the task worker (``core_app.tasks.purge_trash``): destroy the
records trashed longer ago than their workspace's ``trashRetentionDays``, through the record
service (``destroyed`` events and webhooks included), in small transactions.
"""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from core_app.services.trash import batch_size, purge_expired_trash
from metadata_app.models import Workspace


class Command(BaseCommand):
    """Destroy expired trashed records now and print how many per workspace."""

    help = "Destroy records trashed longer ago than their workspace's trashRetentionDays (default 14 days)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", default=None, help="only this workspace (id or display name)")
        parser.add_argument("--batch-size", type=int, default=None, help="records destroyed per transaction")

    def handle(self, *args, workspace: str | None, batch_size: int | None, **options):
        workspaces = Workspace.objects.all()
        if workspace is not None:
            workspaces = workspaces.filter(Q(display_name=workspace) | Q(pk=as_uuid(workspace)))
            if not workspaces.exists():
                raise CommandError(f"No workspace matches {workspace!r}; see manage.py list_workspaces")
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        report = purge_expired_trash(limit=batch_size or default_batch_size(), workspaces=workspaces)
        for workspace_id, count in sorted(report.destroyed.items()):
            self.stdout.write(f"{workspace_id}: destroyed {count} records")
        self.stdout.write(f"Destroyed {report.total} trashed records in {len(report.destroyed)} workspaces.")
        if report.failures:
            raise CommandError("Some objects could not be purged: " + "; ".join(report.failures))


def default_batch_size() -> int:
    """``TRASH_PURGE_BATCH_SIZE``."""
    return batch_size()


def as_uuid(value: str) -> uuid.UUID | None:
    """``value`` as a UUID, or None (then it can only be a display name)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
