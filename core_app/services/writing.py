"""Create (and upsert), update, soft delete, destroy and restore records.

Every operation validates the whole request first (all problems reported together) and
writes in one transaction: all or nothing. Rows are locked and written in id order and unique
values in key order, so concurrent requests touching the same records wait for each other
instead of deadlocking; a deadlock or serialization failure the database still reports (other
lock orders exist, e.g. between objects) is retried with the whole transaction.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from apikeys_app import key_cache
from core_app import access
from core_app.query.ast import Node, OrderKey
from core_app.services.connect import resolve_relation_inputs
from core_app.services.context import RecordContext
from core_app.services.errors import DataModelChanged, InvalidRecordInput, RecordNotFound
from core_app.services.inputs import RecordInput, defaults_for, normalize_input, writable_field
from core_app.services.reading import find_one, select
from core_app.signals import records_changed
from core_app.store import counts, deferred, unique, writer
from core_app.store.ids import new_id
from core_app.store.records import RecordRow, fetch_by_ids
from core_app.store.sql import dialect, read_together, rows
from core_app.store.writer import IndexState, index_state
from metadata_app.services.locking import model_lock, model_lock_key
from metadata_app.specs import FieldSpec

__all__ = [
    "Change",
    "create_many",
    "destroy",
    "restore",
    "select_many",
    "soft_delete",
    "update_many",
    "update_one",
]


@dataclass
class Change:
    """A written record and what happened to it (``created``, ``updated``, ``deleted``...)."""

    record: RecordRow
    action: str
    updated_fields: list[str] = dc_field(default_factory=list)
    # Updates: the record's stored data before the patch was merged in (the event feed's ``before``).
    before: dict[str, Any] | None = None
    #: An update that changed no value: answered as the record is, nothing written or announced.
    unchanged: bool = False


#: The right each mass operation needs (api-reference 14.3: restoring is soft-deleting's).
MASS_ACTIONS = {"update": "update", "delete": "soft_delete", "destroy": "destroy", "restore": "soft_delete"}
#: Words of the "filter mandatory" message per mass operation.
BULK_NOUNS = {"update": "update", "delete": "deletion", "destroy": "destruction", "restore": "restoration"}
#: Times a transaction is tried when the database reports a deadlock or a serialization failure.
TRANSIENT_ATTEMPTS = 3

T = TypeVar("T")


def emit(ctx: RecordContext, changes: list[Change]) -> list[Change]:
    """Announce changes inside the current transaction (see ``core_app.signals``); return them.

    The timeline's own activities (destroyed with their record) are not announced: the audit trail
    has no events of its own (api-reference §16).
    """
    announced = [change for change in changes if not change.unchanged]
    if announced and ctx.spec.name_singular not in access.READ_ONLY_OBJECTS:
        records_changed.send(sender=RecordContext, ctx=ctx, changes=announced)
    return changes


def max_batch() -> int:
    """``MAX_BATCH_RECORDS``, read at call time."""
    return int(getattr(settings, "MAX_BATCH_RECORDS", 60))


def max_affected() -> int:
    """``MUTATION_MAXIMUM_AFFECTED_RECORDS``, read at call time."""
    return int(getattr(settings, "MUTATION_MAXIMUM_AFFECTED_RECORDS", 100))


def max_record_bytes() -> int:
    """``MAX_RECORD_BYTES``, read at call time."""
    return int(getattr(settings, "MAX_RECORD_BYTES", 1024 * 1024))


def is_transient(error: OperationalError) -> bool:
    """True for a deadlock or a serialization failure: the transaction may simply be run again."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in ("40P01", "40001")


#: Whether the current unit of work holds its workspace's data model (see :func:`hold_data_model`).
_holding: ContextVar[bool] = ContextVar("holding_data_model", default=False)


