"""Compile a filter tree (REST ``filter=`` or GraphQL ``filter:``) into a Django ``Q``.

Each condition is checked against its field type: the comparator must be one the type allows,
and the operand is coerced by the type (numbers compare as numbers, dates as instants, booleans
as booleans). Equality on JSON values uses containment on PostgreSQL, which the GIN index on
``Record.data`` answers.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q

from api_common.rest import nul_path
from core_app.query.ast import And, Condition, Node, Not, Or, iter_conditions
from core_app.query.errors import FilterSyntaxError
from core_app.query.lookups import ILike, JsonArrayContainsAny, JsonValueIn, Like, like_escape
from core_app.query.targets import Target, filter_error, resolve_target
from metadata_app.field_types import FieldValueError
from metadata_app.specs import ObjectSpec

__all__ = ["compile_filter"]

NULL_WORDS = {"NULL": True, "NOT_NULL": False}


#: Comparators that are true or false even on a record without a value (never SQL NULL).
TOTAL_OPERATORS = frozenset({"is", "isEmptyArray"})


def compile_filter(node: Node | None, spec: ObjectSpec, negated: bool = False) -> Q:
    """Return the ``Q`` selecting the records of ``spec`` that match ``node`` (all when None).

    ``not`` follows SQL's three-valued logic on both databases: a negated comparison never
    matches a record without a value there (``not(tier[eq]:LOW)`` leaves out records with no
    tier, as ``tier[neq]:LOW`` does). Negation is pushed down to the conditions (De Morgan)
    because a JSON containment test, which PostgreSQL equality compiles to, is false rather
    than NULL on a missing value, so a plain ``NOT`` around it would let those records in.
    """
    if node is None:
        return Q()
    if isinstance(node, Not):
        return compile_filter(node.child, spec, not negated)
    if isinstance(node, (And, Or)):
        connector = Q.AND if isinstance(node, And) != negated else Q.OR
        return combine([compile_filter(child, spec, negated) for child in node.children], connector)
    condition = compile_condition(node, spec)
    if not negated:
        return condition
    if node.op in TOTAL_OPERATORS:
        return ~condition
    return ~condition & ~resolve_target(spec, node.path).is_null()


def combine(parts: list[Q], connector: str) -> Q:
    """Join ``parts`` with AND or OR (an empty OR matches nothing)."""
    if not parts:
        return Q() if connector == Q.AND else Q(pk__in=[])
    result = parts[0]
    for part in parts[1:]:
        result = result & part if connector == Q.AND else result | part
    return result


def coerce(target: Target, value: Any) -> Any:
    """Coerce one operand with the target's scalar type; a clear 400 when it does not fit."""
    try:
        return target.column_value(target.scalar.filter_value(value, target.field))
    except FieldValueError as error:
        raise filter_error(f"Value for '{target.api_path}': {error.message}") from None


def compile_condition(condition: Condition, spec: ObjectSpec) -> Q:
    """Compile one ``path[op]:value`` condition."""
    target = resolve_target(spec, condition.path)
    if nul_path(condition.value) is not None:  # PostgreSQL cannot take NUL in a text parameter
        raise filter_error(f"Value for '{target.api_path}' must not contain NUL characters (\\u0000)")
    op = condition.op
    if op not in target.scalar.operators:
        allowed = ", ".join(sorted(target.scalar.operators))
        kind = target.scalar.name
        raise filter_error(f"Comparator '{op}' cannot be used on '{target.api_path}' ({kind}); allowed: {allowed}")
    if op == "is":
        word = str(condition.value).upper() if isinstance(condition.value, str) else None
        if word not in NULL_WORDS:
            raise filter_error(f"'is' expects NULL or NOT_NULL, got '{condition.value}'")
        return target.is_null() if NULL_WORDS[word] else ~target.is_null()
    if op == "isEmptyArray":
        return target.is_null() | Q(**{target.lookup: []})
    if op in ("in", "containsAny"):
        values = condition.value if isinstance(condition.value, (list, tuple)) else (condition.value,)
        if op == "containsAny":
            return Q(JsonArrayContainsAny(target.json_column, target.json_path, [str(v) for v in values]))
        coerced = [coerce(target, v) for v in values]
        if target.column and not target.json_path:
            return Q(**{f"{target.column}__in": coerced})
        return Q(JsonValueIn(target.json_column, target.json_path, coerced))
    if op in ("like", "ilike", "startsWith", "endsWith"):
        return pattern_q(target, op, condition.value)
    value = coerce(target, condition.value)
    if op == "eq":
        return equality(target, value)
    if op == "neq":
        return ~equality(target, value) & ~target.is_null()
    return Q(**{f"{lookup_of(target)}__{op}": value})


def lookup_of(target: Target) -> Any:
    """Annotate-free lookup: the typed expression, registered on the query by alias."""
    return target.lookup if target.column and not target.json_path else typed_alias(target)


def typed_alias(target: Target) -> str:
    """Name of the annotation carrying the target's typed expression (see ``annotate_targets``)."""
    return "_f_" + target.api_path.replace(".", "__")


def equality(target: Target, value: Any) -> Q:
    """``= value``: JSON containment on PostgreSQL (uses the GIN index), typed equality elsewhere."""
    if target.column and not target.json_path:
        return Q(**{target.column: value})
    if connection.vendor == "postgresql" and target.json_column == "data":
        nested: Any = value
        for key in reversed(target.json_path):
            nested = {key: nested}
        return Q(data__contains=nested)
    if target.scalar.value_kind in ("boolean", "json"):
        return Q(**{target.lookup: value})
    return Q(**{typed_alias(target): value})


def pattern_q(target: Target, op: str, value: Any) -> Q:
    """``like``/``ilike`` with the client's pattern; ``startsWith``/``endsWith`` with an escaped one."""
    if not isinstance(value, str):
        raise filter_error(f"'{op}' on '{target.api_path}' expects a string")
    pattern = {"startsWith": like_escape(value) + "%", "endsWith": "%" + like_escape(value)}.get(op, value)
    expression = ILike if op == "ilike" else Like
    return Q(expression(target.raw_expression(), pattern))


def targets_of(node: Node | None, spec: ObjectSpec) -> list[Target]:
    """Every JSON target a compiled filter refers to by alias (to annotate before filtering)."""
    if node is None:
        return []
    found = {}
    for condition in iter_conditions(node):
        target = resolve_target(spec, condition.path)
        if not (target.column and not target.json_path):
            found[target.api_path] = target
    return list(found.values())


def apply_filter(queryset, node: Node | None, spec: ObjectSpec):
    """Return ``queryset`` filtered by ``node`` (annotating the typed values it compares)."""
    if node is None:
        return queryset
    aliases = {typed_alias(t): t.typed_expression() for t in targets_of(node, spec)}
    if aliases:
        queryset = queryset.alias(**aliases)
    return queryset.filter(compile_filter(node, spec))


__all__ += ["FilterSyntaxError", "apply_filter"]
