"""Project-wide REST glue: JSON rendering and parsing, and the error format of every REST answer.

Every REST error leaves through :func:`exception_handler` as Twenty's body
``{"statusCode": 400, "error": "BadRequestException", "messages": ["..."]}``, whatever raised it:
a service's ``ValidationError``, an ``Http404``, a DRF exception or an unexpected crash.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import orjson
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

__all__ = ["ApiError", "FastJSONRenderer", "StrictJSONParser", "error_body", "exception_handler", "nul_path"]

logger = logging.getLogger(__name__)

ERROR_NAMES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    406: "NotAcceptableException",
    409: "ConflictException",
    413: "PayloadTooLargeException",
    415: "UnsupportedMediaTypeException",
    422: "UnprocessableEntityException",
    429: "TooManyRequestsException",
}


class ApiError(Exception):
    """An error answered with ``status`` and ``messages`` in the contract's error format."""

    def __init__(self, status: int, *messages: str) -> None:
        super().__init__(messages[0] if messages else "")
        self.status = status
        self.messages = list(messages)


def error_body(status: int, messages: Iterable[str]) -> dict[str, Any]:
    """Return the contract's error body for ``status`` and ``messages``."""
    name = ERROR_NAMES.get(status, "InternalServerErrorException" if status >= 500 else "BadRequestException")
    return {"statusCode": status, "error": name, "messages": list(messages)}


def validation_messages(error: ValidationError) -> list[str]:
    """Flatten a Django ``ValidationError`` into a list of readable messages."""
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {msg}" if field != "__all__" else msg
            for field, msgs in error.message_dict.items()
            for msg in msgs
        ]
    return list(error.messages)


def drf_messages(detail: Any) -> list[str]:
    """Flatten DRF error details (str, list or dict) into messages."""
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in drf_messages(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in drf_messages(item)]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Translate any exception raised by a view into the contract's error response."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        status, messages = exc.status, exc.messages
    elif isinstance(exc, ValidationError):
        status, messages = 400, validation_messages(exc)
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        status, messages = 404, [str(exc) or "Not found"]
    elif isinstance(exc, drf_exceptions.APIException):
        status, messages = exc.status_code, drf_messages(exc.detail)
        if isinstance(exc, (drf_exceptions.NotAuthenticated, drf_exceptions.AuthenticationFailed)):
            status = 401
            headers["WWW-Authenticate"] = "Bearer"
    else:
        logger.exception("Unhandled error in %s", context.get("view"))
        status, messages = 500, ["Internal server error"]
    return Response(error_body(status, messages), status=status, headers=headers)


class FastJSONRenderer(BaseRenderer):
    """Render responses with orjson (several times faster than the standard library)."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


class StrictJSONParser(BaseParser):
    """Parse a JSON body with orjson, answering 400 with the parser's reason on malformed JSON."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise ApiError(400, f"Invalid JSON body: {error}") from None
        if b"u0000" in raw and nul_path(data) is not None:  # cheap test first: the escape is rare
            raise ApiError(
                400, f"Invalid JSON body: text must not contain NUL characters (\\u0000), found at {nul_path(data)}"
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


def json_error(status: int, *messages: str) -> JsonResponse:
    """Return a plain Django ``JsonResponse`` in the error format (for non-DRF handlers)."""
    return JsonResponse(error_body(status, messages), status=status)
