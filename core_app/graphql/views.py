"""``/graphql``: the workspace's synthesized schema, swapped in per request.

The request path (authentication by API key, introspection without a key, limits, error format)
is ``api_common.graphql.GraphQLEndpointView``'s, the same as ``/metadata``'s. Introspection
without a key answers with a bootstrap schema, since a workspace's schema needs its key.

A mutation sent with an ``Idempotency-Key`` runs through ``guards_app.idempotency.run_once``:
its answer is stored with its writes, and only when at least one of its root fields succeeded
(each root field writes in a transaction of its own, so a mutation whose every field failed
wrote nothing and stores nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graphene
from django.http import HttpRequest, HttpResponse
from graphql import OperationType, get_operation_ast
from graphql.language import DocumentNode

from api_common.graphql import GraphQLEndpointView
from apikeys_app.authentication import authenticate_header
from apikeys_app.models import ApiKey
from core_app.graphql.synthesis import schema_for
from core_app.services.context import RecordContext, api_actor
from guards_app.idempotency import idempotency_key, run_once
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

    def run_operation(
        self,
        request: HttpRequest,
        principal: ApiKey | None,
        document: DocumentNode,
        operation_name: str | None,
        execute_and_answer: Callable[[], tuple[dict[str, Any], int, dict[str, str]]],
    ) -> tuple[dict[str, Any], int, dict[str, str]] | HttpResponse:
        """A mutation with an ``Idempotency-Key`` runs once per key; everything else as usual."""
        operation = get_operation_ast(document, operation_name)
        if principal is None or operation is None or operation.operation != OperationType.MUTATION:
            return execute_and_answer()
        key = idempotency_key(request)
        if key is None:
            return execute_and_answer()

        def run() -> tuple[HttpResponse, bool]:
            body, status, headers = execute_and_answer()
            data = body.get("data") or {}
            wrote = status == 200 and any(value is not None for value in data.values())
            return self.build_response(request, body, status, headers), wrote

        return run_once(request, key, principal.workspace_id, principal.pk, run)
