"""Resolve an API field path (``name.firstName``, ``companyId``, ``createdAt``) to what the query
engine compares and sorts: a record column or a path inside ``data``, the scalar field type that
owns the comparison, and the index slot that keeps it (when the field is indexed).

SQL of a target is written against a :class:`Source`, which knows the record alias and, on
PostgreSQL, the lateral ``jsonb_to_record`` that reads a record's JSON once for every condition
of a query (see ``core_app.query.compiler``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core_app.query.errors import FilterSyntaxError
from core_app.query.search_vector import SEARCH_VECTOR, TS_VECTOR, search_vector_field
from core_app.store.slots import ObjectSlots, Slot
from core_app.store.sql import Dialect, quote_literal
from metadata_app.field_types import FIELD_TYPES, FieldType
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["UUID_TYPE", "Source", "Target", "filter_error", "resolve_target"]

UUID_TYPE = FIELD_TYPES["UUID"]
INSTANT_COLUMNS = frozenset({"created_at", "updated_at", "deleted_at"})


@dataclass
class Source:
    """Where SQL reads record values from: the record alias, and optionally a lateral of ``data`` keys.

    ``lateral`` maps a top-level ``data`` key to its column in the lateral (PostgreSQL only).
    """

    d: Dialect
    alias: str = "r"
    lateral: dict[str, str] = field(default_factory=dict)
    lateral_alias: str = "v"

    def column(self, name: str) -> str:
        """A record column."""
        return f"{self.alias}.{name}"

    def json_text(self, column: str, path: tuple[str, ...]) -> str:
        """The text (or NULL) of the JSON value at ``path`` of ``column``."""
        if column == "data" and path and path[0] in self.lateral:
            base = f"{self.lateral_alias}.{self.lateral[path[0]]}"
            inner = "{" + ",".join(path[1:]) + "}"
            return f"({base} #>> {quote_literal(inner)})"
        return self.d.json_text(self.column(column), path)

    def read_once(self, key: str) -> None:
        """Read the top-level ``data`` key ``key`` through the lateral (PostgreSQL)."""
        self.lateral.setdefault(key, '"' + key.replace('"', '""') + '"')

    def lateral_sql(self) -> str:
        """The ``CROSS JOIN LATERAL`` clause reading every listed key once per record ('' if none)."""
        if not self.lateral:
            return ""
        columns = ", ".join(f"{name} jsonb" for name in self.lateral.values())
        # jsonb_to_record detoasts the record's JSON once and extracts every key in one pass; each
        # condition then reads a small value instead of the whole document again.
        return f" CROSS JOIN LATERAL jsonb_to_record({self.alias}.data) AS {self.lateral_alias}({columns})"


@dataclass(frozen=True)
class Target:
    """Where a field path's value lives, which scalar type compares it and which slot indexes it."""

    api_path: str
    field: FieldSpec
    scalar: FieldType
    column: str | None  # a record column holding the value itself
    json_column: str  # the JSON column holding the value (data, or created_by/updated_by for ACTOR)
    json_path: tuple[str, ...]  # keys inside json_column
    slot: Slot | None = None

    @property
    def is_column(self) -> bool:
        """True when a record column holds the value itself (not a JSON path inside it)."""
        return bool(self.column) and not self.json_path

    @property
    def top_key(self) -> str | None:
        """The top-level ``data`` key this target reads (None for columns)."""
        return self.json_path[0] if self.json_column == "data" and self.json_path else None

    def raw(self, src: Source) -> str:
        """The stored value: a column, or the JSON value as text (NULL for a missing key or JSON null)."""
        if self.is_column:
            return src.column(self.column or "")
        return src.json_text(self.json_column, self.json_path)

    def typed(self, src: Source) -> str:
        """The value as it compares and sorts: numbers as numbers, text byte-wise on both databases."""
        raw = self.raw(src)
        if self.is_column:
            return raw
        if self.scalar.value_kind == "number":
            return src.d.number(raw)
        if self.scalar.value_kind == "text":
            return src.d.text_bytes(raw)
        return raw

    def is_null(self, src: Source) -> str:
        """Records holding no value here (key missing or JSON null)."""
        return f"{self.raw(src)} IS NULL"

    def param(self, src: Source, value: Any) -> Any:
        """A normalised API value as a parameter compared with :meth:`typed` (or the column)."""
        if self.is_column:
            if self.column in INSTANT_COLUMNS and isinstance(value, str):
                value = datetime.fromisoformat(value)
            if self.column == "id" and isinstance(value, str):
                return src.d.uuid_in(value)
            if isinstance(value, datetime):
                return src.d.instant_in(value)
        if self.scalar.value_kind == "boolean" and isinstance(value, bool):
            return src.d.boolean_in(value)
        return value


