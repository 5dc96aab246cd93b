"""The one request path of both GraphQL endpoints (``/graphql`` and ``/metadata``).

:class:`GraphQLEndpointView` reads the operation, refuses what must not run, authenticates,
validates, executes and answers in Twenty's error format; an endpoint says only who the caller
is and which schema and context value serve it::

    class MetadataGraphQLView(GraphQLEndpointView):
        def authenticate(self, request):           # the caller, or raise Unauthenticated
            return authenticate_header(request.META.get("HTTP_AUTHORIZATION"), request)

        def prepare(self, request, principal):      # principal is None for anonymous introspection
            return self.schema, MetadataContext(request, principal)

Every operation needs a usable key except pure introspection (every root field, through
fragments, starts with ``__``), which client generators send before they have one. Answers:

- a request that cannot be read (method, body over ``MAX_REQUEST_BODY_BYTES``, JSON nested
  deeper than ``MAX_JSON_DEPTH``, variables, NUL characters), a document that does not parse or
  validate, or one over the limits of ``api_common.graphql_limits``: 4xx with ``errors`` only
  (405 names the methods taken in ``Allow``);
- a missing or refused key: HTTP 200 with an ``UNAUTHENTICATED`` error, as Twenty answers
  (GraphQL clients read errors from the body; an HTTP error would reach them as a transport failure);
- errors of resolvers: 200 with ``data`` and ``errors``; variables or an operation name that do
  not fit: 400 (a variable's value shown as the JSON sent, ``api_common.graphql_variables``);
- a database that cannot answer (before or under a resolver): 503 with ``Retry-After`` and
  ``SERVICE_UNAVAILABLE`` errors only.

Every error carries ``extensions.code`` and ``extensions.userFriendlyMessage``
(``api_common.graphql_errors``). Queries may also be sent by ``GET`` (mutations only by
``POST``); a browser's ``GET`` opens GraphiQL, served from the project's own files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, cast

import graphene
import orjson
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    specified_rules,
)
from graphql.language import DocumentNode
from graphql.validation.validate import ValidationAbortedError

from api_common import conf
from api_common.errors import (
    ApiError,
    BadRequest,
    MethodNotAllowed,
    ServiceUnavailable,
    Unauthenticated,
    as_api_error,
)
from api_common.graphql_errors import api_error_entry, error_entry, http_answer
from api_common.graphql_execution import PlainDataExecutionContext, parse_cached, validate_cached
from api_common.graphql_limits import STRUCTURE_RULES, limit_rules, root_field_names
from api_common.graphql_variables import as_sent
from api_common.inputs import check_json_depth
from api_common.rest import nul_path
from api_common.throttling import authentication_failed, check_throttles

__all__ = ["INTERNAL_USER_MESSAGE", "NUL_MESSAGE", "GraphQLEndpointView", "format_error", "is_introspection_only"]

logger = logging.getLogger(__name__)

NUL_MESSAGE = "Text must not contain NUL characters (\\u0000)."
INTERNAL_MESSAGE = "Internal server error"
INTERNAL_USER_MESSAGE = "An unexpected error occurred. Please try again later."
#: graphql-core aborts validation when fragments and selections nest deeper than its parser takes.
TOO_DEEP_MESSAGE = (
    "The document is too deep or too repetitive to validate: nest fragments and selections at most 200 levels "
    "deep, and give repeated fields distinct aliases"
)


def is_introspection_only(document: DocumentNode, operation_name: str | None) -> bool:
    """True when the operation to run asks only for introspection fields (``__schema``, ``__type``, ``__typename``)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return False
    names = list(root_field_names(operation.selection_set, document))
    return bool(names) and all(name.startswith("__") for name in names)