def hold_data_model(ctx: RecordContext) -> None:
    """Keep the workspace's data model as ``ctx`` knows it until the transaction ends, or refuse.

    A data-model change takes the workspace's model lock exclusively, then its row, before it
    checks or backfills anything (``metadata_app.services.locking``). This takes the model lock
    shared and the row ``FOR SHARE`` in one statement, before any other lock of the transaction:
    either the change waits for this transaction (and its backfill sees these records), or this
    waits for the change and reads the version it committed (PostgreSQL reads a locked row again
    when it changed). The model lock queues fairly (a change waits only for the writes already
    in progress, later writes wait behind it), which a row lock alone does not. A version other
    than the snapshot's means the request was checked against a model that is gone: a 409,
    nothing written, and the process's kept keys dropped so the retry reads the new one. On
    PostgreSQL it rides with the unit's first statement (``core_app.store.deferred.check``).
    """
    d = dialect()
    params = [d.uuid_in(ctx.ws)]
    lock = model_lock("shared")
    if lock:
        params.append(model_lock_key(ctx.ws))
    text = f"SELECT metadata_version FROM metadata_app_workspace WHERE id = %s{lock}{d.share}"

    def judge(version: Any) -> None:
        if version != ctx.snapshot.version:
            key_cache.behind()
            raise DataModelChanged()

    if not deferred.check(text, params, judge):
        found = rows(text, params, prepare=True)
        judge(found[0][0] if found else None)


def unit_of_work(operation: Callable[..., T]) -> Callable[..., T]:
    """Run ``operation(ctx, ...)`` in one transaction under its data model, with counters written at its end.

    The transaction first holds the workspace's data model (:func:`hold_data_model`). Plain
    inserts wait and go together (``core_app.store.deferred``), before the next statement or with
    the counters. Transient failures (deadlock, serialization) are retried. A nested call joins
    the caller's transaction (and its retry).
    """

    @functools.wraps(operation)
    def wrapper(ctx: RecordContext, *args: Any, **kwargs: Any) -> T:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic(), deferred.gathering(), counts.collecting():
                if not _holding.get():  # a transaction of the caller's own (an import's, a test's)
                    hold_data_model(ctx)
                return operation(ctx, *args, **kwargs)
        for attempt in range(1, TRANSIENT_ATTEMPTS + 1):
            try:
                with transaction.atomic(), deferred.gathering(), counts.collecting():
                    holding = _holding.set(True)
                    try:
                        hold_data_model(ctx)
                        return operation(ctx, *args, **kwargs)
                    finally:
                        _holding.reset(holding)
            except OperationalError as error:
                if attempt == TRANSIENT_ATTEMPTS or not is_transient(error):
                    raise
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable")

    return wrapper


def check_links(ctx: RecordContext, inputs: list[RecordInput], prefixes: list[str]) -> list[str]:
    """Every join id must be a record of the relation's target object in this workspace."""
    wanted = wanted_links(ctx, inputs)
    found = {
        field: ids_found(rows(*existing_ids_query(ctx.ws, target, ids))) for field, (target, ids) in wanted.items()
    }
    return link_errors(ctx, inputs, prefixes, found)


def wanted_links(ctx: RecordContext, inputs: list[RecordInput]) -> dict[FieldSpec, tuple[str, list[str]]]:
    """The join ids ``inputs`` give, per join field: ``field -> (target object id, sorted ids)``."""
    wanted: dict[FieldSpec, set[str]] = {}
    for given in inputs:
        for field, target_id in given.links.items():
            if target_id is not None:
                wanted.setdefault(field, set()).add(target_id)
    links = {}
    for field, ids in wanted.items():
        assert field.relation is not None, "join ids are given for relation fields only"
        links[field] = (field.relation.target_object_id, sorted(ids))
    return links


def link_errors(
    ctx: RecordContext, inputs: list[RecordInput], prefixes: list[str], found: dict[FieldSpec, set[str]]
) -> list[str]:
    """A message per join id of ``inputs`` that is not among the ``found`` ids of its field's target."""
    errors = []
    for field, ids in found.items():
        assert field.relation is not None
        target = ctx.snapshot.by_id[field.relation.target_object_id]
        for prefix, given in zip(prefixes, inputs):
            missing = given.links.get(field)
            if missing is not None and missing not in ids:
                errors.append(f"{prefix}Field '{field.join_name}': no {target.name_singular} record has id '{missing}'")
    return errors


def existing_ids_query(workspace_id: str, object_id: str, ids: list[str]) -> tuple[str, list[Any]]:
    """The SELECT of which of ``ids`` are records of the object (trash included), with its parameters.

    The ids are one array on PostgreSQL (``one_of``): a create's checks keep one prepared text
    whatever the number of join ids, as they do for unique values. The rows found are locked
    ``FOR KEY SHARE`` until the write commits, as a foreign key's check locks them: a destroy of a
    target (which locks it first, ``lock_current``) then either waits for this write and relinks
    its record, or has committed and the target is not found here.
    """
    d = dialect()
    among, among_params = d.one_of("id", [d.uuid_in(i) for i in ids], "uuid")
    return (
        f"SELECT id FROM core_app_record WHERE workspace_id = %s AND object_id = %s AND {among}{d.key_share}",
        [d.uuid_in(workspace_id), d.uuid_in(object_id), *among_params],
    )


