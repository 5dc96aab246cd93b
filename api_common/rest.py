"""Project-wide REST glue: JSON rendering and parsing, and the error format of every REST answer.

Every REST error leaves through :func:`exception_handler` as Twenty's body
``{"statusCode": 400, "error": "BadRequestException", "messages": ["..."]}``, whatever raised it:
an ``api_common.errors.ApiError``, a service's ``ValidationError``, an ``Http404``, a DRF
exception, a database that cannot answer (503 with ``Retry-After``; all mapped by
``as_api_error``) or an unexpected crash (500, logged).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from django.http import JsonResponse
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from api_common.errors import ApiError, BadRequest, InternalError, ServiceUnavailable, Unauthenticated, as_api_error
from api_common.inputs import check_json_depth
from api_common.throttling import authentication_failed

__all__ = [
    "FastJSONRenderer",
    "JSONFirstNegotiation",
    "StrictJSONParser",
    "error_body",
    "exception_handler",
    "json_error",
    "nul_path",
    "release_rendered",
]

logger = logging.getLogger(__name__)


def error_body(error: ApiError) -> dict[str, Any]:
    """Return the contract's error body for ``error``."""
    return {"statusCode": error.status, "error": error.error_name, "messages": list(error.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Translate any exception raised by a view into the contract's error response."""
    error = as_api_error(exc)
    if error is None:
        logger.exception("Unhandled error in %s", context.get("view"))
        error = InternalError("Internal server error")
    elif isinstance(error, ServiceUnavailable):
        logger.warning("Database unavailable in %s: %s", context.get("view"), exc)
    elif isinstance(error, Unauthenticated) and context.get("request") is not None:
        error = authentication_failed(context["request"], error)  # counted per address; 429 past the limit
    return Response(error_body(error), status=error.status, headers=error.headers)


def release_rendered(response: Any) -> None:
    """Untie a rendered DRF response from its view and request, so that its data is freed at once.

    DRF leaves a cycle around every answer: the response keeps ``renderer_context`` (which holds
    the view, the request and the response itself) and the view keeps ``response``. Everything
    reachable from it, a page's sixty records and their dicts included, could then be freed only
    by the cyclic garbage collector, whose passes over those objects cost about a tenth of a list
    request's CPU. Once the content is rendered none of it is read again. Other answers are left as
    they are.
    """
    context = getattr(response, "renderer_context", None)
    if not context or not getattr(response, "is_rendered", False):
        return
    view = context.get("view")
    if getattr(view, "response", None) is response:
        view.response = None
    response.renderer_context = None


class FastJSONRenderer(BaseRenderer):
    """Render responses with orjson (several times faster than the standard library)."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


class JSONFirstNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answered at once for what API clients send: no ``Accept``, ``*/*``, or
    ``application/json`` where the view's first renderer is JSON; and no ``?format=``.

    DRF's general path (parsing the Accept list, matching media types) cost a twentieth of a
    small request's CPU, to pick the renderer it picks here. Anything else still goes through
    it, so an unacceptable ``Accept`` gets the same 406 as before.
    """

    def select_renderer(self, request: Any, renderers: Any, format_suffix: str | None = None) -> tuple[Any, str]:
        accept, first = request.META.get("HTTP_ACCEPT"), renderers[0]
        if (
            (not accept or accept == "*/*" or accept == first.media_type == "application/json")
            and format_suffix is None
            and self.settings.URL_FORMAT_OVERRIDE not in request._request.GET
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)


class StrictJSONParser(BaseParser):
    """Parse a JSON body with orjson, answering 400 with the parser's reason on malformed JSON.

    A body nested deeper than ``MAX_JSON_DEPTH`` is refused before it is parsed.
    """

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return None
        check_json_depth(raw)
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise BadRequest(f"Invalid JSON body: {error}") from None
        if b"u0000" in raw and nul_path(data) is not None:  # cheap test first: the escape is rare
            raise BadRequest(
                f"Invalid JSON body: text must not contain NUL characters (\\u0000), found at {nul_path(data)}"
            )
        return data


def nul_path(value: Any, path: str = "$") -> str | None:
    """The JSON path of the first string (value or key) holding a NUL character, or None.

    PostgreSQL cannot store NUL in text or jsonb, so such input is refused up front.
    """
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = f"{path}.{key}" if "\x00" in key else nul_path(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def json_error(error: ApiError) -> JsonResponse:
    """Return a plain Django ``JsonResponse`` in the error format (for non-DRF handlers)."""
    response = JsonResponse(error_body(error), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
