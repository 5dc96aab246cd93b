"""Aggregate fields of api-reference 2.8 (``countEmptyName``, ``sumEmployees``,
``avgAmountAmountMicros``...), computed in SQL for REST groupBy and GraphQL connections.

``parse_aggregate(name, spec)`` resolves a name to an :class:`Aggregate`, which contributes
SQL aggregates to one ``.aggregate()``/``.annotate()`` call and turns their results into the
API value (percentages are derived from two counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Max, Min, Q, Sum

from core_app.query.targets import Target, resolve_target
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["Aggregate", "AggregateError", "available_aggregates", "parse_aggregate"]

COUNT_OPERATIONS = ("countUniqueValues", "countNotEmpty", "countEmpty", "percentageNotEmpty", "percentageEmpty")
EXTRA_OPERATIONS = ("countTrue", "countFalse", "min", "max", "avg", "sum")
SQL_FUNCTIONS = {"min": Min, "max": Max, "avg": Avg, "sum": Sum}


class AggregateError(ValueError):
    """An aggregate name that does not exist on the object."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def value_targets(spec: ObjectSpec, field: FieldSpec) -> list[Target]:
    """The stored values that decide emptiness: the field, or its aggregate sub-fields."""
    field_type = field.field_type
    if field.is_many_to_one:
        return [resolve_target(spec, (field.join_name,))]
    if field_type.is_composite:
        return [resolve_target(spec, (field.name, sub)) for sub in field_type.aggregate_sub_fields]
    return [resolve_target(spec, (field.name,))]


def empty_q(targets: list[Target]) -> Q:
    """Rows where every target is empty (null, missing, or an empty string for text)."""
    result = Q()
    for target in targets:
        empty = target.is_null()
        if target.scalar.value_kind == "text" and not target.column:
            empty |= Q(**{target.lookup: ""})
        result &= empty
    return result


@dataclass(frozen=True)
class Aggregate:
    """One aggregate field: its API name, the SQL aggregates it needs and how to finish it."""

    name: str
    operation: str
    sql: dict[str, Any]

    def finish(self, row: dict[str, Any]) -> Any:
        """The API value from the aggregated ``row``."""
        if self.operation.startswith("percentage"):
            total = row.get(f"{self.name}__total") or 0
            return (row.get(f"{self.name}__part") or 0) / total if total else 0.0
        value = row.get(self.name)
        if self.operation == "avg" and value is not None:
            return float(value)
        return value


def build(name: str, operation: str, spec: ObjectSpec, field: FieldSpec) -> Aggregate:
    """The SQL of ``operation`` on ``field``."""
    targets = value_targets(spec, field)
    empty = empty_q(targets)
    if operation == "countEmpty":
        return Aggregate(name, operation, {name: Count("id", filter=empty)})
    if operation == "countNotEmpty":
        return Aggregate(name, operation, {name: Count("id", filter=~empty)})
    if operation == "countUniqueValues":
        return Aggregate(name, operation, {name: Count(targets[0].raw_expression(), distinct=True, filter=~empty)})
    if operation.startswith("percentage"):
        part = empty if operation == "percentageEmpty" else ~empty
        return Aggregate(name, operation, {f"{name}__part": Count("id", filter=part), f"{name}__total": Count("id")})
    if operation in ("countTrue", "countFalse"):
        return Aggregate(
            name, operation, {name: Count("id", filter=Q(**{targets[0].lookup: operation == "countTrue"}))}
        )
    return Aggregate(name, operation, {name: SQL_FUNCTIONS[operation](targets[0].typed_expression())})


def available_aggregates(spec: ObjectSpec) -> dict[str, tuple[str, FieldSpec]]:
    """Every aggregate name of ``spec``: ``name -> (operation, field)``."""
    names: dict[str, tuple[str, FieldSpec]] = {}
    for field in spec.fields:
        if field.relation is not None and not field.is_many_to_one:
            continue
        api_name = field.join_name if field.is_many_to_one else field.name
        suffix = cap(api_name)
        for operation in COUNT_OPERATIONS:
            names[f"{operation}{suffix}"] = (operation, field)
        for operation in sorted(field.field_type.aggregate_operations):
            extra = "AmountMicros" if field.type == "CURRENCY" else ""
            names[f"{operation}{suffix}{extra}"] = (operation, field)
    return names


def parse_aggregate(name: str, spec: ObjectSpec) -> Aggregate:
    """Resolve ``name`` (``totalCount`` or one of :func:`available_aggregates`)."""
    if name == "totalCount":
        return Aggregate(name, "count", {name: Count("id")})
    found = available_aggregates(spec).get(name)
    if found is None:
        raise AggregateError(f"'aggregate' parameter invalid. Unknown aggregate '{name}' on '{spec.name_singular}'")
    operation, field = found
    return build(name, operation, spec, field)
