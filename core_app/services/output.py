"""The read path's last step: stored rows to API records, straight through the field-type table.

``record_to_api`` uses a per-object output plan memoised on the schema snapshot (no serializer
or model instance per record). Related records are attached by ``core_app.services.loading``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from core_app.store.records import RecordRow
from metadata_app.field_types.scalars import format_instant
from metadata_app.registry import schema_registry
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["NESTED_LIMIT", "output_plan", "record_to_api"]

#: Records embedded per ONE_TO_MANY relation and parent.
NESTED_LIMIT = 60

Getter = Callable[[RecordRow], Any]


def column_getter(field: FieldSpec) -> Getter:
    """Read a system column in its API form."""
    column = field.column
    assert column is not None, "column_getter reads fields stored in a record column"
    if column == "id":
        return lambda record: record.id
    if column in ("created_at", "updated_at", "deleted_at"):
        return lambda record: format_instant(value) if (value := getattr(record, column)) else None
    field_type = field.field_type
    return lambda record: field_type.to_api(getattr(record, column), field)


def key_getter(key: str) -> Getter:
    """Read the stored ``data`` value under ``key`` as it is."""
    return lambda record: record.data.get(key)


def data_getter(field: FieldSpec) -> Getter:
    """Read a ``data`` value in its API form."""
    key, field_type = field.storage_key, field.field_type
    if not field_type.is_composite:
        return key_getter(key)
    # The API form of a composite is every sub-field in the type's order (a stored object may lack
    # some, and PostgreSQL's jsonb keeps keys in an order of its own): that is ``to_api``,
    # unrolled here with its empty value computed once, as the read path calls it per record.
    empty = field_type.to_api(None, field)
    pairs = tuple(empty.items())

    def get(record: RecordRow) -> Any:
        stored = record.data.get(key)
        if not isinstance(stored, dict):
            return dict(empty) if stored is None else field_type.to_api(stored, field)
        return {name: stored.get(name, default) for name, default in pairs}

    return get


def output_plan(snapshot: SchemaSnapshot, spec: ObjectSpec) -> tuple[tuple[str, Getter], ...]:
    """``(api name, getter)`` for every returned key of ``spec``, memoised per snapshot."""

    def build() -> tuple[tuple[str, Getter], ...]:
        plan: list[tuple[str, Getter]] = []
        for field in spec.fields:
            if field.is_many_to_one:
                plan.append((field.join_name, key_getter(field.join_storage_key)))
            elif field.relation is None:
                plan.append((field.name, column_getter(field) if field.column else data_getter(field)))
        return tuple(plan)

    return schema_registry.memo(snapshot, f"output:{spec.id}", build)


def record_to_api(
    record: RecordRow, plan: Iterable[tuple[str, Getter]], selection: frozenset[str] | None = None
) -> dict[str, Any]:
    """The API form of one record (only ``selection`` keys, plus ``id``, when given)."""
    if selection is None:
        return {name: get(record) for name, get in plan}
    return {name: get(record) for name, get in plan if name in selection or name == "id"}
