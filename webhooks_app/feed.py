"""The event feed: a workspace's record events in commit order, paged with keyset cursors.

``GET /rest/events`` and the ``events`` connection of ``/graphql`` read it (ours, beyond Twenty;
its items are the webhook payloads of api-reference 6.3 without the webhook's own keys).

Commit order. Events are ordered by ``(xid, id)``: ``xid`` is the writing transaction's id on
PostgreSQL, and a page only shows events whose ``xid`` is below the ``xmin`` of the current
snapshot, the oldest transaction still running. Every transaction below it has finished, so no
event can ever appear before a cursor already handed out: a consumer paging with ``after`` misses
nothing and sees nothing twice, even when a transaction that started earlier commits later. The
price is a short delay: an event shows once every transaction older than its own has ended (a
long-running transaction anywhere on the server holds the feed back while it runs). SQLite writes
one transaction at a time, so its counter order is the commit order and every event shows at once.

Retention. The feed shows the events of the last ``EVENTS_RETENTION_DAYS``; a cursor older than
that is answered 410 with the oldest cursor still available. Roles: events of objects the caller's
role cannot read are left out, and fields it cannot read are removed from ``record``, ``before``
and ``updatedFields`` (api-reference 14.3).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from api_common.errors import BadRequest, Gone
from api_common.inputs import YEARS_MESSAGE, in_utc
from core_app.access import object_view
from metadata_app.models import ObjectMetadata
from metadata_app.specs import SchemaSnapshot
from roles_app.errors import PermissionDenied
from roles_app.permissions import RolePermissions
from webhooks_app.conf import events_retention_days
from webhooks_app.events import ACTIONS
from webhooks_app.models import Event, uuid_millis
from webhooks_app.payload import format_event_date

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "FeedPage",
    "FeedQuery",
    "decode_cursor",
    "encode_cursor",
    "event_to_api",
    "feed_page",
    "read_query",
    "visible_events",
]

DEFAULT_LIMIT = 60
MAX_LIMIT = 200
#: The commit horizon: transactions below it have all ended (PostgreSQL).
HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


def cursor_cipher() -> AESSIV:
    """The cursors' cipher, keyed from ``SECRET_KEY`` (a new secret invalidates every cursor)."""
    return _cipher(settings.SECRET_KEY)


@lru_cache(maxsize=2)
def _cipher(secret: str) -> AESSIV:
    return AESSIV(hmac.new(secret.encode(), b"crm event feed cursor", hashlib.sha512).digest())


def encode_cursor(xid: int, event_id: uuid.UUID, workspace_id: Any) -> str:
    """An opaque cursor naming one event's place in the workspace's feed.

    ``xid`` counts the transactions of the whole server, so a plain cursor would tell a workspace
    how much every other one writes between two of its events: the pair is encrypted (AES-SIV:
    one cursor per place, and tied to the workspace, whose id is its associated data).
    """
    sealed = cursor_cipher().encrypt(struct.pack(">q", xid) + event_id.bytes, [uuid.UUID(str(workspace_id)).bytes])
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def decode_cursor(text: str, workspace_id: Any) -> tuple[int, uuid.UUID]:
    """The ``(xid, id)`` of a cursor; a 400 for anything :func:`encode_cursor` did not make for this workspace."""
    try:
        sealed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        plain = cursor_cipher().decrypt(sealed, [uuid.UUID(str(workspace_id)).bytes])
        (xid,) = struct.unpack(">q", plain[:8])
        return xid, uuid.UUID(bytes=plain[8:])
    except (ValueError, binascii.Error, InvalidTag, struct.error):
        raise BadRequest(f"Invalid cursor '{text}': use an endCursor or a cursor returned by this feed") from None


@dataclass(frozen=True)
class FeedQuery:
    """What a page of the feed selects."""

    after: tuple[int, uuid.UUID] | None = None
    limit: int = DEFAULT_LIMIT
    object_id: str | None = None
    action: str | None = None
    record_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_text: str | None = None


