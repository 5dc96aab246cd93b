"""Create (and upsert), update, soft delete, destroy and restore records.

Every operation validates the whole request first (all problems reported together) and
writes in one transaction: all or nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from core_app.models import Record
from core_app.query.ast import Node
from core_app.services import unique
from core_app.services.context import RecordContext
from core_app.services.errors import InvalidRecordInput
from core_app.services.inputs import RecordInput, defaults_for, normalize_input
from core_app.services.reading import filtered, find_one
from core_app.signals import records_changed

__all__ = ["Change", "create_many", "destroy", "restore", "soft_delete", "update_many", "update_one"]


@dataclass
class Change:
    """A written record and what happened to it (``created``, ``updated``, ``deleted``...)."""

    record: Record
    action: str
    updated_fields: list[str] = dc_field(default_factory=list)


#: Words of the "filter mandatory" message per mass operation.
BULK_NOUNS = {"update": "update", "delete": "deletion", "destroy": "destruction", "restore": "restoration"}


def emit(ctx: RecordContext, changes: list[Change]) -> list[Change]:
    """Announce changes inside the current transaction (see ``core_app.signals``); return them."""
    if changes:
        records_changed.send(sender=RecordContext, ctx=ctx, changes=changes)
    return changes


def max_batch() -> int:
    """``MAX_BATCH_RECORDS``, read at call time."""
    return int(getattr(settings, "MAX_BATCH_RECORDS", 60))


def max_affected() -> int:
    """``MUTATION_MAXIMUM_AFFECTED_RECORDS``, read at call time."""
    return int(getattr(settings, "MUTATION_MAXIMUM_AFFECTED_RECORDS", 100))


def check_links(ctx: RecordContext, inputs: list[RecordInput], prefixes: list[str]) -> list[str]:
    """Every join id must be a record of the relation's target object in this workspace."""
    wanted: dict[Any, set[str]] = {}
    for given in inputs:
        for field, target_id in given.links.items():
            if target_id is not None:
                wanted.setdefault(field, set()).add(target_id)
    errors = []
    for field, ids in wanted.items():
        target = ctx.snapshot.by_id[field.relation.target_object_id]
        found = {
            str(pk)
            for pk in Record.objects.filter(workspace_id=ctx.workspace_id, object_id=target.id, id__in=ids).values_list(
                "id", flat=True
            )
        }
        for prefix, given in zip(prefixes, inputs):
            missing = given.links.get(field)
            if missing is not None and missing not in found:
                errors.append(f"{prefix}Field '{field.join_name}': no {target.name_singular} record has id '{missing}'")
    return errors


def normalize_all(ctx: RecordContext, raws: list[Any], batch: bool) -> list[RecordInput]:
    """Normalise every create input, with defaults; raise with every problem found."""
    inputs, errors, prefixes = [], [], []
    for index, raw in enumerate(raws):
        prefix = f"Record {index}: " if batch else ""
        given, problems = normalize_input(ctx.spec, raw, None, prefix)
        problems += defaults_for(ctx.spec, given, prefix) if not problems else []
        inputs.append(given)
        prefixes.append(prefix)
        errors += problems
    errors += check_links(ctx, inputs, prefixes) if not errors else []
    if errors:
        raise InvalidRecordInput(*errors)
    return inputs


def unique_label(ctx: RecordContext, field_id: str) -> str:
    """API path of a unique value (``emails.primaryEmail``)."""
    field = next(f for f in ctx.spec.fields if f.id == field_id)
    sub = field.field_type.unique_sub_field
    return f"{field.name}.{sub}" if sub else field.name


#: The 400 when the database's unique constraint stops a write that the checks before it allowed:
#: another request wrote the same id or unique value in between.
RACE_MESSAGE = "A record with the same id or unique value was written at the same time; retry the request"

T = TypeVar("T")


def refuse_races(operation: Callable[..., T]) -> Callable[..., T]:
    """Run ``operation`` in one transaction, answering a unique-constraint race with RACE_MESSAGE.

    The checks that precede a write only produce precise messages; the constraint is what
    guarantees uniqueness, so under concurrency it can still fail, which is a 400, not a 500.
    """

    @functools.wraps(operation)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            with transaction.atomic():
                return operation(*args, **kwargs)
        except IntegrityError:
            raise InvalidRecordInput(RACE_MESSAGE) from None

    return wrapper


def create_many(ctx: RecordContext, raws: Any, upsert: bool = False, batch: bool = True) -> list[Change]:
    """Create records (or, with ``upsert``, update the ones matching on id or a unique field).

    Concurrent upserts of the same key cannot both insert: the loser's insert fails on the
    unique constraint and the operation is retried once, when it finds the winner's record.
    """
    if not isinstance(raws, list):
        raise InvalidRecordInput("The body must be a JSON array of records")
    if not raws:
        raise InvalidRecordInput("Input must not be empty")
    if len(raws) > max_batch():
        raise InvalidRecordInput(f"Too many records: at most {max_batch()} per request, got {len(raws)}")
    inputs = normalize_all(ctx, raws, batch)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return emit(ctx, write_creates(ctx, inputs, upsert, batch))
        except IntegrityError:
            if attempt == 2 or not upsert:
                raise InvalidRecordInput(RACE_MESSAGE) from None
    raise AssertionError("unreachable")