def ids_found(found: list[tuple[Any, ...]]) -> set[str]:
    """The ids of ``existing_ids_query``'s rows."""
    d = dialect()
    return {d.uuid_out(row[0]) for row in found}


def normalize_all(ctx: RecordContext, raws: list[Any], batch: bool) -> list[RecordInput]:
    """Normalise every create input, with defaults; raise with every problem found.

    Join ids are checked by ``write_creates``, in the statement that reads unique values and positions.
    """
    inputs, errors = [], []
    for index, raw in enumerate(raws):
        prefix = f"Record {index}: " if batch else ""
        given, problems = normalize_input(ctx.spec, raw, None, prefix)
        problems += defaults_for(ctx.spec, given, prefix) if not problems else []
        inputs.append(given)
        errors += problems
    if errors:
        raise InvalidRecordInput(*errors)
    return inputs


def unique_pairs(ctx: RecordContext, data: dict[str, Any]) -> dict[str, str]:
    """``field id -> unique value`` of a record's stored data (fields without a value left out)."""
    pairs = {}
    for field in ctx.spec.unique_fields:
        if field.storage_key in data:
            value = field.field_type.unique_value(data[field.storage_key])
            if value is not None:
                pairs[field.id] = value
    return pairs


def duplicate_label(ctx: RecordContext, prefix: str, key: tuple[str, str], origin: str = "") -> str:
    """The start of a duplicate-value message for ``key`` (field id, value), ``origin`` after the value."""
    return f"{prefix}Duplicate value for unique field '{unique_label(ctx, key[0])}': '{key[1]}'{origin}"


def unique_label(ctx: RecordContext, field_id: str) -> str:
    """API path of a unique value (``emails.primaryEmail``)."""
    field = next(f for f in ctx.spec.fields if f.id == field_id)
    sub = field.field_type.unique_sub_field
    return f"{field.name}.{sub}" if sub else field.name


def check_record_size(ctx: RecordContext, data: dict[str, Any], prefix: str = "") -> None:
    """Refuse a record whose stored JSON exceeds ``MAX_RECORD_BYTES``."""
    size = len(orjson.dumps(data))
    if size > max_record_bytes():
        raise InvalidRecordInput(
            f"{prefix}The record is {size} bytes of JSON; at most {max_record_bytes()} are allowed per record"
        )


#: The 400 when the database's unique constraint stops a write that the checks before it allowed:
#: another request wrote the same id or unique value in between.
RACE_MESSAGE = "A record with the same id or unique value was written at the same time; retry the request"


def refuse_races(operation: Callable[..., T]) -> Callable[..., T]:
    """Run ``operation`` as a unit of work, answering a unique-constraint race with RACE_MESSAGE.

    The checks that precede a write only produce precise messages; the constraint is what
    guarantees uniqueness, so under concurrency it can still fail, which is a 400, not a 500.
    """
    work = unit_of_work(operation)

    @functools.wraps(operation)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return work(*args, **kwargs)
        except IntegrityError:
            raise InvalidRecordInput(RACE_MESSAGE) from None

    return wrapper


def create_many(
    ctx: RecordContext, raws: Any, upsert: bool = False, batch: bool = True, limit: int | None = None
) -> list[Change]:
    """Create records (or, with ``upsert``, update the ones matching on id or a unique field).

    Concurrent upserts of the same key cannot both insert: the loser's insert fails on the
    unique constraint and the operation is retried, when it finds the winner's record (twice:
    a match destroyed meanwhile makes every upsert of it race to create it again).
    ``limit`` replaces ``MAX_BATCH_RECORDS`` for a trusted caller that sizes its own batches
    (an import job, ``IMPORT_BATCH_ROWS``).
    """
    access.require(ctx, "update")
    if not isinstance(raws, list):
        raise InvalidRecordInput("The body must be a JSON array of records")
    if not raws:
        raise InvalidRecordInput("Input must not be empty")
    most = max_batch() if limit is None else limit
    if len(raws) > most:
        raise InvalidRecordInput(f"Too many records: at most {most} per request, got {len(raws)}")
    access.check_writes(ctx, raws)
    raws = resolve_relation_inputs(ctx, raws, batch)
    inputs = normalize_all(ctx, raws, batch)
    for index, given in enumerate(inputs):
        check_record_size(ctx, {**given.defaults, **given.data}, f"Record {index}: " if batch else "")
    work = unit_of_work(lambda ctx: emit(ctx, write_creates(ctx, inputs, upsert, batch)))
    for attempt in (1, 2, 3):  # a vanished match, then a race to create the record again
        try:
            return work(ctx)
        except (IntegrityError, MatchVanished):
            if attempt == 3 or not upsert:
                raise InvalidRecordInput(RACE_MESSAGE) from None
    raise AssertionError("unreachable")


