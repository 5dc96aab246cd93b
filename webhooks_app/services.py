"""Create, read, update and delete webhooks; list and redeliver their deliveries.

Every function is scoped to a workspace: another workspace's webhook is a 404, exactly like a
missing one. Input is checked as a whole and refused with ``ValidationError(code=...)``.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from api_common.errors import ApiError, BadRequest
from api_common.inputs import check_input
from core_app.query.ast import Condition, iter_conditions
from core_app.query.binding import to_one_comparison_error
from core_app.query.compiler import check_size, resolve_leaf
from core_app.query.errors import FilterSyntaxError
from core_app.query.rest_filter import parse_rest_filter
from metadata_app.registry import schema_registry
from metadata_app.specs import ObjectSpec, SchemaSnapshot
from webhooks_app import feed, transport
from webhooks_app.events import ACTIONS, changed_any, matches, operation_object
from webhooks_app.models import Delivery, Webhook, time_ordered_uuid
from webhooks_app.payload import format_event_date
from webhooks_app.signing import new_secret, signature_headers
from webhooks_app.tasks import enqueue_delivery
from webhooks_app.transport import BlockedTarget, check_host

__all__ = [
    "create_webhook",
    "delete_webhook",
    "deliveries_of",
    "get_delivery",
    "get_webhook",
    "live_webhooks",
    "redeliver",
    "replay",
    "send_test_event",
    "update_webhook",
]

CREATE_KEYS = frozenset({"targetUrl", "operations", "description", "secret", "filter", "fields"})
UPDATE_KEYS = CREATE_KEYS
REPLAY_KEYS = frozenset({"since", "until", "after", "upTo"})
MAX_FILTER_LENGTH = 10_000
MAX_FIELDS = 100
#: Events one replay may queue; a wider range is refused (replay it in parts).
MAX_REPLAY_EVENTS = 10_000
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 2000
MAX_SECRET_LENGTH = 512
MAX_OPERATIONS = 100
OPERATION = re.compile(r"(?P<object>\*|[a-z][a-zA-Z0-9]*)\.(?P<action>\*|[a-z]+)")
OPERATION_HELP = (
    "use '{object}.{action}', where object is an object's singular name (e.g. person) or '*', "
    f"and action is one of {', '.join(ACTIONS)} or '*'"
)


def parse_uuid(value: Any) -> uuid.UUID:
    """A path id must be a UUID."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationError(f"'{value}' is not a valid UUID", code="INVALID_UUID") from None


def clean_target_url(value: Any) -> str:
    """An absolute http(s) URL with a host; literal private addresses refused by the SSRF guard."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("targetUrl is required: an absolute http or https URL", code="INVALID_INPUT")
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"targetUrl must be at most {MAX_URL_LENGTH} characters", code="INVALID_INPUT")
    odd = next((index for index, char in enumerate(value) if not " " < char < "\x7f"), None)
    if odd is not None:
        # HTTP sends the request line in ASCII: such a URL could never be called.
        raise ValidationError(
            f"Invalid URL: character {odd + 1} ({value[odd]!r}) is a space, a control or a non-ASCII character; "
            "percent-encode it in the path (é is %C3%A9, a space %20) and write the host in punycode",
            code="INVALID_URL",
        )
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (reading it validates the port)
    except ValueError:
        raise ValidationError(f"Invalid URL: '{value}'", code="INVALID_URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError("Invalid URL scheme. Only HTTP and HTTPS are allowed.", code="INVALID_URL")
    if not parts.hostname:
        raise ValidationError(
            f"Invalid URL: '{value}' must be absolute, e.g. https://example.com/hook", code="INVALID_URL"
        )
    try:
        check_host(parts.hostname)
    except BlockedTarget as error:
        raise ValidationError(f"Invalid URL: {error}", code="INVALID_URL") from None
    return value


def clean_operations(value: Any) -> list[str]:
    """A non-empty list of ``{object}.{action}`` operations (duplicates dropped, order kept)."""
    if not isinstance(value, list) or not value:
        raise ValidationError(
            f"operations must be a non-empty array of strings; {OPERATION_HELP}", code="INVALID_OPERATIONS"
        )
    if len(value) > MAX_OPERATIONS:
        raise ValidationError(f"operations must have at most {MAX_OPERATIONS} entries", code="INVALID_OPERATIONS")
    problems = []
    for item in value:
        match = OPERATION.fullmatch(item) if isinstance(item, str) else None
        if match is None or match["action"] not in (*ACTIONS, "*"):
            problems.append(f"Invalid operation {item!r}: {OPERATION_HELP}")
    if problems:
        raise ValidationError(problems, code="INVALID_OPERATIONS")
    return list(dict.fromkeys(value))


def clean_description(value: Any) -> str | None:
    """An optional text of at most ``MAX_DESCRIPTION_LENGTH`` characters."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            f"description must be a string of at most {MAX_DESCRIPTION_LENGTH} characters", code="INVALID_INPUT"
        )
    return value


