"""Parse the core REST query parameters (api-reference 1.2) into what the record service takes."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from api_common import pagination
from api_common.errors import BadRequest
from core_app.query.ast import Node, OrderKey
from core_app.query.order_by import parse_order_by
from core_app.query.rest_filter import parse_rest_filter
from metadata_app.specs import ObjectSpec

__all__ = [
    "is_true",
    "read_cursors",
    "read_depth",
    "read_fields",
    "read_filter",
    "read_limit",
    "read_names",
    "read_order",
    "read_search_limit",
]

DEPTHS = (0, 1, 2)


def read_limit(params: Any) -> int:
    """``limit``: default 60, silently capped at 200; anything but a non-negative integer is a 400."""
    default, maximum = int(getattr(settings, "QUERY_DEFAULT_LIMIT", 60)), int(getattr(settings, "QUERY_MAX_LIMIT", 200))
    return pagination.read_limit(params, default, maximum)


def read_depth(params: Any) -> int:
    """``depth``: 0 (default), 1 or 2."""
    raw = params.get("depth")
    if raw is None:
        return 0
    if raw not in {str(d) for d in DEPTHS}:
        raise BadRequest(f"'depth={raw}' parameter invalid. Allowed values are 0, 1, 2")
    return int(raw)


def read_filter(params: Any) -> Node | None:
    """``filter``: the grammar of api-reference 1.3; absent or empty means no filter."""
    raw = params.get("filter")
    if raw is None or not raw.strip():
        return None
    return parse_rest_filter(raw)


def read_order(params: Any) -> list[OrderKey]:
    """``order_by`` keys (``id`` is appended later by the query engine)."""
    return parse_order_by(params.get("order_by"))


def read_fields(params: Any, spec: ObjectSpec, readable: set[str]) -> frozenset[str] | None:
    """``fields=id,name`` (repeatable): the keys to return; unknown names are a 400."""
    values = params.getlist("fields") if hasattr(params, "getlist") else [params.get("fields")]
    names = [name.strip() for value in values if value for name in value.split(",") if name.strip()]
    if not names:
        return None
    unknown = [name for name in names if name not in readable]
    if unknown:
        raise BadRequest(
            f"'fields' parameter invalid. Unknown or unreadable fields on '{spec.name_singular}': {', '.join(unknown)}",
        )
    return frozenset(names)


def read_cursors(params: Any) -> tuple[str | None, str | None]:
    """``starting_after`` and ``ending_before`` (not both)."""
    after, before = params.get("starting_after") or None, params.get("ending_before") or None
    if after and before:
        raise BadRequest("Only one of 'starting_after' and 'ending_before' may be provided")
    return after, before


def is_true(params: Any, name: str) -> bool:
    """A flag is on only when it is the string ``true``."""
    return params.get(name) == "true"


def read_search_limit(params: Any) -> int:
    """``limit`` of ``/rest/search``: default 20, never capped here (the search service refuses 0 and more than 100).

    A negative integer is passed on as it is: it is an integer out of range, which the service's one
    range check words, as it does for GraphQL's ``search(limit: -1)``.
    """
    raw = params.get("limit")
    if raw is not None and raw.startswith("-") and pagination.DIGITS.match(raw[1:]):
        return int(raw)
    return pagination.read_limit(params, 20, 10**9)


def read_names(params: Any, name: str) -> list[str] | None:
    """A comma-separated list of object names (``included_objects=person,company``); None when absent."""
    raw = params.get(name)
    if raw is None or not raw.strip():
        return None
    return [item.strip() for item in raw.split(",") if item.strip()]
