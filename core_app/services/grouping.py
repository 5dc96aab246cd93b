"""Group by (``GET /rest/{plural}/groupBy``, GraphQL ``{plural}GroupBy``): groups with aggregates.

``group_by`` is a list of dimensions: ``{"stage": true}``, ``{"name": {"firstName": true}}`` or
``{"closeDate": {"granularity": "MONTH"}}``. Each group item carries ``groupByDimensionValues``,
the requested aggregates and, on request, a sample of its records (one query for all groups).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from django.utils.dateparse import parse_datetime

from core_app import access
from core_app.query.aggregates import Aggregate, AggregateError, parse_aggregate, quote, select_aggregates
from core_app.query.ast import Node, OrderKey
from core_app.query.compiler import compile_filter
from core_app.query.planner import read_rows
from core_app.query.targets import Source, Target, resolve_target
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput
from core_app.services.loading import shape
from core_app.services.reading import scope_of
from core_app.store.records import COLUMNS, select_list
from core_app.store.sql import dialect, option_position, rows
from metadata_app.field_types.scalars import format_instant

__all__ = ["Dimension", "group_by", "parse_dimensions"]

#: Characters of the stored ISO string that make each granularity (dates are stored as ISO text,
#: instants in UTC); QUARTER is the month's prefix with the month replaced by its quarter's first.
GRANULARITY_PREFIX = {"DAY": 10, "MONTH": 7, "QUARTER": 7, "YEAR": 4}
#: What completes a truncated stored date into the period's first day ("2025-04" + "-01").
PERIOD_START = {10: "", 7: "-01", 4: "-01-01"}
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Dimension:
    """One group-by dimension: a target and an optional date granularity."""

    alias: str
    target: Target
    granularity: str | None

    def expression(self, src: Source) -> str:
        """The grouped value (dates truncated to the granularity)."""
        if self.granularity is None:
            if self.target.scalar.name == "RAW_JSON" and not self.target.is_column:
                # As JSON, not as ->>'s text, which reads the string "1" and the number 1 alike.
                return src.d.json_repr(src.column(self.target.json_column), self.target.json_path)
            return self.target.typed(src)
        if self.target.is_column:
            column = src.column(self.target.column or "")
            unit = self.granularity.lower()
            if src.d.vendor == "postgresql":
                return f"date_trunc('{unit}', {column} AT TIME ZONE 'UTC')"
            # Django registers this function on every SQLite connection it opens.
            return f"django_datetime_trunc('{unit}', {column}, 'UTC', 'UTC')"
        raw = self.target.raw(src)
        if self.granularity == "QUARTER":
            month = f"substr({raw}, 6, 2)"
            first = f"CASE WHEN {month} < '04' THEN '01' WHEN {month} < '07' THEN '04' WHEN {month} < '10' THEN '07' ELSE '10' END"
            return f"(substr({raw}, 1, 5) || {first})"
        return f"substr({raw}, 1, {GRANULARITY_PREFIX[self.granularity]})"

    def order_expression(self, src: Source) -> str:
        """What groups sort on: a SELECT's or RATING's option position (as lists sort them), else the
        grouped value by its alias."""
        target = self.target
        if self.granularity is None and target.scalar.has_options and target.scalar.value_kind != "json":
            return option_position(self.expression(src), target.field.option_values)
        return self.alias

    def value(self, raw: Any) -> Any:
        """A fetched group value as records show it: instants in UTC with milliseconds and ``Z``,
        booleans as booleans (the databases hand back 0 and 1, or 'true' and 'false'), arrays and
        JSON as themselves (the databases hand back their text)."""
        if self.granularity is not None and raw is not None:
            if self.target.is_column:
                moment = parse_datetime(raw) if isinstance(raw, str) else raw
                if moment is not None and moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                raw = moment
            else:
                # The period's first day in the field's own form, as the columns show theirs:
                # "2025-04-01" for a DATE, "2025-04-01T00:00:00.000Z" for a DATE_TIME.
                day = f"{raw}{PERIOD_START.get(len(raw), '')}"
                return f"{day}T00:00:00.000Z" if self.target.field.type == "DATE_TIME" else day
        if self.target.field.type == "BOOLEAN" and raw is not None and not isinstance(raw, bool):
            return raw in (1, "true")  # SQLite's 1 / 0, PostgreSQL's JSON text 'true' / 'false'
        if self.target.scalar.value_kind == "json" and isinstance(raw, str):
            return orjson.loads(raw)
        return api_value(raw)


def group_order(
    order: list[OrderKey], dimensions: list[Dimension], aggregates: list[Aggregate], src: Source
) -> list[str]:
    """``ORDER BY`` terms of the groups: each key names a group-by field (``stage``,
    ``name.firstName``) or a requested aggregate (``totalCount``; GraphQL's ``{aggregate:
    {totalCount: ...}}`` too), with the direction and null placement of a list's ``order_by``."""
    by_name = {dimension.target.api_path: dimension.order_expression(src) for dimension in dimensions}
    by_name.update({a.name: quote(a.name) for a in aggregates if not a.operation.startswith("percentage")})
    terms = []
    for key in order:
        path = key.path[1:] if key.path[0] == "aggregate" and len(key.path) == 2 else key.path
        column = by_name.get(".".join(path))
        if column is None:
            raise InvalidRecordInput(
                f"'order_by' invalid. Groups sort on their group_by fields and aggregates: {', '.join(by_name)}; "
                f"got '{'.'.join(key.path)}'"
            )
        descending, nulls_first = key.direction.startswith("Desc"), key.direction.endswith("NullsFirst")
        terms.append(f"{column} {'DESC' if descending else 'ASC'} NULLS {'FIRST' if nulls_first else 'LAST'}")
    return terms


