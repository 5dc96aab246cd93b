"""Group by (``GET /rest/{plural}/groupBy``, GraphQL ``{plural}GroupBy``): groups with aggregates.

``group_by`` is a list of dimensions: ``{"stage": true}``, ``{"name": {"firstName": true}}`` or
``{"closeDate": {"granularity": "MONTH"}}``. Each group item carries ``groupByDimensionValues``,
the requested aggregates and, on request, a sample of its records (one query for all groups).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber, Substr, TruncDay, TruncMonth, TruncQuarter, TruncYear

from core_app.query.aggregates import Aggregate, AggregateError, parse_aggregate
from core_app.query.ast import Node
from core_app.query.targets import Target, resolve_target
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput
from core_app.services.output import output_plan, record_to_api
from core_app.services.reading import filtered

__all__ = ["Dimension", "group_by", "parse_dimensions"]

#: Characters of the stored ISO string that make each granularity (dates are stored as ISO text).
GRANULARITY_PREFIX = {"DAY": 10, "MONTH": 7, "YEAR": 4}
COLUMN_TRUNC = {"DAY": TruncDay, "MONTH": TruncMonth, "QUARTER": TruncQuarter, "YEAR": TruncYear}
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Dimension:
    """One group-by dimension: a target and an optional date granularity."""

    alias: str
    target: Target
    granularity: str | None

    def expression(self):
        """The grouped value (dates truncated to the granularity)."""
        if self.granularity is None:
            return self.target.typed_expression()
        if self.target.column:
            return COLUMN_TRUNC[self.granularity](self.target.column)
        return Substr(self.target.raw_expression(), 1, GRANULARITY_PREFIX[self.granularity])


def dimension_error(message: str) -> InvalidRecordInput:
    return InvalidRecordInput(f"'group_by' invalid. {message}")


def parse_dimensions(raw: Any, ctx: RecordContext) -> list[Dimension]:
    """Resolve the ``group_by`` list against the object."""
    if not isinstance(raw, list) or not raw:
        raise dimension_error('Expected a non-empty JSON array such as [{"stage": true}]')
    dimensions = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or len(item) != 1:
            raise dimension_error(f'Item {index} must be an object with one field, e.g. {{"stage": true}}')
        name, value = next(iter(item.items()))
        path, granularity = (name,), None
        if isinstance(value, dict) and "granularity" in value:
            granularity = value["granularity"]
            if granularity not in GRANULARITY_PREFIX and granularity not in COLUMN_TRUNC:
                raise dimension_error(f"granularity must be one of DAY, MONTH, QUARTER, YEAR, got {granularity!r}")
        elif isinstance(value, dict) and len(value) == 1 and next(iter(value.values())) is True:
            path = (name, next(iter(value)))
        elif value is not True:
            raise dimension_error(f'Item {index}: use true, {{"subField": true}} or {{"granularity": ...}}')
        target = resolve_target(ctx.spec, path, error=dimension_error)
        if granularity and target.field.type not in ("DATE", "DATE_TIME"):
            raise dimension_error(f"granularity applies to DATE and DATE_TIME fields, not '{target.api_path}'")
        if granularity == "QUARTER" and not target.column:
            raise dimension_error("QUARTER granularity is available on createdAt, updatedAt and deletedAt only")
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
    """Dimension values as JSON (datetimes as ISO strings)."""
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value


def group_by(
    ctx: RecordContext,
    node: Node | None,
    raw_dimensions: Any,
    aggregate_names: Any,
    limit: int,
    with_records: bool,
) -> list[dict[str, Any]]:
    """Groups of records matching ``node``, largest first, with aggregates and optional samples."""
    dimensions = parse_dimensions(raw_dimensions, ctx)
    aggregates = parse_aggregates(aggregate_names, ctx)
    base = filtered(ctx, node)
    aliases = [d.alias for d in dimensions]
    sql = {key: value for aggregate in aggregates for key, value in aggregate.sql.items()}
    rows = list(
        base.annotate(**{d.alias: d.expression() for d in dimensions})
        .values(*aliases)
        .annotate(**sql)
        .order_by("-totalCount", *aliases)[:limit]
    )
    groups = [
        {
            "groupByDimensionValues": [api_value(row[a]) for a in aliases],
            **{agg.name: agg.finish(row) for agg in aggregates},
        }
        for row in rows
    ]
    if with_records and rows:
        attach_samples(ctx, base, dimensions, rows, groups)
    return groups


def attach_samples(ctx: RecordContext, base, dimensions: list[Dimension], rows: list[dict], groups: list[dict]) -> None:
    """Add up to SAMPLE_SIZE records to every group, in one query."""
    aliases = [d.alias for d in dimensions]
    match = Q(pk__in=[])
    for row in rows:
        match |= Q(*[Q(**{a: row[a]}) if row[a] is not None else Q(**{f"{a}__isnull": True}) for a in aliases])
    sample = (
        base.annotate(**{d.alias: d.expression() for d in dimensions})
        .filter(match)
        .annotate(
            _rank=Window(
                RowNumber(), partition_by=[F(a) for a in aliases], order_by=[F("position").asc(), F("id").asc()]
            )
        )
        .filter(_rank__lte=SAMPLE_SIZE)
        .order_by("position", "id")
    )
    plan = output_plan(ctx.snapshot, ctx.spec)
    by_key: dict[tuple, list] = {}
    for record in sample:
        by_key.setdefault(tuple(getattr(record, a) for a in aliases), []).append(record_to_api(record, plan))
    for row, group in zip(rows, groups):
        group["records"] = by_key.get(tuple(row[a] for a in aliases), [])
