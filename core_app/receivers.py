"""How the record store takes part in data-model changes (see metadata_app.signals_data).

Decisions, documented in the README:

- ``isNullable`` true -> false: refused while any record has no value, with the count.
- ``isUnique`` false -> true: refused while values are shared, with the count of records
  involved; otherwise every current value is registered in ``UniqueValue``. true -> false
  drops the registrations.
- A new field with a ``defaultValue`` gives that value to every existing record (one UPDATE);
  changing ``defaultValue`` later applies to records created afterwards only.
- Removing SELECT/MULTI_SELECT options: records holding a removed value get the field's
  default (when it is still an option) or no value; a non-nullable field without a usable
  default refuses the change with the count.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Func, JSONField, Q, Value
from django.dispatch import receiver

from core_app.models import Record, UniqueValue
from metadata_app.models import FieldMetadata, ObjectMetadata
from metadata_app.registry import build_field_spec
from metadata_app.signals_data import field_added, field_data_changing, object_has_records

__all__ = ["on_field_added", "on_field_data_changing", "on_object_has_records"]


def plural(count: int, noun: str) -> str:
    """``1 record`` / ``3 records``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def verb(count: int, singular: str, plural_form: str) -> str:
    """The verb form agreeing with ``count`` (``has`` / ``have``)."""
    return singular if count == 1 else plural_form


@receiver(object_has_records)
def on_object_has_records(sender, obj: ObjectMetadata, **kwargs) -> bool:
    """Answer whether ``obj`` has records, deleted ones included."""
    return Record.objects.filter(object=obj).exists()


def records_of(field: FieldMetadata):
    """Records of the field's object, soft-deleted ones included."""
    return Record.objects.filter(object_id=field.object_id)


def empty_records(field: FieldMetadata):
    """Records holding no value for ``field`` (key missing or JSON null)."""
    key = field.storage_key
    return records_of(field).filter(Q(**{f"data__{key}__isnull": True}) | Q(**{f"data__{key}": None}))


class JsonMerge(Func):
    """``data`` with the keys of a JSON object added or replaced (``||`` on PostgreSQL, ``json_patch`` on SQLite)."""

    output_field = JSONField()

    def __init__(self, column: str, values: dict[str, Any]) -> None:
        super().__init__(F(column), Value(json.dumps(values)))

    def as_sql(self, compiler, connection, **extra):
        (column, params), (value, value_params) = (compiler.compile(e) for e in self.source_expressions)
        return f"({column} || ({value})::jsonb)", [*params, *value_params]

    def as_sqlite(self, compiler, connection, **extra):
        (column, params), (value, value_params) = (compiler.compile(e) for e in self.source_expressions)
        return f"json_patch({column}, {value})", [*params, *value_params]


@receiver(field_added)
def on_field_added(sender, field: FieldMetadata, **kwargs) -> None:
    """Give every existing record the new field's default value, in one statement."""
    if field.default_value is not None:
        records_of(field).update(data=JsonMerge("data", {field.storage_key: field.default_value}))


@receiver(field_data_changing)
def on_field_data_changing(
    sender, field: FieldMetadata, before: dict[str, Any], after: dict[str, Any], **kwargs
) -> None:
    """Check and carry out what a field change means for existing records."""
    if after.get("is_nullable") is False and before.get("is_nullable") is True and field.column_backed is False:
        count = empty_records(field).count()
        if count:
            raise ValidationError(
                f'Cannot make field "{field.name}" non-nullable: {plural(count, "record")} '
                f"{verb(count, 'has', 'have')} no value. Give them a value first.",
                code="NULLABLE_CONFLICT",
            )
    if "options" in after:
        clean_removed_options(field, after)
    if after.get("is_unique") is True and not before.get("is_unique"):
        register_unique_values(field)
    elif after.get("is_unique") is False and before.get("is_unique"):
        UniqueValue.objects.filter(field=field).delete()


def register_unique_values(field: FieldMetadata) -> None:
    """Register every current value of ``field``; refuse when values are shared."""
    field_type = build_field_spec(field, {}).field_type
    holders: dict[str, list[Any]] = defaultdict(list)
    for record_id, value in records_of(field).values_list("id", f"data__{field.storage_key}").iterator():
        unique = field_type.unique_value(value)
        if unique is not None:
            holders[unique].append(record_id)
    conflicts = sum(len(ids) for ids in holders.values() if len(ids) > 1)
    if conflicts:
        shared = sum(1 for ids in holders.values() if len(ids) > 1)
        raise ValidationError(
            f'Cannot make field "{field.name}" unique: {plural(conflicts, "record")} share '
            f"{plural(shared, 'value')} with another record. Make their values distinct first.",
            code="UNIQUE_CONFLICT",
        )
    UniqueValue.objects.bulk_create(
        [
            UniqueValue(object_id=field.object_id, field=field, record_id=ids[0], value=value)
            for value, ids in holders.items()
        ],
        batch_size=1000,
    )


def clean_removed_options(field: FieldMetadata, after: dict[str, Any]) -> None:
    """Replace values of removed options by the default (or no value) in every record."""
    old = {o["value"] for o in field.options or ()}
    new = {o["value"] for o in after["options"] or ()}
    removed = old - new
    if not removed:
        return
    default = after.get("default_value", field.default_value)
    # Only a SELECT default (one value) can stand in for a removed value; a MULTI_SELECT
    # default is a list, and its records just lose the removed values.
    replacement = default if isinstance(default, str) and default in new else None
    is_nullable = after.get("is_nullable", field.is_nullable)
    key = field.storage_key
    changed = []
    for record in records_of(field).filter(**{f"data__{key}__isnull": False}).only("id", "data").iterator():
        value = record.data.get(key)
        if isinstance(value, list):
            kept = [v for v in value if v not in removed]
            if kept != value:
                record.data[key] = kept
                changed.append(record)
        elif value in removed:
            record.data[key] = replacement
            changed.append(record)
    if changed and replacement is None and not is_nullable and field.type != "MULTI_SELECT":
        raise ValidationError(
            f'Cannot remove options {", ".join(sorted(removed))} of field "{field.name}": '
            f"{plural(len(changed), 'record')} {verb(len(changed), 'holds', 'hold')} them and the field is non-nullable "
            "without a default among the new options",
            code="OPTIONS_CONFLICT",
        )
    Record.objects.bulk_update(changed, ["data"], batch_size=500)