def parse_dimensions(raw: Any, ctx: RecordContext, argument: str = "group_by") -> list[Dimension]:
    """Resolve the ``group_by`` list against the object; messages name ``argument`` (GraphQL's ``groupBy``)."""

    def dimension_error(message: str) -> InvalidRecordInput:
        return InvalidRecordInput(f"'{argument}' invalid. {message}")

    if not isinstance(raw, list) or not raw:
        raise dimension_error('Expected a non-empty JSON array such as [{"stage": true}]')
    dimensions = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or len(item) != 1:
            raise dimension_error(f'Item {index} must be an object with one field, e.g. {{"stage": true}}')
        name, value = next(iter(item.items()))
        path: tuple[str, ...] = (name,)
        granularity = None
        if isinstance(value, dict) and "granularity" in value:
            granularity = value["granularity"]
            if granularity not in GRANULARITY_PREFIX:
                raise dimension_error(f"granularity must be one of DAY, MONTH, QUARTER, YEAR, got {granularity!r}")
        elif isinstance(value, dict) and len(value) == 1 and next(iter(value.values())) is True:
            path = (name, next(iter(value)))
        elif value is not True:
            raise dimension_error(f'Item {index}: use true, {{"subField": true}} or {{"granularity": ...}}')
        field = ctx.spec.field(name)
        if field is not None and field.field_type.is_composite and len(path) == 1:
            subs = list(field.field_type.sub_fields)
            raise dimension_error(
                f"Field '{name}' is of type {field.type}: group by one of its sub-fields ({', '.join(subs)}), "
                f'e.g. {{"{name}": {{"{subs[0]}": true}}}}'
            )
        target = resolve_target(ctx.spec, path, error=dimension_error)
        if granularity and target.field.type not in ("DATE", "DATE_TIME"):
            raise dimension_error(f"granularity applies to DATE and DATE_TIME fields, not '{target.api_path}'")
        dimensions.append(Dimension(f"_g{index}", target, granularity))
    return dimensions


def parse_aggregates(names: Any, ctx: RecordContext) -> list[Aggregate]:
    """Resolve the ``aggregate`` list (``totalCount`` is always included)."""
    if names is None:
        names = []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidRecordInput("'aggregate' parameter invalid. Expected a JSON array of aggregate names")
    try:
        return [parse_aggregate(name, ctx.spec) for name in dict.fromkeys(["totalCount", *names])]
    except AggregateError as error:
        raise InvalidRecordInput(error.message) from None


def api_value(value: Any) -> Any:
    """Dimension values as JSON (datetimes as records show them)."""
    return format_instant(value) if isinstance(value, datetime) else value