class MatchVanished(Exception):
    """A record an upsert matched was destroyed by another transaction before it was locked."""


def write_creates(ctx: RecordContext, inputs: list[RecordInput], upsert: bool, batch: bool = True) -> list[Change]:
    """Check join ids, match (upsert), then update the matches and insert the rest, all in one transaction.

    What the checks read (join ids' records, unique values' holders, client ids, the position
    index's ends) is read by one statement (``read_together``): a create's reads are one round trip.
    """
    prefixes = [f"Record {index}: " if batch else "" for index in range(len(inputs))]
    pairs = [unique_pairs(ctx, given.data) for given in inputs]
    # Unique values a created record would take from its fields' defaults (never matched on).
    defaulted = [
        {f: v for f, v in unique_pairs(ctx, given.defaults).items() if f not in own}
        for given, own in zip(inputs, pairs)
    ]
    wanted = unique.wanted_pairs({(f, v) for p in (*pairs, *defaulted) for f, v in p.items()})
    ids = [given.columns.get("id") for given in inputs]
    given_ids = [i for i in ids if i]
    links = wanted_links(ctx, inputs)
    queries = [existing_ids_query(ctx.ws, target, targets) for target, targets in links.values()]
    queries += [unique.holders_query(ctx.ws, wanted)] if wanted else []
    queries += [ids_in_workspace_query(ctx, given_ids)] if given_ids else []
    placed = all(isinstance(given.columns.get("position"), (int, float)) for given in inputs)
    queries += [] if placed else [position_ends_query(ctx)]
    found = iter(read_together(queries))
    errors = link_errors(ctx, inputs, prefixes, {field: ids_found(next(found)) for field in links})
    if errors:
        raise InvalidRecordInput(*errors)
    holders = unique.holders_found(wanted, next(found)) if wanted else {}
    existing, taken = split_ids(ctx, next(found)) if given_ids else (set(), set())
    ends = position_ends(next(found)) if not placed else (0.0, 0.0)
    matches: list[str | None] = []
    seen: set[tuple[str, str]] = set()
    for index, own in enumerate(pairs):
        match = ids[index] if ids[index] in existing else None
        if ids[index] in taken:
            errors.append(f"{f'Record {index}: ' if batch else ''}id '{ids[index]}' cannot be used; choose another id")
        if ids[index] and ids.index(ids[index]) != index:
            errors.append(f"Record {index}: id '{ids[index]}' appears twice in this request")
        for key in own.items():
            label = duplicate_label(ctx, prefixes[index], key)
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
        for key in defaulted[index].items() if match is None else ():
            label = duplicate_label(ctx, prefixes[index], key, " (its default value)")
            if key in seen:
                errors.append(f"{label} appears twice in this request")
            seen.add(key)
            if holders.get(key) is not None:
                errors.append(f"{label} is already used by record {holders[key]}")
        matches.append(match)
    if errors:
        raise InvalidRecordInput(*errors)
    changes: list[Change | None] = [None] * len(inputs)
    matched = {m for m in matches if m}
    current = {row.id: row for row in fetch_by_ids(ctx.ws, ctx.spec.id, sorted(matched), live_only=False, lock=True)}
    if len(current) < len(matched):
        raise MatchVanished  # destroyed since it was matched: the retry matches again (or creates)
    if any(row.deleted_at is not None for row in current.values()):
        access.require(ctx, "soft_delete")  # an upsert matching a trashed record restores it
    updates = []
    for index, match in enumerate(matches):
        if match:
            updates.append((index, current[match], inputs[index]))
    applied = apply_updates(ctx, [(u[1], u[2]) for u in updates], restore=True, locked=True)
    if updates and not placed:
        # The upsert moved or restored records: the ends are those of the live records now.
        ends = position_ends(rows(*position_ends_query(ctx)))
    for index, change in zip([u[0] for u in updates], applied):
        changes[index] = change
    fresh = [i for i, m in enumerate(matches) if not m]
    fresh_pairs = [{**defaulted[i], **pairs[i]} for i in fresh]
    for index, record in zip(fresh, insert(ctx, [inputs[i] for i in fresh], fresh_pairs, ends)):
        changes[index] = Change(record, "created")
    return changes  # type: ignore[return-value]