def refusal_of(error: GraphQLError) -> ApiError | None:
    """The ``ApiError`` a resolver's exception maps to, or None (graphql-core's own error, or a bug)."""
    return as_api_error(error.original_error) if error.original_error is not None else None


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The entry of ``errors[]`` for an error of validation or execution.

    graphql-core's own errors (and ``GraphQLError`` raised by resolvers) keep their extensions;
    an exception of a resolver or a service answers as ``as_api_error`` maps it; anything else
    is a bug: ``INTERNAL_SERVER_ERROR`` without details, logged with its traceback.
    """
    original = error.original_error
    if isinstance(error, ValidationAbortedError) and error.message == "Validation aborted.":
        return error_entry(TOO_DEEP_MESSAGE, "BAD_USER_INPUT")
    if original is None or isinstance(original, GraphQLError):
        formatted = error.formatted
        extensions = dict(formatted.get("extensions") or {})
        extensions.setdefault("code", "BAD_USER_INPUT")
        extensions.setdefault("userFriendlyMessage", formatted["message"])
        return {**formatted, "extensions": extensions}
    api_error = refusal_of(error)
    if api_error is not None:
        return api_error_entry(api_error, located=error)
    logger.error("GraphQL resolver failed", exc_info=original)
    return error_entry(INTERNAL_MESSAGE, "INTERNAL_SERVER_ERROR", INTERNAL_USER_MESSAGE, located=error)


@method_decorator(csrf_exempt, name="dispatch")
class GraphQLEndpointView(GraphQLView):
    """One GraphQL endpoint over HTTP: subclasses implement :meth:`authenticate` and :meth:`prepare`.

    graphene-django's view provides the reading of bodies and parameters, JSON encoding and the
    GraphiQL switch; parsing, validation and execution are this class's, one path for both
    endpoints.
    """

    graphiql = True
    graphiql_template = "graphiql.html"

    def __init__(self, **kwargs: Any) -> None:
        # graphene-django adds its debug middleware when DEBUG is on; it serves a ``_debug``
        # field these schemas do not have and needs a writable request as context.
        kwargs.setdefault("middleware", [])
        super().__init__(**kwargs)

    # -- what an endpoint says ----------------------------------------------------------------

    def authenticate(self, request: HttpRequest) -> Any:
        """The caller of ``request``; raise ``Unauthenticated`` when it carries no usable key."""
        raise NotImplementedError

    def prepare(self, request: HttpRequest, principal: Any) -> tuple[graphene.Schema, Any]:
        """The schema and the context value serving ``principal`` (None: anonymous introspection)."""
        raise NotImplementedError

    def refusal(
        self, document: DocumentNode, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> ApiError | None:
        """The error refusing an operation the caller's schema did not accept (its document, or its
        variables), instead of the validation errors; None answers those. ``/graphql`` refuses what
        the key's role may not read (its schema leaves it out) as ``FORBIDDEN``."""
        return None

    # -- the request path ---------------------------------------------------------------------

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """GraphiQL for a browser's GET; every other request runs through :meth:`run`."""
        if request.method == "GET" and self.graphiql and self.can_display_graphiql(request, {}):
            return self.render_graphiql(request, endpoint=request.path)
        try:
            outcome = self.run(request)
        except Exception as exc:  # authentication and schema lookup read the database too
            error = as_api_error(exc)
            if error is None:
                raise
            if isinstance(error, ServiceUnavailable):
                logger.warning("Database unavailable at %s: %s", request.path, exc)
            return self.error_response(error)
        if isinstance(outcome, HttpResponse):
            return outcome
        return self.build_response(request, *outcome)

    def build_response(
        self, request: HttpRequest, body: dict[str, Any], status: int, headers: dict[str, str]
    ) -> HttpResponse:
        """The answer of an operation: its JSON body, status and headers."""
        response = self.respond(request, body, status)
        for name, value in headers.items():
            response[name] = value
        return response

    def run(self, request: HttpRequest) -> tuple[dict[str, Any], int, dict[str, str]] | HttpResponse:
        """Read, parse, authenticate, validate and execute one operation; return the body, status and headers
        (or a whole answer, from :meth:`run_operation`)."""
        if request.method not in ("GET", "POST"):
            raise MethodNotAllowed(
                f"{request.method} is not supported: POST a GraphQL operation as JSON to {request.path}",
                allow="GET, POST",
            )
        query, variables, operation_name = self.read_operation(request)
        try:
            document = parse_cached(query)
        except GraphQLError as error:
            return {"errors": [error_entry(error.message, "BAD_USER_INPUT", located=error)]}, 400, {}
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation is not None and operation.operation != OperationType.QUERY:
            raise MethodNotAllowed(
                f"Can only perform a {operation.operation.value} operation from a POST request.", allow="POST"
            )
        # Fragment cycles and unknown fragments first: nothing below may walk the document before.
        errors = self.validate(self.schema, document, query, STRUCTURE_RULES)
        if errors:
            return {"errors": errors}, 400, {}
        try:
            principal = self.authenticate(request)
        except Unauthenticated as refused:
            if not is_introspection_only(document, operation_name):
                raise authentication_failed(request, refused) from None  # counted per address: 429 past the limit
            principal = None
        if principal is not None:
            check_throttles(request, self, principal)  # the rate limits, as DRF views run them
        schema, context = self.prepare(request, principal)
        # The limits before graphql-core's rules, some of which cost more than linear time.
        errors = self.validate(schema, document, query, limit_rules()) or self.validate(
            schema, document, query, specified_rules
        )
        if errors:
            refusal = self.refusal(document, query, variables, operation_name)
            if refusal is not None:
                raise refusal
            return {"errors": errors}, 400, {}

        def execute_and_answer() -> tuple[dict[str, Any], int, dict[str, str]]:
            # Every resolver is synchronous: execution completes here, never as an awaitable.
            result = cast(
                ExecutionResult,
                execute(
                    schema.graphql_schema,
                    document,
                    context_value=context,
                    variable_values=variables,
                    operation_name=operation_name,
                    middleware=self.get_middleware(request) or None,
                    execution_context_class=PlainDataExecutionContext,
                ),
            )
            if result.errors and result.data is None and all(not error.path for error in result.errors):
                refusal = self.refusal(document, query, variables, operation_name)  # the variables did not fit
                if refusal is not None:
                    raise refusal
                result.errors = as_sent(result.errors, schema.graphql_schema, operation, variables)
            return self.answer(result)

        return self.run_operation(request, principal, document, operation_name, execute_and_answer)

    def run_operation(
        self,
        request: HttpRequest,
        principal: Any,
        document: DocumentNode,
        operation_name: str | None,
        execute_and_answer: Callable[[], tuple[dict[str, Any], int, dict[str, str]]],
    ) -> tuple[dict[str, Any], int, dict[str, str]] | HttpResponse:
        """Execute a validated operation of ``principal``; an endpoint may wrap it (``/graphql``: idempotency keys)."""
        return execute_and_answer()

    def read_operation(self, request: HttpRequest) -> tuple[str, dict[str, Any] | None, str | None]:
        """``(query, variables, operationName)`` of the request; a 400 when they cannot be read."""
        try:
            query, variables, operation_name, _id = self.get_graphql_params(request, self.parse_body(request))
        except HttpError as error:
            raise BadRequest(error.message) from None
        if not isinstance(query, str) or not query:
            raise BadRequest("Must provide query string.")
        if variables is not None and not isinstance(variables, dict):
            raise BadRequest("variables must be a JSON object.")
        # PostgreSQL can store NUL in neither text nor jsonb, so such a value would otherwise
        # fail deep inside a write or a filter.
        if "\\u0000" in query or "\x00" in query or nul_path(variables) is not None:
            raise BadRequest(NUL_MESSAGE)
        return query, variables, operation_name

    @staticmethod
    def validate(schema: graphene.Schema, document: DocumentNode, query: str, rules: Any) -> list[dict[str, Any]]:
        """The entries of ``errors[]`` for what ``rules`` find wrong with ``document`` (the text ``query``)."""
        limits = (conf.graphql_max_depth(), conf.graphql_max_root_resolvers(), conf.graphql_max_fields())
        errors = validate_cached(
            schema.graphql_schema, document, query, rules, graphene_settings.MAX_VALIDATION_ERRORS, limits
        )
        return [format_error(error) for error in errors]

    def parse_body(self, request: HttpRequest) -> Any:
        """graphene-django's reading of the body, after refusing JSON nested deeper than ``MAX_JSON_DEPTH``
        (the standard library's parser recurses once per level).

        A ``GET`` carries its operation in the URL: its body, and the ``Content-Type: application/json``
        many clients send with every request, are not read. A ``POST`` is JSON (or
        ``application/graphql``); forms are a 415, as on REST.
        """
        if request.method == "GET":
            return {}
        content_type = self.get_content_type(request)
        if content_type not in ("application/json", "application/graphql"):
            raise ApiError.for_status(
                415, f"Content-Type '{content_type}' is not supported: POST the operation as application/json"
            )
        if content_type == "application/json":
            check_json_depth(request.body)
        return super().parse_body(request)

    def get_graphql_params(self, request: HttpRequest, data: Any) -> tuple[Any, Any, Any, Any]:
        """graphene-django's parameters, after refusing ``variables`` sent as over-deep JSON text."""
        variables = request.GET.get("variables") or data.get("variables")
        if isinstance(variables, str):
            check_json_depth(variables, "variables")
        return GraphQLView.get_graphql_params(request, data)

    @staticmethod
    def answer(result: ExecutionResult) -> tuple[dict[str, Any], int, dict[str, str]]:
        """The body, status and headers of an execution's result."""
        if not result.errors:
            return {"data": result.data}, 200, {}
        unavailable = [error for error in result.errors if isinstance(refusal_of(error), ServiceUnavailable)]
        if unavailable:
            # The database could not answer: partial data would be a wrong answer, not a smaller one.
            logger.warning("Database unavailable under a resolver: %s", unavailable[0].original_error)
            refusal = refusal_of(unavailable[0])
            assert refusal is not None
            return {"errors": [format_error(error) for error in unavailable]}, refusal.status, refusal.headers
        formatted = [format_error(error) for error in result.errors]
        if result.data is None and all(not error.path for error in result.errors):
            # Nothing ran: the variables or the operation name were wrong.
            return {"errors": formatted}, 400, {}
        # ``errors`` first, as the GraphQL specification recommends (and graphene-django does).
        return {"errors": formatted, "data": result.data}, 200, {}

    # -- answers ------------------------------------------------------------------------------

    def json_encode(self, request: HttpRequest, d: Any, pretty: bool = False) -> str | bytes:
        """The answer's JSON: compact through orjson, or graphene-django's indented form with ``?pretty``.

        The standard library's encoder took a tenth of the CPU of a 60-record query; orjson writes
        the same JSON values, with non-ASCII characters as UTF-8 rather than ``\\u`` escapes.
        """
        if self.pretty or pretty or request.GET.get("pretty"):
            return cast(str, super().json_encode(request, d, pretty=True))
        return orjson.dumps(d)

    def respond(self, request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        """A JSON answer (indented with ``?pretty``)."""
        return HttpResponse(self.json_encode(request, body), status=status, content_type="application/json")

    @classmethod
    def error_response(cls, error: ApiError) -> HttpResponse:
        """The answer to a request refused with ``error``, in GraphQL's error format."""
        body = json.dumps({"errors": [api_error_entry(error)]}, separators=(",", ":"))
        status, headers = http_answer(error)
        response = HttpResponse(body, status=status, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        return response

    def render_graphiql(self, request: HttpRequest, **data: Any) -> HttpResponse:
        """GraphiQL from the project's own assets, pointed at this endpoint."""
        endpoint = data.get("endpoint", request.path)
        return render(request, self.graphiql_template, {"endpoint": endpoint, "endpoint_json": json.dumps(endpoint)})
