"""GraphQL errors with Twenty's ``extensions``: ``code`` and ``userFriendlyMessage``."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from core_app.query.errors import FilterSyntaxError, OrderBySyntaxError
from core_app.services.errors import RecordError, RecordNotFound

__all__ = ["graphql_errors", "user_error"]

logger = logging.getLogger(__name__)


def user_error(messages: list[str], code: str = "BAD_USER_INPUT") -> GraphQLError:
    """An error the client can fix; every message is kept in ``extensions.messages``."""
    text = messages[0] if len(messages) == 1 else "; ".join(messages)
    return GraphQLError(text, extensions={"code": code, "userFriendlyMessage": text, "messages": messages})


def graphql_errors(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Translate record-service and query errors raised by ``resolver`` into GraphQL errors."""

    @functools.wraps(resolver)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return resolver(*args, **kwargs)
        except RecordNotFound as error:
            raise user_error(error.messages, "NOT_FOUND") from None
        except RecordError as error:
            raise user_error(error.messages) from None
        except (FilterSyntaxError, OrderBySyntaxError) as error:
            raise user_error([error.message]) from None

    return wrapper
