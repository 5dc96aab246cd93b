"""GraphQL errors with Twenty's ``extensions``: ``code`` and ``userFriendlyMessage``.

Resolvers raise ``api_common.errors.ApiError`` subclasses (record-service and query errors are
ones); :func:`graphql_errors` hands them to GraphQL's translation in ``api_common.graphql_errors``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from api_common.errors import ApiError
from api_common.graphql_errors import graphql_error, user_error

__all__ = ["graphql_errors", "user_error"]


def graphql_errors(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Translate the ``ApiError`` raised by ``resolver`` (record service, query engine) into a GraphQL error."""

    @functools.wraps(resolver)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return resolver(*args, **kwargs)
        except ApiError as error:
            raise graphql_error(error) from None

    return wrapper
