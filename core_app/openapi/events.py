"""The event feed in the core OpenAPI document: ``GET /events`` (served by ``webhooks_app``; ours, beyond Twenty).

Every key may read the feed; its role decides which objects' events and which fields it sees, so
the path is in every key's document.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.plumbing import build_array_type, build_object_type

from api_common.openapi import DATE_TIME, UUID, error_responses, json_response, ref
from core_app.openapi.paths import query
from core_app.openapi.schemas import ERROR, PAGE_INFO

__all__ = ["EVENT_SCHEMA", "event_components", "events_paths"]

EVENT_SCHEMA = "RecordEvent"
ACTIONS = ["created", "updated", "deleted", "destroyed", "restored"]


def event_components() -> dict[str, dict[str, Any]]:
    """``RecordEvent``: a webhook payload (api-reference 6.3) without the webhook's keys, plus id and cursor."""
    anything = {"type": "object", "additionalProperties": True}
    return {
        EVENT_SCHEMA: build_object_type(
            properties={
                "eventId": {**UUID, "description": "The event id (a webhook call's `X-Twenty-Webhook-Event-Id`)."},
                "cursor": {"type": "string", "description": "Pass as `after` to read the events after this one."},
                "eventName": {"type": "string", "examples": ["person.updated"]},
                "objectMetadata": build_object_type(
                    properties={"id": dict(UUID), "nameSingular": {"type": "string"}}, required=["id", "nameSingular"]
                ),
                "workspaceId": dict(UUID),
                "eventDate": dict(DATE_TIME),
                "record": {**anything, "description": "The record after the change (the last state when deleted)."},
                "updatedFields": {**build_array_type({"type": "string"}), "description": "Updates only."},
                "before": {**anything, "description": "Updates only: the updated fields' values before the change."},
            },
            required=["eventId", "cursor", "eventName", "objectMetadata", "workspaceId", "eventDate", "record"],
        )
    }


def events_paths() -> dict[str, dict[str, Any]]:
    """``/events``: a page of the workspace's record events in commit order."""
    gone = json_response(
        "The `after` cursor is older than the event retention (`EVENTS_RETENTION_DAYS`); the message names "
        "the oldest cursor available (410 GoneException)",
        ref(ERROR),
    )
    page = build_object_type(
        properties={"data": build_array_type(ref(EVENT_SCHEMA)), "pageInfo": ref(PAGE_INFO)},
        required=["data", "pageInfo"],
    )
    return {
        "/events": {
            "get": {
                "tags": ["events"],
                "operationId": "listEvents",
                "summary": "Record events in commit order (the webhook payloads), with keyset cursors",
                "description": (
                    "Page with `after` = the previous `pageInfo.endCursor`: an event that commits later never "
                    "appears before a cursor already read, and none appears twice. With no newer event the "
                    "page is empty and `endCursor` is `after` itself: poll again with it. The feed pages forward "
                    "only (`before` is a 400)."
                ),
                "parameters": [
                    query("after", {"type": "string"}, "The `endCursor` (or an item's `cursor`) to read after."),
                    query(
                        "limit",
                        {"type": "integer", "minimum": 1},
                        "Page size: 60 by default, from 1, at most 200 (larger values are capped).",
                        default=60,
                    ),
                    query("objectNameSingular", {"type": "string"}, "Only this object's events, e.g. `person`."),
                    query("operation", {"type": "string", "enum": ACTIONS}, "Only this action's events."),
                    query("recordId", dict(UUID), "Only this record's events."),
                    query("since", dict(DATE_TIME), "Only events at or after this instant."),
                    query("until", dict(DATE_TIME), "Only events before this instant."),
                ],
                "responses": {
                    "200": json_response("A page of events", page),
                    **error_responses(400),
                    "410": gone,
                },
            }
        }
    }
