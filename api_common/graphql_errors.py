"""GraphQL's translation of ``api_common.errors``: entries of ``errors[]`` with Twenty's
``extensions.code`` and ``extensions.userFriendlyMessage``.

- :func:`graphql_error` turns an ``ApiError`` raised under a resolver into the ``GraphQLError``
  graphql-core reports (every message kept in ``extensions.messages``);
- :func:`error_entry` / :func:`api_error_entry` build one entry of ``errors[]`` for an error
  answered by the view itself (a refused request, an error of a resolver), and
  :func:`http_answer` its HTTP status and headers.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from api_common.errors import ApiError, Forbidden, Unauthenticated

__all__ = ["api_error_entry", "error_entry", "graphql_error", "http_answer", "user_error"]


def error_entry(
    message: str,
    code: str,
    user_message: str | None = None,
    located: GraphQLError | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of ``errors[]``: message, where it happened (when known) and the extensions."""
    entry: dict[str, Any] = {"message": message}
    if located is not None:
        formatted = located.formatted
        for key in ("locations", "path"):
            if formatted.get(key) is not None:
                entry[key] = formatted[key]
    entry["extensions"] = {"code": code, **(extra or {}), "userFriendlyMessage": user_message or message}
    return entry


def api_error_entry(error: ApiError, located: GraphQLError | None = None) -> dict[str, Any]:
    """The entry of ``errors[]`` answering ``error``."""
    return error_entry(error.message, error.code, error.user_message, located=located, extra=error.extensions)


def http_answer(error: ApiError) -> tuple[int, dict[str, str]]:
    """HTTP status and headers of a request refused with ``error``.

    An unusable key, or a key whose role may not run the operation, is HTTP 200 with an
    ``UNAUTHENTICATED`` / ``FORBIDDEN`` error, as Twenty answers: GraphQL clients read errors
    from the body, an HTTP error would reach them as a transport failure.
    """
    if isinstance(error, (Unauthenticated, Forbidden)):
        return 200, {}
    return error.status, error.headers


def graphql_error(error: ApiError) -> GraphQLError:
    """``error`` as the ``GraphQLError`` a resolver raises; every message is kept in ``extensions.messages``."""
    text = error.message
    extensions = {
        "code": error.code,
        **error.extensions,
        "userFriendlyMessage": error.user_message or text,
        "messages": error.messages,
    }
    return GraphQLError(text, extensions=extensions)


def user_error(messages: list[str], code: str = "BAD_USER_INPUT") -> GraphQLError:
    """A ``GraphQLError`` the client can fix, with ``code``, from its messages."""
    error = ApiError(*messages)
    error.code = code
    return graphql_error(error)
