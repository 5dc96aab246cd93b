"""Record changes become durable events and webhook deliveries, in the transaction of the change.

``on_records_changed`` receives ``core_app.signals.records_changed``, which the record service
sends inside its writing transaction. In that same transaction it writes one ``Event`` per
changed record, one ``Delivery`` per matching webhook, and the delivery jobs themselves (the
task queue is a database table too). So a rolled-back write leaves no event and no job, and a
committed write always has both: no change is lost between the commit and the queue.

Matching follows api-reference.md 6.2: a webhook fires when its operations contain any of
``{object}.{action}``, ``*.{action}``, ``{object}.*`` or ``*.*``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from django.dispatch import receiver
from django.utils import timezone

from core_app.services.context import RecordContext
from core_app.services.output import output_plan, record_to_api
from core_app.signals import records_changed
from webhooks_app.models import Delivery, Event, Webhook, time_ordered_uuid
from webhooks_app.tasks import enqueue_delivery

__all__ = ["ACTIONS", "matches", "on_records_changed", "operations_to_match", "record_events"]

#: Actions of record events, in the order of the record's life.
ACTIONS = ("created", "updated", "deleted", "destroyed", "restored")


def operations_to_match(object_name: str, action: str) -> frozenset[str]:
    """The operations that select ``{object_name}.{action}``."""
    return frozenset({f"{object_name}.{action}", f"*.{action}", f"{object_name}.*", "*.*"})


def matches(operations: Iterable[str], object_name: str, action: str) -> bool:
    """True when a webhook with ``operations`` fires for ``{object_name}.{action}``."""
    return not operations_to_match(object_name, action).isdisjoint(operations)


def record_events(ctx: RecordContext, changes: list[Any]) -> list[Event]:
    """Write one event per change (the record serialised as the API shows it); return them."""
    plan = output_plan(ctx.snapshot, ctx.spec)
    now = timezone.now()
    name = ctx.spec.name_singular
    events = [
        Event(
            id=time_ordered_uuid(),
            workspace_id=ctx.workspace_id,
            name=f"{name}.{change.action}",
            object_id=ctx.spec.id,
            object_name=name,
            record_id=change.record.pk,
            # Destroyed records are already deleted from the table; their Python objects still
            # hold the last state, which is what the event must carry.
            # The same serialisation as the REST renderer (api_common.rest.FastJSONRenderer).
            record=orjson.dumps(record_to_api(change.record, plan), option=orjson.OPT_NON_STR_KEYS).decode(),
            updated_fields=list(change.updated_fields) if change.action == "updated" else None,
            occurred_at=now,
        )
        for change in changes
    ]
    Event.objects.bulk_create(events)
    return events


def plan_deliveries(ctx: RecordContext, events: list[Event], actions: list[str]) -> list[Delivery]:
    """A delivery for every (event, live webhook of the workspace whose operations match it)."""
    webhooks = list(
        Webhook.objects.filter(workspace_id=ctx.workspace_id, deleted_at__isnull=True).only("id", "operations")
    )
    if not webhooks:
        return []
    name = ctx.spec.name_singular
    wanted = {action: [w for w in webhooks if matches(w.operations, name, action)] for action in set(actions)}
    return [
        Delivery(id=time_ordered_uuid(), webhook_id=webhook.pk, event=event, created_at=event.occurred_at)
        for event, action in zip(events, actions)
        for webhook in wanted[action]
    ]


@receiver(records_changed)
def on_records_changed(sender: Any, ctx: RecordContext, changes: list[Any], **kwargs: Any) -> None:
    """Store the events of ``changes`` and queue their deliveries, inside the caller's transaction."""
    events = record_events(ctx, changes)
    deliveries = plan_deliveries(ctx, events, [change.action for change in changes])
    for delivery in deliveries:
        delivery.task_id = enqueue_delivery(delivery.pk)
    Delivery.objects.bulk_create(deliveries)
