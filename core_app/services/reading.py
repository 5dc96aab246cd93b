"""Find many and find one: filter, order, keyset pagination and counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core_app.models import Record
from core_app.query.ast import Node, OrderKey, mentions_field
from core_app.query.compiler import apply_filter
from core_app.query.ordering import InvalidCursor, build_sort_keys, decode_cursor, encode_cursor, order_queryset
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput, RecordNotFound

__all__ = ["Page", "filtered", "find_many", "find_one"]


@dataclass(frozen=True)
class Page:
    """One page of records with the cursor of each and the connection's page info."""

    records: list[Record]
    cursors: list[str]
    total_count: int | None
    has_next_page: bool
    has_previous_page: bool

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None

    def page_info(self) -> dict[str, Any]:
        """``pageInfo`` as REST and GraphQL return it."""
        return {
            "hasNextPage": self.has_next_page,
            "hasPreviousPage": self.has_previous_page,
            "startCursor": self.start_cursor,
            "endCursor": self.end_cursor,
        }


def filtered(ctx: RecordContext, node: Node | None, trash: bool | None = None):
    """Records matching ``node``; soft-deleted ones only when the filter names ``deletedAt``.

    ``trash=True`` selects only soft-deleted records (restore), ``False`` only live ones.
    """
    with_deleted = trash is not False and (trash or (node is not None and mentions_field(node, "deletedAt")))
    queryset = apply_filter(ctx.records(with_deleted=bool(with_deleted)), node, ctx.spec)
    return queryset.filter(deleted_at__isnull=False) if trash else queryset


def find_many(
    ctx: RecordContext,
    node: Node | None,
    order: list[OrderKey],
    limit: int,
    after: str | None = None,
    before: str | None = None,
    with_count: bool = True,
    from_end: bool = False,
) -> Page:
    """A page of ``limit`` records after ``after`` or before ``before`` (two queries with the count).

    ``from_end`` takes the last ``limit`` records (GraphQL ``last`` without ``before``); pages
    are always returned in normal order.
    """
    queryset = filtered(ctx, node)
    sort_keys = build_sort_keys(order, ctx.spec)
    cursor_text = before or after
    try:
        cursor = decode_cursor(cursor_text, sort_keys) if cursor_text else None
    except InvalidCursor:
        raise InvalidRecordInput(
            f"Invalid cursor '{cursor_text}': use a startCursor or endCursor returned with this same order_by"
        ) from None
    backward = before is not None or (from_end and after is None)
    rows = list(order_queryset(queryset, sort_keys, cursor, backward)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    return Page(
        records=rows,
        cursors=[encode_cursor(row, sort_keys) for row in rows],
        total_count=queryset.count() if with_count else None,
        # As Twenty's runner (api-reference 1.5): each flag speaks only for the direction being
        # paged, so hasNextPage is false on a backward page and hasPreviousPage on a forward one.
        has_next_page=more and not backward,
        has_previous_page=more and backward,
    )


def find_one(ctx: RecordContext, record_id: Any, with_deleted: bool = False) -> Record:
    """The record ``record_id`` of this object; RecordNotFound otherwise."""
    record = ctx.records(with_deleted=with_deleted).filter(pk=record_id).first()
    if record is None:
        raise RecordNotFound(f"Record {record_id} not found in {ctx.spec.name_plural}")
    return record
