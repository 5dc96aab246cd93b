"""What the transfers app does when a workspace is deleted (``metadata_app.signals_data.workspace_deleting``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from metadata_app.signals_data import workspace_deleting
from transfers_app.models import ImportChunk, ImportJob, ImportRowError

__all__ = ["on_workspace_deleting"]


@receiver(workspace_deleting)
def on_workspace_deleting(sender: Any, workspace_id: Any, **kwargs: Any) -> None:
    """Delete the workspace's import jobs, their stored files and row errors.

    These models have no relations and no delete signals, so each ``delete()`` is one
    ``DELETE ... WHERE workspace_id`` (Django's fast delete), whatever the number of rows.
    """
    for model in (ImportRowError, ImportChunk, ImportJob):
        model.objects.filter(workspace_id=workspace_id).delete()
