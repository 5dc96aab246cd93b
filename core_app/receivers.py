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
- Every change ends with the index path in step with the new data model (new indexed fields
  backfilled, removed ones dropped), in the same transaction.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.dispatch import receiver

from core_app.graphql.type_names import type_name_clash
from core_app.store import maintenance, unique, writer
from core_app.store.slots import build_object_slots
from core_app.store.sql import dialect, rows, run
from core_app.store.writer import index_state
from metadata_app.field_types import FieldValueError
from metadata_app.models import FieldMetadata, ObjectMetadata
from metadata_app.registry import build_field_spec, build_snapshot
from metadata_app.signals_data import (
    data_model_changed,
    field_added,
    field_data_changing,
    field_removing,
    object_created,
    object_has_records,
    object_removing,
    workspace_deleting,
)
from metadata_app.specs import SchemaSnapshot

__all__ = [
    "on_data_model_changed",
    "on_field_added",
    "on_field_data_changing",
    "on_field_removing",
    "on_object_created",
    "on_object_has_records",
    "on_object_removing",
    "on_workspace_deleting",
]


def plural(count: int, noun: str) -> str:
    """``1 record`` / ``3 records``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def verb(count: int, singular: str, plural_form: str) -> str:
    """The verb form agreeing with ``count`` (``has`` / ``have``)."""
    return singular if count == 1 else plural_form


def scope_params(field: FieldMetadata) -> list[Any]:
    """Workspace and object of a field, as parameters."""
    d = dialect()
    return [d.uuid_in(str(field.workspace_id)), d.uuid_in(str(field.object_id))]


@receiver(object_has_records)
def on_object_has_records(sender: Any, obj: ObjectMetadata, **kwargs: Any) -> bool:
    """Answer whether ``obj`` has records, deleted ones included."""
    d = dialect()
    found = rows(
        "SELECT 1 FROM core_app_record WHERE workspace_id = %s AND object_id = %s LIMIT 1",
        [d.uuid_in(str(obj.workspace_id)), d.uuid_in(str(obj.pk))],
    )
    return bool(found)


@receiver(field_added)
def on_field_added(sender: Any, field: FieldMetadata, **kwargs: Any) -> None:
    """Give every existing record the new field's default value, in one statement; a unique field
    registers it, and is refused when more than one record (trash included) would hold it."""
    if field.default_value is None:
        return
    d = dialect()
    if field.is_unique:
        (count,) = rows(
            "SELECT COUNT(*) FROM core_app_record WHERE workspace_id = %s AND object_id = %s", scope_params(field)
        )[0]
        if count > 1:
            raise ValidationError(
                f'Field "{field.name}" cannot be unique with a default value here: the {count} existing records '
                "would all hold it. Create it without a default value, or not unique.",
                code="UNIQUE_CONFLICT",
            )
    merged = "data || %s::jsonb" if d.vendor == "postgresql" else "json_patch(data, %s)"
    run(
        f"UPDATE core_app_record SET data = {merged} WHERE workspace_id = %s AND object_id = %s",
        [d.json_in({field.storage_key: field.default_value}), *scope_params(field)],
    )
    if field.is_unique:
        register_unique_values(field)


def count_empty(field: FieldMetadata) -> int:
    """Records (trash included) holding no value for ``field`` (key missing or JSON null)."""
    d = dialect()
    value = d.json_text("data", (field.storage_key,))
    return int(
        rows(
            f"SELECT COUNT(*) FROM core_app_record WHERE workspace_id = %s AND object_id = %s AND {value} IS NULL",
            scope_params(field),
        )[0][0]
    )


@receiver(field_data_changing)
def on_field_data_changing(
    sender: Any, field: FieldMetadata, before: dict[str, Any], after: dict[str, Any], **kwargs: Any
) -> None:
    """Check and carry out what a field change means for existing records."""
    if after.get("is_nullable") is False and before.get("is_nullable") is True and field.column_backed is False:
        count = count_empty(field)
        if count:
            raise ValidationError(
                f'Cannot make field "{field.name}" non-nullable: {plural(count, "record")} '
                f"{verb(count, 'has', 'have')} no value. Give them a value first.",
                code="NULLABLE_CONFLICT",
            )
    if "options" in after:
        clean_removed_options(field, after)
    if "settings" in after and (after["settings"] or {}).get("dataType") != (before.get("settings") or {}).get(
        "dataType"
    ):
        check_values_fit(field, after["settings"])
    if after.get("is_unique") is True and not before.get("is_unique"):
        register_unique_values(field)
    elif after.get("is_unique") is False and before.get("is_unique"):
        d = dialect()
        run(
            "DELETE FROM core_app_uniquevalue WHERE workspace_id = %s AND field_id = %s",
            [d.uuid_in(str(field.workspace_id)), d.uuid_in(str(field.pk))],
        )


def check_values_fit(field: FieldMetadata, settings: dict[str, Any]) -> None:
    """Refuse new ``settings`` (a NUMBER's ``dataType``) while records (trash included) hold values they refuse."""
    candidate = copy.copy(field)
    candidate.settings = settings
    spec = build_field_spec(candidate, {})
    misfits, example = 0, None
    for batch in maintenance.iter_records(str(field.workspace_id), str(field.object_id), live_only=False):
        for record in batch:
            value = record.data.get(field.storage_key)
            if value is None:
                continue
            try:
                spec.field_type.normalize(value, spec)
            except FieldValueError:
                misfits += 1
                example = value if example is None else example
    if misfits:
        raise ValidationError(
            f'Cannot change the dataType of field "{field.name}" to {settings.get("dataType")}: '
            f"{plural(misfits, 'record')} {verb(misfits, 'holds', 'hold')} a value it cannot take "
            f"(such as {example!r}). Change those values first.",
            code="DATA_TYPE_CONFLICT",
        )


def register_unique_values(field: FieldMetadata) -> None:
    """Register every current value of ``field``; refuse when values are shared."""
    field_type = build_field_spec(field, {}).field_type
    holders: dict[str, list[str]] = defaultdict(list)
    for batch in maintenance.iter_records(str(field.workspace_id), str(field.object_id), live_only=False):
        for record in batch:
            value = field_type.unique_value(record.data.get(field.storage_key))
            if value is not None:
                holders[value].append(record.id)
    conflicts = sum(len(ids) for ids in holders.values() if len(ids) > 1)
    if conflicts:
        shared = sum(1 for ids in holders.values() if len(ids) > 1)
        raise ValidationError(
            f'Cannot make field "{field.name}" unique: {plural(conflicts, "record")} share '
            f"{plural(shared, 'value')} with another record. Make their values distinct first.",
            code="UNIQUE_CONFLICT",
        )
    triples = [(str(field.pk), value, ids[0]) for value, ids in holders.items()]
    for start in range(0, len(triples), 1000):
        unique.register(str(field.workspace_id), str(field.object_id), triples[start : start + 1000])


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
    snapshot = build_snapshot(field.workspace_id, 0)
    spec = snapshot.by_id.get(str(field.object_id))
    slots = build_object_slots(spec) if spec is not None else None
    changed = []
    for batch in maintenance.iter_records(str(field.workspace_id), str(field.object_id), live_only=False):
        for record in batch:
            value = record.data.get(key)
            before = index_state(slots, record) if slots is not None else None
            if isinstance(value, list):
                kept = [v for v in value if v not in removed]
                if kept == value:
                    continue
                record.data = {**record.data, key: kept}
            elif value in removed:
                record.data = {**record.data, key: replacement}
            else:
                continue
            changed.append((record, before))
    if changed and replacement is None and not is_nullable and field.type != "MULTI_SELECT":
        raise ValidationError(
            f'Cannot remove options {", ".join(sorted(removed))} of field "{field.name}": '
            f"{plural(len(changed), 'record')} {verb(len(changed), 'holds', 'hold')} them and the field is non-nullable "
            "without a default among the new options",
            code="OPTIONS_CONFLICT",
        )
    if slots is not None:
        for start in range(0, len(changed), 500):
            writer.update(slots, changed[start : start + 500])  # type: ignore[arg-type]


def refuse_type_name_clash(snapshot: SchemaSnapshot) -> None:
    """A 400 for a data model whose GraphQL schema could not be built (two types of one name)."""
    clash = type_name_clash(snapshot)
    if clash is not None:
        raise ValidationError(clash, code="NAME_NOT_AVAILABLE")


@receiver(object_created)
def on_object_created(sender: Any, workspace_id: Any, **kwargs: Any) -> None:
    """Refuse a new object whose GraphQL types would clash (its records need no index sync yet)."""
    refuse_type_name_clash(build_snapshot(workspace_id, 0))


@receiver(data_model_changed)
def on_data_model_changed(sender: Any, workspace_id: Any, **kwargs: Any) -> None:
    """Refuse a data model whose GraphQL types would clash; bring the index path and the search index in step."""
    snapshot = build_snapshot(workspace_id, 0)
    refuse_type_name_clash(snapshot)
    maintenance.sync_slots(snapshot)
    maintenance.sync_search(snapshot)


@receiver(field_removing)
def on_field_removing(sender: Any, field: FieldMetadata, **kwargs: Any) -> None:
    """A field is deleted: its index rows and unique values go with it."""
    maintenance.purge_field(str(field.workspace_id), build_field_spec(field, {}))


@receiver(object_removing)
def on_object_removing(sender: Any, obj: ObjectMetadata, **kwargs: Any) -> None:
    """An object is deleted: its records go with it (index rows, unique values and counters too),
    and so do the records of other objects that a ``CASCADE`` relation ties to them."""
    workspace_id = str(obj.workspace_id)
    pointing = FieldMetadata.objects.filter(relation_target_object=obj, type="RELATION").exclude(object=obj)
    for spec in (build_field_spec(field, {}) for field in pointing):
        if spec.is_many_to_one and spec.relation is not None and spec.relation.on_delete == "CASCADE":
            maintenance.purge_pointing(workspace_id, spec.object_id, spec.join_storage_key)
    field_ids = [str(pk) for pk in FieldMetadata.objects.filter(object=obj).values_list("pk", flat=True)]
    maintenance.purge_object(workspace_id, str(obj.pk), field_ids)


@receiver(workspace_deleting)
def on_workspace_deleting(sender: Any, workspace_id: Any, **kwargs: Any) -> None:
    """A workspace is deleted: everything the store holds for it goes too, table by table."""
    maintenance.purge_workspace(str(workspace_id))
