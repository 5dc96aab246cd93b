"""The base class every field type derives from, and the error it raises on bad input."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

import orjson

if TYPE_CHECKING:
    from metadata_app.specs import FieldSpec

__all__ = [
    "FieldType",
    "FieldValueError",
    "describe",
    "items_of",
    "json_from_text",
    "merge_lists",
    "number_from_text",
    "object_items",
    "string_items",
    "with_null",
]

# Filter operator families (REST comparators / GraphQL filter keys), see api-reference 1.3 and 2.4.
EQUALITY = frozenset({"eq", "neq", "in", "is"})
ORDERED = EQUALITY | {"gt", "gte", "lt", "lte"}
STRING = ORDERED | {"startsWith", "endsWith", "like", "ilike"}


def with_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Return ``schema`` widened to accept JSON ``null`` too (OpenAPI 3.1 is JSON Schema 2020-12).

    ``{"type": "string"}`` becomes ``{"type": ["string", "null"]}`` (an ``enum`` gains ``None``);
    a schema without a single ``type`` is wrapped in ``anyOf``; the empty schema already takes null.
    """
    if not schema:
        return schema
    if isinstance(schema.get("type"), str):
        widened = {**schema, "type": [schema["type"], "null"]}
        if "enum" in schema:
            widened["enum"] = [*schema["enum"], None]
        return widened
    if set(schema) == {"anyOf"}:
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


#: A number written in decimal notation (Python's own parsers also read "1_000", "inf" and "nan").
DECIMAL = re.compile(r"\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*")


def number_from_text(text: str) -> Any:
    """``"42"`` -> 42, ``"4.2"`` -> 4.2; other text unchanged (for a CSV cell of a number)."""
    if not DECIMAL.fullmatch(text):
        return text
    return float(text) if any(c in text for c in ".eE") else int(text)