def write_creates(ctx: RecordContext, inputs: list[RecordInput], upsert: bool, batch: bool = True) -> list[Change]:
    """Match (upsert), then update the matches and insert the rest, all in one transaction."""
    pairs = [unique.unique_pairs(ctx, given.data) for given in inputs]
    holders = unique.find_holders(ctx, {(f, v) for p in pairs for f, v in p.items()})
    ids = [given.columns.get("id") for given in inputs]
    existing, taken = existing_ids(ctx, [i for i in ids if i])
    matches: list[str | None] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for index, own in enumerate(pairs):
        match = ids[index] if ids[index] in existing else None
        if ids[index] in taken:
            errors.append(f"{f'Record {index}: ' if batch else ''}id '{ids[index]}' cannot be used; choose another id")
        if ids[index] and ids.index(ids[index]) != index:
            errors.append(f"Record {index}: id '{ids[index]}' appears twice in this request")
        for key in own.items():
            label = f"Duplicate value for unique field '{unique_label(ctx, key[0])}': '{key[1]}'"
            if key in seen:
                errors.append(f"{label} appears twice in this request")
            seen.add(key)
            holder = holders.get(key)
            if holder is None or holder == match:
                continue
            if upsert and match is None:
                match = holder
            else:
                errors.append(f"{label} is already used by record {holder}")
        if match and not upsert:
            errors.append(f"Record {match} already exists")
        matches.append(match)
    if errors:
        raise InvalidRecordInput(*errors)
    changes: list[Change | None] = [None] * len(inputs)
    for index, match in enumerate(matches):
        if match:
            changes[index] = apply_update(ctx, find_one(ctx, match, with_deleted=True), inputs[index], restore=True)
    fresh = [i for i, m in enumerate(matches) if not m]
    for index, record in zip(fresh, insert(ctx, [inputs[i] for i in fresh], [pairs[i] for i in fresh])):
        changes[index] = Change(record, "created")
    return changes  # type: ignore[return-value]


def existing_ids(ctx: RecordContext, ids: list[str]) -> tuple[set[str], set[str]]:
    """Split client-given ids into those of this object's records and those taken elsewhere."""
    if not ids:
        return set(), set()
    rows = Record.objects.filter(pk__in=ids).values_list("id", "workspace_id", "object_id")
    mine = {str(pk) for pk, ws, obj in rows if str(ws) == str(ctx.workspace_id) and str(obj) == ctx.spec.id}
    return mine, {str(pk) for pk, _, _ in rows} - mine


def next_positions(ctx: RecordContext, inputs: list[RecordInput]) -> list[float]:
    """Positions for new records: given numbers kept, ``first`` before all, others after all."""
    wanted = [given.columns.get("position") for given in inputs]
    if all(isinstance(p, (int, float)) for p in wanted):
        return [float(p) for p in wanted]
    bounds = ctx.records(with_deleted=True).aggregate(low=Min("position"), high=Max("position"))
    low, high = bounds["low"] or 0.0, bounds["high"] or 0.0
    positions = []
    for value in wanted:
        if value == "first":
            low -= 1
            positions.append(low)
        elif isinstance(value, (int, float)):
            positions.append(float(value))
        else:
            high += 1
            positions.append(high)
    return positions


def insert(ctx: RecordContext, inputs: list[RecordInput], pairs: list[dict[str, str]]) -> list[Record]:
    """Insert new records and their unique values (one statement each)."""
    if not inputs:
        return []
    now = timezone.now()
    records = [
        Record(
            workspace_id=ctx.workspace_id,
            object_id=ctx.spec.id,
            data={**given.defaults, **given.data},
            position=position,
            created_at=now,
            updated_at=now,
            created_by=ctx.actor,
            updated_by=ctx.actor,
            **({"id": given.columns["id"]} if given.columns.get("id") else {}),
        )
        for given, position in zip(inputs, next_positions(ctx, inputs))
    ]
    Record.objects.bulk_create(records)
    unique.register(ctx, zip(records, pairs))
    return records


def apply_update(ctx: RecordContext, record: Record, given: RecordInput, restore: bool = False) -> Change:
    """Write ``given`` over ``record``: values, unique registrations, ``updatedAt``/``updatedBy``."""
    before = unique.unique_pairs(ctx, record.data)
    record.data = {**record.data, **given.data}
    after = unique.unique_pairs(ctx, record.data)
    changed_unique = [f for f in set(before) | set(after) if before.get(f) != after.get(f)]
    if changed_unique:
        unique.unregister([record.pk], changed_unique)
        unique.register(ctx, [(record, {f: after[f] for f in changed_unique if f in after})])
    if isinstance(given.columns.get("position"), (int, float)):
        record.position = float(given.columns["position"])
    record.updated_at = timezone.now()
    record.updated_by = ctx.actor
    action = "updated"
    if restore and record.deleted_at is not None:
        record.deleted_at = None
    record.save(update_fields=["data", "position", "updated_at", "updated_by", "deleted_at"])
    return Change(record, action, list(given.given))


