"""The GraphQL type names a workspace's data model defines, and the check that none clashes.

Every object defines types named after it (``Person``, ``PersonFilterInput``...), every option
field an enum (``PersonStageEnum``), and every schema holds the same fixed types (GraphQL's
scalars, ours, the shared filters and composite types, the search and event-feed types). Two of
them with one name (an object ``boolean``, an object ``personFilter`` beside ``person``, an object
``planetKindEnum`` beside ``planet.kind``) make the schema impossible to build: ``/graphql`` of
the whole workspace would fail. The metadata services refuse such a change instead
(``core_app.receivers``), without building the schema (a few hundred ms per workspace).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import NamedTuple

import graphene

from core_app.graphql.search import search_field
from core_app.graphql.shared import (
    SCALARS,
    FilterIs,
    OrderByDirection,
    PageInfo,
    TSVectorFilter,
    composite_types,
    scalar_filter,
)
from core_app.query.aggregates import field_aggregates
from metadata_app.field_types import FIELD_TYPES
from metadata_app.services.names import cap
from metadata_app.specs import SchemaSnapshot

__all__ = ["Owner", "defined_query_fields", "defined_type_names", "fixed_type_names", "type_name_clash"]

#: Types named ``{Singular}{suffix}`` for every object (the relation inputs whether or not a relation
#: points at it: a later relation must not be the change that breaks the schema).
OBJECT_SUFFIXES = (
    "",
    "Edge",
    "Connection",
    "GroupByConnection",
    "FilterInput",
    "OrderByInput",
    "CreateInput",
    "UpdateInput",
    "WhereUniqueInput",
    "ConnectInput",
    "RelationInput",
)


@cache
def fixed_type_names() -> frozenset[str]:
    """The names of the types every workspace schema may hold, whatever its data model."""
    # Imported here: the synthesis module imports this one, and its query extensions (the event
    # feed) are registered by apps once every module is loaded.
    from core_app.graphql.synthesis import QUERY_EXTENSIONS

    shared: list[type] = [FilterIs, OrderByDirection, PageInfo, TSVectorFilter, *SCALARS.values()]
    for field_type in FIELD_TYPES.values():
        if field_type.is_composite:
            types = composite_types(field_type.name)
            shared += [types.output, types.filter, types.order_by, types.create_input, types.update_input]
        elif not field_type.has_options:
            shared.append(scalar_filter(field_type.graphql_filter))
    roots = {name: factory() for name, factory in QUERY_EXTENSIONS.items()}
    roots["search"] = search_field([])
    schema = graphene.Schema(query=type("Query", (graphene.ObjectType,), roots), types=shared)
    return frozenset(schema.graphql_schema.type_map) | {"Query", "Mutation", "Subscription", "ID"}


class Owner(NamedTuple):
    """What defines a type: the name a user chose, and where it lives."""

    name: str
    description: str


def defined_type_names(snapshot: SchemaSnapshot) -> dict[str, list[Owner]]:
    """Each type name the objects and option fields of ``snapshot`` define, with what defines it."""
    owners: dict[str, list[Owner]] = defaultdict(list)
    for spec in snapshot.objects:
        name = cap(spec.name_singular)
        owner = Owner(spec.name_singular, f'object "{spec.name_singular}"')
        for suffix in OBJECT_SUFFIXES:
            owners[f"{name}{suffix}"].append(owner)
        for field in spec.fields:
            field_owner = Owner(field.name, f'field "{field.name}" of object "{spec.name_singular}"')
            if field.field_type.has_options:
                owners[f"{name}{cap(field.name)}Enum"].append(field_owner)
                owners[f"{name}{cap(field.name)}EnumFilter"].append(field_owner)
            elif field.is_unique and field.field_type.is_composite and field.field_type.unique_sub_field:
                owners[f"{name}{cap(field.name)}WhereInput"].append(field_owner)
    return owners


def defined_query_fields(snapshot: SchemaSnapshot) -> dict[str, list[Owner]]:
    """Each root query field the objects of ``snapshot`` define (mutations are named from singular and
    plural alone, which no two objects share), with what defines it."""
    owners: dict[str, list[Owner]] = defaultdict(list)
    for spec in snapshot.objects:
        owner = Owner(spec.name_singular, f'object "{spec.name_singular}"')
        for field_name in (
            spec.name_plural,
            spec.name_singular,
            f"{spec.name_singular}Duplicates",
            f"{spec.name_plural}GroupBy",
        ):
            owners[field_name].append(owner)
    return owners


def type_name_clash(snapshot: SchemaSnapshot) -> str | None:
    """Why the GraphQL schema of ``snapshot`` could not be built (two types of one name), or None.

    Also two root query fields of one name (an object ``personDuplicate`` lists its records as
    ``personDuplicates``, person's duplicates query) or two aggregates of one object: the schema
    would build, one of them silently lost.
    """
    from core_app.graphql.synthesis import QUERY_EXTENSIONS  # registered by apps once loaded

    for field_name, owners in defined_query_fields(snapshot).items():
        if field_name in QUERY_EXTENSIONS or field_name == "search" or len(owners) > 1:
            others = f"and {owners[1].description} would both" if len(owners) > 1 else "would"
            return (
                f"Names clash in the GraphQL API: {owners[0].description} {others} define the query field "
                f'"{field_name}"; choose another name'
            )
    for spec in snapshot.objects:
        # Aggregate fields of one connection: a CURRENCY ``price`` and a NUMBER ``priceAmountMicros``
        # would both be ``sumPriceAmountMicros``, one silently hiding the other.
        aggregates: dict[str, str] = {}
        for field in spec.fields:
            for name, _ in field_aggregates(field):
                if aggregates.setdefault(name, field.name) != field.name:
                    return (
                        f'Names clash in the GraphQL API: field "{aggregates[name]}" and field "{field.name}" of '
                        f'object "{spec.name_singular}" would both define the aggregate "{name}"; choose another name'
                    )
    fixed = fixed_type_names()
    for type_name, owners in defined_type_names(snapshot).items():
        if type_name in fixed:
            return (
                f'The name "{owners[0].name}" is not available: {owners[0].description} would define '
                f'the GraphQL type "{type_name}", a type of the API itself'
            )
        if len(owners) > 1:
            return (
                f"Names clash in the GraphQL API: {owners[0].description} and {owners[1].description} would both "
                f'define the type "{type_name}"; choose another name'
            )
    return None