def ids_in_workspace_query(ctx: RecordContext, ids: list[str]) -> tuple[str, list[Any]]:
    """The SELECT of the records (any object of the workspace) that hold client-given ``ids``."""
    d = dialect()
    among, among_params = d.one_of("id", [d.uuid_in(i) for i in ids], "uuid")
    return (
        f"SELECT id, object_id FROM core_app_record WHERE workspace_id = %s AND {among}",
        [d.uuid_in(ctx.ws), *among_params],
    )


def ids_in_workspace(ctx: RecordContext, ids: list[str]) -> tuple[set[str], set[str]]:
    """Split client-given ids into those of this object's records and those of the workspace's other objects.

    Ids are unique per workspace: another workspace may use the same id, and is never asked about.
    """
    return split_ids(ctx, rows(*ids_in_workspace_query(ctx, ids))) if ids else (set(), set())


def split_ids(ctx: RecordContext, found: list[tuple[Any, ...]]) -> tuple[set[str], set[str]]:
    """``ids_in_workspace``'s answer from the rows of ``ids_in_workspace_query``."""
    d = dialect()
    mine = {d.uuid_out(pk) for pk, obj in found if d.uuid_out(obj) == ctx.spec.id}
    return mine, {d.uuid_out(pk) for pk, _ in found} - mine


def position_ends_query(ctx: RecordContext) -> tuple[str, list[Any]]:
    """The SELECT of the lowest and highest positions of the object's live records (``low, high``).

    Each end is its own ``ORDER BY ... LIMIT 1``: two probes of the ``record_position`` index
    whatever the object's size (as MIN/MAX, PostgreSQL aggregates the whole range when it believes
    the object small). A restored record keeps its position.
    """
    d = dialect()
    end = "SELECT position FROM core_app_record WHERE workspace_id = %s AND object_id = %s AND deleted_at IS NULL"
    scope = [d.uuid_in(ctx.ws), d.uuid_in(ctx.spec.id)]
    return (
        f"SELECT ({end} ORDER BY position ASC LIMIT 1) AS low, ({end} ORDER BY position DESC LIMIT 1) AS high",
        scope + scope,
    )


def position_ends(found: list[tuple[Any, ...]]) -> tuple[float, float]:
    """``(low, high)`` from the row of ``position_ends_query`` (0 for an object without live records)."""
    low, high = found[0]
    return float(low or 0.0), float(high or 0.0)


def place_updates(ctx: RecordContext, inputs: list[RecordInput]) -> None:
    """Turn an update's ``position`` of ``"first"`` / ``"last"`` into the number that puts the record
    before / after every live record (one query, only when an input asks)."""
    placing = [given for given in inputs if given.columns.get("position") in ("first", "last")]
    if placing:
        ends = position_ends(rows(*position_ends_query(ctx)))
        for given, position in zip(placing, next_positions(placing, ends)):
            given.columns["position"] = position


def next_positions(inputs: list[RecordInput], ends: tuple[float, float]) -> list[float]:
    """Positions for new records: given numbers kept, ``first`` before all, others after all (``ends``: low, high)."""
    low, high = ends
    positions = []
    for given in inputs:
        value = given.columns.get("position")
        if value == "first":
            low -= 1
            positions.append(low)
        elif isinstance(value, (int, float)):
            positions.append(float(value))
        else:
            high += 1
            positions.append(high)
    return positions


