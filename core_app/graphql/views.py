"""``/graphql``: the workspace's synthesized schema, swapped in per request.

The request path (authentication by API key, introspection without a key, limits, error format)
is ``api_common.graphql.GraphQLEndpointView``'s, the same as ``/metadata``'s. Introspection
without a key answers with a bootstrap schema, since a workspace's schema needs its key.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.http import HttpRequest

from api_common.graphql import GraphQLEndpointView
from apikeys_app.authentication import authenticate_header
from apikeys_app.models import ApiKey
from core_app.graphql.synthesis import schema_for
from core_app.services.context import RecordContext, api_actor
from metadata_app.registry import schema_registry

__all__ = ["WorkspaceGraphQLView"]


class BootstrapQuery(graphene.ObjectType):
    """Answered before authentication: send an API key to see the workspace's schema."""

    _empty = graphene.Boolean(description="Send 'Authorization: Bearer <API key>' to see your workspace's schema.")


BOOTSTRAP_SCHEMA = graphene.Schema(query=BootstrapQuery, auto_camelcase=False)


class WorkspaceGraphQLView(GraphQLEndpointView):
    """GraphQL over the caller's workspace; GraphiQL for browsers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(schema=BOOTSTRAP_SCHEMA, **kwargs)

    def authenticate(self, request: HttpRequest) -> ApiKey:
        return authenticate_header(request.META.get("HTTP_AUTHORIZATION"))

    def prepare(self, request: HttpRequest, principal: ApiKey | None) -> tuple[graphene.Schema, HttpRequest]:
        """The workspace's schema, and the request as context with ``record_context_for(spec)``."""
        if principal is None:
            return self.schema, request
        api_key = principal
        snapshot = schema_registry.snapshot(api_key.workspace)
        actor = api_actor(api_key.name)
        request.record_context_for = lambda spec: RecordContext(api_key.workspace_id, snapshot, spec, actor)
        return schema_for(snapshot), request
