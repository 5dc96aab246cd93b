"""Webhook REST: ``/rest/metadata/webhooks[/{id}]``, the delivery log, redelivery, and the old alias.

- ``/rest/metadata/webhooks``: lists in ``{data: [...], pageInfo, totalCount}``; one webhook in
  ``{data: {...}}``. The secret is part of the answer to the creation only.
- ``GET /rest/metadata/webhooks/{id}/deliveries[/{deliveryId}]``: the delivery log with every
  attempt, oldest first (ids are time-ordered); ``?status=FAILED`` narrows it.
- ``POST /rest/metadata/webhooks/{id}/deliveries/{deliveryId}/redeliver``: 202, queued again.
- ``POST /rest/metadata/webhooks/{id}/replay``: 202, the events of a time or cursor range queued
  again for this webhook, in feed order, with their event ids; answers how many.
- ``GET /rest/events``: the event feed (``webhooks_app.feed``); it needs no permission flag, only
  read rights on the objects whose events it shows.
- ``/rest/webhooks[/{id}]``: the deprecated alias, answering raw values (arrays, objects,
  ``true`` for a deletion) with ``Deprecation`` and ``Link`` headers (api-reference.md 3.2).

Every route needs the ``API_KEYS_AND_WEBHOOKS`` permission (api-reference 14.3); creating or
changing a webhook also needs a role that reads every record and field, since a webhook delivers
whole records.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_common.deprecation import DeprecatedAlias
from api_common.errors import BadRequest
from api_common.pagination import paginate_by_id
from apikeys_app.authentication import api_key_of
from core_app.access import record_access
from metadata_app.registry import schema_registry
from roles_app.flags import API_KEYS_AND_WEBHOOKS
from webhooks_app import feed, services
from webhooks_app.models import Delivery, Webhook
from webhooks_app.payload import format_event_date

__all__ = [
    "DeliveriesView",
    "EventsView",
    "LegacyWebhooksView",
    "RedeliverView",
    "ReplayView",
    "WebhooksView",
    "delivery_to_api",
    "webhook_to_api",
]

ID_EXAMPLE = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"


def iso(moment: Any) -> str | None:
    """ISO 8601 UTC with milliseconds, or None."""
    return format_event_date(moment) if moment else None


def webhook_to_api(webhook: Webhook, with_secret: bool = False) -> dict[str, Any]:
    """A webhook as the API returns it; the secret only when ``with_secret`` (at creation)."""
    shaped: dict[str, Any] = {
        "id": str(webhook.pk),
        "targetUrl": webhook.target_url,
        "operations": list(webhook.operations),
        "filter": webhook.filter,
        "fields": list(webhook.fields) if webhook.fields is not None else None,
        "description": webhook.description,
    }
    if with_secret:
        shaped["secret"] = webhook.secret
    shaped.update(
        {
            "createdAt": iso(webhook.created_at),
            "updatedAt": iso(webhook.updated_at),
            "deletedAt": iso(webhook.deleted_at),
            "isFailing": webhook.is_failing,
            "failingSince": iso(webhook.failing_since),
            "consecutiveFailures": webhook.consecutive_failures,
        }
    )
    return shaped


def delivery_to_api(delivery: Delivery) -> dict[str, Any]:
    """A delivery with its attempts, as the delivery log shows it."""
    event = delivery.event
    return {
        "id": str(delivery.pk),
        "webhookId": str(delivery.webhook_id),
        "eventId": str(event.pk),
        "eventName": event.name,
        "objectMetadata": {"id": str(event.object_id), "nameSingular": event.object_name},
        "recordId": str(event.record_id),
        "eventDate": iso(event.occurred_at),
        "status": delivery.status,
        "attemptCount": delivery.attempt_count,
        "lastStatusCode": delivery.last_status_code,
        "nextAttemptAt": iso(delivery.next_attempt_at),
        "deliveredAt": iso(delivery.delivered_at),
        "createdAt": iso(delivery.created_at),
        "updatedAt": iso(delivery.updated_at),
        "attempts": [
            {
                "number": attempt.number,
                "attemptedAt": iso(attempt.attempted_at),
                "durationMs": attempt.duration_ms,
                "statusCode": attempt.status_code,
                "succeeded": attempt.succeeded,
                "error": attempt.error or None,
                "responseExcerpt": attempt.response_excerpt,
            }
            for attempt in delivery.attempts.all()
        ],
    }


def missing_id(verb: str) -> BadRequest:
    """The 400 for a PATCH or DELETE without an id."""
    return BadRequest(f"{verb} webhook query invalid. Id missing. eg: /rest/metadata/webhooks/{ID_EXAMPLE}")


class WebhooksView(APIView):
    """Webhooks of the caller's workspace."""

    permission_flag = API_KEYS_AND_WEBHOOKS
    # A webhook delivers whole records: only a role reading everything may point one somewhere.
    methods_reading_everything = ("POST", "PATCH", "PUT")

    def get(self, request: Request, pk: str | None = None) -> Response:
        workspace = api_key_of(request).workspace
        if pk is not None:
            return Response({"data": webhook_to_api(services.get_webhook(workspace, pk))})
        page = paginate_by_id(services.live_webhooks(workspace), request.query_params, default=60, maximum=1000)
        return Response(
            {"data": [webhook_to_api(w) for w in page.rows], "pageInfo": page.page_info, "totalCount": page.total_count}
        )

    def post(self, request: Request, pk: str | None = None) -> Response:
        if pk is not None:
            raise BadRequest("Remove the id from the path to create a webhook: POST /rest/metadata/webhooks")
        webhook = services.create_webhook(api_key_of(request).workspace, request.data)
        return Response({"data": webhook_to_api(webhook, with_secret=True)}, status=201)

    def patch(self, request: Request, pk: str | None = None) -> Response:
        if pk is None:
            raise missing_id("update")
        return Response(
            {"data": webhook_to_api(services.update_webhook(api_key_of(request).workspace, pk, request.data))}
        )

    put = patch

    def delete(self, request: Request, pk: str | None = None) -> Response:
        if pk is None:
            raise missing_id("delete")
        return Response({"data": webhook_to_api(services.delete_webhook(api_key_of(request).workspace, pk))})