def insert(
    ctx: RecordContext, inputs: list[RecordInput], pairs: list[dict[str, str]], ends: tuple[float, float]
) -> list[RecordRow]:
    """Insert new records and their unique values; ``ends`` are the object's positions (``position_ends``)."""
    if not inputs:
        return []
    now = timezone.now()
    records = [
        RecordRow(
            id=given.columns.get("id") or new_id(),
            workspace_id=ctx.ws,
            object_id=ctx.spec.id,
            data={**given.defaults, **given.data},
            position=position,
            created_at=now,
            updated_at=now,
            deleted_at=None,
            created_by=ctx.actor,
            updated_by=ctx.actor,
        )
        for given, position in zip(inputs, next_positions(inputs, ends))
    ]
    unique.register(ctx.ws, ctx.spec.id, [(f, v, r.id) for r, p in zip(records, pairs) for f, v in p.items()])
    writer.insert(ctx.slots, records)
    return records


def reread_locked(ctx: RecordContext, records: list[RecordRow]) -> None:
    """Refresh ``records`` in place as last committed, their rows locked until the transaction ends.

    An update writes a record's whole ``data``: computed from a copy read before another writer
    committed, it would undo that writer's change to other fields (a lost update). A record
    destroyed, trashed or restored meanwhile is a race the client retries.
    """
    fresh = {row.id: row for row in lock_current(ctx, records)}
    for record in records:
        current = fresh.get(record.id)
        if current is None or (current.deleted_at is None) != (record.deleted_at is None):
            raise InvalidRecordInput(RACE_MESSAGE)
        record.data, record.position = current.data, current.position
        record.updated_at, record.updated_by = current.updated_at, current.updated_by


def apply_updates(
    ctx: RecordContext, items: list[tuple[RecordRow, RecordInput]], restore: bool = False, locked: bool = False
) -> list[Change]:
    """Write each input over its record: values, unique registrations, ``updatedAt``/``updatedBy``.

    ``restore`` takes trashed records out of the trash (an upsert that matches one). Unless
    ``locked`` (the caller read them with ``lock``), the records are read again under lock first
    (:func:`reread_locked`).
    """
    if not locked:
        reread_locked(ctx, [record for record, _ in items])
    place_updates(ctx, [given for _, given in items])
    now = timezone.now()
    changed: list[tuple[RecordRow, IndexState]] = []
    changes = []
    stale: list[tuple[str, list[str]]] = []
    fresh: list[tuple[str, str, str]] = []
    for record, given in items:
        keys = changed_keys(ctx, record, given)
        if not keys and not (restore and record.deleted_at is not None):
            changes.append(Change(record, "updated", [], record.data, unchanged=True))
            continue
        before_state = index_state(ctx.slots, record)
        before = unique_pairs(ctx, record.data)
        data_before = record.data
        record.data = {**record.data, **given.data}
        check_record_size(ctx, record.data)
        after = unique_pairs(ctx, record.data)
        moved = [f for f in set(before) | set(after) if before.get(f) != after.get(f)]
        if moved:
            stale.append((record.id, moved))
            fresh += [(f, after[f], record.id) for f in moved if f in after]
        if isinstance(given.columns.get("position"), (int, float)):
            record.position = float(given.columns["position"])
        record.updated_at, record.updated_by = now, ctx.actor
        if restore and record.deleted_at is not None:
            record.deleted_at = None
        changed.append((record, before_state))
        changes.append(Change(record, "updated", keys, data_before))
    for record_id, fields in sorted(stale):
        unique.unregister(ctx.ws, [record_id], fields)
    unique.register(ctx.ws, ctx.spec.id, fresh)
    writer.update(ctx.slots, changed)
    return changes


def changed_keys(ctx: RecordContext, record: RecordRow, given: RecordInput) -> list[str]:
    """The API keys of ``given`` whose value differs from the record's, in the object's field order
    (``updatedFields``, the same through REST and GraphQL, whose inputs come in different orders).

    Values compare as the API shows them: a missing key and a null, or a composite stored without an
    empty sub-field and with it, are the same value.
    """
    order = ctx.spec.field_order
    keys = []
    for key in given.given:
        field = writable_field(ctx.spec, key)
        if field is None:
            continue
        if field.is_many_to_one:
            old, new = record.data.get(field.join_storage_key), given.data.get(field.join_storage_key)
        elif field.column:
            old, new = getattr(record, field.column), given.columns.get(field.column)
        else:
            to_api = field.field_type.to_api
            old, new = (
                to_api(record.data.get(field.storage_key), field),
                to_api(given.data.get(field.storage_key), field),
            )
        if old != new:
            keys.append(key)
    return sorted(keys, key=lambda key: order.get(key, len(order)))


