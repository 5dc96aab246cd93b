"""Id-cursor pagination for the metadata REST lists (objects, fields, API keys, webhooks).

Lists are ordered by id; ``starting_after`` / ``ending_before`` take the id of the record to
start after / end before, and ``pageInfo`` gives the first and last id of the page.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from api_common.errors import BadRequest

__all__ = ["IdPage", "paginate_by_id", "read_limit"]

#: A ``limit`` as the APIs take it: ASCII digits only.
DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class IdPage:
    """One page of rows and its ``pageInfo`` / ``totalCount``."""

    rows: list[Any]
    page_info: dict[str, Any]
    total_count: int


def read_limit(params: Any, default: int, maximum: int) -> int:
    """Return the ``limit`` query parameter (``default`` when absent), silently capped at ``maximum``;
    anything but a non-negative integer written in ASCII digits is a 400."""
    raw = params.get("limit")
    if raw is None:
        return default
    if not DIGITS.match(raw):  # int() also takes "+5", " 5" and other scripts' digits; str.isdigit() takes "²"
        raise BadRequest(f"limit '{raw}' is invalid. Should be an integer")
    return min(int(raw), maximum)


def read_cursor(raw: str) -> uuid.UUID:
    """Return a cursor as the UUID it must be."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadRequest(f"Invalid cursor: {raw}") from None


def paginate_by_id(queryset: QuerySet, params: Any, default: int = 1000, maximum: int = 1000) -> IdPage:
    """Return the page of ``queryset`` selected by ``limit``, ``starting_after``, ``ending_before``."""
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise BadRequest("Only one of 'endingBefore' and 'startingAfter' may be provided")
    limit = read_limit(params, default, maximum)
    total = queryset.count()
    if before:
        rows = list(queryset.filter(pk__lt=read_cursor(before)).order_by("-pk")[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit][::-1]
        has_next, has_previous = True, has_more
    else:
        if after:
            queryset = queryset.filter(pk__gt=read_cursor(after))
        rows = list(queryset.order_by("pk")[: limit + 1])
        has_next = len(rows) > limit
        rows = rows[:limit]
        has_previous = bool(after)
    page_info = {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": str(rows[0].pk) if rows else None,
        "endCursor": str(rows[-1].pk) if rows else None,
    }
    return IdPage(rows=rows, page_info=page_info, total_count=total)
