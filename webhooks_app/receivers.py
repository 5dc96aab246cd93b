"""What the webhooks app does when the data model changes or a workspace is deleted (``metadata_app.signals_data``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.dispatch import receiver

from api_common.errors import ApiError
from core_app.query.ast import iter_conditions
from core_app.store.sql import dialect
from metadata_app.models import FieldMetadata, ObjectMetadata
from metadata_app.registry import build_field_spec
from metadata_app.signals_data import (
    field_data_changing,
    field_removing,
    object_removing,
    object_renaming,
    workspace_deleting,
)
from webhooks_app.events import operation_object, parsed_filter
from webhooks_app.models import Delivery, DeliveryAttempt, Event, Webhook

__all__ = [
    "on_field_data_changing",
    "on_field_removing",
    "on_object_removing",
    "on_object_renaming",
    "on_workspace_deleting",
]


def webhooks_naming(workspace_id: Any, object_name: str, names: set[str]) -> list[tuple[Webhook, list[str]]]:
    """The live webhooks of ``object_name`` (or ``*``) whose ``filter`` or ``fields`` name one of ``names``."""
    found = []
    watching = Webhook.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True).exclude(
        filter__isnull=True, fields__isnull=True
    )
    for webhook in watching.order_by("created_at", "id"):
        objects = {operation_object(operation) for operation in webhook.operations or ["*.*"]}
        if "*" not in objects and object_name not in objects:
            continue
        named = set(webhook.fields or [])
        if webhook.filter:
            try:
                named |= {condition.path[0] for condition in iter_conditions(parsed_filter(webhook.filter))}
            except ApiError:
                pass  # a stored filter the grammar no longer reads names nothing it can lose
        if named & names:
            found.append((webhook, sorted(named & names)))
    return found


def refuse_if_named(field: FieldMetadata, what: str) -> None:
    """Refuse (400) taking ``field`` away while a webhook's ``filter`` or ``fields`` names it: the
    webhook would silently stop matching, or match a later field of the same name."""
    spec = build_field_spec(field, {})
    names = {spec.name, spec.join_name} if spec.is_many_to_one else {spec.name}  # a filter names companyId
    object_name = ObjectMetadata.objects.filter(pk=field.object_id).values_list("name_singular", flat=True).first()
    for webhook, named in webhooks_naming(field.workspace_id, object_name or "", names):
        raise ValidationError(
            f"Webhook {webhook.pk} ({webhook.target_url}) names {', '.join(named)} of {object_name} in its "
            f"filter or fields: change the webhook before {what} the field",
            code="WEBHOOK_DEPENDS_ON_FIELD",
        )


@receiver(field_data_changing)
def on_field_data_changing(
    sender: Any, field: FieldMetadata, before: dict[str, Any], after: dict[str, Any], **kwargs: Any
) -> None:
    """A field deactivated or renamed must not be named by a webhook (see :func:`refuse_if_named`)."""
    if before.get("is_active") is True and after.get("is_active") is False:
        refuse_if_named(field, "deactivating")
    elif "name" in after and after["name"] != before.get("name"):
        refuse_if_named(field, "renaming")


@receiver(field_removing)
def on_field_removing(sender: Any, field: FieldMetadata, **kwargs: Any) -> None:
    """A field deleted (also as a relation to an object being deleted) must not be named by a webhook."""
    refuse_if_named(field, "deleting")


def refuse_if_listening(obj: ObjectMetadata, what: str) -> None:
    """Refuse (400) renaming or deleting ``obj`` while a webhook's operations name it: the webhook
    would silently stop matching, or match a later object of the same name."""
    listening = Webhook.objects.filter(workspace_id=obj.workspace_id, deleted_at__isnull=True)
    for webhook in listening.order_by("created_at", "id"):
        named = [op for op in webhook.operations or [] if operation_object(op) == obj.name_singular]
        if named:
            raise ValidationError(
                f"Webhook {webhook.pk} ({webhook.target_url}) listens to {', '.join(named)}: change its operations "
                f"before {what} the object",
                code="WEBHOOK_DEPENDS_ON_OBJECT",
            )


@receiver(object_renaming)
def on_object_renaming(sender: Any, obj: ObjectMetadata, name: str, **kwargs: Any) -> None:
    """An object renamed must not be named by a webhook's operations (see :func:`refuse_if_listening`)."""
    refuse_if_listening(obj, "renaming")


@receiver(object_removing)
def on_object_removing(sender: Any, obj: ObjectMetadata, **kwargs: Any) -> None:
    """An object deleted must not be named by a webhook's operations (see :func:`refuse_if_listening`)."""
    refuse_if_listening(obj, "deleting")


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
