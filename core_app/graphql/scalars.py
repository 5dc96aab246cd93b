"""Scalars that pass values through unchanged, so the record service validates them.

Values such as UUIDs, dates and JSON are checked by the field-type table, as for REST, so the
same input gets the same message through either API.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import value_from_ast_untyped
from graphql.language import ValueNode

__all__ = ["UUID", "DateTime", "Date", "RawJSON", "BigFloat", "Position", "ConnectionCursor"]


class PassThrough(graphene.Scalar):
    """Base: serialise and parse values as they are."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return value

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: ValueNode, variables: Any = None) -> Any:
        return value_from_ast_untyped(node, variables)


class UUID(PassThrough):
    """A UUID string."""


class DateTime(PassThrough):
    """An ISO 8601 date-time string (returned in UTC with milliseconds)."""


class Date(PassThrough):
    """A calendar date ``YYYY-MM-DD``."""


class RawJSON(PassThrough):
    """Any JSON value."""


class BigFloat(PassThrough):
    """An arbitrary-precision number (a JSON number or a numeric string)."""


class Position(PassThrough):
    """A record position: a number, or ``first``/``last`` on input."""


class ConnectionCursor(PassThrough):
    """An opaque pagination cursor, interchangeable with REST's."""
