"""``POST /metadata``: the metadata GraphQL endpoint.

Every operation needs ``Authorization: Bearer <API key>`` except pure introspection (every
root field starts with ``__``), which client generators send before they have a key. Answers
follow Twenty: a missing or bad key is HTTP 200 with ``errors[{extensions: {code:
"UNAUTHENTICATED"}}]`` (GraphQL clients read errors from the body; an HTTP error would reach
them as a transport failure); a document that does not parse or validate is a 400; errors of
resolvers are 200 with ``data`` and ``errors``. Every error carries ``extensions.code`` and
``extensions.userFriendlyMessage``.

``GET`` from a browser opens GraphiQL (``graphiql_template``, served from the project's own
files); any other ``GET`` answers 405.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene.validation import depth_limit_validator
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import GraphQLError, execute, get_operation_ast, parse, specified_rules, validate
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from api_common.graphql import NulRefusingMixin
from apikeys_app.authentication import AuthenticationError, authenticate_header
from metadata_app.graphql.context import MetadataContext
from metadata_app.graphql.errors import (
    BAD_REQUEST,
    METHOD_NOT_ALLOWED,
    PARSE_FAILED,
    UNAUTHENTICATED,
    VALIDATION_FAILED,
    error_entry,
    execution_error,
    request_error,
)
from metadata_app.graphql.schema import metadata_schema

__all__ = ["MetadataGraphQLView", "is_introspection_only"]

#: Deepest selection accepted; each level of nesting can cost one query.
MAX_DEPTH = 15


def root_field_names(
    selection_set: SelectionSetNode, document: DocumentNode, seen: frozenset[str] = frozenset()
) -> Iterator[str]:
    """Names of the root fields of a selection, through fragments; an unknown fragment yields ``""``."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from root_field_names(selection.selection_set, document, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                yield from root_field_names(fragments[name].selection_set, document, seen | {name})
            elif name not in seen:
                yield ""


def is_introspection_only(document: DocumentNode, operation_name: str | None) -> bool:
    """True when the operation to run asks only for introspection fields (``__schema``, ``__type``, ``__typename``)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return False
    names = list(root_field_names(operation.selection_set, document))
    return bool(names) and all(name.startswith("__") for name in names)


@method_decorator(csrf_exempt, name="dispatch")
class MetadataGraphQLView(NulRefusingMixin, GraphQLView):
    """The metadata schema over HTTP, authenticated by API key, in Twenty's error format."""

    graphiql = True
    graphiql_template = "graphiql.html"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schema", metadata_schema())
        # graphene-django adds its debug middleware when DEBUG is on; it serves a ``_debug``
        # field this schema does not have and needs a writable request as context.
        kwargs.setdefault("middleware", [])
        super().__init__(**kwargs)
        # Passing rules to graphql-core replaces its defaults, so the standard ones are listed too.
        self.validation_rules = (*specified_rules, depth_limit_validator(max_depth=MAX_DEPTH))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Answer a POSTed operation; GraphiQL or a 405 for GET; a 405 for any other method."""
        if request.method == "GET" and self.graphiql and self.can_display_graphiql(request, {}):
            return self.render_graphiql(request, endpoint=request.path)
        if request.method != "POST":
            message = f"{request.method} is not supported: POST a GraphQL operation as JSON to {request.path}"
            response = self.respond(request, {"errors": [error_entry(message, METHOD_NOT_ALLOWED)]}, 405)
            response["Allow"] = "POST"
            return response
        try:
            body, status = self.run(request, self.parse_body(request))
        except HttpError as error:
            body, status = {"errors": [error_entry(error.message, BAD_REQUEST)]}, error.response.status_code
        return self.respond(request, body, status)

    def respond(self, request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        """A JSON answer."""
        return HttpResponse(self.json_encode(request, body), status=status, content_type="application/json")

    def run(self, request: HttpRequest, data: Any) -> tuple[dict[str, Any], int]:
        """Parse, authenticate, validate and execute one operation; return the body and the status."""
        query, variables, operation_name, _id = self.get_graphql_params(request, data)
        if not isinstance(query, str) or not query:
            return {"errors": [error_entry("Must provide query string.", BAD_REQUEST)]}, 400
        if variables is not None and not isinstance(variables, dict):
            return {"errors": [error_entry("variables must be a JSON object.", BAD_REQUEST)]}, 400
        try:
            document = parse(query)
        except GraphQLError as error:
            return {"errors": [request_error(error, PARSE_FAILED)]}, 400
        api_key = None
        if not is_introspection_only(document, operation_name):
            try:
                api_key = authenticate_header(request.META.get("HTTP_AUTHORIZATION"))
            except AuthenticationError as error:
                return {"errors": [error_entry(error.message, UNAUTHENTICATED)]}, 200
        errors = validate(
            self.schema.graphql_schema, document, self.validation_rules, graphene_settings.MAX_VALIDATION_ERRORS
        )
        if errors:
            return {"errors": [request_error(error, VALIDATION_FAILED) for error in errors]}, 400
        result = execute(
            self.schema.graphql_schema,
            document,
            context_value=MetadataContext(request, api_key),
            variable_values=variables,
            operation_name=operation_name,
            middleware=self.get_middleware(request),
        )
        if not result.errors:
            return {"data": result.data}, 200
        formatted = [execution_error(error) for error in result.errors]
        if result.data is None and all(not error.path for error in result.errors):
            # Nothing ran: the variables or the operation name were wrong.
            return {"errors": formatted}, 400
        return {"data": result.data, "errors": formatted}, 200

    def render_graphiql(self, request: HttpRequest, **data: Any) -> HttpResponse:
        """GraphiQL from the project's own assets, pointed at this endpoint."""
        endpoint = data.get("endpoint", request.path)
        return render(request, self.graphiql_template, {"endpoint": endpoint, "endpoint_json": json.dumps(endpoint)})