def group_by(
    ctx: RecordContext,
    node: Node | None,
    raw_dimensions: Any,
    aggregate_names: Any,
    limit: int,
    with_records: bool,
    selection: frozenset[str] | None = None,
    order: list[OrderKey] | None = None,
    argument: str = "group_by",
) -> list[dict[str, Any]]:
    """Groups of records matching ``node``, with aggregates and optional samples.

    In the order of ``order`` (group-by fields and aggregates, see :func:`group_order`), then
    largest first, then by their values. ``selection``: the keys of the sample records to shape
    (None: every field, as a list returns them). ``argument`` names the dimensions in messages.
    """
    access.require(ctx, "read")
    dimensions = parse_dimensions(raw_dimensions, ctx, argument)
    aggregates = parse_aggregates(aggregate_names, ctx)
    # Groups and aggregates show values: the caller's role must read every field they use.
    access.check_readable(
        ctx,
        [(dimension.target.api_path, dimension.target.field) for dimension in dimensions]
        + [(aggregate.name, target.field) for aggregate in aggregates for target in aggregate.targets],
    )
    d = dialect()
    src = Source(d)
    scope = scope_of(ctx, node)
    compiled = compile_filter(node, ctx.spec, src, ctx.ws, scope.slots, snapshot=ctx.snapshot)
    dims = [(dimension.alias, dimension.expression(src)) for dimension in dimensions]
    params: list[Any] = []
    aggregate_list, aliases = select_aggregates(aggregates, src, params)
    where = scope.where(src, params)
    params += compiled.params
    dim_list = ", ".join(f"{sql} AS {alias}" for alias, sql in dims)
    group_list = ", ".join(sql for _, sql in dims)
    terms = group_order(order or [], dimensions, aggregates, src)
    terms += [f"{quote('totalCount')} DESC", *(f"{alias} ASC" for alias, _ in dims)]
    sql = (
        f"SELECT {dim_list}, {aggregate_list} FROM core_app_record r{src.lateral_sql()} "
        f"WHERE {where} AND {compiled.sql} GROUP BY {group_list} "
        f"ORDER BY {', '.join(terms)} LIMIT {int(limit)}"
    )
    found = [dict(zip([alias for alias, _ in dims] + aliases, row)) for row in rows(sql, params)]
    groups = [
        {
            "groupByDimensionValues": [dimension.value(row[dimension.alias]) for dimension in dimensions],
            **{aggregate.name: aggregate.finish(row, src) for aggregate in aggregates},
        }
        for row in found
    ]
    if with_records and found:
        attach_samples(ctx, node, dimensions, found, groups, selection)
    return groups


def attach_samples(
    ctx: RecordContext,
    node: Node | None,
    dimensions: list[Dimension],
    found: list[dict[str, Any]],
    groups: list[dict[str, Any]],
    selection: frozenset[str] | None = None,
) -> None:
    """Add up to SAMPLE_SIZE records to every group, in one query (shaped as ``shape`` shapes a page)."""
    d = dialect()
    src = Source(d)
    scope = scope_of(ctx, node)
    compiled = compile_filter(node, ctx.spec, src, ctx.ws, scope.slots, snapshot=ctx.snapshot)
    dims = [dimension.expression(src) for dimension in dimensions]
    params: list[Any] = []
    where = [scope.where(src, params), compiled.sql]
    params += compiled.params
    matches = []
    for row in found:
        parts = []
        for dimension, sql in zip(dimensions, dims):
            value = row[dimension.alias]
            if value is None:
                parts.append(f"{sql} IS NULL")
            else:
                parts.append(f"{sql} = %s")
                params.append(value)
        matches.append("(" + " AND ".join(parts) + ")")
    where.append("(" + " OR ".join(matches) + ")")
    partition = ", ".join(dims)
    dim_columns = ", ".join(f"{sql} AS _g{index}" for index, sql in enumerate(dims))
    sql = (
        f"SELECT * FROM (SELECT {select_list()}, r.position AS o0, r.id AS o1, {dim_columns}, "
        f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY r.position ASC, r.id ASC) AS rank_ "
        f"FROM core_app_record r{src.lateral_sql()} WHERE {' AND '.join(where)}) AS sampled "
        f"WHERE rank_ <= {SAMPLE_SIZE} ORDER BY o0, o1"
    )
    result = rows(sql, params)
    width = len(COLUMNS) + 2
    fetched = read_rows(result, [], d, scope)
    by_key: dict[tuple[Any, ...], list[Any]] = {}
    for shaped, raw in zip(shape(ctx, fetched.rows, [], selection), result):
        key = tuple(raw[width : width + len(dims)])
        by_key.setdefault(key, []).append(shaped)
    for row, group in zip(found, groups):
        group["records"] = by_key.get(tuple(row[dimension.alias] for dimension in dimensions), [])
