"""The audit trail: ``timelineActivities`` written in the writing transaction (api-reference §16).

Every change of a business or custom object (an object the timeline has a ``target<Singular>``
relation to) becomes an activity named ``{objectNameSingular}.{action}`` (``person.created``,
``person.updated``, ``person.deleted``, ``person.restored``) on the changed record. An update carries
the diff of what changed, ``{"diff": {"jobTitle": {"before": "CTO", "after": "CEO"}}}``, values in
their API form (composites as objects, relations as join columns); an update that changes nothing
writes nothing. An update by the same actor (the same workspace member or API key, by id), of the same record, within
``TIMELINE_MERGE_WINDOW_SECONDS`` (600) of the latest such activity is merged into it (first
``before``, last ``after``) instead of adding a row. Destroyed records lose their activities by the
relation's CASCADE, so a destroy writes none.

The cost is bounded per request, not per record: one statement inserts every new activity (and
one their index rows), and updates look for activities to merge with one read.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from core_app import access
from core_app.query.ast import And, Condition
from core_app.query.ordering import build_sort_keys
from core_app.query.planner import fetch
from core_app.services.context import RecordContext, actor_identity
from core_app.services.output import data_getter
from core_app.signals import records_changed
from core_app.store import writer
from core_app.store.ids import new_id
from core_app.store.records import RecordRow
from core_app.store.writer import index_state
from metadata_app.field_types.scalars import format_instant
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["TIMELINE_OBJECT", "record_activities", "target_field", "visible_diffs"]

TIMELINE_OBJECT = "timelineActivity"
#: Actions that get an activity; a destroyed record's activities are destroyed with it.
LOGGED_ACTIONS = frozenset({"created", "updated", "deleted", "restored"})
#: Most activities a merge look-up reads (a request updates at most ``MUTATION_MAXIMUM_AFFECTED_RECORDS``).
MERGE_READ_LIMIT = 1000


def merge_window() -> timedelta:
    """``TIMELINE_MERGE_WINDOW_SECONDS``, read at call time."""
    return timedelta(seconds=int(getattr(settings, "TIMELINE_MERGE_WINDOW_SECONDS", 600)))


def target_field(timeline: ObjectSpec, spec: ObjectSpec) -> FieldSpec | None:
    """The timeline's ``target<Singular>`` relation to ``spec``; None when ``spec`` is not audited.

    Found by its target, not its name (a long object name gives a cut name); ``workspaceMember``,
    the acting member, is no target.
    """
    for field in timeline.relations:
        if (
            field.is_many_to_one
            and field.relation is not None
            and field.relation.target_object_id == spec.id
            and field.name.startswith("target")
        ):
            return field
    return None


@receiver(records_changed)
def on_records_changed(sender: Any, ctx: RecordContext, changes: list[Any], **kwargs: Any) -> None:
    """Write the activities of a change in its transaction (the signal is sent inside it)."""
    record_activities(ctx, changes)


def record_activities(ctx: RecordContext, changes: list[Any]) -> None:
    """Insert (or merge) the activities of ``changes`` of ``ctx``'s object."""
    timeline = ctx.snapshot.by_singular.get(TIMELINE_OBJECT)
    target = target_field(timeline, ctx.spec) if timeline is not None else None
    if timeline is None or target is None:
        return
    name_of = {action: f"{ctx.spec.name_singular}.{action}" for action in LOGGED_ACTIONS}
    entries: list[tuple[str, str, dict[str, Any]]] = []
    for change in changes:
        if change.action not in LOGGED_ACTIONS:
            continue
        if change.action != "updated":
            entries.append((change.record.id, name_of[change.action], {}))
            continue
        diff = record_diff(ctx, change)
        if diff:  # an update with an empty diff writes nothing (api-reference §16.1)
            entries.append((change.record.id, name_of["updated"], {"diff": diff}))
    if not entries:
        return
    tctx = ctx.for_object(timeline)
    now = timezone.now()
    entries = merge_recent(tctx, target, name_of["updated"], entries, now)
    insert_activities(tctx, target, entries, now)


def record_diff(ctx: RecordContext, change: Any) -> dict[str, dict[str, Any]]:
    """``{api name: {before, after}}`` over the fields an update gave whose API value changed.

    System columns (``position``, timestamps) and ONE_TO_MANY sides are left out; a join column
    (``companyId``) is in, as Twenty's diff has it.
    """
    before_data = getattr(change, "before", None)
    if before_data is None:
        return {}
    before_row = dataclasses.replace(change.record, data=before_data)
    diff: dict[str, dict[str, Any]] = {}
    for key in change.updated_fields:
        field = ctx.spec.field(key) or ctx.spec.by_join_name.get(key)
        if field is None or field.column:
            continue
        if field.is_many_to_one:
            before, after = before_data.get(field.join_storage_key), change.record.data.get(field.join_storage_key)
            key = field.join_name
        elif field.relation is None:
            get = data_getter(field)
            before, after = get(before_row), get(change.record)
        else:
            continue
        if before != after:
            diff[key] = {"before": before, "after": after}
    return diff


