"""Scalar field types: one JSON value per field."""

from __future__ import annotations

import functools
import math
import re
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from api_common.inputs import YEARS_MESSAGE, in_utc
from metadata_app.field_types.base import (
    EQUALITY,
    ORDERED,
    STRING,
    FieldType,
    FieldValueError,
    describe,
    json_from_text,
    merge_lists,
    number_from_text,
    string_items,
)

if TYPE_CHECKING:
    from metadata_app.specs import FieldSpec

__all__ = [
    "ArrayType",
    "BooleanType",
    "DateTimeType",
    "DateType",
    "NumberType",
    "NumericType",
    "PositionType",
    "RawJsonType",
    "RichTextType",
    "TextType",
    "UuidType",
]


#: A UUID in its canonical 8-4-4-4-12 hexadecimal form (what ids in paths and id lists must be).
CANONICAL_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class UuidType(FieldType):
    """A UUID, stored and returned in canonical lower-case form."""

    name = "UUID"
    graphql_scalar = "UUID"
    graphql_filter = "UUIDFilter"
    openapi_type = {"type": "string", "format": "uuid"}
    operators = ORDERED

    def normalize(self, value: Any, spec: FieldSpec) -> str:
        if not isinstance(value, str):
            raise FieldValueError(f"expected a UUID string, got {describe(value)}")
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise FieldValueError(f"expected a UUID, got {describe(value)}") from None

    def unique_value(self, stored: Any) -> str | None:
        return None if stored is None else str(stored)


class TextType(FieldType):
    """A string. Empty strings are kept; ordering and ``like`` are case-sensitive."""

    name = "TEXT"
    operators = STRING

    def normalize(self, value: Any, spec: FieldSpec) -> str:
        if not isinstance(value, str):
            raise FieldValueError(f"expected a string, got {describe(value)}")
        return value

    def is_empty(self, stored: Any) -> bool:
        return stored is None or stored == ""


class RichTextType(TextType):
    """Rich text (v1), a string of markup; filtered like TEXT."""

    name = "RICH_TEXT"
    index_kind = None  # a whole document: filtered by pattern, never sorted or matched through an index
    can_be_unique = False


