"""Scalars of the metadata schema, named as Twenty names them (``DateTime``, ``JSON``, ``ConnectionCursor``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import graphene
from graphql import ValueNode
from graphql.utilities import value_from_ast_untyped

from metadata_app.field_types.scalars import format_instant

__all__ = ["JSON", "ConnectionCursor", "DateTime"]


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
