"""``CursorPaging`` over rows ordered by id: opaque cursors, page windows and ``pageInfo``.

A cursor is the base64 of a row's id, so it stays valid while the row exists, whatever is
created or deleted around it. Rows are always ordered by id, which makes pages stable.
Top-level lists page in SQL (:func:`page_queryset`); nested lists, already loaded in one
query for all their parents, page the same way in memory (:func:`page_rows`).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Page",
    "PageRequest",
    "decode_cursor",
    "encode_cursor",
    "page_queryset",
    "page_rows",
]

#: ``first`` when neither ``first`` nor ``last`` is given (Twenty's ``defaultResultSize``).
DEFAULT_PAGE_SIZE = 10
#: Larger ``first``/``last`` values are capped silently (Twenty's ``maxResultsSize``).
MAX_PAGE_SIZE = 1000


def encode_cursor(pk: Any) -> str:
    """Return the opaque cursor of the row with id ``pk``."""
    return base64.b64encode(str(pk).encode()).decode()


def decode_cursor(cursor: Any) -> uuid.UUID:
    """Return the id inside ``cursor``; a ``ValidationError`` for anything that is not one of ours."""
    try:
        return uuid.UUID(base64.b64decode(str(cursor).encode(), validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(f"Invalid cursor: {cursor}", code="INVALID_CURSOR") from None


def read_size(paging: Mapping[str, Any], key: str) -> int | None:
    """Return ``first`` or ``last``, capped at :data:`MAX_PAGE_SIZE`; negative values are refused."""
    value = paging.get(key)
    if value is None:
        return None
    if value < 0:
        raise ValidationError(f"paging.{key} must be zero or more, got {value}", code="INVALID_PAGING")
    return min(value, MAX_PAGE_SIZE)


@dataclass(frozen=True)
class PageRequest:
    """A parsed ``CursorPaging``: the id window and the page size from its front or back."""

    size: int
    forward: bool
    after: uuid.UUID | None = None
    before: uuid.UUID | None = None

    @classmethod
    def parse(cls, paging: Mapping[str, Any] | None) -> PageRequest:
        """Read ``{first, last, after, before}``; ``before`` alone pages backwards, as ``last`` does."""
        paging = paging or {}
        first, last = read_size(paging, "first"), read_size(paging, "last")
        if first is not None and last is not None:
            raise ValidationError("paging.first and paging.last cannot be used together", code="INVALID_PAGING")
        after = decode_cursor(paging["after"]) if paging.get("after") is not None else None
        before = decode_cursor(paging["before"]) if paging.get("before") is not None else None
        forward = last is None and (first is not None or before is None)
        size = first if forward and first is not None else last if last is not None else DEFAULT_PAGE_SIZE
        return cls(size=size, forward=forward, after=after, before=before)


@dataclass(frozen=True)
class Page:
    """One page of rows with what ``pageInfo`` and ``totalCount`` report."""

    rows: Sequence[Any]
    has_next_page: bool
    has_previous_page: bool
    total_count: int

    @property
    def start_cursor(self) -> str | None:
        """The cursor of the first row, or None for an empty page."""
        return encode_cursor(self.rows[0].pk) if self.rows else None

    @property
    def end_cursor(self) -> str | None:
        """The cursor of the last row, or None for an empty page."""
        return encode_cursor(self.rows[-1].pk) if self.rows else None


def cut(fetch: Callable[[bool, int], list[Any]], request: PageRequest, total: int) -> Page:
    """Take one page from a window; ``fetch(ascending, n)`` returns up to ``n`` rows from one end.

    One row more than the page is fetched to learn whether more follow. A cursor given on the
    other side stands for a row beyond the window, so that side reports a page too.
    """
    rows = fetch(request.forward, request.size + 1)
    more = len(rows) > request.size
    rows = rows[: request.size]
    if request.forward:
        return Page(rows, more or request.before is not None, request.after is not None, total)
    return Page(rows[::-1], request.before is not None, more or request.after is not None, total)


def page_queryset(queryset: QuerySet, request: PageRequest) -> Page:
    """Return the page of ``queryset`` (two queries: the count and the rows)."""
    total = queryset.count()
    window = queryset
    if request.after is not None:
        window = window.filter(pk__gt=request.after)
    if request.before is not None:
        window = window.filter(pk__lt=request.before)
    return cut(lambda ascending, n: list(window.order_by("pk" if ascending else "-pk")[:n]), request, total)


def page_rows(rows: Sequence[Any], request: PageRequest) -> Page:
    """Return the page of ``rows``, a list already ordered by id (no query)."""
    window = [
        row
        for row in rows
        if (request.after is None or row.pk > request.after) and (request.before is None or row.pk < request.before)
    ]
    return cut(lambda ascending, n: (window if ascending else window[::-1])[:n], request, len(rows))
