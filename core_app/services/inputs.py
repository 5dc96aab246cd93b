"""Validate and normalise record inputs through the field-type table.

Every problem in a request is collected, so a client fixes them all in one go; nothing is
written while any remains.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings

from api_common.rest import nul_path
from core_app.query.search_vector import READ_ONLY_MESSAGE, SEARCH_VECTOR, has_search_vector
from core_app.query.targets import UUID_TYPE
from metadata_app.field_types import FieldValueError, describe
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["RecordInput", "defaults_for", "normalize_input"]


class RecordInput:
    """One normalised input: values by storage key, join ids to check, column values."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.defaults: dict[str, Any] = {}  # values a create fills in; an upsert match ignores them
        self.columns: dict[str, Any] = {}
        self.links: dict[FieldSpec, str | None] = {}
        self.given: list[str] = []  # API names, in input order (for ``updatedFields``)


def writable_field(spec: ObjectSpec, key: str) -> FieldSpec | None:
    """The field written by API key ``key`` (a field name or a join name)."""
    return spec.field(key) or spec.by_join_name.get(key)


def read_only_message(spec: ObjectSpec, key: str) -> str | None:
    """Why ``key`` cannot be written, or None when it can (or when it names nothing: unknown)."""
    field = spec.field(key)
    if field is None:
        return READ_ONLY_MESSAGE if key == SEARCH_VECTOR and has_search_vector(spec) else None
    if field.is_read_only:
        return f"Field '{key}' is read-only: the server sets it"
    if field.relation is not None:
        if field.is_many_to_one:
            return f"Relation '{key}' cannot be written directly; set '{field.join_name}' to the id of a {key} record"
        return f"Relation '{key}' cannot be written from this side; set the join column on the related records"
    return None


def normalize_input(
    spec: ObjectSpec, raw: Any, current: dict[str, Any] | None, prefix: str = ""
) -> tuple[RecordInput, list[str]]:
    """Return the normalised form of ``raw`` and the list of problems (empty when valid).

    ``current`` is the record's stored data on update (composites merge into it), None on create.
    """
    errors: list[str] = []
    result = RecordInput()
    if not isinstance(raw, dict):
        return result, [f"{prefix}the record must be a JSON object, got {describe(raw)}"]
    for key, value in raw.items():
        if nul_path(value) is not None:
            errors.append(f"{prefix}Invalid value for field '{key}': text must not contain NUL characters (\\u0000)")
            continue
        if key == "id":
            if current is not None:
                if value is not None and str(value) != str(current.get("__id__", value)):
                    errors.append(f"{prefix}Field 'id' is read-only")
                continue
            try:
                result.columns["id"] = UUID_TYPE.normalize(value, spec.by_name["id"])
            except FieldValueError as error:
                errors.append(f"{prefix}Invalid value for field 'id': {error.message}")
            continue
        field = writable_field(spec, key)
        message = read_only_message(spec, key)
        if message:
            errors.append(prefix + message)
        elif field is None:
            errors.append(f"{prefix}Unknown field '{key}' on object '{spec.name_singular}'")
        else:
            problem = store_value(field, key, value, current, result)
            if problem:
                errors.append(prefix + problem)
    return result, errors


def store_value(
    field: FieldSpec, key: str, value: Any, current: dict[str, Any] | None, result: RecordInput
) -> str | None:
    """Normalise one value into ``result``; return a problem message or None."""
    result.given.append(key)
    if field.is_many_to_one:  # the key is the join name
        if value is None:
            result.data[field.join_storage_key] = None
            result.links[field] = None
            return None
        try:
            result.data[field.join_storage_key] = result.links[field] = field.field_type.normalize(value, field)
        except FieldValueError as error:
            return f"Invalid value for field '{key}': {error.message}"
        return None
    field_type = field.field_type
    if value is None:
        if not field.is_nullable and not field_type.is_composite:
            return f"Field '{key}' cannot be null"
        stored = field_type.empty_value(field)
    else:
        try:
            if current is not None:
                stored = field_type.normalize_update(value, current.get(field.storage_key), field)
            elif field_type.is_composite and field.default_value is not None:
                # A sub-field the create leaves out takes the field's default, as each of Twenty's
                # sub-field columns does (a CURRENCY defaulting to EUR keeps EUR beside an amount).
                default = field_type.normalize(field.default_value, field)
                stored = field_type.normalize_update(value, default, field)
            else:
                stored = field_type.normalize(value, field)
        except FieldValueError as error:
            where = f"{key}.{error.path}" if error.path else key
            return f"Invalid value for field '{where}': {error.message}"
    size = json_size(stored)
    if size > max_value_bytes():
        return f"Value of field '{key}' is {size} bytes of JSON; at most {max_value_bytes()} are allowed per field"
    if field.column:
        result.columns[field.column] = stored
    else:
        result.data[field.storage_key] = stored
    return None


def json_size(value: Any) -> int:
    """Bytes of ``value`` as JSON (a short text is known to be small without encoding it)."""
    if isinstance(value, str) and len(value) * 6 <= max_value_bytes():  # 6: the longest JSON escape
        return len(value)
    if isinstance(value, (str, dict, list)):
        return len(orjson.dumps(value))
    return 0


def max_value_bytes() -> int:
    """``MAX_FIELD_VALUE_BYTES``, read at call time."""
    return int(getattr(settings, "MAX_FIELD_VALUE_BYTES", 256 * 1024))


def defaults_for(spec: ObjectSpec, given: RecordInput, prefix: str = "") -> list[str]:
    """Fill the values a create did not give (defaults, empty composites); return problems."""
    errors = []
    for field in spec.fields:
        if field.column or field.relation is not None or field.storage_key in given.data:
            continue
        field_type = field.field_type
        if field.default_value is not None:
            given.defaults[field.storage_key] = (
                field_type.normalize(field.default_value, field) if field_type.is_composite else field.default_value
            )
        elif field_type.is_composite:
            given.defaults[field.storage_key] = field_type.empty_value(field)
        elif not field.is_nullable:
            errors.append(f"{prefix}Field '{field.name}' is required")
        # A nullable field without a value stores nothing: a missing key reads as null.
    return errors