def read_instant(name: str, value: Any) -> datetime | None:
    """An ISO 8601 instant with a time zone (``since``/``until``); None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise BadRequest(f"'{name}' must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T09:00:00Z")
    try:
        return in_utc(parsed)
    except ValueError:
        raise BadRequest(f"'{name}': {YEARS_MESSAGE}, got {value}") from None


def read_limit(value: Any, name: str = "limit") -> int:
    """A page size: default 60, at least 1, at most 200 (silently capped, as the record lists).

    0 is refused: an empty first page has no cursor to go on from, so its ``hasNextPage`` could
    only send a client back to the start.
    """
    if value is None or value == "":
        return DEFAULT_LIMIT
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.removeprefix("-").isdigit():
        number = int(value)
    else:
        raise BadRequest(f"{name} '{value}' is invalid. Should be an integer")
    if number < 1:
        raise BadRequest(f"{name} '{value}' is invalid. Should be an integer from 1 (at most {MAX_LIMIT} are returned)")
    return min(number, MAX_LIMIT)


def read_query(snapshot: SchemaSnapshot, access: RolePermissions | None, params: Mapping[str, Any]) -> FeedQuery:
    """Check the feed's parameters (REST query string or GraphQL arguments, same names)."""
    object_id = None
    name = params.get("objectNameSingular")
    if name:
        spec = snapshot.by_singular.get(name)
        if spec is not None:
            if access is not None and not access.on(spec.id).read:
                raise PermissionDenied.to(f"read {spec.name_plural}")
            object_id = spec.id
        else:
            # A deactivated object's events stay in the feed of a key that reads every object.
            inactive = None if access is not None else inactive_object_id(snapshot.workspace_id, name)
            if inactive is None:
                raise BadRequest(f"objectNameSingular '{name}' is not an object of this workspace. eg: person")
            object_id = inactive
    action = params.get("operation") or None
    if action is not None and action not in ACTIONS:
        raise BadRequest(f"operation '{action}' is invalid. Use one of {', '.join(ACTIONS)}")
    record_id = params.get("recordId") or None
    if record_id is not None:
        try:
            record_id = uuid.UUID(str(record_id))
        except ValueError:
            raise BadRequest(f"recordId '{record_id}' is not a valid UUID") from None
    if params.get("before") or params.get("ending_before") or params.get("starting_after"):
        # The feed pages one way, oldest first; ignoring these would hand back the first page.
        raise BadRequest("The event feed pages forward only: give 'after' (an endCursor of this feed)")
    after_text = params.get("after") or None
    size = "first" if params.get("limit") is None and params.get("first") is not None else "limit"  # GraphQL: first
    since, until = read_instant("since", params.get("since")), read_instant("until", params.get("until"))
    return FeedQuery(
        after=decode_cursor(after_text, snapshot.workspace_id) if after_text else None,
        limit=read_limit(params.get(size), size),
        object_id=object_id,
        action=action,
        record_id=record_id,
        since=since,
        until=until,
        after_text=after_text,
    )


def inactive_object_id(workspace_id: Any, name: str) -> str | None:
    """The id of the workspace's deactivated object called ``name``, or None."""
    found = ObjectMetadata.objects.filter(workspace_id=workspace_id, name_singular=name, is_active=False)
    object_id = found.values_list("pk", flat=True).first()
    return str(object_id) if object_id is not None else None


def window_start() -> datetime:
    """The oldest moment the feed still shows."""
    return timezone.now() - timedelta(days=events_retention_days())


def visible_events(workspace_id: Any, horizon: bool = True) -> QuerySet[Event]:
    """The workspace's events the feed may show: within retention and, with ``horizon``, committed
    below the commit horizon (a replay by date range needs no horizon: it hands out no cursor)."""
    events = Event.objects.filter(workspace_id=workspace_id, occurred_at__gte=window_start())
    if horizon and connection.vendor == "postgresql":
        events = events.filter(xid__lt=RawSQL(HORIZON, []))
    return events


def after_cursor(events: QuerySet[Event], cursor: tuple[int, uuid.UUID]) -> QuerySet[Event]:
    """The events strictly after ``cursor`` in feed order."""
    xid, event_id = cursor
    # ``xid >= x`` first: a range of the (workspace, xid, id) index, which the OR alone would not give.
    return events.filter(xid__gte=xid).filter(Q(xid__gt=xid) | Q(id__gt=event_id))