def filter_error(message: str) -> FilterSyntaxError:
    """A 400 about the meaning (not the syntax) of a filter."""
    return FilterSyntaxError(f"'filter' invalid. {message}")


def resolve_target(
    spec: ObjectSpec,
    path: tuple[str, ...],
    error: Callable[[str], Exception] = filter_error,
    slots: ObjectSlots | Mapping[str, Slot] | None = None,
) -> Target:
    """Return the target of ``path`` on ``spec``; ``error(message)`` builds the exception to raise.

    With ``slots``, the target carries its index slot when the path is indexed.
    """
    target = _resolve(spec, path, error)
    if slots is not None:
        by_path = slots.by_path if isinstance(slots, ObjectSlots) else slots
        slot = by_path.get(target.api_path)
        if slot is not None:
            return replace(target, slot=slot)
    return target


def _resolve(spec: ObjectSpec, path: tuple[str, ...], error: Callable[[str], Exception]) -> Target:
    head, rest = path[0], path[1:]
    api_path = ".".join(path)
    found = spec.field(head)
    if found is None and head in spec.by_join_name:
        if rest:
            raise error(f"'{api_path}' is invalid: '{head}' has no sub-fields")
        relation = spec.by_join_name[head]
        return Target(api_path, relation, UUID_TYPE, None, "data", (relation.join_storage_key,))
    if found is None and head == SEARCH_VECTOR:
        # The object's search index (api-reference §13): filtered with ``search`` only.
        if rest:
            raise error(f"'{api_path}' is invalid: '{head}' has no sub-fields")
        return Target(api_path, search_vector_field(spec), TS_VECTOR, None, "data", ())
    if found is None:
        raise error(f"Field '{head}' does not exist on object '{spec.name_singular}'")
    if found.relation is not None:
        hint = f"its join column {found.join_name}" if found.is_many_to_one else "the join column of the other object"
        raise error(f"Relation '{head}' cannot be used directly; use {hint}")
    field_type = found.field_type
    if field_type.is_composite:
        subs = ", ".join(field_type.sub_fields)
        if len(rest) != 1 or rest[0] not in field_type.sub_fields:
            example = next(iter(field_type.sub_fields))
            if rest:  # a sub-field it does not have, or a path below one
                raise error(
                    f"'{api_path}' is invalid: field '{head}' ({found.type}) has the sub-fields {subs}, "
                    f"e.g. {head}.{example}"
                )
            raise error(
                f"Field '{head}' is of type {found.type}: use one of its sub-fields ({subs}), e.g. {head}.{example}"
            )
        scalar = field_type.sub_fields[rest[0]]
        if found.column:
            return Target(api_path, found, scalar, found.column, found.column, (rest[0],))
        return Target(api_path, found, scalar, None, "data", (found.storage_key, rest[0]))
    if rest:
        raise error(f"'{api_path}' is invalid: '{head}' has no sub-fields")
    if found.column:
        return Target(api_path, found, field_type, found.column, found.column, ())
    return Target(api_path, found, field_type, None, "data", (found.storage_key,))
