"""What the webhooks app does when a workspace is deleted (``metadata_app.signals_data.workspace_deleting``)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.dispatch import receiver

from core_app.store.sql import dialect
from metadata_app.signals_data import workspace_deleting
from webhooks_app.models import Delivery, DeliveryAttempt, Event, Webhook

__all__ = ["on_workspace_deleting"]


@receiver(workspace_deleting)
def on_workspace_deleting(sender: Any, workspace_id: Any, **kwargs: Any) -> None:
    """Delete the workspace's delivery attempts, deliveries and events, one statement per table.

    Leaves are deleted first, so no foreign key is ever left pointing at a deleted row; the
    workspace's webhooks (a handful of rows) are then deleted by Django's cascade.
    """
    ws = dialect().uuid_in(str(workspace_id))
    attempt, delivery, event, webhook = (model._meta.db_table for model in (DeliveryAttempt, Delivery, Event, Webhook))
    # Deliveries are reached through the workspace's webhooks (few rows, indexed by webhook).
    deliveries = f"SELECT d.id FROM {delivery} d JOIN {webhook} w ON w.id = d.webhook_id WHERE w.workspace_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {attempt} WHERE delivery_id IN ({deliveries})", [ws])
        cursor.execute(
            f"DELETE FROM {delivery} WHERE webhook_id IN (SELECT id FROM {webhook} WHERE workspace_id = %s)", [ws]
        )
        cursor.execute(f"DELETE FROM {event} WHERE workspace_id = %s", [ws])