def normalize_update(ctx: RecordContext, record: RecordRow, raw: Any, links_checked: bool = False) -> RecordInput:
    """Validate an update patch against one record; raise with every problem.

    ``links_checked``: the same patch's join ids were checked for another record already.
    """
    given, errors = normalize_input(ctx.spec, raw, {**record.data, "__id__": record.id})
    errors += check_links(ctx, [given], [""]) if not errors and not links_checked else []
    if errors:
        raise InvalidRecordInput(*errors)
    return given


def check_unique_update(
    ctx: RecordContext, record: RecordRow, given: RecordInput, claimed: dict[tuple[str, str], str] | None = None
) -> None:
    """Refuse an update whose unique values another record holds.

    ``claimed`` holds the values earlier records of the same request take (``(field, value) -> id``);
    it is updated with this record's values.
    """
    # Only values the patch changes: the record holds its current ones (no look-up for a patch of
    # other fields).
    now_held = unique_pairs(ctx, record.data)
    after = {f: v for f, v in unique_pairs(ctx, {**record.data, **given.data}).items() if now_held.get(f) != v}
    holders = unique.find_holders(ctx.ws, after.items())
    siblings: set[tuple[str, str]] = set()  # values an earlier record of this same update takes
    if claimed is not None:
        for pair in after.items():
            if pair not in holders and claimed.get(pair, record.id) != record.id:
                siblings.add(pair)
            holders.setdefault(pair, claimed.get(pair, record.id))
            claimed.setdefault(pair, record.id)
    errors = [
        f"Duplicate value for unique field '{unique_label(ctx, f)}': '{v}' would be given to several records of "
        f"this update ({holder} and {record.id})"
        if (f, v) in siblings
        else f"Duplicate value for unique field '{unique_label(ctx, f)}': '{v}' is already used by record {holder}"
        for (f, v), holder in holders.items()
        if holder != record.id
    ]
    if errors:
        raise InvalidRecordInput(*errors)


@refuse_races
def update_one(ctx: RecordContext, record_id: Any, raw: Any) -> Change:
    """Update one live record."""
    access.require(ctx, "update")
    access.check_writes(ctx, [raw])
    record = find_one(ctx, record_id, lock=True)
    given = normalize_update(ctx, record, resolve_relation_inputs(ctx, [raw], batch=False)[0])
    check_unique_update(ctx, record, given)
    # An empty patch, or one of the values the record holds, is answered as it is (apply_updates).
    return emit(ctx, apply_updates(ctx, [(record, given)], locked=True))[0]


def select_many(ctx: RecordContext, node: Node | None, verb: str, trash: bool | None = None) -> list[RecordRow]:
    """Records a mass operation affects: a filter is mandatory and at most the configured number match."""
    access.require(ctx, MASS_ACTIONS[verb])
    if node is None:
        raise InvalidRecordInput(
            f"Filters are mandatory for bulk {verb} operations. Please provide at least one filter "
            f"to prevent accidental {BULK_NOUNS[verb]} of all records."
        )
    limit = max_affected()
    order = [OrderKey(("position",), "AscNullsFirst")]
    records = select(ctx, node, order, limit + 1, trash=trash)
    if len(records) > limit:
        raise InvalidRecordInput(
            f"Too many records: the filter matches more than {limit} records; narrow it down (at most {limit} per request)"
        )
    return records


@refuse_races
def update_many(ctx: RecordContext, node: Node | None, raw: Any) -> list[Change]:
    """Apply one patch to every live record matching the filter."""
    access.require(ctx, "update")
    access.check_writes(ctx, [raw])
    records = select_many(ctx, node, "update")
    raw = resolve_relation_inputs(ctx, [raw], batch=False)[0]  # once for every record it applies to
    items = []
    claimed: dict[tuple[str, str], str] = {}
    for index, record in enumerate(records):
        # One patch for every record: its join ids are checked once (a query per request, not per
        # record). Each record is checked: the patch may hold what is allowed on one record only
        # (its own id), and the answer must not depend on which record comes first.
        items.append((record, normalize_update(ctx, record, raw, links_checked=index > 0)))
    if not any(given.given for _, given in items):
        # An empty patch changes nothing: the records as they are, nothing written or announced.
        return [Change(record, "updated", [], record.data, unchanged=True) for record in records]
    for record, given in items:
        check_unique_update(ctx, record, given, claimed)
    # A record that already holds the patch's values is answered as it is (apply_updates).
    return emit(ctx, apply_updates(ctx, items))