def clean_secret(value: Any) -> str:
    """A given secret: a non-empty string of at most ``MAX_SECRET_LENGTH`` characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_SECRET_LENGTH:
        raise ValidationError(
            f"secret must be a non-empty string of at most {MAX_SECRET_LENGTH} characters", code="INVALID_INPUT"
        )
    return value


def clean_filter(value: Any) -> str | None:
    """A REST filter (api-reference 1.3), refused with the grammar's own message; empty means none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > MAX_FILTER_LENGTH:
        raise ValidationError(
            f"filter must be a string of at most {MAX_FILTER_LENGTH} characters in the REST filter grammar, "
            "e.g. stage[eq]:WON,amount.amountMicros[gt]:1000000000",
            code="INVALID_FILTER",
        )
    try:
        check_size(parse_rest_filter(value))
    except ApiError as error:
        raise ValidationError(error.messages, code="INVALID_FILTER") from None
    return value


def clean_fields(value: Any) -> list[str] | None:
    """Field names (an update is delivered only when it changed one); empty or null means any update."""
    if value is None or value == []:
        return None
    if (
        not isinstance(value, list)
        or len(value) > MAX_FIELDS
        or not all(isinstance(item, str) and item for item in value)
    ):
        raise ValidationError(
            f'fields must be an array of at most {MAX_FIELDS} field names, e.g. ["stage", "amount"]',
            code="INVALID_FIELDS",
        )
    return list(dict.fromkeys(value))


def unknown_objects(snapshot: SchemaSnapshot, operations: list[str]) -> list[str]:
    """A problem for each object an operation names that the workspace has no active object of."""
    problems = []
    for name in dict.fromkeys(operation_object(operation) for operation in operations):
        if name != "*" and name not in snapshot.by_singular:
            plural = snapshot.by_plural.get(name)
            hint = f"; did you mean '{plural.name_singular}'?" if plural is not None else ""
            problems.append(
                f"operations: no active object is named '{name}' (an object's singular name, e.g. person, or '*'){hint}"
            )
    return problems


def refuse_relation_path(condition: Condition, spec: ObjectSpec) -> None:
    """Refuse a condition that goes through a relation of ``spec``: a webhook filter is decided on
    the changed record alone, so it accepts only the record's own fields (join columns included).

    A comparator straight on a many-to-one relation gets the record API's message (api-reference §11.3).
    """
    head = condition.path[0]
    field = spec.field(head)
    if field is None or field.relation is None:
        return
    if field.is_many_to_one and len(condition.path) == 1:
        raise to_one_comparison_error(head, field)
    hint = f' (use "{field.join_name}" instead)' if field.is_many_to_one else ""
    raise FilterSyntaxError(
        f'Webhook filters accept only the record\'s own fields: "{".".join(condition.path)}" '
        f'goes through relation field "{head}"{hint}'
    )


