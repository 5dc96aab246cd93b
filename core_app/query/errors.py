"""Exceptions raised by the query parsers.

Both are ``api_common.errors.BadRequest``: REST answers their message verbatim in a 400 body,
GraphQL as a ``BAD_USER_INPUT`` error, so the texts follow api-reference.md sections 1.3 and 1.4
exactly.
"""

from __future__ import annotations

from api_common.errors import BadRequest

__all__ = ["FilterSyntaxError", "OrderBySyntaxError"]


class FilterSyntaxError(BadRequest, ValueError):
    """A filter (REST string or GraphQL object) that cannot be parsed.

    ``message`` is the text to show the client; ``position`` is the 0-based
    offset in the REST filter string where the problem starts, when known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        """Store the user-facing message and the optional offset."""
        super().__init__(message)
        self.position = position


class OrderBySyntaxError(BadRequest, ValueError):
    """An ``order_by`` string or GraphQL ``orderBy`` value that cannot be parsed.

    ``message`` is the text to show the client.
    """