def check_retention(workspace_id: Any, query: FeedQuery) -> None:
    """410 for a cursor older than retention, naming the oldest cursor still available."""
    if query.after is None:
        return
    start = window_start()
    if uuid_millis(query.after[1]) >= int(start.timestamp() * 1000):
        return
    oldest = visible_events(workspace_id).order_by("xid", "id").values_list("xid", "id").first()
    available = (
        f"the oldest cursor available is '{encode_cursor(*oldest, workspace_id)}'" if oldest else "no event is kept now"
    )
    raise Gone(
        f"Cursor '{query.after_text}' is older than the event retention ({events_retention_days():g} days, "
        f"since {format_event_date(start)}); {available}. Page from the start (without 'after') to read every "
        "event still kept."
    )


@dataclass(frozen=True)
class FeedPage:
    """A page of events and how to ask for the next one."""

    events: list[Event]
    has_next_page: bool
    start_cursor: str | None
    end_cursor: str | None
    has_previous_page: bool

    @property
    def page_info(self) -> dict[str, Any]:
        """The REST ``pageInfo``, keys as the record lists (api-reference 1.6)."""
        return {
            "hasNextPage": self.has_next_page,
            "hasPreviousPage": self.has_previous_page,
            "startCursor": self.start_cursor,
            "endCursor": self.end_cursor,
        }


def feed_page(
    workspace_id: Any, snapshot: SchemaSnapshot, access: RolePermissions | None, query: FeedQuery
) -> FeedPage:
    """One page of the feed (one query; the retention check of an old cursor adds one).

    With no event after the cursor, ``endCursor`` is the cursor itself: polling with it again
    later picks up what commits meanwhile.
    """
    check_retention(workspace_id, query)
    events = visible_events(workspace_id)
    if query.after is not None:
        events = after_cursor(events, query.after)
    if access is not None:
        events = events.filter(object_id__in=[spec.id for spec in snapshot.objects if access.on(spec.id).read])
    if query.object_id is not None:
        events = events.filter(object_id=query.object_id)
    if query.action is not None:
        events = events.filter(name__endswith=f".{query.action}")
    if query.record_id is not None:
        events = events.filter(record_id=query.record_id)
    if query.since is not None:
        events = events.filter(occurred_at__gte=query.since)
    if query.until is not None:
        events = events.filter(occurred_at__lt=query.until)
    rows = list(events.order_by("xid", "id")[: query.limit + 1])
    more, rows = len(rows) > query.limit, rows[: query.limit]
    start = encode_cursor(rows[0].xid, rows[0].id, workspace_id) if rows else query.after_text
    end = encode_cursor(rows[-1].xid, rows[-1].id, workspace_id) if rows else query.after_text
    return FeedPage(rows, more, start, end, query.after is not None)


def visible_keys(event: Event, snapshot: SchemaSnapshot, access: RolePermissions | None) -> frozenset[str] | None:
    """The record keys the role reads on the event's object (None: every key)."""
    if access is None:
        return None
    spec = snapshot.by_id.get(str(event.object_id))
    if spec is None:
        return None
    view = object_view(access, snapshot, spec)
    return None if view.complete else view.keys


def event_to_api(
    event: Event, snapshot: SchemaSnapshot, access: RolePermissions | None, parsed: bool = False
) -> dict[str, Any]:
    """An event as the feed shows it: its webhook payload (without ``targetUrl`` and ``webhookId``),
    its id and its cursor. ``parsed`` gives ``record`` and ``before`` as Python values (GraphQL);
    otherwise they stay the stored JSON text, embedded as is by the REST renderer."""
    keys = visible_keys(event, snapshot, access)
    record: Any = event.record
    before: Any = event.before
    updated = event.updated_fields
    if keys is not None:
        record = {k: v for k, v in orjson.loads(record).items() if k in keys}
        before = {k: v for k, v in orjson.loads(before).items() if k in keys} if before is not None else None
        updated = [name for name in updated if name in keys] if updated is not None else None
    elif parsed:
        record = orjson.loads(record)
        before = orjson.loads(before) if before is not None else None
    else:
        record = orjson.Fragment(record)
        before = orjson.Fragment(before) if before is not None else None
    shaped: dict[str, Any] = {
        "eventId": str(event.pk),
        "cursor": encode_cursor(event.xid, event.pk, event.workspace_id),
        "eventName": event.name,
        "objectMetadata": {"id": str(event.object_id), "nameSingular": event.object_name},
        "workspaceId": str(event.workspace_id),
        "eventDate": format_event_date(event.occurred_at),
        "record": record,
    }
    if updated is not None:
        shaped["updatedFields"] = updated
    if before is not None:
        shaped["before"] = before
    return shaped
