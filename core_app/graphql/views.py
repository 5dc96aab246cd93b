"""``/graphql``: the workspace's synthesized schema, swapped in per request.

Authentication is the shared API-key authenticator; introspection answers without a key
(with a bootstrap schema, since a workspace's schema needs its key). Errors carry Twenty's
``extensions.code`` and ``userFriendlyMessage``; unexpected ones hide their details.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import graphene
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import GraphQLError, parse
from graphql.error import GraphQLSyntaxError
from graphql.language import OperationDefinitionNode

from api_common.errors import as_api_error
from api_common.graphql import NulRefusingMixin
from api_common.graphql_errors import api_error_entry
from apikeys_app.authentication import AuthenticationError, authenticate_header
from core_app.graphql.synthesis import schema_for
from core_app.graphql.validation import validation_rules
from core_app.services.context import RecordContext, api_actor
from metadata_app.registry import schema_registry

__all__ = ["WorkspaceGraphQLView", "format_graphql_error", "is_introspection", "unauthenticated"]

logger = logging.getLogger(__name__)


class BootstrapQuery(graphene.ObjectType):
    """Answered before authentication: send an API key to see the workspace's schema."""

    _empty = graphene.Boolean(description="Send 'Authorization: Bearer <API key>' to see your workspace's schema.")


BOOTSTRAP_SCHEMA = graphene.Schema(query=BootstrapQuery, auto_camelcase=False)


def is_introspection(query: Any) -> bool:
    """True when every root field of every operation is an introspection field."""
    if not isinstance(query, str):
        return False
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return bool(operations) and all(
        getattr(selection, "name", None) is not None and selection.name.value.startswith("__")
        for operation in operations
        for selection in operation.selection_set.selections
    )


def format_graphql_error(error: Exception) -> dict[str, Any]:
    """An error with ``extensions.code`` and ``userFriendlyMessage``; internals are not shown."""
    if isinstance(error, HttpError):  # graphene-django's own request errors (bad JSON, no query...)
        message = str(error.message)
        return {"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}}
    if isinstance(error, GraphQLError):
        original = error.original_error
        api_error = as_api_error(original) if original is not None else None
        if api_error is not None:
            return api_error_entry(api_error, located=error)
        if original is not None and not isinstance(original, GraphQLError):
            logger.error("GraphQL resolver crashed", exc_info=original)
            message = "Internal server error"
            return {
                "message": message,
                "path": error.path,
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "userFriendlyMessage": message},
            }
        formatted = error.formatted
        extensions = dict(formatted.get("extensions") or {})
        extensions.setdefault("code", "BAD_USER_INPUT")
        extensions.setdefault("userFriendlyMessage", formatted["message"])
        return {**formatted, "extensions": extensions}
    logger.error("GraphQL request failed", exc_info=error)
    return {
        "message": "Internal server error",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "userFriendlyMessage": "Internal server error"},
    }


def unauthenticated(message: str) -> JsonResponse:
    """The answer to a request without a usable key: HTTP 200 with an UNAUTHENTICATED error, as
    Twenty and ``/metadata`` answer, since GraphQL clients read errors from the body."""
    error = {"message": message, "extensions": {"code": "UNAUTHENTICATED", "userFriendlyMessage": message}}
    return JsonResponse({"errors": [error]}, status=200)


@method_decorator(csrf_exempt, name="dispatch")
class WorkspaceGraphQLView(NulRefusingMixin, GraphQLView):
    """GraphQL over the caller's workspace; GraphiQL for browsers."""

    graphiql = True
    graphiql_template = "graphiql.html"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(schema=BOOTSTRAP_SCHEMA, **kwargs)
        self.validation_rules = validation_rules()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET" and self.can_display_graphiql(request, {}):
            return self.render_graphiql(request, endpoint=request.path)
        try:
            api_key = authenticate_header(request.META.get("HTTP_AUTHORIZATION"))
        except AuthenticationError as error:
            if request.method == "POST" and is_introspection(self.safe_query(request)):
                return super().dispatch(request, *args, **kwargs)
            return unauthenticated(error.message)
        snapshot = schema_registry.snapshot(api_key.workspace)
        self.schema = schema_for(snapshot)
        actor = api_actor(api_key.name)
        request.record_context_for = lambda spec: RecordContext(api_key.workspace_id, snapshot, spec, actor)
        return super().dispatch(request, *args, **kwargs)

    def safe_query(self, request: HttpRequest) -> Any:
        """The ``query`` of a request body, or None when the body is not a JSON object."""
        try:
            data = self.parse_body(request)
        except Exception:  # a malformed body is answered by the normal path
            return None
        return data.get("query") if isinstance(data, dict) else None

    def render_graphiql(self, request: HttpRequest, **data: Any) -> HttpResponse:
        endpoint = data.get("endpoint", request.path)
        return render(request, self.graphiql_template, {"endpoint": endpoint, "endpoint_json": json.dumps(endpoint)})

    @staticmethod
    def format_error(error: Exception) -> dict[str, Any]:
        return format_graphql_error(error)
