"""Create, read, update and delete webhooks; list and redeliver their deliveries.

Every function is scoped to a workspace: another workspace's webhook is a 404, exactly like a
missing one. Input is checked as a whole and refused with ``ValidationError(code=...)``.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from api_common.inputs import check_input
from webhooks_app import transport
from webhooks_app.events import ACTIONS
from webhooks_app.models import Delivery, Webhook
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
    "send_test_event",
    "update_webhook",
]

CREATE_KEYS = frozenset({"targetUrl", "operations", "description", "secret"})
UPDATE_KEYS = CREATE_KEYS
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


def apply_fields(webhook: Webhook, data: dict[str, Any]) -> None:
    """Check every given field, collecting all problems, then set them on ``webhook``."""
    cleaners = {
        "targetUrl": ("target_url", clean_target_url),
        "operations": ("operations", clean_operations),
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
