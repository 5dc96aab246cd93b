"""The body of a webhook call (api-reference.md, section 6.3), byte for byte.

Keys come in Twenty's order: ``targetUrl, eventName, objectMetadata, workspaceId, webhookId,
eventDate, record`` and, for updates only, ``updatedFields``. The JSON is compact, like
``JSON.stringify``. Updates also carry ``before`` (ours, after Twenty's keys): the values of the
updated fields before the change. The event id travels in a header (``X-Twenty-Webhook-Event-Id``), never in
the body, so the body stays exactly Twenty's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from webhooks_app.models import Event, Webhook

__all__ = ["build_body", "format_event_date"]


def format_event_date(moment: datetime) -> str:
    """``2025-01-01T12:00:00.000Z``: UTC with milliseconds, like ``Date.toISOString()``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_body(event: Event, webhook: Webhook) -> bytes:
    """The JSON body announcing ``event`` to ``webhook`` (the secret is never part of it)."""
    body: dict[str, Any] = {
        "targetUrl": webhook.target_url,
        "eventName": event.name,
        "objectMetadata": {"id": str(event.object_id), "nameSingular": event.object_name},
        "workspaceId": str(webhook.workspace_id),
        "webhookId": str(webhook.pk),
        "eventDate": format_event_date(event.occurred_at),
        # The record was serialised once, when the change happened; it is embedded as is.
        "record": orjson.Fragment(event.record),
    }
    if event.updated_fields is not None:
        body["updatedFields"] = event.updated_fields
    if event.before is not None:
        body["before"] = orjson.Fragment(event.before)
    return orjson.dumps(body)
