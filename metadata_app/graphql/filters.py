"""``ObjectFilter`` / ``FieldFilter``: ``and``, ``or`` and per-attribute comparisons.

A filter input is read once into a small tree (:class:`Filter`) that answers two ways from the
same operator table: as a ``Q`` for lists paged in SQL, and as a predicate for nested lists
already loaded in memory. Keys of one input object are joined with AND; ``and: []`` matches
everything and ``or: []`` nothing; a comparison given as null constrains nothing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

import graphene
from django.db.models import Q

from metadata_app.graphql.scalars import UUID

__all__ = [
    "FIELD_FILTER_ATTRIBUTES",
    "OBJECT_FILTER_ATTRIBUTES",
    "BooleanFieldComparison",
    "FieldFilter",
    "Filter",
    "ObjectFilter",
    "UUIDFilterComparison",
    "read_filter",
]


class BooleanFieldComparison(graphene.InputObjectType):
    """Compare a boolean attribute: ``is`` / ``isNot``."""

    is_ = graphene.Boolean(name="is")
    is_not = graphene.Boolean()


class UUIDFilterComparison(graphene.InputObjectType):
    """Compare an id: ``eq``, ``neq``, ``in``, ``notIn``."""

    eq = UUID()
    neq = UUID()
    in_ = graphene.List(graphene.NonNull(UUID), name="in")
    not_in = graphene.List(graphene.NonNull(UUID))


class ObjectFilter(graphene.InputObjectType):
    """Filter objects by id and flags; combine with ``and`` / ``or``."""

    and_ = graphene.List(graphene.NonNull(lambda: ObjectFilter), name="and")
    or_ = graphene.List(graphene.NonNull(lambda: ObjectFilter), name="or")
    id = graphene.InputField(UUIDFilterComparison)
    is_active = graphene.InputField(BooleanFieldComparison)
    is_system = graphene.InputField(BooleanFieldComparison)
    is_custom = graphene.InputField(BooleanFieldComparison)


class FieldFilter(graphene.InputObjectType):
    """Filter fields by id, flags and object; combine with ``and`` / ``or``."""

    and_ = graphene.List(graphene.NonNull(lambda: FieldFilter), name="and")
    or_ = graphene.List(graphene.NonNull(lambda: FieldFilter), name="or")
    id = graphene.InputField(UUIDFilterComparison)
    is_active = graphene.InputField(BooleanFieldComparison)
    is_system = graphene.InputField(BooleanFieldComparison)
    is_custom = graphene.InputField(BooleanFieldComparison)
    object_metadata_id = graphene.InputField(UUIDFilterComparison)


#: Filter keys (Python names of the input fields) -> model attributes, per filter type.
OBJECT_FILTER_ATTRIBUTES = {"id": "pk", "is_active": "is_active", "is_system": "is_system", "is_custom": "is_custom"}
FIELD_FILTER_ATTRIBUTES = {**OBJECT_FILTER_ATTRIBUTES, "object_metadata_id": "object_id"}


@dataclass(frozen=True)
class Operator:
    """One comparison, as SQL and as a Python test of an attribute value."""

    to_q: Callable[[str, Any], Q]
    test: Callable[[Any, Any], bool]


OPERATORS: dict[str, Operator] = {
    "is_": Operator(lambda attr, v: Q(**{attr: v}), operator.eq),
    "is_not": Operator(lambda attr, v: ~Q(**{attr: v}), operator.ne),
    "eq": Operator(lambda attr, v: Q(**{attr: v}), operator.eq),
    "neq": Operator(lambda attr, v: ~Q(**{attr: v}), operator.ne),
    "in_": Operator(lambda attr, v: Q(**{f"{attr}__in": v}), lambda x, v: x in v),
    "not_in": Operator(lambda attr, v: ~Q(**{f"{attr}__in": v}), lambda x, v: x not in v),
}
MATCH_ALL, MATCH_NONE = Q(), Q(pk__in=[])


@dataclass(frozen=True)
class Filter:
    """A filter tree: ``kind`` is ``and``, ``or`` or ``cmp`` (``attr op value``)."""

    kind: str
    children: tuple[Filter, ...] = ()
    attr: str = ""
    op: str = ""
    value: Any = None

    def to_q(self) -> Q:
        """This filter as a ``Q`` over the model's attributes."""
        if self.kind == "cmp":
            return OPERATORS[self.op].to_q(self.attr, self.value)
        parts = [child.to_q() for child in self.children]
        if self.kind == "and":
            return reduce(operator.and_, parts, MATCH_ALL)
        return reduce(operator.or_, parts) if parts else MATCH_NONE

    def matches(self, row: Any) -> bool:
        """True when ``row`` passes this filter."""
        if self.kind == "cmp":
            return OPERATORS[self.op].test(getattr(row, self.attr), self.value)
        results = (child.matches(row) for child in self.children)
        return all(results) if self.kind == "and" else any(results)


def read_filter(data: Mapping[str, Any] | None, attributes: Mapping[str, str]) -> Filter:
    """Read a filter input (Python field names, as graphene hands them) into a :class:`Filter`."""
    parts: list[Filter] = []
    for key, value in (data or {}).items():
        if value is None:
            continue
        if key == "and_":
            parts.append(Filter("and", tuple(read_filter(item, attributes) for item in value)))
        elif key == "or_":
            parts.append(Filter("or", tuple(read_filter(item, attributes) for item in value)))
        else:
            parts.extend(
                Filter("cmp", attr=attributes[key], op=op, value=list(arg) if op in ("in_", "not_in") else arg)
                for op, arg in value.items()
                if arg is not None
            )
    return Filter("and", tuple(parts))
