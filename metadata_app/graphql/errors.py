"""GraphQL errors with Twenty's ``extensions.code`` and ``extensions.userFriendlyMessage``.

Services raise Django exceptions or ``api_common.errors.ApiError``; ``as_api_error`` maps them
onto the one hierarchy, so they answer with the same message the REST API gives
(``ValidationError`` -> ``BAD_USER_INPUT``, ``Http404`` -> ``NOT_FOUND``). Anything unexpected
becomes ``INTERNAL_SERVER_ERROR`` without details (and is logged with its traceback).
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from api_common.errors import as_api_error
from api_common.graphql_errors import api_error_entry, error_entry

__all__ = [
    "BAD_REQUEST",
    "BAD_USER_INPUT",
    "INTERNAL_SERVER_ERROR",
    "METHOD_NOT_ALLOWED",
    "NOT_FOUND",
    "PARSE_FAILED",
    "UNAUTHENTICATED",
    "VALIDATION_FAILED",
    "error_entry",
    "execution_error",
    "request_error",
]

logger = logging.getLogger(__name__)

# Request, parse and validation errors share the code of /graphql: the client must fix its input.
BAD_REQUEST = "BAD_USER_INPUT"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
NOT_FOUND = "NOT_FOUND"
PARSE_FAILED = "BAD_USER_INPUT"
UNAUTHENTICATED = "UNAUTHENTICATED"
VALIDATION_FAILED = "BAD_USER_INPUT"

INTERNAL_MESSAGE = "Internal server error"
INTERNAL_USER_MESSAGE = "An unexpected error occurred. Please try again later."


def request_error(error: GraphQLError, code: str) -> dict[str, Any]:
    """A parse or validation error of the document, answered before anything runs."""
    return error_entry(error.message, code, located=error)


def execution_error(error: GraphQLError) -> dict[str, Any]:
    """An error raised while executing: mapped from the exception a resolver (or a service) raised."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        # Variable coercion and argument errors from graphql-core itself: the input is wrong.
        return error_entry(error.message, BAD_USER_INPUT, located=error)
    api_error = as_api_error(original)
    if api_error is not None:
        return api_error_entry(api_error, located=error)
    logger.error("Metadata GraphQL resolver failed", exc_info=original)
    return error_entry(INTERNAL_MESSAGE, INTERNAL_SERVER_ERROR, INTERNAL_USER_MESSAGE, located=error)