def normalize_update(ctx: RecordContext, record: Record, raw: Any) -> RecordInput:
    """Validate an update patch against one record; raise with every problem."""
    given, errors = normalize_input(ctx.spec, raw, {**record.data, "__id__": str(record.pk)})
    errors += check_links(ctx, [given], [""]) if not errors else []
    if errors:
        raise InvalidRecordInput(*errors)
    return given


def check_unique_update(ctx: RecordContext, record: Record, given: RecordInput) -> None:
    """Refuse an update whose unique values another record holds."""
    after = unique.unique_pairs(ctx, {**record.data, **given.data})
    holders = unique.find_holders(ctx, after.items())
    errors = [
        f"Duplicate value for unique field '{unique_label(ctx, f)}': '{v}' is already used by record {holder}"
        for (f, v), holder in holders.items()
        if holder != str(record.pk)
    ]
    if errors:
        raise InvalidRecordInput(*errors)


@refuse_races
def update_one(ctx: RecordContext, record_id: Any, raw: Any) -> Change:
    """Update one live record."""
    record = find_one(ctx, record_id)
    given = normalize_update(ctx, record, raw)
    check_unique_update(ctx, record, given)
    return emit(ctx, [apply_update(ctx, record, given)])[0]


def select_many(ctx: RecordContext, node: Node | None, verb: str, trash: bool | None = None) -> list[Record]:
    """Records a mass operation affects: a filter is mandatory and at most the configured number match."""
    if node is None:
        raise InvalidRecordInput(
            f"Filters are mandatory for bulk {verb} operations. Please provide at least one filter "
            f"to prevent accidental {BULK_NOUNS[verb]} of all records."
        )
    limit = max_affected()
    records = list(filtered(ctx, node, trash).order_by("position", "id")[: limit + 1])
    if len(records) > limit:
        raise InvalidRecordInput(
            f"Too many records: the filter matches more than {limit} records; narrow it down (at most {limit} per request)"
        )
    return records


@refuse_races
def update_many(ctx: RecordContext, node: Node | None, raw: Any) -> list[Change]:
    """Apply one patch to every live record matching the filter."""
    records = select_many(ctx, node, "update")
    changes = []
    for record in records:
        given = normalize_update(ctx, record, raw)
        check_unique_update(ctx, record, given)
        changes.append(apply_update(ctx, record, given))
    return emit(ctx, changes)


@transaction.atomic
def soft_delete(ctx: RecordContext, records: list[Record]) -> list[Change]:
    """Move records to the trash (``deletedAt`` set)."""
    now = timezone.now()
    ctx.records().filter(pk__in=[r.pk for r in records]).update(deleted_at=now, updated_at=now)
    for record in records:
        record.deleted_at = record.updated_at = now
    return emit(ctx, [Change(record, "deleted") for record in records])


@transaction.atomic
def restore(ctx: RecordContext, records: list[Record]) -> list[Change]:
    """Take records out of the trash."""
    now = timezone.now()
    ctx.records(with_deleted=True).filter(pk__in=[r.pk for r in records]).update(deleted_at=None, updated_at=now)
    for record in records:
        record.deleted_at, record.updated_at = None, now
    return emit(ctx, [Change(record, "restored") for record in records])


def relink(ctx: RecordContext, records: list[Record], join_field, target_id: str | None) -> None:
    """Point ``records`` (of ``ctx``'s object) at ``target_id`` through ``join_field``; they count as updated."""
    if not records:
        return
    now = timezone.now()
    for record in records:
        record.data[join_field.join_storage_key] = target_id
        record.updated_at, record.updated_by = now, ctx.actor
    Record.objects.bulk_update(records, ["data", "updated_at", "updated_by"], batch_size=500)
    emit(ctx, [Change(record, "updated", [join_field.join_name]) for record in records])


@transaction.atomic
def destroy(ctx: RecordContext, records: list[Record]) -> list[Change]:
    """Delete records for good; links to them are cleared, or their dependents destroyed (CASCADE)."""
    ids = [str(r.pk) for r in records]
    if not ids:
        return []
    own = [Change(record, "destroyed") for record in records]
    for target_ctx, inverse in ctx.referencing():
        dependents = target_ctx.records_pointing_at(inverse, ids)
        if inverse.relation.on_delete == "CASCADE":
            destroy(target_ctx, dependents)
        else:
            relink(target_ctx, dependents, inverse, None)
    unique.unregister(ids)
    Record.objects.filter(pk__in=ids).delete()
    return emit(ctx, own)