def merge_diffs(first: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """Twenty's ``objectRecordDiffMerge``: per key, the first ``before`` and the last ``after``."""
    merged = dict(first)
    for key, change in later.items():
        merged[key] = {"before": first[key]["before"], "after": change["after"]} if key in first else change
    return merged


def merge_recent(
    tctx: RecordContext, target: FieldSpec, name: str, entries: list[tuple[str, str, dict[str, Any]]], now: datetime
) -> list[tuple[str, str, dict[str, Any]]]:
    """Fold update entries into the latest activity of the same record, name and actor within the window.

    Returns the entries still to insert. One read finds every candidate of the request.
    """
    updated = sorted({record_id for record_id, entry_name, _ in entries if entry_name == name})
    if not updated:
        return entries
    node = And(
        (
            Condition((target.join_name,), "in", tuple(updated)),
            Condition(("name",), "eq", name),
            Condition(("happensAt",), "gte", format_instant(now - merge_window())),
        )
    )
    keys = build_sort_keys([], tctx.spec)
    found = fetch(tctx.scope(), node, keys, None, False, MERGE_READ_LIMIT).rows
    # Ids are time-ordered (UUIDv7): the last one read per record is its latest activity. The actor
    # is matched by id (member or API key), never by name; an actor without one merges with nothing.
    acting = actor_identity(tctx.actor)
    latest: dict[str, RecordRow] = {}
    for candidate in found:
        if acting is not None and actor_identity(candidate.created_by) == acting:
            latest[str(candidate.data.get(target.join_storage_key))] = candidate
    properties = tctx.spec.field("properties")
    assert properties is not None
    changed: list[tuple[RecordRow, Any]] = []
    touched: set[str] = set()
    rest: list[tuple[str, str, dict[str, Any]]] = []
    for record_id, entry_name, props in entries:
        row: RecordRow | None = latest.get(record_id) if entry_name == name else None
        if row is None:
            rest.append((record_id, entry_name, props))
            continue
        before_state = index_state(tctx.slots, row)
        current = row.data.get(properties.storage_key) or {}
        merged = {**current, "diff": merge_diffs(current.get("diff") or {}, props["diff"])}
        row.data = {**row.data, properties.storage_key: merged}
        row.updated_at, row.updated_by = now, tctx.actor
        if row.id not in touched:  # two entries of one record merge into the same row, written once
            touched.add(row.id)
            changed.append((row, before_state))
    writer.update(tctx.slots, changed)
    return rest


def insert_activities(
    tctx: RecordContext, target: FieldSpec, entries: list[tuple[str, str, dict[str, Any]]], now: datetime
) -> None:
    """Insert one activity per entry (one statement for the records, one for their index rows)."""
    if not entries:
        return
    spec = tctx.spec
    keys = {
        name: spec.field(name).storage_key  # type: ignore[union-attr]
        for name in ("happensAt", "name", "properties", "linkedRecordCachedName")
    }
    member = spec.field("workspaceMember")
    happens_at = format_instant(now)
    base: dict[str, Any] = {keys["happensAt"]: happens_at, keys["linkedRecordCachedName"]: ""}
    if member is not None and member.is_many_to_one:
        # Acting workspace member; API-key requests have none (api-reference §16.1).
        base[member.join_storage_key] = tctx.actor.get("workspaceMemberId")
    position = now.timestamp()
    rows = [
        RecordRow(
            id=new_id(),
            workspace_id=tctx.ws,
            object_id=spec.id,
            data={
                **base,
                keys["name"]: name,
                keys["properties"]: properties,
                target.join_storage_key: record_id,
            },
            position=position + index / 1000,
            created_at=now,
            updated_at=now,
            deleted_at=None,
            created_by=tctx.actor,
            updated_by=tctx.actor,
        )
        for index, (record_id, name, properties) in enumerate(entries)
    ]
    writer.insert(tctx.slots, rows)


def visible_diffs(ctx: RecordContext, records: list[RecordRow], outputs: list[dict[str, Any]]) -> None:
    """Leave out of each shaped activity's diff the fields the caller's role cannot read.

    A diff holds values of the audited record, not of the activity: a role that cannot read a
    person's ``jobTitle`` must not read it as ``properties.diff.jobTitle`` either (and an activity
    of an object the role cannot read keeps no diff). ``outputs`` are changed in place (new dicts:
    the stored ones stay intact).
    """
    if ctx.access is None or ctx.spec.name_singular != TIMELINE_OBJECT:
        return
    name_field = ctx.spec.field("name")
    if name_field is None:
        return
    for record, output in zip(records, outputs):
        properties = output.get("properties")
        if not isinstance(properties, dict) or not isinstance(properties.get("diff"), dict):
            continue
        name = record.data.get(name_field.storage_key)
        target = ctx.snapshot.by_singular.get(name.split(".")[0]) if isinstance(name, str) else None
        if target is None or not ctx.access.on(target.id).read:
            keys: frozenset[str] = frozenset()
        else:
            view = access.object_view(ctx.access, ctx.snapshot, target)
            if view.complete:
                continue
            keys = view.keys
        diff = {key: value for key, value in properties["diff"].items() if key in keys}
        output["properties"] = {**properties, "diff": diff}
