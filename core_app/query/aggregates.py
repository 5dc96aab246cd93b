"""Aggregate fields of the API reference, 2.8 (``countEmptyName``, ``sumEmployees``,
``avgAmountAmountMicros``...), computed in SQL for REST groupBy and GraphQL connections.

``parse_aggregate(name, spec)`` resolves a name to an :class:`Aggregate`, which contributes SQL
aggregate columns to one SELECT (``COUNT(*) FILTER (WHERE ...)``, ``MIN``...) and turns their
results into the API value (percentages are derived from two counts).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core_app.query.targets import INSTANT_COLUMNS, Source, Target, resolve_target
from metadata_app.field_types.scalars import format_instant
from metadata_app.services.names import cap
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["Aggregate", "AggregateError", "available_aggregates", "parse_aggregate", "select_aggregates"]

COUNT_OPERATIONS = ("countUniqueValues", "countNotEmpty", "countEmpty", "percentageNotEmpty", "percentageEmpty")
EXTRA_OPERATIONS = ("countTrue", "countFalse", "min", "max", "avg", "sum")
SQL_FUNCTIONS = {"min": "MIN", "max": "MAX", "avg": "AVG", "sum": "SUM"}


class AggregateError(ValueError):
    """An aggregate name that does not exist on the object."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def value_targets(spec: ObjectSpec, field: FieldSpec) -> list[Target]:
    """The stored values that decide emptiness: the field, or its aggregate sub-fields."""
    field_type = field.field_type
    if field.is_many_to_one:
        return [resolve_target(spec, (field.join_name,))]
    if field_type.is_composite:
        return [resolve_target(spec, (field.name, sub)) for sub in field_type.aggregate_sub_fields]
    return [resolve_target(spec, (field.name,))]


def empty_sql(targets: list[Target], src: Source) -> str:
    """Rows where every target is empty: null or missing, an empty string for text, an empty array
    for MULTI_SELECT and ARRAY (their ``is_empty``, and what ``isEmptyArray`` matches)."""
    parts = []
    for target in targets:
        raw = target.raw(src)
        empty = f"{raw} IS NULL"
        if target.scalar.value_kind == "text" and not target.column:
            empty = f"({empty} OR {raw} = '')"
        elif target.scalar.holds_array:  # always an array or null: the text '[]' is the empty one
            empty = f"({empty} OR {raw} = '[]')"
        parts.append(empty)
    return "(" + " AND ".join(parts) + ")"


@dataclass(frozen=True)
class Aggregate:
    """One aggregate field: its API name, what it computes on which stored values, and how to finish it."""

    name: str
    operation: str
    targets: tuple[Target, ...] = ()

    def columns(self, src: Source, params: list[Any]) -> list[tuple[str, str]]:
        """``(column alias, SQL)`` of the aggregates this field needs."""
        if self.operation == "count":
            return [(self.name, "COUNT(*)")]
        targets = list(self.targets)
        empty = empty_sql(targets, src)
        if self.operation == "countEmpty":
            return [(self.name, f"COUNT(*) FILTER (WHERE {empty})")]
        if self.operation == "countNotEmpty":
            return [(self.name, f"COUNT(*) FILTER (WHERE NOT {empty})")]
        if self.operation == "countUniqueValues":
            # A composite counts its sub-fields together: two names sharing a first name are two.
            values = [target.raw(src) for target in targets]
            value = values[0] if len(values) == 1 else src.d.tuple_text(values)
            return [(self.name, f"COUNT(DISTINCT {value}) FILTER (WHERE NOT {empty})")]
        if self.operation.startswith("percentage"):
            part = empty if self.operation == "percentageEmpty" else f"NOT {empty}"
            return [(f"{self.name}__part", f"COUNT(*) FILTER (WHERE {part})"), (f"{self.name}__total", "COUNT(*)")]
        if self.operation in ("countTrue", "countFalse"):
            params.append(src.d.boolean_in(self.operation == "countTrue"))
            return [(self.name, f"COUNT(*) FILTER (WHERE {targets[0].raw(src)} = %s)")]
        value = targets[0].typed(src)
        if self.operation in ("sum", "avg"):
            value = src.d.exact_number(value)  # a sum past float's range is not an error on PostgreSQL
        return [(self.name, f"{SQL_FUNCTIONS[self.operation]}({value})")]

    def finish(self, row: Mapping[str, Any], src: Source) -> Any:
        """The API value from the aggregated ``row``."""
        if self.operation.startswith("percentage"):
            total = row.get(f"{self.name}__total") or 0
            return (row.get(f"{self.name}__part") or 0) / total if total else 0.0
        value = row.get(self.name)
        if self.operation in ("sum", "avg") and value is not None:
            if self.operation == "sum" and isinstance(value, int):
                return value  # SQLite's sum of integers, as it is
            # JSON has no infinity: a result past float's range is null (as JavaScript's JSON gives it).
            number = float(value)
            return number if math.isfinite(number) else None
        if self.operation in ("min", "max") and self.targets and self.targets[0].is_column:
            column = self.targets[0].column
            if column in INSTANT_COLUMNS:
                # As records show their instants (``2024-01-31T09:30:00.123Z``), on both databases.
                moment = src.d.instant_out(value) if value is not None else None
                return format_instant(moment) if moment is not None else None
        if self.operation in ("min", "max") and value is not None and not isinstance(value, (int, float, str)):
            return float(value)
        return value


def select_aggregates(aggregates: list[Aggregate], src: Source, params: list[Any]) -> tuple[str, list[str]]:
    """The SELECT list computing ``aggregates`` and the column aliases, in order."""
    columns = [column for aggregate in aggregates for column in aggregate.columns(src, params)]
    return ", ".join(f"{sql} AS {quote(alias)}" for alias, sql in columns), [alias for alias, _ in columns]


def quote(alias: str) -> str:
    """A column alias, quoted (aggregate names are camelCase)."""
    return '"' + alias.replace('"', '""') + '"'


def field_aggregates(field: FieldSpec) -> list[tuple[str, str]]:
    """The aggregates of one field: ``(name, operation)`` (none for a one-to-many side)."""
    if field.relation is not None and not field.is_many_to_one:
        return []
    suffix = cap(field.join_name if field.is_many_to_one else field.name)
    extra = "AmountMicros" if field.type == "CURRENCY" else ""
    return [(f"{operation}{suffix}", operation) for operation in COUNT_OPERATIONS] + [
        (f"{operation}{suffix}{extra}", operation) for operation in sorted(field.field_type.aggregate_operations)
    ]


def available_aggregates(spec: ObjectSpec) -> dict[str, tuple[str, FieldSpec]]:
    """Every aggregate name of ``spec``: ``name -> (operation, field)``."""
    return {name: (operation, field) for field in spec.fields for name, operation in field_aggregates(field)}


def parse_aggregate(name: str, spec: ObjectSpec) -> Aggregate:
    """Resolve ``name`` (``totalCount`` or one of :func:`available_aggregates`)."""
    if name == "totalCount":
        return Aggregate(name, "count")
    found = available_aggregates(spec).get(name)
    if found is None:
        raise AggregateError(f"'aggregate' parameter invalid. Unknown aggregate '{name}' on '{spec.name_singular}'")
    operation, field = found
    return Aggregate(name, operation, tuple(value_targets(spec, field)))
