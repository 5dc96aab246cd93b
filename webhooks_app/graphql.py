"""Webhooks on ``/metadata`` (registered into the metadata schema by ``WebhooksAppConfig.ready``): list, read, create, update and delete, through ``webhooks_app.services``.

Also the ``events`` connection of ``/graphql`` (the event feed, ``webhooks_app.feed``), added to
every workspace schema by ``WebhooksAppConfig.ready``: the same items, order, cursors, filters and
refusals as ``GET /rest/events``.

The secret is part of the answer to ``createWebhook`` only, as in the REST API; elsewhere it
reads as null. Every operation needs the ``API_KEYS_AND_WEBHOOKS`` permission; creating or
changing a webhook also needs a role that reads every record and field (it delivers whole records).
"""

from __future__ import annotations

from typing import Any

import graphene

from core_app.graphql import scalars
from core_app.graphql.shared import PageInfo
from metadata_app.graphql.context import workspace_of
from metadata_app.graphql.inputs import to_service_input
from metadata_app.graphql.mutations import input_argument
from metadata_app.graphql.scalars import UUID, DateTime
from metadata_app.graphql.types import SHAPE_ATTR, shape_resolver
from roles_app.checks import flag_required
from roles_app.flags import API_KEYS_AND_WEBHOOKS
from webhooks_app import feed, services
from webhooks_app.models import Webhook
from webhooks_app.views import webhook_to_api

#: What creating or changing a webhook hands out (whole records), for the refusal's message.
POINT_WEBHOOKS = "point webhooks at records"

__all__ = [
    "EVENTS_FIELD",
    "CreateWebhookInput",
    "RecordEventConnection",
    "UpdateWebhookInput",
    "UpdateWebhookInputUpdates",
    "WebhookMutations",
    "WebhookNode",
    "WebhookQueries",
]


class WebhookNode(graphene.ObjectType):
    """A webhook of the workspace."""

    class Meta:
        name = "Webhook"
        default_resolver = shape_resolver(webhook_to_api)

    id = graphene.NonNull(UUID)
    target_url = graphene.NonNull(graphene.String)
    operations = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    filter = graphene.String(description="REST filter grammar, checked on the record after the change.")
    fields = graphene.List(graphene.NonNull(graphene.String), description="Updates only when one of these changed.")
    description = graphene.String()
    secret = graphene.String()
    created_at = graphene.NonNull(DateTime)
    updated_at = graphene.NonNull(DateTime)
    deleted_at = graphene.Field(DateTime)


class CreateWebhookInput(graphene.InputObjectType):
    """A new webhook; a secret is generated unless one is given."""

    target_url = graphene.String(required=True)
    operations = graphene.List(graphene.NonNull(graphene.String), required=True)
    filter = graphene.String()
    fields = graphene.List(graphene.NonNull(graphene.String))
    description = graphene.String()
    secret = graphene.String()


class UpdateWebhookInputUpdates(graphene.InputObjectType):
    """An update patch of a webhook: only the keys sent change."""

    target_url = graphene.String()
    operations = graphene.List(graphene.NonNull(graphene.String))
    filter = graphene.String()
    fields = graphene.List(graphene.NonNull(graphene.String))
    description = graphene.String()
    secret = graphene.String()


class UpdateWebhookInput(graphene.InputObjectType):
    """``{ id, update: UpdateWebhookInputUpdates }``."""

    id = UUID(required=True)
    update = graphene.InputField(graphene.NonNull(UpdateWebhookInputUpdates))


class WebhookQueries(graphene.ObjectType):
    """Read the workspace's live webhooks."""

    webhooks = graphene.NonNull(graphene.List(graphene.NonNull(WebhookNode)))
    webhook = graphene.Field(WebhookNode, id=UUID(required=True))

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_webhooks(root: Any, info: Any) -> list[Webhook]:
        """Every live webhook of the workspace, ordered by id (as the REST list)."""
        return list(services.live_webhooks(workspace_of(info)).order_by("pk"))

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_webhook(root: Any, info: Any, id: Any) -> Webhook:
        """One webhook of the workspace; NOT_FOUND for any other id."""
        return services.get_webhook(workspace_of(info), id)


