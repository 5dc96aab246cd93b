"""Uniqueness of ``isUnique`` fields through the ``UniqueValue`` side table.

The database's unique constraint on (field, value) is what guarantees uniqueness under
concurrency; the look-ups here only produce precise messages before writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core_app.models import Record, UniqueValue
from core_app.services.context import RecordContext

__all__ = ["find_holders", "register", "unique_pairs", "unregister"]


def unique_pairs(ctx: RecordContext, data: dict[str, Any]) -> dict[str, str]:
    """``field id -> unique value`` of a record's stored data (fields without a value left out)."""
    pairs = {}
    for field in ctx.spec.unique_fields:
        if field.storage_key in data:
            value = field.field_type.unique_value(data[field.storage_key])
            if value is not None:
                pairs[field.id] = value
    return pairs


def find_holders(ctx: RecordContext, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Which records hold these (field id, value) pairs now: ``(field, value) -> record id``."""
    pairs = list(pairs)
    if not pairs:
        return {}
    fields = {f for f, _ in pairs}
    values = {v for _, v in pairs}
    rows = UniqueValue.objects.filter(object_id=ctx.spec.id, field_id__in=fields, value__in=values)
    return {(str(f), v): str(r) for f, v, r in rows.values_list("field_id", "value", "record_id")}


def register(ctx: RecordContext, records: Iterable[tuple[Record, dict[str, str]]]) -> None:
    """Insert the unique values of new or changed records (one statement)."""
    rows = [
        UniqueValue(object_id=ctx.spec.id, field_id=field_id, record_id=record.pk, value=value)
        for record, pairs in records
        for field_id, value in pairs.items()
    ]
    if rows:
        UniqueValue.objects.bulk_create(rows)


def unregister(record_ids: Iterable[Any], field_ids: Iterable[str] | None = None) -> None:
    """Drop the unique values of records (only of ``field_ids`` when given)."""
    queryset = UniqueValue.objects.filter(record_id__in=list(record_ids))
    if field_ids is not None:
        queryset = queryset.filter(field_id__in=list(field_ids))
    queryset.delete()
