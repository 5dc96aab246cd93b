"""What the webhooks app does when the data model changes or a workspace is deleted (``metadata_app.signals_data``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.dispatch import receiver

from core_app.store.sql import dialect
from metadata_app.registry import build_snapshot
from metadata_app.signals_data import data_model_changed, workspace_deleting
from webhooks_app.models import Delivery, DeliveryAttempt, Event, Webhook
from webhooks_app.services import check_against_objects

__all__ = ["on_data_model_changed", "on_workspace_deleting"]


@receiver(data_model_changed)
def on_data_model_changed(sender: Any, workspace_id: Any, **kwargs: Any) -> None:
    """Refuse a data-model change that would leave a webhook's ``filter`` or ``fields`` naming a
    field that no longer exists (deleted, deactivated, renamed): the webhook would silently stop
    matching, or match a later field of the same name. The change is a 400 naming the webhook.
    """
    watching = Webhook.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True).exclude(
        filter__isnull=True, fields__isnull=True
    )
    if not watching.exists():
        return
    snapshot = build_snapshot(workspace_id, 0)  # the model as this transaction leaves it
    for webhook in watching.select_related("workspace").order_by("created_at", "id"):
        problems = check_against_objects(webhook, snapshot)
        if problems:
            raise ValidationError(
                f"Webhook {webhook.pk} ({webhook.target_url}) uses what this change removes: {'; '.join(problems)}. "
                "Change the webhook's filter or fields first",
                code="WEBHOOK_DEPENDS_ON_FIELD",
            )


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
