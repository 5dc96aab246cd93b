"""The read path: stored rows to API records, straight through the field-type table.

``record_to_api`` uses a per-object output plan memoised on the schema snapshot (no
serializer instances per record). ``embed_relations`` adds ``depth`` levels with one query
per relation and level, whatever the page size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import F, Window
from django.db.models.fields.json import KT
from django.db.models.functions import RowNumber

from core_app.models import Record
from core_app.query.lookups import JsonValueIn
from metadata_app.field_types.scalars import format_instant
from metadata_app.registry import schema_registry
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["NESTED_LIMIT", "embed_relations", "output_plan", "record_to_api"]

#: Records embedded per ONE_TO_MANY relation and parent.
NESTED_LIMIT = 60

Getter = Callable[[Record], Any]


def column_getter(field: FieldSpec) -> Getter:
    """Read a system column in its API form."""
    column = field.column
    if column == "id":
        return lambda record: str(record.id)
    if column in ("created_at", "updated_at", "deleted_at"):
        return lambda record: format_instant(value) if (value := getattr(record, column)) else None
    field_type = field.field_type
    return lambda record: field_type.to_api(getattr(record, column), field)


def data_getter(field: FieldSpec) -> Getter:
    """Read a ``data`` value in its API form."""
    key, field_type = field.storage_key, field.field_type
    if field_type.is_composite:
        return lambda record: field_type.to_api(record.data.get(key), field)
    return lambda record: record.data.get(key)


def output_plan(snapshot: SchemaSnapshot, spec: ObjectSpec) -> tuple[tuple[str, Getter], ...]:
    """``(api name, getter)`` for every returned key of ``spec``, memoised per snapshot."""

    def build() -> tuple[tuple[str, Getter], ...]:
        plan: list[tuple[str, Getter]] = []
        for field in spec.fields:
            if field.is_many_to_one:
                key = field.join_storage_key
                plan.append((field.join_name, lambda record, key=key: record.data.get(key)))
            elif field.relation is None:
                plan.append((field.name, column_getter(field) if field.column else data_getter(field)))
        return tuple(plan)

    return schema_registry.memo(snapshot, f"output:{spec.id}", build)


def record_to_api(
    record: Record, plan: Iterable[tuple[str, Getter]], selection: frozenset[str] | None = None
) -> dict[str, Any]:
    """The API form of one record (only ``selection`` keys, plus ``id``, when given)."""
    if selection is None:
        return {name: get(record) for name, get in plan}
    return {name: get(record) for name, get in plan if name in selection or name == "id"}


def related_records(target: ObjectSpec, workspace_id: Any):
    """Live records of ``target`` in the workspace."""
    return Record.objects.filter(workspace_id=workspace_id, object_id=target.id, deleted_at__isnull=True)


def children_of(target: ObjectSpec, join_key: str, parent_ids: list[str], workspace_id: Any) -> list[Record]:
    """Records of ``target`` pointing at any of ``parent_ids``, at most NESTED_LIMIT per parent."""
    rows = (
        related_records(target, workspace_id)
        .filter(JsonValueIn("data", (join_key,), parent_ids))
        .annotate(_parent=KT(f"data__{join_key}"))
        # id order, the default of every list in both APIs, so REST depth and GraphQL nesting agree.
        .annotate(_rank=Window(RowNumber(), partition_by=[F("_parent")], order_by=[F("id").asc()]))
        .filter(_rank__lte=NESTED_LIMIT)
        .order_by("id")
    )
    return list(rows)


def embed_relations(
    outputs: list[dict[str, Any]],
    records: list[Record],
    spec: ObjectSpec,
    snapshot: SchemaSnapshot,
    depth: int,
    selection: frozenset[str] | None = None,
) -> None:
    """Add MANY_TO_ONE records (objects) and ONE_TO_MANY lists to ``outputs``, ``depth`` levels deep.

    ``selection`` (REST ``fields``) limits the first level to the relations it names.
    """
    if depth <= 0 or not records:
        return
    workspace_id = records[0].workspace_id
    for field in spec.relations:
        if selection is not None and field.name not in selection:
            continue
        target = snapshot.by_id.get(field.relation.target_object_id)
        if target is None:
            continue
        plan = output_plan(snapshot, target)
        if field.is_many_to_one:
            ids = {r.data.get(field.join_storage_key) for r in records} - {None}
            found = list(related_records(target, workspace_id).filter(id__in=ids)) if ids else []
            shaped = [record_to_api(r, plan) for r in found]
            embed_relations(shaped, found, target, snapshot, depth - 1)
            by_id = {item["id"]: item for item in shaped}
            for output, record in zip(outputs, records):
                output[field.name] = by_id.get(record.data.get(field.join_storage_key))
        else:
            inverse = target.field(field.relation.target_field_name or "")
            if inverse is None or not inverse.is_many_to_one:
                continue
            found = children_of(target, inverse.join_storage_key, [str(r.id) for r in records], workspace_id)
            shaped = [record_to_api(r, plan) for r in found]
            embed_relations(shaped, found, target, snapshot, depth - 1)
            grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for item, record in zip(shaped, found):
                grouped[record.data.get(inverse.join_storage_key)].append(item)
            for output, record in zip(outputs, records):
                output[field.name] = grouped.get(str(record.id), [])