def check_against_objects(webhook: Webhook) -> list[str]:
    """Problems of ``operations``, ``filter`` and ``fields`` against the workspace's objects: every
    object named must exist, and each of ``fields`` must be a field of one of them; with ``*``, the
    filter may go through no relation of any object, and each of ``fields`` must be a field of some object.

    The filter must mean something on each named object: its conditions are resolved and their
    values coerced by the query engine, which gives its own messages.
    """
    snapshot = schema_registry.snapshot(webhook.workspace)
    operations = list(webhook.operations)
    problems = unknown_objects(snapshot, operations)
    if problems:
        return problems
    names = {operation_object(operation) for operation in operations}
    if "*" in names:
        # Any object: the filter must go through no relation of any of them.
        if webhook.filter:
            node = parse_rest_filter(webhook.filter)
            for spec in snapshot.objects:
                try:
                    for condition in iter_conditions(node):
                        refuse_relation_path(condition, spec)
                except ApiError as error:
                    return [f"{message} (on {spec.name_singular})" for message in error.messages]
        return unknown_fields(webhook.fields or [], list(snapshot.objects), every_object=True)
    specs = [snapshot.by_singular[name] for name in sorted(names)]
    if webhook.filter:
        node = parse_rest_filter(webhook.filter)
        for spec in specs:
            try:
                for condition in iter_conditions(node):
                    refuse_relation_path(condition, spec)
                    resolve_leaf(condition, spec, None)
            except ApiError as error:
                # The record API's own message; naming the object only tells several apart.
                suffix = f" (on {spec.name_singular})" if len(specs) > 1 else ""
                problems += [f"{message}{suffix}" for message in error.messages]
    return problems + unknown_fields(webhook.fields or [], specs)


def unknown_fields(names: list[str], specs: list[ObjectSpec], every_object: bool = False) -> list[str]:
    """A problem for each of a webhook's ``fields`` that none of ``specs`` has (as a field or a join
    column): no update could name it, so it would select none (a typo, or a field of another object).

    ``every_object``: the operations name ``*``, ``specs`` are all the workspace's objects, and a name
    one of them has is enough (``fields: ["stage"]`` on ``*.updated`` gets opportunities' stage changes).
    With one object, the message lists its names.
    """
    problems = []
    for name in names:
        if any(spec.field(name) or name in spec.by_join_name for spec in specs):
            continue
        if every_object:
            problems.append(
                f"fields: '{name}' is not a field of any object; with operations on '*', "
                "name fields that at least one object has"
            )
        elif len(specs) == 1:
            known = sorted(specs[0].field_order, key=specs[0].field_order.__getitem__)
            problems.append(
                f"fields: '{name}' is not a field of {specs[0].name_singular}; its fields are {', '.join(known)}"
            )
        else:
            problems.append(f"fields: '{name}' is not a field of {' or '.join(spec.name_singular for spec in specs)}")
    return problems


def apply_fields(webhook: Webhook, data: dict[str, Any]) -> None:
    """Check every given field, collecting all problems, then set them on ``webhook``."""
    cleaners = {
        "targetUrl": ("target_url", clean_target_url),
        "operations": ("operations", clean_operations),
        "filter": ("filter", clean_filter),
        "fields": ("fields", clean_fields),
        "description": ("description", clean_description),
        "secret": ("secret", clean_secret),
    }
    errors: list[str] = []
    for key, (attribute, clean) in cleaners.items():
        if key not in data:
            continue
        try:
            setattr(webhook, attribute, clean(data[key]))
        except ValidationError as error:
            errors += error.messages
    if not errors and ({"filter", "fields", "operations"} & set(data)):
        errors += check_against_objects(webhook)
    if errors:
        raise ValidationError(errors, code="INVALID_INPUT")


