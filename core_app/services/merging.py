"""Merge records (``PATCH /rest/{plural}/merge``, GraphQL ``merge{Plural}``).

The record at ``conflictPriorityIndex`` is kept. Each of its empty values is filled from the
other records in the order given (types with lists, such as EMAILS, also keep the others'
values as extras). Records linked to the merged-away records are re-linked to the kept one;
then the merged-away records go to the trash, as in Twenty (without the unique values the kept
record took from them). ``dryRun`` returns the result without writing.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from core_app import access
from core_app.services import writing
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput, RecordNotFound
from core_app.services.inputs import RecordInput
from core_app.store.records import RecordRow, fetch_by_ids

__all__ = ["MAX_MERGE_RECORDS", "merge_records"]

MAX_MERGE_RECORDS = 9


def read_ids(ids: Any) -> list[str]:
    """2 to 9 distinct record ids."""
    if not isinstance(ids, list) or not 2 <= len(ids) <= MAX_MERGE_RECORDS:
        raise InvalidRecordInput(f"'ids' must be an array of 2 to {MAX_MERGE_RECORDS} record ids")
    try:
        parsed = [str(uuid.UUID(str(i))) for i in ids]
    except ValueError:
        raise InvalidRecordInput("'ids' must contain valid UUIDs") from None
    if len(set(parsed)) != len(parsed):
        raise InvalidRecordInput("'ids' must not repeat a record")
    return parsed


def merged_data(ctx: RecordContext, ordered: list[RecordRow]) -> dict[str, Any]:
    """Values of the kept record, with empty ones filled by field type from the others."""
    data = dict(ordered[0].data)
    for field in ctx.spec.fields:
        if field.column or (field.relation is not None and not field.is_many_to_one):
            continue
        key = field.join_storage_key if field.is_many_to_one else field.storage_key
        values = [record.data.get(key) for record in ordered]
        data[key] = field.field_type.merge(values) if not field.is_many_to_one else next((v for v in values if v), None)
    return data


def merged_field_names(ctx: RecordContext, given: RecordInput) -> list[str]:
    """API names of the fields the merge changed on the kept record."""
    names = []
    for field in ctx.spec.fields:
        key = field.join_storage_key if field.is_many_to_one else field.storage_key
        if key in given.data:
            names.append(field.join_name if field.is_many_to_one else field.name)
    return names


def relink_children(ctx: RecordContext, kept: RecordRow, others: list[RecordRow]) -> None:
    """Point records that reference the merged-away records at the kept one."""
    other_ids = [r.id for r in others]
    for target_ctx, inverse in ctx.referencing():
        writing.relink(target_ctx, target_ctx.records_pointing_at(inverse, other_ids), inverse, kept.id)


def release_taken_values(ctx: RecordContext, kept: RecordRow, others: list[RecordRow], data: dict[str, Any]) -> None:
    """Empty, in ``others``, the unique values the kept record takes with ``data`` (written, not announced:
    their trash event follows with what they keep)."""
    held = writing.unique_pairs(ctx, kept.data)
    taken = {f: v for f, v in writing.unique_pairs(ctx, data).items() if held.get(f) != v}
    fields = {field.id: field for field in ctx.spec.unique_fields}
    items = []
    for other in others:
        given = RecordInput()
        for field_id, value in writing.unique_pairs(ctx, other.data).items():
            if taken.get(field_id) != value:
                continue
            field = fields[field_id]
            sub_field = field.field_type.unique_sub_field
            stored = other.data.get(field.storage_key)
            given.data[field.storage_key] = (
                {**stored, sub_field: field.field_type.to_api(None, field)[sub_field]}
                if sub_field is not None and isinstance(stored, dict)
                else None
            )
            given.given.append(field.name)
        if given.data:
            items.append((other, given))
    if items:
        writing.apply_updates(ctx, items, locked=True)


def changed_fields(ctx: RecordContext, kept: RecordRow, data: dict[str, Any]) -> list[Any]:
    """The fields whose value the merge changes on the kept record."""
    changed = []
    for field in ctx.spec.fields:
        key = field.join_storage_key if field.is_many_to_one else field.storage_key
        if key in data and kept.data.get(key) != data[key]:
            changed.append(field)
    return changed


def merge_records(ctx: RecordContext, ids: Any, priority: Any, dry_run: bool) -> RecordRow:
    """Merge the records ``ids`` into the one at index ``priority``; return the result.

    The caller's role must update, soft-delete (api-reference 14.3) and read the object's records, and
    write every field the merge changes on the kept record, also for a dry run.
    """
    access.require(ctx, "update", "soft_delete")
    ids = read_ids(ids)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority < len(ids):
        raise InvalidRecordInput(f"'conflictPriorityIndex' must be an integer from 0 to {len(ids) - 1}")
    access.require(ctx, "read")  # before any record is read; after the checks above, as find_one checked it
    if dry_run:
        kept, _, data = merge_plan(ctx, ids, priority, fetch_by_ids(ctx.ws, ctx.spec.id, ids))
        preview: RecordRow = copy.copy(kept)
        preview.data = data
        return preview
    return merge_locked(ctx, ids, priority)


def merge_plan(
    ctx: RecordContext, ids: list[str], priority: int, found: list[RecordRow]
) -> tuple[RecordRow, list[RecordRow], dict[str, Any]]:
    """The kept record, the merged-away ones and the kept record's merged data (its fields' writes allowed).

    ``found``: the live records among ``ids``, read in one statement; the first id without one is a 404.
    """
    by_id = {record.id: record for record in found}
    missing = next((record_id for record_id in ids if record_id not in by_id), None)
    if missing is not None:
        raise RecordNotFound(f"Record {missing} not found in {ctx.spec.name_plural}")
    records = [by_id[record_id] for record_id in ids]
    ordered = [records[priority], *(r for i, r in enumerate(records) if i != priority)]
    kept, others = ordered[0], ordered[1:]
    data = merged_data(ctx, ordered)
    access.check_field_writes(ctx, changed_fields(ctx, kept, data))
    return kept, others, data


@writing.unit_of_work
def merge_locked(ctx: RecordContext, ids: list[str], priority: int) -> RecordRow:
    """Lock the records in id order, then merge them, in one unit of work (its data-model hold first).

    A second merge of the same records waits for this one, then finds the merged-away records in
    the trash (404), as if sent after it.
    """
    found = fetch_by_ids(ctx.ws, ctx.spec.id, sorted(ids), lock=True)
    kept, others, data = merge_plan(ctx, ids, priority, found)
    # Allowed as a whole: relinking and trashing the merged-away records is the merge itself.
    return write_merge(ctx.as_system(), kept, others, data)


@writing.unit_of_work
def write_merge(ctx: RecordContext, kept: RecordRow, others: list[RecordRow], data: dict[str, Any]) -> RecordRow:
    """Re-link, move the merged-away records to the trash and update the kept one, in one transaction.

    As Twenty's merge, the merged-away records are soft-deleted, not destroyed (api-reference 14.3:
    a merge needs soft-delete, not destroy). A unique value the kept record takes from one of them
    (an empty ``emails.primaryEmail`` filled from another record's) leaves that record first: a
    trashed record keeps its unique values, and two records cannot hold one.
    """
    relink_children(ctx, kept, others)
    release_taken_values(ctx, kept, others, data)
    writing.soft_delete(ctx, others)
    given = RecordInput()
    given.data = {k: v for k, v in data.items() if kept.data.get(k) != v}
    given.given = merged_field_names(ctx, given)
    writing.check_unique_update(ctx, kept, given)
    return writing.emit(ctx, [writing.apply_update(ctx, kept, given)])[0].record
