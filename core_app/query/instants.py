"""Comparisons with ``createdAt``, ``updatedAt`` and ``deletedAt`` at the precision the API shows.

The record columns hold microseconds; the API shows milliseconds (``2024-01-31T09:30:00.123Z``).
Compared as stored, the value a client read back would not find its record (``createdAt[eq]:<it>``)
and an incremental sync (``updatedAt[gt]:<the last one seen>``) would get that record again at
every poll. So an operand given to the millisecond (three fractional digits or fewer) stands for
that whole millisecond: ``eq`` is ``[X, X + 1 ms)``, ``neq`` outside it, ``gt`` from ``X + 1 ms``,
``lte`` before ``X + 1 ms`` (``gte`` and ``lt`` are unchanged). An operand with more precision is
compared exactly. Both parsers apply it, so REST, GraphQL, counts, pages and webhook filters agree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from django.utils.dateparse import parse_datetime

from api_common.inputs import in_utc
from core_app.query.ast import And, Condition, Node, Not, Or, Scoped
from metadata_app.field_types.scalars import format_instant

__all__ = ["widen"]

#: The record columns kept to the microsecond (DATE_TIME fields are stored to the millisecond).
INSTANT_COLUMNS: Final = frozenset({"createdAt", "updatedAt", "deletedAt"})
#: An ISO 8601 date-time whose fraction, if any, has at most three digits.
MILLISECOND: Final = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d(:?\d\d)?)?$")
ONE_MS: Final = timedelta(milliseconds=1)


def widen(node: Node) -> Node:
    """``node`` with every millisecond comparison of an instant column spanning its millisecond; a
    span inside an ``And`` joins it (one conjunction, as the planner's index path reads them)."""
    if isinstance(node, And):
        children: list[Node] = []
        for child in node.children:
            widened = widen(child)
            children += widened.children if isinstance(widened, And) and isinstance(child, Condition) else [widened]
        return And(tuple(children))
    if isinstance(node, Or):
        return Or(tuple(widen(child) for child in node.children))
    if isinstance(node, Not):
        return Not(widen(node.child))
    if isinstance(node, Scoped):
        return Scoped(node.path, widen(node.child))
    if isinstance(node, Condition) and node.path[-1] in INSTANT_COLUMNS:
        return widen_condition(node)
    return node


def millisecond_of(value: Any) -> datetime | None:
    """The instant ``value`` names to the millisecond, or None (another precision, or no instant)."""
    if not isinstance(value, str) or not MILLISECOND.match(value.strip()):
        return None
    moment = parse_datetime(value.strip())
    if moment is None:
        return None
    # Without an offset the engine reads an instant as UTC (DATE_TIME's filter value): so here.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def widen_condition(condition: Condition) -> Node:
    """One comparison at millisecond precision, as comparisons of the stored microseconds."""
    path, op = condition.path, condition.op
    if op == "in" and isinstance(condition.value, tuple):
        spans = [bounds(value) for value in condition.value]
        if not spans or any(found is None for found in spans):
            return condition
        return Or(tuple(span(path, found) for found in spans if found is not None))
    found = bounds(condition.value) if op in ("eq", "neq", "gt", "lte") else None
    if found is None:
        return condition
    start, end = found
    if op == "eq":
        return span(path, found)
    if op == "neq":
        return Or((Condition(path, "lt", start), Condition(path, "gte", end)))
    return Condition(path, "gte" if op == "gt" else "lt", end)


def bounds(value: Any) -> tuple[str, str] | None:
    """The start and end (excluded) of the millisecond ``value`` names, or None: another precision,
    no instant, or one out of range (the operand's normalisation then says so)."""
    moment = millisecond_of(value)
    if moment is None:
        return None
    try:
        return format_instant(in_utc(moment)), format_instant(in_utc(moment + ONE_MS))
    except (ValueError, OverflowError):
        return None


def span(path: tuple[str, ...], found: tuple[str, str]) -> Node:
    """The instants of one millisecond (its :func:`bounds`)."""
    return And((Condition(path, "gte", found[0]), Condition(path, "lt", found[1])))
