"""Scalars that pass values through unchanged, so the record service validates them.

Values such as UUIDs, dates and JSON are checked by the field-type table, as for REST, so the
same input gets the same message through either API.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql.language import ast

__all__ = ["UUID", "DateTime", "Date", "RawJSON", "BigFloat", "Position", "ConnectionCursor", "literal_value"]


def literal_value(node: ast.ValueNode, variables: dict[str, Any] | None = None) -> Any:
    """The Python value of a GraphQL literal (objects and lists included)."""
    if isinstance(node, ast.NullValueNode):
        return None
    if isinstance(node, ast.IntValueNode):
        return int(node.value)
    if isinstance(node, ast.FloatValueNode):
        return float(node.value)
    if isinstance(node, (ast.StringValueNode, ast.EnumValueNode)):
        return node.value
    if isinstance(node, ast.BooleanValueNode):
        return node.value
    if isinstance(node, ast.ListValueNode):
        return [literal_value(item, variables) for item in node.values]
    if isinstance(node, ast.ObjectValueNode):
        return {field.name.value: literal_value(field.value, variables) for field in node.fields}
    if isinstance(node, ast.VariableNode):
        return (variables or {}).get(node.name.value)
    return None


class PassThrough(graphene.Scalar):
    """Base: serialise and parse values as they are."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return value

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: ast.ValueNode, _variables: Any = None) -> Any:
        return literal_value(node, _variables)


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