def live_webhooks(workspace: Any) -> QuerySet[Webhook]:
    """The workspace's webhooks that are not deleted."""
    return Webhook.objects.filter(workspace=workspace, deleted_at__isnull=True)


def get_webhook(workspace: Any, webhook_id: Any) -> Webhook:
    """Return a live webhook of ``workspace``; 404 otherwise (another workspace's included)."""
    webhook = live_webhooks(workspace).filter(pk=parse_uuid(webhook_id)).first()
    if webhook is None:
        raise Http404(f"Webhook {webhook_id} not found")
    return webhook


@transaction.atomic
def create_webhook(workspace: Any, data: Any) -> Webhook:
    """Create a webhook (``operations`` default ``["*.*"]``, secret generated unless given)."""
    data = check_input(data, CREATE_KEYS)
    webhook = Webhook(workspace=workspace)
    if "targetUrl" not in data:
        data = {**data, "targetUrl": None}
    apply_fields(webhook, data)
    if not webhook.secret:
        webhook.secret = new_secret()
    webhook.save()
    return webhook


@transaction.atomic
def update_webhook(workspace: Any, webhook_id: Any, data: Any) -> Webhook:
    """Change any of ``targetUrl``, ``operations``, ``description``, ``secret``."""
    webhook = get_webhook(workspace, webhook_id)
    apply_fields(webhook, check_input(data, UPDATE_KEYS))
    webhook.save()
    return webhook


@transaction.atomic
def delete_webhook(workspace: Any, webhook_id: Any) -> Webhook:
    """Soft-delete a webhook; its pending deliveries are cancelled with it."""
    webhook = get_webhook(workspace, webhook_id)
    webhook.deleted_at = timezone.now()
    webhook.save(update_fields=["deleted_at", "updated_at"])
    webhook.deliveries.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED,
        task_id=None,
        next_attempt_at=None,
    )
    return webhook


def deliveries_of(workspace: Any, webhook_id: Any, status: str | None = None) -> QuerySet[Delivery]:
    """The delivery log of a live webhook of ``workspace``, optionally of one status."""
    webhook = get_webhook(workspace, webhook_id)
    deliveries = Delivery.objects.filter(webhook=webhook)
    if status is not None:
        if status not in Delivery.Status.values:
            raise ValidationError(f"status must be one of {', '.join(Delivery.Status.values)}", code="INVALID_INPUT")
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related("event").prefetch_related("attempts")


def get_delivery(workspace: Any, webhook_id: Any, delivery_id: Any) -> Delivery:
    """One delivery of a live webhook of ``workspace``; 404 otherwise."""
    delivery = deliveries_of(workspace, webhook_id).filter(pk=parse_uuid(delivery_id)).first()
    if delivery is None:
        raise Http404(f"Delivery {delivery_id} not found")
    return delivery


@transaction.atomic
def redeliver(workspace: Any, webhook_id: Any, delivery_id: Any) -> Delivery:
    """Send a delivery again now, with a fresh retry budget, whatever its status."""
    get_delivery(workspace, webhook_id, delivery_id)
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.status = Delivery.Status.PENDING
    delivery.round_attempts = 0
    delivery.next_attempt_at = timezone.now()
    # The new job takes charge; a retry still queued for this delivery will find it is not.
    delivery.task_id = enqueue_delivery(delivery.pk)
    delivery.save()
    return get_delivery(workspace, webhook_id, delivery_id)


@dataclass(frozen=True)
class Replayed:
    """What a replay queued."""

    webhook_id: uuid.UUID
    count: int


def operations_query(operations: list[str]) -> Q:
    """Events whose name ``{object}.{action}`` the operations select (api-reference 6.2)."""
    query = Q(pk__in=[])
    for operation in operations:
        name, action = operation.split(".")
        if name == "*" and action == "*":
            return Q()
        if name == "*":
            query |= Q(name__endswith=f".{action}")
        elif action == "*":
            query |= Q(object_name=name)
        else:
            query |= Q(object_name=name, name=operation)
    return query