def lock_current(ctx: RecordContext, records: list[RecordRow]) -> list[RecordRow]:
    """``records`` read again under lock, as the last transaction to commit them left them, in
    their order; those destroyed meanwhile are left out.

    Two requests that trash, restore or destroy the same record at once then act one after the
    other: the second sees what the first did (one event per change, counters exact), and a
    record linked to a target being destroyed is relinked by the destroy (whose lock the link
    check waits for) or refused by the check.
    """
    if not records:
        return []
    fresh = {row.id: row for row in fetch_by_ids(ctx.ws, ctx.spec.id, sorted(r.id for r in records), False, lock=True)}
    return [fresh[record.id] for record in records if record.id in fresh]


def change_of(ctx: RecordContext, record: RecordRow, changes: list[Change]) -> Change:
    """The change of the one record a route named; RecordNotFound (404) when another request
    trashed or destroyed it meanwhile: what a request sent just after that one answers."""
    if not changes:
        raise RecordNotFound(f"Record {record.pk} not found in {ctx.spec.name_plural}")
    return changes[0]


@unit_of_work
def soft_delete(ctx: RecordContext, records: list[RecordRow]) -> list[Change]:
    """Move the live ones of ``records`` to the trash (``deletedAt`` set); the changes of those."""
    access.require(ctx, "soft_delete")
    now = timezone.now()
    live = [record for record in lock_current(ctx, records) if record.deleted_at is None]
    writer.soft_delete(ctx.ws, ctx.spec.id, [record.id for record in live], now)
    for record in live:
        record.deleted_at = record.updated_at = now
    return emit(ctx, [Change(record, "deleted") for record in live])


@unit_of_work
def restore(ctx: RecordContext, records: list[RecordRow]) -> list[Change]:
    """Take records out of the trash; a record not in the trash is answered as it is (nothing
    written or announced: no ``restored`` event, timeline activity or new ``updatedAt``); one
    destroyed meanwhile is left out."""
    access.require(ctx, "soft_delete")
    records = lock_current(ctx, records)
    trashed = [record for record in records if record.deleted_at is not None]
    writer.restore(ctx.slots, trashed, timezone.now())
    emit(ctx, [Change(record, "restored") for record in trashed])
    return [Change(record, "restored") for record in records]


def relink(ctx: RecordContext, records: list[RecordRow], join_field: FieldSpec, target_id: str | None) -> None:
    """Point ``records`` (of ``ctx``'s object) at ``target_id`` through ``join_field``; they count as updated."""
    if not records:
        return
    reread_locked(ctx, records)
    now = timezone.now()
    changed = []
    data_before = []
    for record in records:
        before = index_state(ctx.slots, record)
        data_before.append(record.data)
        record.data = {**record.data, join_field.join_storage_key: target_id}
        record.updated_at, record.updated_by = now, ctx.actor
        changed.append((record, before))
    for start in range(0, len(changed), 500):
        writer.update(ctx.slots, changed[start : start + 500])
    emit(ctx, [Change(r, "updated", [join_field.join_name], data) for r, data in zip(records, data_before)])


@unit_of_work
def destroy(ctx: RecordContext, records: list[RecordRow]) -> list[Change]:
    """Delete records for good; links to them are cleared, or their dependents destroyed (CASCADE).

    The caller's role must destroy this object's records; what the data model's ``onDelete`` does
    in turn to other objects' records follows from it.
    """
    access.require(ctx, "destroy")
    records = lock_current(ctx, records)  # before the dependents are read: see lock_current
    ids = [record.id for record in records]
    if not ids:
        return []
    own = [Change(record, "destroyed") for record in records]
    for target_ctx, inverse in ctx.as_system().referencing():
        dependents = target_ctx.records_pointing_at(inverse, ids)
        assert inverse.relation is not None
        if inverse.relation.on_delete == "CASCADE":
            destroy(target_ctx, dependents)
        else:
            relink(target_ctx, dependents, inverse, None)
    writer.destroy(ctx.ws, ctx.spec.id, records)
    return emit(ctx, own)


def apply_update(ctx: RecordContext, record: RecordRow, given: RecordInput, restore: bool = False) -> Change:
    """Write one input over one record (see :func:`apply_updates`)."""
    return apply_updates(ctx, [(record, given)], restore=restore)[0]
