"""``/graphql``: the workspace's synthesized schema, swapped in per request.

The request path (authentication by API key, introspection without a key, limits, error format)
is ``api_common.graphql.GraphQLEndpointView``'s, the same as ``/metadata``'s. Introspection
without a key answers with a bootstrap schema, since a workspace's schema needs its key.

A key whose role cannot read everything gets the schema of what it reads
(``core_app.access.visibility``): its introspection shows only readable objects and fields. An
operation naming something the role cannot read (an object, a field in a selection, a filter, an
order or an input) is refused with ``FORBIDDEN``, as REST answers 403, not as a validation error.

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

from api_common.errors import ApiError
from api_common.graphql import GraphQLEndpointView
from apikeys_app.authentication import authenticate_header
from apikeys_app.models import ApiKey
from core_app.access import record_access, visibility
from core_app.graphql.hidden import hidden_names
from core_app.graphql.synthesis import schema_for
from core_app.services.context import RecordContext, api_actor
from guards_app.idempotency import idempotency_key, run_once
from metadata_app.registry import schema_registry
from roles_app.errors import PermissionDenied

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
        return authenticate_header(request.META.get("HTTP_AUTHORIZATION"), request)

    def prepare(self, request: HttpRequest, principal: ApiKey | None) -> tuple[graphene.Schema, HttpRequest]:
        """The schema of what the key's role reads, and the request as context with ``record_context_for(spec)``."""
        if principal is None:
            return self.schema, request
        api_key = principal
        snapshot = schema_registry.snapshot(api_key.workspace)
        access = record_access(api_key.permissions)
        self.visible = visibility(snapshot, access)
        self.snapshot = snapshot
        actor = api_actor(api_key.name, api_key.pk)
        objects = snapshot.by_id
        # The role's schema holds narrowed specs; the record service always gets the whole object.
        # The request is the resolvers' GraphQL context: they find this function on it.
        request.record_context_for = lambda spec: RecordContext(  # type: ignore[attr-defined]
            api_key.workspace_id, snapshot, objects[spec.id], actor, access, workspace=api_key.workspace
        )
        # What root fields beyond the objects (the event feed) read: the workspace, its data model, the role.
        request.workspace_scope = (api_key.workspace_id, snapshot, access)  # type: ignore[attr-defined]
        self.role_schema = schema_for(self.visible.snapshot, self.visible.key)
        return self.role_schema, request

    def refusal(
        self, document: DocumentNode, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> ApiError | None:
        """``FORBIDDEN`` for an operation that names what the key's role cannot read."""
        visible = getattr(self, "visible", None)
        if visible is None or not visible.key:
            return None
        full = schema_for(self.snapshot).graphql_schema
        names = hidden_names(full, self.role_schema.graphql_schema, document, variables, operation_name)
        if not names:
            return None
        return PermissionDenied.to(f"read {', '.join(repr(name) for name in names)}")

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
