"""Find many and find one: filter, order, keyset pagination and counts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from core_app import access
from core_app.query.ast import Node, OrderKey
from core_app.query.ordering import InvalidCursor, SortKey, build_sort_keys, decode_cursor, encode_cursor
from core_app.query.planner import Scope, count, fetch, fetch_page
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput, RecordNotFound
from core_app.store.records import RecordRow, fetch_by_ids
from metadata_app.field_types.scalars import CANONICAL_UUID

__all__ = ["Page", "count_matching", "find_many", "find_one", "scan", "scope_of", "select"]


class Cursors(Sequence[str]):
    """The cursors of a page's records, each encoded when first read (REST reads two of them)."""

    def __init__(self, values: list[list[Any]], keys: list[SortKey]) -> None:
        self.values, self.keys = values, keys

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [encode_cursor(values, self.keys) for values in self.values[index]]
        return encode_cursor(self.values[index], self.keys)


@dataclass(frozen=True)
class Page:
    """One page of records with the cursor of each and the connection's page info."""

    records: list[RecordRow]
    cursors: Sequence[str]
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


def scope_of(ctx: RecordContext, node: Node | None, trash: bool | None = None) -> Scope:
    """Records ``node`` looks at: live ones, unless ``trash`` says otherwise or the filter names ``deletedAt``.

    ``trash=True`` selects only soft-deleted records (restore), ``False`` only live ones. The
    caller's role must read the object and every field the filter names (``core_app.access``).
    """
    access.require(ctx, "read")
    access.check_filter(ctx, node)
    return Scope.for_filter(ctx.ws, ctx.snapshot, ctx.spec, node, trash)


def count_matching(ctx: RecordContext, node: Node | None, trash: bool | None = None) -> int:
    """How many records match ``node`` (see :func:`scope_of`)."""
    return count(scope_of(ctx, node, trash), node)


def select(
    ctx: RecordContext,
    node: Node | None,
    order: list[OrderKey],
    limit: int,
    trash: bool | None = None,
    exclude_ids: list[str] | None = None,
) -> list[RecordRow]:
    """The first ``limit`` records matching ``node`` in ``order`` (``id`` last)."""
    scope = scope_of(ctx, node, trash)
    keys = build_sort_keys(order, ctx.spec, scope.slots, ctx.snapshot)
    return fetch(scope, node, keys, None, False, limit, exclude_ids).rows


def cursor_values(cursor_text: str, keys: list[SortKey]) -> list[Any]:
    """The sort values inside a cursor of a list ordered by ``keys``; InvalidRecordInput when it does not fit."""
    try:
        return decode_cursor(cursor_text, keys)
    except InvalidCursor:
        raise InvalidRecordInput(
            f"Invalid cursor '{cursor_text}': use a startCursor or endCursor returned with this same order_by"
        ) from None


#: Records a page may skip and return in all (``offset + limit``); deeper pages use cursors.
MAX_OFFSET_WINDOW = 10_000


def find_many(
    ctx: RecordContext,
    node: Node | None,
    order: list[OrderKey],
    limit: int,
    after: str | None = None,
    before: str | None = None,
    with_count: bool = True,
    from_end: bool = False,
    offset: int = 0,
) -> Page:
    """A page of ``limit`` records after ``after`` or before ``before`` (and their count, when asked).

    ``from_end`` takes the last ``limit`` records (GraphQL ``last`` without ``before``); pages
    are always returned in normal order. ``offset`` records are skipped first, in the direction
    of paging (GraphQL's ``offset``); they are read to be skipped, so ``offset + limit`` is capped
    at ``MAX_OFFSET_WINDOW``: beyond, cursors page at the same cost whatever the depth.
    """
    if after is not None and before is not None:
        # GraphQL's arguments (REST refuses starting_after with ending_before in its own words).
        raise InvalidRecordInput("Use either 'after' or 'before', not both")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0 or offset + limit > MAX_OFFSET_WINDOW:
        raise InvalidRecordInput(
            f"'offset' must be an integer from 0 to {MAX_OFFSET_WINDOW - limit} with this page size; "
            "page further with cursors (after/before)"
        )
    scope = scope_of(ctx, node)
    access.check_order(ctx, order)
    keys = build_sort_keys(order, ctx.spec, scope.slots, ctx.snapshot)
    cursor_text = before or after
    cursor = cursor_values(cursor_text, keys) if cursor_text else None
    backward = before is not None or (from_end and after is None)
    fetched = fetch_page(scope, node, keys, cursor, backward, offset + limit + 1, with_count)
    more = len(fetched.rows) > offset + limit
    rows, values = fetched.rows[offset : offset + limit], fetched.sort_values[offset : offset + limit]
    if backward:
        rows.reverse()
        values.reverse()
    return Page(
        records=rows,
        cursors=Cursors(values, keys),
        total_count=fetched.total,
        # As Twenty's runner (api-reference 1.5): each flag speaks only for the direction being
        # paged, so hasNextPage is false on a backward page and hasPreviousPage on a forward one.
        has_next_page=more and not backward,
        has_previous_page=more and backward,
    )


def find_one(ctx: RecordContext, record_id: Any, with_deleted: bool = False, lock: bool = False) -> RecordRow:
    """The record ``record_id`` of this object; InvalidRecordInput for an id that is no UUID (as REST's
    path ids), RecordNotFound for one that names no record here (``lock``: see ``fetch_by_ids``)."""
    access.require(ctx, "read")
    text = str(record_id)
    if not CANONICAL_UUID.match(text):
        raise InvalidRecordInput(f"'{text}' is not a valid UUID")
    found = fetch_by_ids(ctx.ws, ctx.spec.id, [text.lower()], live_only=not with_deleted, lock=lock)
    if not found:
        raise RecordNotFound(f"Record {record_id} not found in {ctx.spec.name_plural}")
    return found[0]


def scan(
    ctx: RecordContext, node: Node | None, order: list[OrderKey], page_size: int, after: str | None = None
) -> Iterator[list[RecordRow]]:
    """Every record matching ``node`` in ``order`` (``id`` last), one keyset page of ``page_size`` at a time;
    with ``after`` (a list's cursor, of the same order), every such record after it.

    The filter, order and cursor are checked (grammar, access) before the first page is read, so a
    caller that takes the first page before answering refuses bad input with a 4xx. Each page starts
    after the last sort values of the previous one: no offset, and no page costs more than the first.
    """
    scope = scope_of(ctx, node)
    access.check_order(ctx, order)
    keys = build_sort_keys(order, ctx.spec, scope.slots, ctx.snapshot)  # relation orders too, as lists
    cursor = cursor_values(after, keys) if after else None
    while True:
        page = fetch(scope, node, keys, cursor, False, page_size)
        if page.rows:
            yield page.rows
        if len(page.rows) < page_size:
            return
        cursor = page.sort_values[-1]
