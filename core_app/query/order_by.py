"""Parsers for REST ``order_by`` (api-reference.md 1.4) and GraphQL ``orderBy`` (2.5).

Both return a list of ``OrderKey`` in priority order::

    parse_order_by("name.lastName[DescNullsLast],createdAt")
    # [OrderKey(('name', 'lastName'), 'DescNullsLast'), OrderKey(('createdAt',), 'AscNullsFirst')]
    parse_graphql_order_by([{"name": {"lastName": "DescNullsLast"}}, {"createdAt": "AscNullsFirst"}])
    # the same list

Neither appends the ``id`` tie-breaker; the caller does.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any, Final

from metadata_app.specs import ObjectSpec

from .ast import MAX_DEPTH, OrderKey
from .errors import OrderBySyntaxError

__all__ = [
    "DEFAULT_DIRECTION",
    "ONE_BY_ONE",
    "ORDER_DIRECTIONS",
    "parse_graphql_order_by",
    "parse_order_by",
    "spec_relations",
]

# Order matters: the error message lists them in this order.
ORDER_DIRECTIONS: Final[tuple[str, ...]] = (
    "AscNullsFirst",
    "AscNullsLast",
    "DescNullsFirst",
    "DescNullsLast",
)
DEFAULT_DIRECTION: Final = "AscNullsFirst"

_ITEM = re.compile(r"([^\[\]]*)\[([^\[\]]*)\]", re.DOTALL)
_EXAMPLE: Final = "eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3"
_ALLOWED: Final = "Allowed values are " + ", ".join(f"'{d}'" for d in ORDER_DIRECTIONS)


def parse_order_by(text: str | None) -> list[OrderKey]:
    """Parse ``field_1[AscNullsFirst],field_2.sub[DescNullsLast],field_3``.

    Items are split on commas and stripped; empty items are ignored; an item
    without brackets sorts ``AscNullsFirst``. ``None`` or an empty string gives
    ``[]``. Raises ``OrderBySyntaxError`` with the contract's message for an
    unknown direction, and a similar one for a malformed item (``name[``).
    """
    if text is None:
        return []
    items = (item.strip() for item in text.split(","))
    return [_parse_item(item) for item in items if item]


def _parse_item(item: str) -> OrderKey:
    """Parse one ``path[direction]`` or ``path`` item."""
    if "[" not in item and "]" not in item:
        return OrderKey(_split_path(item, item), DEFAULT_DIRECTION)
    match = _ITEM.fullmatch(item)
    if match is None:
        raise OrderBySyntaxError(_malformed(item))
    field, direction = match.groups()
    if direction not in ORDER_DIRECTIONS:
        raise OrderBySyntaxError(f"'order_by' direction '{direction}' invalid. {_ALLOWED}. {_EXAMPLE}")
    return OrderKey(_split_path(field, item), direction)


def _split_path(field: str, item: str) -> tuple[str, ...]:
    """Split a dotted path, rejecting empty segments (``.a``, ``a..b``)."""
    path = tuple(field.split("."))
    if not all(segment.strip() for segment in path):
        raise OrderBySyntaxError(_malformed(item))
    return path


def _malformed(item: str) -> str:
    """Message for an item that is not ``path`` or ``path[direction]``."""
    return f"'order_by' invalid for '{item}'. {_EXAMPLE}"


#: Twenty's refusal of a relation's object naming several sort keys (api-reference §11.4).
ONE_BY_ONE: Final = "Please provide nested field criteria one by one in orderBy array"


def parse_graphql_order_by(value: Any, relations: frozenset[str] = frozenset()) -> list[OrderKey]:
    """Parse GraphQL ``orderBy``: ``[{name: {lastName: AscNullsLast}}, {createdAt: DescNullsFirst}]``.

    A single object is accepted in place of the list, and an object with
    several keys gives several keys in insertion order. ``None`` gives ``[]``;
    empty objects are ignored. Directions may be strings or enum members
    (graphene passes members; their name is used). Raises
    ``OrderBySyntaxError`` naming the path on a bad shape or direction. The object under a name of
    ``relations`` (the many-to-one relations) must name one key, as Twenty requires.
    """
    if value is None:
        return []
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, Mapping) for i in items):
        raise OrderBySyntaxError("'orderBy' invalid: expected an array of objects")
    for item in items:
        for name, sub in item.items():
            if name in relations and isinstance(sub, Mapping) and _leaf_count(sub) > 1:
                raise OrderBySyntaxError(ONE_BY_ONE)
    return [key for item in items for name, sub in item.items() for key in _graphql_keys((_segment(name),), sub)]


def _graphql_keys(path: tuple[str, ...], value: Any) -> list[OrderKey]:
    """Return the keys under ``path``: one per direction reached in the nested objects."""
    dotted = ".".join(path)
    if len(path) > MAX_DEPTH:
        raise OrderBySyntaxError(f"'orderBy' invalid for '{dotted}': nested too deeply")
    direction = value.name if isinstance(value, enum.Enum) else value
    if isinstance(direction, str):
        if direction not in ORDER_DIRECTIONS:
            raise OrderBySyntaxError(f"'orderBy' direction '{direction}' invalid for '{dotted}'. {_ALLOWED}")
        return [OrderKey(path, direction)]
    if not isinstance(value, Mapping) or not value:
        raise OrderBySyntaxError(f"'orderBy' invalid for '{dotted}': expected a direction")
    return [key for name, sub in value.items() for key in _graphql_keys((*path, _segment(name)), sub)]


def _leaf_count(value: Mapping[Any, Any]) -> int:
    """How many directions the nested objects of ``value`` hold."""
    return sum(_leaf_count(sub) if isinstance(sub, Mapping) else 1 for sub in value.values())


def _segment(name: Any) -> str:
    """Return ``name`` as a path segment, rejecting non-strings and empty strings."""
    if not isinstance(name, str) or not name:
        raise OrderBySyntaxError(f"'orderBy' invalid: field name {name!r} is not a name")
    return name


def spec_relations(spec: ObjectSpec) -> frozenset[str]:
    """The names of ``spec``'s many-to-one relations (what ``parse_graphql_order_by`` checks)."""
    return frozenset(field.name for field in spec.fields if field.is_many_to_one)
