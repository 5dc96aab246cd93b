"""Record changes become durable events and webhook deliveries, in the transaction of the change.

``on_records_changed`` receives ``core_app.signals.records_changed``, which the record service
sends inside its writing transaction. In that same transaction it writes one ``Event`` per
changed record, one ``Delivery`` per matching webhook, and the delivery jobs themselves (the
task queue is a database table too). So a rolled-back write leaves no event and no job, and a
committed write always has both: no change is lost between the commit and the queue.

Matching follows api-reference.md 6.2: a webhook fires when its operations contain any of
``{object}.{action}``, ``*.{action}``, ``{object}.*`` or ``*.*``. Then, ours: a webhook with
``fields`` gets an update only when it changed one of them, and a webhook with a ``filter`` (the
REST grammar, api-reference 1.3) only the changes whose record, after the change, matches it. The
filter is decided by the query engine over the changed records (``core_app.query.matching``),
inside this transaction: a change that does not match writes no delivery. A filter naming a field
the object does not have matches none of its records (a ``*.*`` webhook filtering on ``stage``
ignores people).

An update's event also keeps ``before``: the API values, before the change, of its updated fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import orjson
from django.dispatch import receiver
from django.utils import timezone

from core_app.query.ast import Node
from core_app.query.errors import FilterSyntaxError
from core_app.query.matching import matching_ids
from core_app.query.rest_filter import parse_rest_filter
from core_app.services.context import RecordContext
from core_app.services.output import api_builder, output_plan, record_to_api
from core_app.signals import records_changed
from core_app.store.records import loads
from core_app.store.sql import dialect, insert_rows, rows
from core_app.store.writer import instant
from webhooks_app.models import Delivery, Event, Webhook, time_ordered_uuid
from webhooks_app.tasks import enqueue_delivery

__all__ = ["ACTIONS", "changed_any", "matches", "on_records_changed", "operations_to_match", "record_events"]

#: Actions of record events, in the order of the record's life.
ACTIONS = ("created", "updated", "deleted", "destroyed", "restored")


def operations_to_match(object_name: str, action: str) -> frozenset[str]:
    """The operations that select ``{object_name}.{action}``."""
    return frozenset({f"{object_name}.{action}", f"*.{action}", f"{object_name}.*", "*.*"})


def operation_object(operation: str) -> str:
    """The object an operation names: ``person`` of ``person.created``, ``*`` for any."""
    return operation.split(".")[0]


def matches(operations: Iterable[str], object_name: str, action: str) -> bool:
    """True when a webhook with ``operations`` fires for ``{object_name}.{action}``."""
    return not operations_to_match(object_name, action).isdisjoint(operations)


def dumps(value: Any) -> str:
    """JSON text as the REST renderer writes it (api_common.rest.FastJSONRenderer)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def before_values(change: Any, plan: Any) -> str | None:
    """An update's ``before``: the API values of its updated fields before the change, as JSON text."""
    if change.action != "updated" or change.before is None:
        return None
    shaped = record_to_api(dataclasses.replace(change.record, data=change.before), plan)
    return dumps({name: shaped[name] for name in change.updated_fields if name in shaped})


#: The columns an event is written with, in one statement for the whole change (``xid`` is the
#: database's default: the writing transaction's id). Every API write writes them: the ORM's
#: ``bulk_create`` cost several times this statement.
EVENT_COLUMNS = (
    ("id", "uuid"),
    ("workspace_id", "uuid"),
    ("name", "text"),
    ("object_id", "uuid"),
    ("object_name", "text"),
    ("record_id", "uuid"),
    ("record", "text"),
    ("updated_fields", "jsonb"),
    ("before", "text"),
    ("occurred_at", "timestamptz"),
)


@dataclasses.dataclass(frozen=True, slots=True)
class NewEvent:
    """An event as written (``EVENT_COLUMNS``): a model instance per change cost a tenth of a batch's CPU."""

    id: Any
    workspace_id: Any
    name: str
    object_id: str
    object_name: str
    record_id: str
    record: str
    updated_fields: list[str] | None
    before: str | None
    occurred_at: Any


def record_events(ctx: RecordContext, changes: list[Any]) -> list[NewEvent]:
    """Write one event per change (the record serialised as the API shows it); return them."""
    plan = output_plan(ctx.snapshot, ctx.spec)
    build = api_builder(ctx.snapshot, ctx.spec)
    now = timezone.now()
    name = ctx.spec.name_singular
    events = [
        NewEvent(
            id=time_ordered_uuid(),
            workspace_id=ctx.workspace_id,
            name=f"{name}.{change.action}",
            object_id=ctx.spec.id,
            object_name=name,
            record_id=change.record.pk,
            # Destroyed records are already deleted from the table; their Python objects still
            # hold the last state, which is what the event must carry.
            # The same serialisation as the REST renderer (api_common.rest.FastJSONRenderer).
            record=dumps(build(change.record)),
            updated_fields=list(change.updated_fields) if change.action == "updated" else None,
            before=before_values(change, plan),
            occurred_at=now,
        )
        for change in changes
    ]
    d = dialect()
    insert_rows(
        Event._meta.db_table,
        EVENT_COLUMNS,
        [
            [
                d.uuid_in(str(event.id)),
                d.uuid_in(str(event.workspace_id)),
                event.name,
                d.uuid_in(str(event.object_id)),
                event.object_name,
                d.uuid_in(str(event.record_id)),
                event.record,
                d.json_in(event.updated_fields) if event.updated_fields is not None else None,
                event.before,
                instant(d, event.occurred_at),
            ]
            for event in events
        ],
    )
    return events