def json_from_text(text: str) -> Any:
    """A JSON document in a text cell, decoded; text that is not JSON unchanged."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


class FieldValueError(ValueError):
    """Raised by a field type when an input value is invalid; the message says what is expected.

    ``path`` names the sub-field for composite types (``primaryEmail``), so the caller can
    report ``emails.primaryEmail``.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def describe(value: Any) -> str:
    """Return a short, quoted description of ``value`` for error messages."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        text = "an object" if isinstance(value, dict) else "an array"
    return text if len(text) <= 60 else text[:57] + "..."


def items_of(value: Any, what: str) -> list[Any]:
    """``value`` as a list, else a :class:`FieldValueError` saying it should be an array of ``what``."""
    if not isinstance(value, list):
        raise FieldValueError(f"expected an array of {what}, got {describe(value)}")
    return value


def string_items(
    value: Any, what: str = "strings", each: str = "a string", check: Callable[[str], bool] | None = None
) -> list[str]:
    """An array of strings (``what``; each one ``each``, passing ``check`` when given); the error
    names the first bad item."""
    for index, item in enumerate(items_of(value, what)):
        if not isinstance(item, str) or (check is not None and not check(item)):
            raise FieldValueError(f"item {index}: expected {each}, got {describe(item)}")
    return cast(list[str], value)


def object_items(value: Any, what: str, required: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """An array of objects with only ``keys``, each a string or null, ``required`` a string in each;
    the error names the first bad item and key."""
    for index, item in enumerate(items_of(value, f"{what} objects")):
        if not isinstance(item, dict):
            raise FieldValueError(f"item {index}: expected a {what} object, got {describe(item)}")
        for key, sub in item.items():
            if key not in keys:
                raise FieldValueError(f"item {index}: unknown key '{key}'; expected {', '.join(keys)}")
            if sub is not None and not isinstance(sub, str):
                raise FieldValueError(f"item {index}: '{key}' must be a string, got {describe(sub)}")
        if not isinstance(item.get(required), str):
            raise FieldValueError(f"item {index}: '{required}' is required (a string)")
    return cast(list[dict[str, Any]], value)


def merge_lists(values: list[Any]) -> Any:
    """The merge of list values (ARRAY, MULTI_SELECT): every distinct item, highest priority first;
    all empty: the first value as it is (so a merge reports no change)."""
    items: list[Any] = []
    for value in values:
        for item in value if isinstance(value, list) else []:
            if item not in items:
                items.append(item)
    return items if items else (values[0] if values else None)


class FieldType:
    """One field type: validation and normalisation, default, stored form, API output, filters, sort.

    Subclasses set ``name`` (the ``FieldMetadataType``) and override what differs. The stored
    form is what goes into ``Record.data`` under the field's storage key; it is JSON.
    """

    name: ClassVar[str] = ""
    #: Filter comparators this type accepts (REST ``[op]``, GraphQL filter keys).
    operators: ClassVar[frozenset[str]] = EQUALITY
    #: Whether records can be ordered by this field.
    sortable: ClassVar[bool] = True
    #: How the query engine compares stored values: text, number, boolean, json.
    value_kind: ClassVar[str] = "text"
    #: The stored value is a JSON array of strings (or null): it sorts, and is empty, item by item.
    holds_array: ClassVar[bool] = False
    #: Composite types name their sub-fields and the scalar type of each.
    sub_fields: ClassVar[dict[str, FieldType]] = {}
    #: Sub-field whose value takes part in uniqueness for composite types.
    unique_sub_field: ClassVar[str | None] = None
    #: Whether a field of this type may be ``isUnique``: its values are then told apart by
    #: :meth:`unique_value`. False where no value takes part (relations, lists, composites without
    #: a ``unique_sub_field``) or where equal values make no key (true/false, JSON, documents).
    can_be_unique: ClassVar[bool] = True
    #: Whether the type needs ``options`` (SELECT, MULTI_SELECT, RATING).
    has_options: ClassVar[bool] = False
    #: GraphQL identity: the output scalar and the filter input type (by name; core_app/graphql maps them).
    graphql_scalar: ClassVar[str] = "String"
    graphql_filter: ClassVar[str] = "StringFilter"
    #: Aggregate operations of api-reference 2.8 beyond the counts every type has.
    aggregate_operations: ClassVar[frozenset[str]] = frozenset()
    #: How the index path keys this type's values (``core_app.store.keys``): ``text``, ``number``,
    #: ``boolean``, or None when values cannot be indexed (long text, JSON, arrays).
    index_kind: ClassVar[str | None] = "text"
    #: Composite types: the sub-fields an indexed field of this type indexes.
    indexed_sub_fields: ClassVar[tuple[str, ...]] = ()
    #: Sub-fields that decide whether a composite value counts as empty in aggregates (all empty = empty).
    aggregate_sub_fields: ClassVar[tuple[str, ...]] = ()
    #: OpenAPI 3.1 schema of one non-null value; types whose values depend on the field override
    #: :meth:`openapi_value` instead (options, settings, sub-fields).
    openapi_type: ClassVar[Mapping[str, Any]] = {"type": "string"}

    @property
    def is_composite(self) -> bool:
        """True when the value is an object of sub-fields."""
        return bool(self.sub_fields)

    def normalize(self, value: Any, spec: FieldSpec) -> Any:
        """Return the stored form of input ``value``; raise FieldValueError if it is invalid.

        ``None`` has already been handled by the caller (nullability); subclasses receive a
        non-null value.
        """
        raise NotImplementedError

    def normalize_update(self, value: Any, current: Any, spec: FieldSpec) -> Any:
        """Return the stored form of an update; composites merge into ``current``."""
        return self.normalize(value, spec)

    def from_text(self, text: str) -> Any:
        """Return the input value a text cell (a CSV import) stands for.

        Text types take the text as is. A type whose input is not text converts what it can read
        and returns anything else unchanged, so that :meth:`normalize` refuses it in the API's words.
        """
        return text

    def empty_value(self, spec: FieldSpec) -> Any:
        """Return the stored value of a record that was given no value and has no default."""
        return None

    def is_empty(self, stored: Any) -> bool:
        """Return True when ``stored`` counts as no value (for nullability and aggregates)."""
        return stored is None

    def to_api(self, stored: Any, spec: FieldSpec) -> Any:
        """Return the API form of a stored value (``None`` for a missing one)."""
        return stored

    def unique_value(self, stored: Any) -> str | None:
        """Return the string that must be unique across records, or None to take no part."""
        if stored is None or stored == "":
            return None
        return str(stored).lower() if isinstance(stored, str) else str(stored)

    def validate_options(self, options: Any) -> Any:
        """Validate and normalise field ``options``; types without options refuse any."""
        if options not in (None, [], {}):
            raise FieldValueError(f"fields of type {self.name} take no options")
        return None

    def validate_settings(self, settings: Any) -> dict[str, Any] | None:
        """Validate and normalise field ``settings``."""
        if settings is None:
            return None
        if not isinstance(settings, dict):
            raise FieldValueError("settings must be an object")
        return settings

    def merge(self, values: list[Any]) -> Any:
        """Merge the values of records being merged, highest priority first: the first non-empty wins."""
        return next((value for value in values if not self.is_empty(value)), values[0] if values else None)

    def filter_value(self, value: Any, spec: FieldSpec) -> Any:
        """Coerce one filter operand (a string from REST, JSON from GraphQL) to a stored form."""
        return self.normalize(value, spec)

    def openapi_value(self, spec: FieldSpec, write: bool) -> dict[str, Any]:
        """The OpenAPI schema of one non-null value: as the API returns it, or as a body may give it (``write``)."""
        return dict(self.openapi_type)

    def openapi_schema(self, spec: FieldSpec, write: bool = False) -> dict[str, Any]:
        """The OpenAPI schema of ``spec`` in a record (``write``: in a create or update body).

        A nullable field may be ``null``, both ways; a non-nullable one refuses ``null`` on input.
        """
        schema = self.openapi_value(spec, write)
        return with_null(schema) if spec.is_nullable else schema
