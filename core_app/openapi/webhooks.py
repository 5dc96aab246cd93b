"""The ``webhooks`` section: one entry per object and action, the POST a receiver gets (api-reference 6).

Entries are named after the event (``person.created``). The body is Twenty's payload (6.3),
in its key order; the headers carry the signature (6.4) and, for de-duplication, the event id.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.plumbing import build_array_type, build_object_type, build_parameter_type

from api_common.openapi import DATE_TIME, UUID, json_body
from core_app.openapi.schemas import record_name
from metadata_app.specs import ObjectSpec

__all__ = ["ACTIONS", "HEADERS", "object_webhooks"]

#: Actions of record events, with what ``record`` holds for each.
ACTIONS = {
    "created": "the record as created",
    "updated": "the record after the update; `updatedFields` names what changed",
    "deleted": "the record as it was moved to the trash (soft delete)",
    "destroyed": "the record as it was before it was destroyed",
    "restored": "the record as restored from the trash",
}

HEADERS = [
    (
        "X-Twenty-Webhook-Signature",
        "Lowercase hex HMAC-SHA256, keyed with the webhook's secret, of `{timestamp}:{raw body}`.",
    ),
    ("X-Twenty-Webhook-Timestamp", "Milliseconds since the epoch, as signed."),
    ("X-Twenty-Webhook-Nonce", "32 random hex characters, for replay protection."),
    (
        "X-Twenty-Webhook-Event-Id",
        "The event's id: the same on every attempt and for every webhook; de-duplicate on it.",
    ),
    ("X-Twenty-Webhook-Delivery-Id", "The delivery's id, as listed in the delivery log."),
    ("X-Twenty-Webhook-Attempt", "The attempt's number, 1 for the first call."),
]


def header_parameters() -> list[dict[str, Any]]:
    """The headers of every webhook call."""
    return [
        build_parameter_type(name, {"type": "string"}, "header", required=True, description=text)
        for name, text in HEADERS
    ]


def payload(spec: ObjectSpec, action: str) -> dict[str, Any]:
    """The JSON body of ``{singular}.{action}``."""
    event = f"{spec.name_singular}.{action}"
    properties: dict[str, Any] = {
        "targetUrl": {"type": "string", "description": "The webhook's target URL."},
        "eventName": {"type": "string", "const": event},
        "objectMetadata": build_object_type(
            properties={"id": dict(UUID), "nameSingular": {"type": "string", "const": spec.name_singular}},
            required=["id", "nameSingular"],
        ),
        "workspaceId": dict(UUID),
        "webhookId": dict(UUID),
        "eventDate": dict(DATE_TIME),
        "record": {"$ref": f"#/components/schemas/{record_name(spec)}", "description": ACTIONS[action]},
    }
    required = list(properties)
    if action == "updated":
        properties["updatedFields"] = build_array_type({"type": "string"})
        properties["before"] = {
            "type": "object",
            "description": "The updated fields' values before the change (as `record` shows them).",
        }
        required += ["updatedFields", "before"]
    schema = build_object_type(properties=properties, required=required)
    schema["description"] = "Keys come in this order; verify the signature against the raw body bytes."
    return schema


def object_webhooks(spec: ObjectSpec) -> dict[str, dict[str, Any]]:
    """One webhook entry per action of ``spec``."""
    entries = {}
    for action, meaning in ACTIONS.items():
        event = f"{spec.name_singular}.{action}"
        entries[event] = {
            "post": {
                "tags": [spec.name_plural],
                "operationId": f"webhook{record_name(spec)}{action.capitalize()}",
                "summary": f"{event}: {meaning}",
                "description": (
                    f"Sent to every webhook whose operations include `{event}`, `*.{action}`, `{spec.name_singular}.*` "
                    "or `*.*`. Any 2xx acknowledges it; anything else (or no answer within 5 s) is retried with "
                    "exponential backoff, so a receiver must be idempotent."
                ),
                "security": [],  # signed with the webhook's secret, not an API key
                "parameters": header_parameters(),
                "requestBody": json_body(payload(spec, action)),
                "responses": {"2XX": {"description": "Received; no retry."}},
            }
        }
    return entries