@transaction.atomic
def replay(workspace: Any, webhook_id: Any, data: Any) -> Replayed:
    """Queue again, for one webhook, the events of a range, in feed order and with their event ids.

    The range is ``since``/``until`` (event dates, ``until`` excluded) and/or ``after``/``upTo``
    (feed cursors, ``upTo`` included). The events are those the webhook selects by ``operations``
    and ``fields``; a webhook with a ``filter`` replays only the events it was delivered before,
    since its filter was decided on the record as it was then. Each event gets a new delivery
    (the earlier ones stay in the log) with a fresh retry budget.
    """
    webhook = get_webhook(workspace, webhook_id)
    data = check_input(data, REPLAY_KEYS)
    if not set(data) & REPLAY_KEYS:
        raise BadRequest(
            "Give the range to replay: 'since' and/or 'until' (ISO 8601 date-times), or 'after' and/or 'upTo' "
            "(cursors of GET /rest/events)"
        )
    query = feed.read_query(
        schema_registry.snapshot(workspace),
        None,
        {"after": data.get("after"), "since": data.get("since"), "until": data.get("until")},
    )
    feed.check_retention(workspace.pk, query)
    events = feed.visible_events(workspace.pk, horizon=False).filter(operations_query(list(webhook.operations)))
    if query.after is not None:
        events = feed.after_cursor(events, query.after)
    if data.get("upTo"):
        xid, event_id = feed.decode_cursor(str(data["upTo"]), workspace.pk)
        events = events.filter(Q(xid__lt=xid) | Q(xid=xid, id__lte=event_id))
    if query.since is not None:
        events = events.filter(occurred_at__gte=query.since)
    if query.until is not None:
        events = events.filter(occurred_at__lt=query.until)
    if webhook.filter:
        events = events.filter(pk__in=Delivery.objects.filter(webhook=webhook).values("event_id"))
    columns = ("id", "name", "object_name", "updated_fields", *(("record", "before") if webhook.fields else ()))
    selected = list(events.order_by("xid", "id").only(*columns)[: MAX_REPLAY_EVENTS + 1])
    if len(selected) > MAX_REPLAY_EVENTS:
        raise BadRequest(f"The range holds more than {MAX_REPLAY_EVENTS} events; replay it in smaller ranges")
    wanted = set(webhook.fields or ())
    selected = [
        event
        for event in selected
        if matches(webhook.operations, event.object_name, event.name.rsplit(".", 1)[1])
        and (not wanted or event.updated_fields is None or changed_any(event, wanted))
    ]
    now = timezone.now()
    deliveries = []
    for event in selected:
        delivery = Delivery(id=time_ordered_uuid(), webhook=webhook, event_id=event.pk, created_at=now)
        delivery.task_id = enqueue_delivery(delivery.pk)
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)
    return Replayed(webhook.pk, len(deliveries))


def send_test_event(webhook: Any, post: Callable[..., transport.Outcome] = transport.post) -> transport.Outcome:
    """POST a signed ``webhook.test`` event to the webhook now, through the delivery transport.

    The body has Twenty's keys (api-reference 6.3) and an empty record; it is signed with the
    webhook's secret exactly like a real delivery, so a receiver can check its verification.
    """
    body = orjson.dumps(
        {
            "targetUrl": webhook.target_url,
            "eventName": "webhook.test",
            "objectMetadata": {"id": None, "nameSingular": "webhook"},
            "workspaceId": str(webhook.workspace_id),
            "webhookId": str(webhook.pk),
            "eventDate": format_event_date(timezone.now()),
            "record": {},
        }
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "crm-data-platform-webhooks/1 (test)",
        **signature_headers(body, webhook.secret, time.time_ns() // 1_000_000),
    }
    return post(webhook.target_url, body, headers)