class DeliveriesView(APIView):
    """The delivery log of one webhook, or one delivery of it."""

    permission_flag = API_KEYS_AND_WEBHOOKS

    def get(self, request: Request, pk: str, delivery_id: str | None = None) -> Response:
        workspace = api_key_of(request).workspace
        if delivery_id is not None:
            return Response({"data": delivery_to_api(services.get_delivery(workspace, pk, delivery_id))})
        deliveries = services.deliveries_of(workspace, pk, request.query_params.get("status"))
        page = paginate_by_id(deliveries, request.query_params, default=60, maximum=200)
        return Response(
            {
                "data": [delivery_to_api(d) for d in page.rows],
                "pageInfo": page.page_info,
                "totalCount": page.total_count,
            }
        )


class RedeliverView(APIView):
    """Queue one delivery again (202: the attempt happens in the background)."""

    permission_flag = API_KEYS_AND_WEBHOOKS

    def post(self, request: Request, pk: str, delivery_id: str) -> Response:
        delivery = services.redeliver(api_key_of(request).workspace, pk, delivery_id)
        return Response({"data": delivery_to_api(delivery)}, status=202)


class ReplayView(APIView):
    """Queue the events of a range again for one webhook (202: the calls happen in the background)."""

    permission_flag = API_KEYS_AND_WEBHOOKS
    methods_reading_everything = ("POST",)

    def post(self, request: Request, pk: str) -> Response:
        queued = services.replay(api_key_of(request).workspace, pk, request.data)
        return Response({"data": {"webhookId": str(queued.webhook_id), "queued": queued.count}}, status=202)


class EventsView(APIView):
    """``GET /rest/events``: a page of the workspace's event feed, in commit order."""

    def get(self, request: Request) -> Response:
        api_key = api_key_of(request)
        snapshot = schema_registry.snapshot(api_key.workspace)
        access = record_access(api_key.permissions)
        page = feed.feed_page(
            api_key.workspace_id, snapshot, access, feed.read_query(snapshot, access, request.query_params)
        )
        return Response(
            {"data": [feed.event_to_api(e, snapshot, access) for e in page.events], "pageInfo": page.page_info}
        )


class LegacyWebhooksView(DeprecatedAlias, APIView):
    """``/rest/webhooks[/{id}]``: raw answers, marked deprecated in favour of ``/rest/metadata/webhooks``."""

    successor = "/rest/metadata/webhooks"
    permission_flag = API_KEYS_AND_WEBHOOKS
    # A webhook delivers whole records: only a role reading everything may point one somewhere.
    methods_reading_everything = ("POST", "PATCH", "PUT")

    def get(self, request: Request, pk: str | None = None) -> Response:
        workspace = api_key_of(request).workspace
        if pk is not None:
            return Response(webhook_to_api(services.get_webhook(workspace, pk)))
        return Response([webhook_to_api(w) for w in services.live_webhooks(workspace).order_by("pk")])

    def post(self, request: Request, pk: str | None = None) -> Response:
        if pk is not None:
            raise BadRequest("Remove the id from the path to create a webhook: POST /rest/webhooks")
        return Response(
            webhook_to_api(services.create_webhook(api_key_of(request).workspace, request.data), with_secret=True),
            status=201,
        )

    def patch(self, request: Request, pk: str | None = None) -> Response:
        if pk is None:
            raise missing_id("update")
        return Response(webhook_to_api(services.update_webhook(api_key_of(request).workspace, pk, request.data)))

    put = patch

    def delete(self, request: Request, pk: str | None = None) -> Response:
        if pk is None:
            raise missing_id("delete")
        services.delete_webhook(api_key_of(request).workspace, pk)
        return Response(True)