class WebhookMutations(graphene.ObjectType):
    """Manage the workspace's webhooks."""

    create_webhook = graphene.NonNull(WebhookNode, input=input_argument(CreateWebhookInput))
    update_webhook = graphene.NonNull(WebhookNode, input=input_argument(UpdateWebhookInput))
    delete_webhook = graphene.NonNull(WebhookNode, id=UUID(required=True))

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS, reading_everything=POINT_WEBHOOKS)
    def resolve_create_webhook(root: Any, info: Any, input: Any) -> Webhook:
        """Create a webhook; this answer is the only one that shows its secret."""
        webhook = services.create_webhook(workspace_of(info), to_service_input(input))
        webhook.__dict__[SHAPE_ATTR] = webhook_to_api(webhook, with_secret=True)
        return webhook

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS, reading_everything=POINT_WEBHOOKS)
    def resolve_update_webhook(root: Any, info: Any, input: Any) -> Webhook:
        """Apply an update patch to a webhook."""
        return services.update_webhook(workspace_of(info), input["id"], to_service_input(input["update"]))

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_delete_webhook(root: Any, info: Any, id: Any) -> Webhook:
        """Soft-delete a webhook (its pending deliveries are cancelled)."""
        return services.delete_webhook(workspace_of(info), id)


class RecordEventObject(graphene.ObjectType):
    """The object of an event's record."""

    id = graphene.NonNull(scalars.UUID)
    nameSingular = graphene.NonNull(graphene.String)


class RecordEvent(graphene.ObjectType):
    """One record event: its webhook payload (api-reference 6.3) with its id and its feed cursor."""

    eventId = graphene.NonNull(scalars.UUID)
    cursor = graphene.NonNull(scalars.ConnectionCursor)
    eventName = graphene.NonNull(graphene.String)
    objectMetadata = graphene.NonNull(RecordEventObject)
    workspaceId = graphene.NonNull(scalars.UUID)
    eventDate = graphene.NonNull(scalars.DateTime)
    record = graphene.NonNull(scalars.RawJSON)
    updatedFields = graphene.List(graphene.NonNull(graphene.String), description="Updates only.")
    before = graphene.Field(scalars.RawJSON, description="Updates only: the updated fields' values before.")


class RecordEventEdge(graphene.ObjectType):
    """An event and its cursor."""

    node = graphene.NonNull(RecordEvent)
    cursor = graphene.NonNull(scalars.ConnectionCursor)


class RecordEventConnection(graphene.ObjectType):
    """A page of the event feed, in commit order."""

    edges = graphene.NonNull(graphene.List(graphene.NonNull(RecordEventEdge)))
    pageInfo = graphene.NonNull(PageInfo)


def resolve_events(root: Any, info: Any, **arguments: Any) -> dict[str, Any]:
    """A page of the workspace's event feed (see ``webhooks_app.feed``)."""
    workspace_id, snapshot, access = info.context.workspace_scope
    query = feed.read_query(snapshot, access, arguments)
    page = feed.feed_page(workspace_id, snapshot, access, query)
    items = [feed.event_to_api(event, snapshot, access, parsed=True) for event in page.events]
    return {"edges": [{"node": item, "cursor": item["cursor"]} for item in items], "pageInfo": page.page_info}


def events_field() -> graphene.Field:
    """The ``events`` root field of ``/graphql``."""
    return graphene.Field(
        graphene.NonNull(RecordEventConnection),
        after=graphene.Argument(scalars.ConnectionCursor),
        first=graphene.Argument(graphene.Int, description="Page size: 60 by default, from 1, at most 200."),
        objectNameSingular=graphene.Argument(graphene.String),
        operation=graphene.Argument(graphene.String, description="created, updated, deleted, destroyed or restored"),
        recordId=graphene.Argument(scalars.UUID),
        since=graphene.Argument(scalars.DateTime, description="Events at or after this instant."),
        until=graphene.Argument(scalars.DateTime, description="Events before this instant."),
        resolver=resolve_events,
        description="The workspace's record events in commit order (the webhook payloads), with keyset cursors.",
    )


#: The name of the feed in every workspace schema.
EVENTS_FIELD = "events"
