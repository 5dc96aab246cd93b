"""Exceptions raised by the query parsers.

Their ``message`` is user-facing: the REST layer returns it verbatim in a 400
body, so the texts follow api-reference.md sections 1.3 and 1.4 exactly.
"""

from __future__ import annotations

__all__ = ["FilterSyntaxError", "OrderBySyntaxError"]


class FilterSyntaxError(ValueError):
    """A filter (REST string or GraphQL object) that cannot be parsed.

    ``message`` is the text to show the client; ``position`` is the 0-based
    offset in the REST filter string where the problem starts, when known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        """Store the user-facing message and the optional offset."""
        super().__init__(message)
        self.message = message
        self.position = position


class OrderBySyntaxError(ValueError):
    """An ``order_by`` string or GraphQL ``orderBy`` value that cannot be parsed.

    ``message`` is the text to show the client.
    """

    def __init__(self, message: str) -> None:
        """Store the user-facing message."""
        super().__init__(message)
        self.message = message
