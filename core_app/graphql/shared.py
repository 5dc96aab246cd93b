"""GraphQL types shared by every workspace schema: scalars by name, scalar filters, composite
types with their filter/order/input types, ``PageInfo``, ``FilterIs``, ``OrderByDirection``.

They depend only on the field-type table, so they are built once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import graphene

from core_app.graphql import scalars
from metadata_app.field_types import FIELD_TYPES, FieldType

__all__ = [
    "CompositeTypes",
    "FilterIs",
    "OrderByDirection",
    "PageInfo",
    "TSVectorFilter",
    "composite_types",
    "scalar_filter",
    "scalar_type",
]


class FilterIs(graphene.Enum):
    """``is: NULL`` / ``is: NOT_NULL``."""

    NULL = "NULL"
    NOT_NULL = "NOT_NULL"


class TSVectorFilter(graphene.InputObjectType):
    """Twenty's filter of ``searchVector``: records that ``search`` finds (api-reference §13)."""

    search = graphene.String()


class OrderByDirection(graphene.Enum):
    """Sort direction with the placement of nulls."""

    AscNullsFirst = "AscNullsFirst"
    AscNullsLast = "AscNullsLast"
    DescNullsFirst = "DescNullsFirst"
    DescNullsLast = "DescNullsLast"


class PageInfo(graphene.ObjectType):
    """Where a page sits in the whole list; cursors work with REST too."""

    hasNextPage = graphene.Boolean()
    hasPreviousPage = graphene.Boolean()
    startCursor = graphene.Field(scalars.ConnectionCursor)
    endCursor = graphene.Field(scalars.ConnectionCursor)


SCALARS: dict[str, Any] = {
    "String": graphene.String,
    "Float": graphene.Float,
    "Int": graphene.Int,
    "Boolean": graphene.Boolean,
    "UUID": scalars.UUID,
    "DateTime": scalars.DateTime,
    "Date": scalars.Date,
    "RawJSON": scalars.RawJSON,
    "BigFloat": scalars.BigFloat,
    "Position": scalars.Position,
}


def scalar_type(field_type: FieldType) -> Any:
    """The graphene type of a scalar field type's values (``[String]`` for ARRAY)."""
    name = field_type.graphql_scalar
    if name.startswith("["):
        return graphene.List(SCALARS[name[1:-1]])
    return SCALARS[name]


def operator_field(op: str, value_type: Any) -> Any:
    """The input field of one filter operator."""
    if op == "is":
        return graphene.InputField(FilterIs)
    if op == "isEmptyArray":
        return graphene.InputField(graphene.Boolean)
    if op in ("in", "containsAny"):
        return graphene.InputField(graphene.List(value_type))
    return graphene.InputField(value_type)


@cache
def scalar_filter(filter_name: str) -> type[graphene.InputObjectType]:
    """The filter input named ``filter_name`` (``StringFilter``...), from its field type's operators."""
    field_type = next(t for t in FIELD_TYPES.values() if t.graphql_filter == filter_name and not t.is_composite)
    value_type = scalar_type(field_type)
    if isinstance(value_type, graphene.List):
        value_type = value_type.of_type
    attrs = {op: operator_field(op, value_type) for op in sorted(field_type.operators)}
    return type(
        filter_name, (graphene.InputObjectType,), {**attrs, "__doc__": f"Comparisons on {field_type.name} values."}
    )


class CompositeTypes:
    """The four GraphQL types of one composite field type (``FullName``, ``FullNameFilter``...)."""

    def __init__(self, field_type: FieldType) -> None:
        base = "".join(part.capitalize() for part in field_type.name.split("_"))
        subs = field_type.sub_fields
        writable = {k: v for k, v in subs.items() if k not in getattr(field_type, "read_only_sub_fields", ())}
        self.output = type(
            base,
            (graphene.ObjectType,),
            {
                **{name: graphene.Field(scalar_type(sub)) for name, sub in subs.items()},
                "__doc__": f"A {field_type.name} value.",
            },
        )
        self.filter = type(
            f"{base}Filter",
            (graphene.InputObjectType,),
            {
                **{name: graphene.InputField(scalar_filter(sub.graphql_filter)) for name, sub in subs.items()},
                "__doc__": f"Filters on the sub-fields of a {field_type.name} value.",
            },
        )
        self.order_by = type(
            f"{base}OrderByInput",
            (graphene.InputObjectType,),
            {
                **{
                    name: graphene.InputField(OrderByDirection)
                    for name, sub in subs.items()
                    if sub.sortable and sub.value_kind != "json"
                },
                "__doc__": f"Sort by sub-fields of a {field_type.name} value.",
            },
        )
        self.create_input = type(
            f"{base}CreateInput",
            (graphene.InputObjectType,),
            {
                **{name: graphene.InputField(scalar_type(sub)) for name, sub in writable.items()},
                "__doc__": f"A {field_type.name} value to write.",
            },
        )
        self.update_input = type(
            f"{base}UpdateInput",
            (graphene.InputObjectType,),
            {
                **{name: graphene.InputField(scalar_type(sub)) for name, sub in writable.items()},
                "__doc__": f"Sub-fields of a {field_type.name} value to change; the others are kept.",
            },
        )


@cache
def composite_types(type_name: str) -> CompositeTypes:
    """The shared types of composite field type ``type_name``."""
    return CompositeTypes(FIELD_TYPES[type_name])
