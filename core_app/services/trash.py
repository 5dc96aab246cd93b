"""Trash retention: destroy records soft-deleted longer ago than their workspace's ``trashRetentionDays``.

Records go through the record service's ``destroy``, so they leave exactly as a client's destroy
would make them: relations to them cleared (or dependents destroyed, per the relation's
``onDelete``), unique values released, a ``destroyed`` event each, and the webhooks' deliveries.

The work is done in small batches, each its own short transaction that claims its records with
row locks (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite runs one writer at a time), so the
record table is never locked as a whole, clients keep writing meanwhile, and two purges running
at once never destroy a record twice. A workspace with ``trashRetentionDays`` 0 loses its whole
trash at the next run.

Run by the periodic job (``core_app.tasks.purge_trash``, on the task worker) and by
``manage.py purge_trash``::

    report = purge_expired_trash()          # every workspace
    report.destroyed                        # {workspace id: records destroyed}
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core_app.services import writing
from core_app.services.context import RecordContext
from core_app.store.records import fetch_by_ids
from core_app.store.sql import dialect, rows
from metadata_app.models import Workspace
from metadata_app.registry import schema_registry

__all__ = ["TRASH_ACTOR", "PurgeReport", "batch_size", "purge_expired_trash", "purge_workspace_trash"]

logger = logging.getLogger(__name__)

#: ``createdBy``-style actor of the purge (the record service records who acts).
TRASH_ACTOR: dict[str, Any] = {"source": "SYSTEM", "workspaceMemberId": None, "name": "Trash retention", "context": {}}


def batch_size() -> int:
    """``TRASH_PURGE_BATCH_SIZE``: records destroyed per transaction, read at call time."""
    return max(1, int(getattr(settings, "TRASH_PURGE_BATCH_SIZE", 100)))


@dataclass
class PurgeReport:
    """What a purge did: records destroyed per workspace, and objects it could not purge."""

    destroyed: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Records destroyed in every workspace (dependents destroyed by cascade not counted)."""
        return sum(self.destroyed.values())


def cutoff_of(workspace: Workspace, now: datetime) -> datetime:
    """The instant before which trashed records of ``workspace`` are destroyed."""
    return now - timedelta(days=workspace.trash_retention_days)


def objects_with_expired_trash(workspace_id: str, cutoff: datetime) -> list[str]:
    """Ids of the objects of a workspace holding records trashed before ``cutoff`` (one query)."""
    d = dialect()
    found = rows(
        "SELECT DISTINCT object_id FROM core_app_record "
        "WHERE workspace_id = %s AND deleted_at IS NOT NULL AND deleted_at < %s",
        [d.uuid_in(workspace_id), d.instant_in(cutoff)],
    )
    return [d.uuid_out(row[0]) for row in found]


def claim_batch(ctx: RecordContext, cutoff: datetime, limit: int) -> list[str]:
    """Lock and return up to ``limit`` ids of the object's records trashed before ``cutoff``.

    Inside the caller's transaction. On PostgreSQL rows another purge holds are skipped, not
    waited for; the partial index of trashed records (``record_trash``) serves the scan.
    """
    d = dialect()
    lock = " FOR UPDATE SKIP LOCKED" if d.vendor == "postgresql" else ""
    found = rows(
        "SELECT id FROM core_app_record WHERE workspace_id = %s AND object_id = %s "
        f"AND deleted_at IS NOT NULL AND deleted_at < %s ORDER BY id LIMIT {int(limit)}{lock}",
        [d.uuid_in(ctx.ws), d.uuid_in(ctx.spec.id), d.instant_in(cutoff)],
    )
    return [d.uuid_out(row[0]) for row in found]


def purge_object(ctx: RecordContext, cutoff: datetime, limit: int) -> int:
    """Destroy the object's records trashed before ``cutoff``, ``limit`` per transaction; return how many."""
    destroyed = 0
    while True:
        with transaction.atomic():
            ids = claim_batch(ctx, cutoff, limit)
            if not ids:
                return destroyed
            records = [r for r in fetch_by_ids(ctx.ws, ctx.spec.id, ids, live_only=False) if r.deleted_at]
            writing.destroy(ctx, records)
        destroyed += len(records)
        if len(ids) < limit:
            return destroyed


def purge_workspace_trash(workspace: Workspace, now: datetime | None = None, limit: int | None = None) -> int:
    """Destroy the records of ``workspace`` trashed longer ago than its retention; return how many.

    Objects that are not active (not in the snapshot) keep their trash: the record service can
    only address active objects.
    """
    report = PurgeReport()
    purge_into(report, workspace, now or timezone.now(), limit or batch_size())
    if report.failures:
        raise RuntimeError("; ".join(report.failures))
    return report.destroyed.get(str(workspace.pk), 0)


def purge_into(report: PurgeReport, workspace: Workspace, now: datetime, limit: int) -> None:
    """Purge one workspace, adding to ``report``; a failing object is logged and the others go on."""
    cutoff = cutoff_of(workspace, now)
    object_ids = objects_with_expired_trash(str(workspace.pk), cutoff)
    if not object_ids:
        return
    snapshot = schema_registry.current(workspace.pk)
    for object_id in object_ids:
        spec = snapshot.by_id.get(object_id)
        if spec is None:
            continue
        ctx = RecordContext(workspace.pk, snapshot, spec, dict(TRASH_ACTOR))
        try:
            count = purge_object(ctx, cutoff, limit)
        except Exception as error:  # one object's failure must not stop the others' retention
            logger.exception("Trash purge of %s in workspace %s failed", spec.name_plural, workspace.pk)
            report.failures.append(f"{workspace.pk}/{spec.name_plural}: {error}")
            continue
        if count:
            key = str(workspace.pk)
            report.destroyed[key] = report.destroyed.get(key, 0) + count


def purge_expired_trash(now: datetime | None = None, limit: int | None = None, workspaces: Any = None) -> PurgeReport:
    """Purge every workspace (or the given ones); return what was destroyed."""
    now = now or timezone.now()
    limit = limit or batch_size()
    report = PurgeReport()
    queryset = workspaces if workspaces is not None else Workspace.objects.all()
    for workspace in queryset.only("id", "trash_retention_days").order_by("pk").iterator():
        purge_into(report, workspace, now, limit)
    return report