@functools.lru_cache(maxsize=4096)
def format_instant(moment: datetime) -> str:
    """Return ``moment`` as UTC ISO 8601 with milliseconds, e.g. ``2024-01-01T12:00:00.000Z``.

    The fixed-width UTC form makes string order equal time order, on SQLite and PostgreSQL alike.
    Memoised: records written together share their instants (a batch's ``createdAt``), and
    ``strftime`` is the costliest step of reading a record (exports read them by the thousand).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class DateTimeType(FieldType):
    """An instant, given in ISO 8601 (any offset) and stored in UTC with milliseconds."""

    name = "DATE_TIME"
    graphql_scalar = "DateTime"
    graphql_filter = "DateTimeFilter"
    openapi_type = {"type": "string", "format": "date-time"}
    aggregate_operations = frozenset({"min", "max"})
    operators = ORDERED

    def normalize(self, value: Any, spec: FieldSpec) -> str:
        if not isinstance(value, str):
            raise FieldValueError(f"expected an ISO 8601 date-time string, got {describe(value)}")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise FieldValueError(
                f'expected an ISO 8601 date-time such as "2024-01-31T09:30:00Z", got {describe(value)}'
            ) from None
        try:
            return format_instant(in_utc(moment))
        except ValueError:
            raise FieldValueError(f"{YEARS_MESSAGE}, got {describe(value)}") from None


class DateType(FieldType):
    """A calendar date ``YYYY-MM-DD``."""

    name = "DATE"
    graphql_scalar = "Date"
    graphql_filter = "DateFilter"
    openapi_type = {"type": "string", "format": "date"}
    aggregate_operations = frozenset({"min", "max"})
    operators = ORDERED

    def normalize(self, value: Any, spec: FieldSpec) -> str:
        if not isinstance(value, str):
            raise FieldValueError(f"expected a date string YYYY-MM-DD, got {describe(value)}")
        text = value.strip()
        try:
            if len(text) > 10:  # a full date-time: keep its calendar date
                return datetime.fromisoformat(text).date().isoformat()
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise FieldValueError(f'expected a date such as "2024-01-31", got {describe(value)}') from None


class BooleanType(FieldType):
    """``true`` or ``false``."""

    name = "BOOLEAN"
    graphql_scalar = "Boolean"
    graphql_filter = "BooleanFilter"
    openapi_type = {"type": "boolean"}
    aggregate_operations = frozenset({"countTrue", "countFalse"})
    operators = frozenset({"eq", "neq", "is"})
    value_kind = "boolean"
    index_kind = "boolean"
    can_be_unique = False  # two values: at most two records

    def from_text(self, text: str) -> Any:
        """``true``/``false`` (also ``1``/``0``, ``yes``/``no``), in any case; other text unchanged."""
        return BOOLEAN_TEXT.get(text.strip().lower(), text)

    def normalize(self, value: Any, spec: FieldSpec) -> bool:
        if not isinstance(value, bool):
            raise FieldValueError(f"expected true or false, got {describe(value)}")
        return value

    def filter_value(self, value: Any, spec: FieldSpec) -> bool:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return self.normalize(value, spec)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
#: Texts a CSV cell of a boolean may hold.
BOOLEAN_TEXT = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def as_number(value: Any) -> int | float:
    """Return ``value`` as a finite JSON number; accept numeric strings; refuse booleans."""
    if isinstance(value, bool):
        raise FieldValueError(f"expected a number, got {describe(value)}")
    if isinstance(value, str):
        value = number_from_text(value)  # decimal notation only; other text stays text
        if isinstance(value, str):
            raise FieldValueError(f"expected a number, got {describe(value)}")
    if not isinstance(value, (int, float)):
        raise FieldValueError(f"expected a number, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldValueError("expected a finite number")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        # Beyond 64 bits no JSON encoder or database column of ours can hold the value exactly.
        raise FieldValueError(f"expected a number between {INT64_MIN} and {INT64_MAX}, got {value}")
    return value


NUMBER_DATA_TYPES = ("float", "int", "bigint")
#: The numeric strings :func:`as_number` reads (documented in the OpenAPI schemas).
NUMERIC_STRING = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"


class NumberType(FieldType):
    """A number; ``settings.dataType`` is ``float`` (default), ``int`` or ``bigint``."""

    name = "NUMBER"
    graphql_scalar = "Float"
    graphql_filter = "FloatFilter"
    openapi_type = {"type": "number"}
    aggregate_operations = frozenset({"min", "max", "avg", "sum"})
    operators = ORDERED
    value_kind = "number"
    index_kind = "number"

    def from_text(self, text: str) -> Any:
        return number_from_text(text)

    def normalize(self, value: Any, spec: FieldSpec) -> int | float:
        if isinstance(value, str):
            raise FieldValueError(f"expected a number, got {describe(value)}")
        number = as_number(value)
        data_type = spec.settings.get("dataType")
        if data_type in ("int", "bigint"):
            if number != int(number):
                raise FieldValueError(f"expected an integer, got {describe(value)}")
            number = as_number(int(number))  # a float such as 1e30 is integral yet beyond 64 bits
            # ``int`` is GraphQL's Int (and Twenty's integer column): 32 bits, or GraphQL could not read it back.
            if data_type == "int" and not INT32_MIN <= number <= INT32_MAX:
                raise FieldValueError(f"expected an integer between {INT32_MIN} and {INT32_MAX}, got {value}")
        return number

    def filter_value(self, value: Any, spec: FieldSpec) -> int | float:
        return as_number(value)

    def openapi_value(self, spec: FieldSpec, write: bool) -> dict[str, Any]:
        """A 32-bit ``integer`` for ``dataType`` int (GraphQL's ``Int``), a 64-bit one for bigint (what
        JSON clients and the API's encoder can carry), else a ``number``."""
        data_type = spec.settings.get("dataType")
        if data_type == "int":
            return {"type": "integer", "format": "int32", "minimum": INT32_MIN, "maximum": INT32_MAX}
        if data_type == "bigint":
            return {"type": "integer", "format": "int64", "minimum": INT64_MIN, "maximum": INT64_MAX}
        return {"type": "number"}

    def validate_settings(self, raw: Any) -> dict[str, Any] | None:
        settings = super().validate_settings(raw)
        if settings is None:
            return None
        data_type = settings.get("dataType", "float")
        if data_type not in NUMBER_DATA_TYPES:
            raise FieldValueError(f"settings.dataType must be one of {', '.join(NUMBER_DATA_TYPES)}")
        decimals = settings.get("decimals")
        if decimals is not None and (
            isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 10
        ):
            raise FieldValueError("settings.decimals must be an integer from 0 to 10")
        return settings


class NumericType(FieldType):
    """An arbitrary-precision number; accepts JSON numbers and numeric strings."""

    name = "NUMERIC"
    graphql_scalar = "BigFloat"
    graphql_filter = "BigFloatFilter"
    aggregate_operations = frozenset({"min", "max", "avg", "sum"})
    operators = ORDERED
    value_kind = "number"
    index_kind = "number"
    openapi_type = {"type": "number"}

    def from_text(self, text: str) -> Any:
        return number_from_text(text)

    def normalize(self, value: Any, spec: FieldSpec) -> int | float:
        return as_number(value)

    def openapi_value(self, spec: FieldSpec, write: bool) -> dict[str, Any]:
        """Returned as a JSON number; a body may also give a numeric string (``"12.5"``)."""
        if not write:
            return {"type": "number"}
        return {"anyOf": [{"type": "number"}, {"type": "string", "pattern": NUMERIC_STRING}]}


class PositionType(FieldType):
    """A record's position in manual order: a number, or ``"first"``/``"last"``."""

    name = "POSITION"
    graphql_scalar = "Position"
    graphql_filter = "FloatFilter"
    openapi_type = {"type": "number"}
    operators = ORDERED
    value_kind = "number"
    index_kind = "number"
    can_be_unique = False  # a place in a manual order, kept by the server

    def from_text(self, text: str) -> Any:
        return number_from_text(text)

    def normalize(self, value: Any, spec: FieldSpec) -> int | float | str:
        if value in ("first", "last"):
            return str(value)
        if isinstance(value, str):
            raise FieldValueError(f'expected a number, "first" or "last", got {describe(value)}')
        return as_number(value)

    def filter_value(self, value: Any, spec: FieldSpec) -> int | float:
        return as_number(value)

    def openapi_value(self, spec: FieldSpec, write: bool) -> dict[str, Any]:
        """A number; a body may also ask for ``"first"`` or ``"last"``."""
        if not write:
            return {"type": "number"}
        return {"anyOf": [{"type": "number"}, {"type": "string", "enum": ["first", "last"]}]}


def check_json(value: Any) -> None:
    """Refuse what JSON cannot hold: NaN, infinities, non-string keys and non-JSON Python values.

    Some parsers (``json.loads``, used by form fields) accept ``NaN``; PostgreSQL's jsonb refuses it.
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldValueError("expected JSON, got a non-finite number (NaN and Infinity are not JSON)")
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise FieldValueError("expected JSON, got an object with a non-string key")
        for item in value.values():
            check_json(item)
    elif isinstance(value, list):
        for item in value:
            check_json(item)
    elif value is not None and not isinstance(value, (str, int, float)):
        raise FieldValueError(f"expected a JSON value, got {describe(value)}")


class RawJsonType(FieldType):
    """Any JSON value (object, array, string, number or boolean)."""

    name = "RAW_JSON"
    graphql_scalar = "RawJSON"
    # Twenty sorts jsonb by PostgreSQL's own order of JSON values, which SQLite has no equal of:
    # not sortable here, so both databases answer alike.
    sortable = False
    graphql_filter = "RawJsonFilter"
    openapi_type = {}  # any JSON value
    operators = frozenset({"is", "like"})
    value_kind = "json"
    index_kind = None
    can_be_unique = False

    def from_text(self, text: str) -> Any:
        return json_from_text(text)

    def normalize(self, value: Any, spec: FieldSpec) -> Any:
        check_json(value)
        return value

    def is_empty(self, stored: Any) -> bool:
        return stored is None or stored == {} or stored == []

    def filter_value(self, value: Any, spec: FieldSpec) -> Any:
        return value


class ArrayType(FieldType):
    """An array of strings."""

    name = "ARRAY"
    holds_array = True
    graphql_scalar = "[String]"
    graphql_filter = "ArrayFilter"
    openapi_type = {"type": "array", "items": {"type": "string"}}
    operators = frozenset({"is", "containsAny", "containsIlike", "isEmptyArray"})
    value_kind = "json"
    index_kind = None
    can_be_unique = False

    def from_text(self, text: str) -> Any:
        return json_from_text(text)

    def normalize(self, value: Any, spec: FieldSpec) -> list[str]:
        return string_items(value)

    def is_empty(self, stored: Any) -> bool:
        return not stored

    def merge(self, values: list[Any]) -> Any:
        """Every record's items, highest priority first, without repeats."""
        return merge_lists(values)

    def filter_value(self, value: Any, spec: FieldSpec) -> Any:
        if isinstance(value, str):
            return value
        return self.normalize(value, spec)


__all__ += ["CANONICAL_UUID", "EQUALITY", "as_number", "check_json", "format_instant"]