@lru_cache(maxsize=1024)
def parsed_filter(text: str) -> Node:
    """A webhook's stored filter, parsed (validated when the webhook was saved)."""
    return parse_rest_filter(text)


def changed_any(event: Any, names: set[str]) -> bool:
    """True when the update ``event`` (a new event or a stored one) changed one of ``names``.

    A field the update gave with the value it already held is no change (``updatedFields`` still
    names it, as Twenty's does: it lists what the update gave): ``before`` (the given fields' former
    values) and ``record`` are compared in their API form.
    """
    given = names.intersection(event.updated_fields)
    if not given or event.before is None:
        return bool(given)
    before, after = orjson.loads(event.before), orjson.loads(event.record)
    # ``position`` is a column, which ``before`` (the data as it was) does not hold apart: given means changed.
    return any(name == "position" or before.get(name) != after.get(name) for name in given)


def wants_fields(webhook: LiveWebhook, event: NewEvent) -> bool:
    """False for an update that changed none of the webhook's ``fields`` (other actions always pass)."""
    return not webhook.fields or event.updated_fields is None or changed_any(event, set(webhook.fields))


def filter_matches(ctx: RecordContext, text: str, changes: list[Any]) -> set[str]:
    """Ids of the changed records that the filter ``text`` selects (none when it does not fit the object)."""
    try:
        return matching_ids(parsed_filter(text), ctx.spec, ctx.workspace_id, [change.record for change in changes])
    except FilterSyntaxError:
        return set()  # a field this object does not have: the webhook is about other objects


@dataclasses.dataclass(frozen=True, slots=True)
class LiveWebhook:
    """What matching a change needs of a live webhook."""

    pk: Any
    operations: list[str]
    filter: str | None
    fields: list[str] | None


#: Every API write runs it, so it is plain SQL: the ORM's query building cost more than the query.
LIVE_WEBHOOKS = (
    f"SELECT id, operations, filter, fields FROM {Webhook._meta.db_table} "
    "WHERE workspace_id = %s AND deleted_at IS NULL"
)


def live_webhooks(workspace_id: Any) -> list[LiveWebhook]:
    """The workspace's webhooks that are not deleted."""
    return [
        LiveWebhook(pk, loads(operations), text, loads(fields))
        for pk, operations, text, fields in rows(LIVE_WEBHOOKS, [dialect().uuid_in(str(workspace_id))])
    ]


#: Whether the workspace has a live webhook, read with the request's API key
#: (``apikeys_app.authentication.register_workspace_fact``, registered in ``apps.py``): a write
#: in a workspace without webhooks then sends no statement for them.
HAS_LIVE_WEBHOOKS = (
    f"EXISTS (SELECT 1 FROM {Webhook._meta.db_table} h WHERE h.workspace_id = w.id AND h.deleted_at IS NULL)"
)


def plan_deliveries(ctx: RecordContext, events: list[NewEvent], changes: list[Any]) -> list[Delivery]:
    """A delivery for every (event, live webhook of the workspace whose operations, fields and filter select it).

    When the request's key found no live webhook in the workspace, there is none to read (webhooks
    are changed through ``/metadata`` and REST, never in the request of a record write).
    """
    known = getattr(ctx.workspace, "has_live_webhooks", None)  # a boolean (0 or 1 on SQLite), None when not read
    if known is not None and not known:
        return []
    webhooks = live_webhooks(ctx.workspace_id)
    if not webhooks:
        return []
    name = ctx.spec.name_singular
    actions = {change.action for change in changes}
    wanted = {action: [w for w in webhooks if matches(w.operations, name, action)] for action in actions}
    # One query per distinct filter of the webhooks concerned, over every changed record at once.
    filters = {w.filter for selected in wanted.values() for w in selected if w.filter}
    selected_ids = {text: filter_matches(ctx, text, changes) for text in filters}
    return [
        Delivery(id=time_ordered_uuid(), webhook_id=webhook.pk, event_id=event.id, created_at=event.occurred_at)
        for event, change in zip(events, changes)
        for webhook in wanted[change.action]
        if wants_fields(webhook, event) and (not webhook.filter or change.record.id in selected_ids[webhook.filter])
    ]


@receiver(records_changed)
def on_records_changed(sender: Any, ctx: RecordContext, changes: list[Any], **kwargs: Any) -> None:
    """Store the events of ``changes`` and queue their deliveries, inside the caller's transaction."""
    events = record_events(ctx, changes)
    deliveries = plan_deliveries(ctx, events, changes)
    for delivery in deliveries:
        delivery.task_id = enqueue_delivery(delivery.pk)
    Delivery.objects.bulk_create(deliveries)
