"""Enum-backed field types: SELECT, MULTI_SELECT and RATING. Values must be among the options."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from metadata_app.field_types.base import FieldType, FieldValueError, describe, json_from_text, merge_lists

if TYPE_CHECKING:
    from metadata_app.specs import FieldSpec

__all__ = ["RATING_VALUES", "MultiSelectType", "RatingType", "SelectType"]

OPTION_VALUE = re.compile(r"^[A-Z0-9]+(_[A-Z0-9]+)*$")
RATING_VALUES = tuple(f"RATING_{n}" for n in range(1, 6))
OPTION_COLORS = ("green", "turquoise", "sky", "blue", "purple", "pink", "red", "orange", "yellow", "gray")
#: Every tag colour a Twenty client may send (its ``TagColor``): the ten above, then the newer ones.
NEWER_TAG_COLORS = ("ruby", "crimson", "tomato", "amber", "lime", "grass", "jade", "mint", "cyan", "iris", "violet")
TAG_COLORS = frozenset((*OPTION_COLORS, *NEWER_TAG_COLORS, "plum", "bronze", "gold", "brown"))  # 25 in all


def normalize_options(options: Any, type_name: str) -> list[dict[str, Any]]:
    """Validate SELECT-like options and give each an ``id``, ``color`` and ``position``."""
    if not isinstance(options, list) or not options:
        raise FieldValueError(f"fields of type {type_name} need a non-empty array of options")
    seen: set[str] = set()
    ids: set[str] = set()
    result = []
    for position, option in enumerate(options):
        if not isinstance(option, dict):
            raise FieldValueError("each option must be an object {label, value, color?, position?}")
        value, label = option.get("value"), option.get("label")
        if not isinstance(value, str) or not OPTION_VALUE.match(value):
            raise FieldValueError(
                f'option value {describe(value)} is invalid: use UPPER_SNAKE_CASE letters and digits, e.g. "IN_PROGRESS"'
            )
        if value in seen:
            raise FieldValueError(f'option value "{value}" is used twice')
        seen.add(value)
        if not isinstance(label, str) or not label.strip():
            raise FieldValueError(f'option "{value}" needs a non-empty label')
        given_position = option.get("position", position)
        if isinstance(given_position, bool) or not isinstance(given_position, (int, float)):
            raise FieldValueError(
                f'option "{value}" has an invalid position {describe(given_position)}: expected a number'
            )
        option_id = option.get("id") or str(uuid.uuid4())
        if not isinstance(option_id, str):
            raise FieldValueError(f'option "{value}" needs a string id (a UUID), got {describe(option_id)}')
        if option_id in ids:
            raise FieldValueError(f'option id "{option_id}" is used twice')
        ids.add(option_id)
        color = option.get("color") or OPTION_COLORS[position % len(OPTION_COLORS)]
        if not isinstance(color, str) or color not in TAG_COLORS:
            raise FieldValueError(
                f'option "{value}" needs a color among {", ".join(sorted(TAG_COLORS))}; got {describe(color)}'
            )
        result.append({"id": option_id, "label": label, "value": value, "color": color, "position": given_position})
    return sorted(result, key=lambda o: o["position"])


def option_enum(spec: FieldSpec) -> dict[str, Any]:
    """The OpenAPI schema of one option value of ``spec``."""
    values = list(spec.option_values)
    return {"type": "string", "enum": values} if values else {"type": "string"}


class SelectType(FieldType):
    """One value among the field's options; ordered by option position."""

    name = "SELECT"
    operators = frozenset({"eq", "neq", "in", "is"})
    has_options = True

    def normalize(self, value: Any, spec: FieldSpec) -> str:
        allowed = spec.option_values
        if not isinstance(value, str) or value not in allowed:
            raise FieldValueError(f"expected one of {', '.join(allowed)}, got {describe(value)}")
        return value

    def validate_options(self, options: Any) -> list[dict[str, Any]]:
        return normalize_options(options, self.name)

    def unique_value(self, stored: Any) -> str | None:
        return None if stored is None else str(stored)

    def openapi_value(self, spec: FieldSpec, write: bool) -> dict[str, Any]:
        """A string among the field's option values (an ``enum``), in option order."""
        return option_enum(spec)


class MultiSelectType(FieldType):
    """A list of distinct values among the field's options."""

    name = "MULTI_SELECT"
    holds_array = True
    operators = frozenset({"containsAny", "is", "isEmptyArray"})
    value_kind = "json"
    index_kind = None
    has_options = True
    can_be_unique = False  # a list of options: no value of its own takes part (see unique_value)

    def from_text(self, text: str) -> Any:
        return json_from_text(text)

    def normalize(self, value: Any, spec: FieldSpec) -> list[str]:
        allowed = spec.option_values
        if not isinstance(value, list):
            raise FieldValueError(f"expected an array of values among {', '.join(allowed)}, got {describe(value)}")
        result: list[str] = []
        for item in value:
            if not isinstance(item, str) or item not in allowed:
                raise FieldValueError(f"expected values among {', '.join(allowed)}, got {describe(item)}")
            if item not in result:
                result.append(item)
        return result

    def is_empty(self, stored: Any) -> bool:
        return not stored

    def merge(self, values: list[Any]) -> Any:
        """Every record's options, highest priority first, without repeats."""
        return merge_lists(values)

    def validate_options(self, options: Any) -> list[dict[str, Any]]:
        return normalize_options(options, self.name)

    def filter_value(self, value: Any, spec: FieldSpec) -> Any:
        if isinstance(value, str):
            return SelectType().normalize(value, spec)
        return self.normalize(value, spec)

    def unique_value(self, stored: Any) -> str | None:
        return None

    def openapi_value(self, spec: FieldSpec, write: bool) -> dict[str, Any]:
        """An array of option values (repeats are dropped on input)."""
        return {"type": "array", "items": option_enum(spec)}


class RatingType(SelectType):
    """A rating ``RATING_1`` to ``RATING_5``; its options are fixed unless given."""

    name = "RATING"
    operators = frozenset({"eq", "neq", "in", "is", "gt", "gte", "lt", "lte"})

    def validate_options(self, options: Any) -> list[dict[str, Any]]:
        if options in (None, []):
            options = [{"label": str(n), "value": v} for n, v in enumerate(RATING_VALUES, start=1)]
        normalized = normalize_options(options, self.name)
        # Ratings compare by their value (RATING_1 < RATING_5): other values would have no order.
        strays = [option["value"] for option in normalized if option["value"] not in RATING_VALUES]
        if strays:
            raise FieldValueError(
                f"RATING options take the values {', '.join(RATING_VALUES)}; got {', '.join(map(repr, strays))}"
            )
        return normalized
