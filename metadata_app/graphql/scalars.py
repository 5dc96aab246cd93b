"""Scalars of the metadata schema, named as Twenty names them (``DateTime``, ``JSON``, ``ConnectionCursor``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import graphene
from graphql import GraphQLError, StringValueNode, Undefined, ValueNode
from graphql.utilities import value_from_ast_untyped

from metadata_app.field_types.scalars import format_instant

__all__ = ["JSON", "UUID", "ConnectionCursor", "DateTime"]


class DateTime(graphene.Scalar):
    """A date-time string at UTC with milliseconds, e.g. ``2024-01-01T12:00:00.000Z``."""

    @staticmethod
    def serialize(value: Any) -> str:
        # The API shapes already hold formatted strings; raw datetimes get the same format.
        return format_instant(value) if isinstance(value, datetime) else str(value)

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        return value_from_ast_untyped(node)


class UUID(graphene.UUID):
    """graphene's ``UUID``, except that an inline literal which is no UUID is a ``BAD_USER_INPUT`` error.

    graphene's own raises a ``ValueError`` from inside validation, which became an internal error
    (a variable was already refused cleanly).
    """

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, StringValueNode):
            return Undefined
        try:
            return uuid.UUID(node.value)
        except ValueError:
            raise GraphQLError(f"'{node.value}' is not a valid UUID") from None


class JSON(graphene.Scalar):
    """Any JSON value (object, array, string, number, boolean or null), passed through as is."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return value

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: ValueNode, variables: Any = None) -> Any:
        return value_from_ast_untyped(node, variables)


class ConnectionCursor(graphene.Scalar):
    """An opaque cursor for paging through a connection."""

    @staticmethod
    def serialize(value: Any) -> str:
        return str(value)

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        return value_from_ast_untyped(node)
