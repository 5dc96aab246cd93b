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
one their index rows), and updates look for activities to merge with one read per timeline target.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from core_app import access
from core_app.query.ast import Condition
from core_app.query.planner import fetch_latest
from core_app.services.context import RecordContext, actor_identity
from core_app.services.output import data_getter
from core_app.signals import records_changed
from core_app.store import writer
from core_app.store.ids import id_at, new_id
from core_app.store.records import RecordRow, fetch_by_ids
from core_app.store.writer import index_state
from metadata_app.field_types.scalars import format_instant
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["record_activities", "visible_diffs"]

#: Actions that get an activity; a destroyed record's activities are destroyed with it.
LOGGED_ACTIONS = frozenset({"created", "updated", "deleted", "restored"})
#: Most activities a merge look-up reads (a request updates at most ``MUTATION_MAXIMUM_AFFECTED_RECORDS``
#: records, each linked to a few others).
MERGE_READ_LIMIT = 5000
#: Objects whose changes are also told on the records they are linked to, and the link object
#: (``noteTarget.note`` -> ``noteTarget.person`` / ``company`` / ...) that links them (api-reference §16.1).
LINK_OBJECTS = {"note": "noteTarget", "task": "taskTarget"}


@dataclass(frozen=True)
class Linked:
    """The note or task an activity on a linked record is about."""

    record_id: str
    cached_name: str
    object_id: str


@dataclass(frozen=True)
class Entry:
    """One activity to write: ``name`` on ``record_id`` through the timeline's ``target`` relation."""

    target: FieldSpec
    record_id: str
    name: str
    properties: dict[str, Any]
    linked: Linked | None = None

    @property
    def merge_key(self) -> tuple[str, str, str, str | None]:
        """What an update merges on: the same record, name and linked record (the actor is matched apart)."""
        return (self.target.join_name, self.record_id, self.name, self.linked.record_id if self.linked else None)


def merge_window() -> timedelta:
    """``TIMELINE_MERGE_WINDOW_SECONDS``, read at call time."""
    return timedelta(seconds=int(getattr(settings, "TIMELINE_MERGE_WINDOW_SECONDS", 600)))


@receiver(records_changed)
def on_records_changed(sender: Any, ctx: RecordContext, changes: list[Any], **kwargs: Any) -> None:
    """Write the activities of a change in its transaction (the signal is sent inside it)."""
    record_activities(ctx, changes)


def record_activities(ctx: RecordContext, changes: list[Any]) -> None:
    """Insert (or merge) the activities of ``changes`` of ``ctx``'s object.

    Besides ``{object}.{action}`` on each changed record: a change of a note (task) is told on every
    record the note is linked to (``linked-note.{action}``), and a new noteTarget (taskTarget) tells
    ``linked-note.created`` on the record it links. A constant number of statements per request.
    """
    timeline = ctx.snapshot.by_singular.get(access.TIMELINE_OBJECT)
    if timeline is None:
        return
    logged = [change for change in changes if change.action in LOGGED_ACTIONS]
    diffs = {change.record.id: record_diff(ctx, change) for change in logged if change.action == "updated"}
    # An update with an empty diff writes nothing (api-reference §16.1), on its record or a linked one.
    logged = [change for change in logged if change.action != "updated" or diffs[change.record.id]]
    targets = access.timeline_targets(ctx.snapshot)
    entries = own_entries(ctx, targets, logged, diffs) + linked_entries(ctx, targets, logged, diffs)
    if not entries:
        return
    tctx = ctx.for_object(timeline)
    now = timezone.now()
    entries = merge_recent(tctx, entries, now)
    insert_activities(tctx, entries, now)


def properties_of(change: Any, diffs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An activity's ``properties``: the diff of an update, nothing for the other actions."""
    return {"diff": diffs[change.record.id]} if change.action == "updated" else {}


def own_entries(
    ctx: RecordContext, targets: dict[str, FieldSpec], changes: list[Any], diffs: dict[str, dict[str, Any]]
) -> list[Entry]:
    """``{objectNameSingular}.{action}`` on each changed record of an audited object."""
    target = targets.get(ctx.spec.id)
    if target is None:
        return []
    return [
        Entry(target, change.record.id, f"{ctx.spec.name_singular}.{change.action}", properties_of(change, diffs))
        for change in changes
    ]


def link_targets(targets: dict[str, FieldSpec], link: ObjectSpec, linked: str) -> list[tuple[FieldSpec, FieldSpec]]:
    """``(join field of the link object, timeline target)`` of each audited object ``link`` links ``linked`` to."""
    return [
        (field, targets[field.relation.target_object_id])
        for field in link.relations
        if field.is_many_to_one
        and field.relation is not None
        and field.name != linked
        and field.relation.target_object_id in targets
    ]


def cached_name(spec: ObjectSpec, record: RecordRow) -> str:
    """The record's label-identifier value as text (a note's or a task's title)."""
    field = spec.label_identifier
    value = data_getter(field)(record) if field is not None else None
    return value if isinstance(value, str) else ""


def linked_entries(
    ctx: RecordContext, targets: dict[str, FieldSpec], changes: list[Any], diffs: dict[str, dict[str, Any]]
) -> list[Entry]:
    """``linked-note.{action}`` (``linked-task``) on the records linked to changed notes, or by new noteTargets."""
    singular = ctx.spec.name_singular
    if singular in LINK_OBJECTS:
        return entries_of_changed_notes(ctx, targets, changes, diffs)
    linked = next((name for name, link in LINK_OBJECTS.items() if link == singular), None)
    return entries_of_new_links(ctx, targets, changes, linked) if linked is not None else []


def entries_of_changed_notes(
    ctx: RecordContext, targets: dict[str, FieldSpec], changes: list[Any], diffs: dict[str, dict[str, Any]]
) -> list[Entry]:
    """``linked-note.{action}`` on every record a changed note (task) is linked to by a live link."""
    singular = ctx.spec.name_singular
    link = ctx.snapshot.by_singular.get(LINK_OBJECTS[singular])
    join = link.field(singular) if link is not None else None
    if link is None or join is None or not changes:
        return []
    by_id = {change.record.id: change for change in changes}
    # One read of the live links of every changed note (a trashed link links nothing).
    rows = ctx.for_object(link).records_pointing_at(join, sorted(by_id), trash=False)
    return [
        Entry(
            target,
            str(row.data[field.join_storage_key]),
            f"linked-{singular}.{change.action}",
            properties_of(change, diffs),
            Linked(change.record.id, cached_name(ctx.spec, change.record), ctx.spec.id),
        )
        for row in rows
        if (change := by_id.get(str(row.data.get(join.join_storage_key)))) is not None
        for field, target in link_targets(targets, link, singular)
        if row.data.get(field.join_storage_key)
    ]


def entries_of_new_links(
    ctx: RecordContext, targets: dict[str, FieldSpec], changes: list[Any], linked: str
) -> list[Entry]:
    """``linked-{linked}.created`` on the record each new noteTarget (taskTarget) links its note to."""
    spec, join = ctx.snapshot.by_singular.get(linked), ctx.spec.field(linked)
    created = [change.record for change in changes if change.action == "created"]
    if spec is None or join is None or not created:
        return []
    ids = sorted({str(row.data[join.join_storage_key]) for row in created if row.data.get(join.join_storage_key)})
    # One read of the linked notes, for their titles.
    names = {row.id: cached_name(spec, row) for row in fetch_by_ids(ctx.ws, spec.id, ids, live_only=False)}
    return [
        Entry(
            target,
            str(row.data[field.join_storage_key]),
            f"linked-{linked}.created",
            {},
            Linked(note, names[note], spec.id),
        )
        for row in created
        if (note := str(row.data.get(join.join_storage_key))) in names
        for field, target in link_targets(targets, ctx.spec, linked)
        if row.data.get(field.join_storage_key)
    ]


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


def merge_recent(tctx: RecordContext, entries: list[Entry], now: datetime) -> list[Entry]:
    """Fold update entries into the latest activity of the same record, name, linked record and actor
    within the window; return the entries still to insert. One read per timeline target the request
    touches finds every candidate.
    """
    updates = [entry for entry in entries if entry.name.endswith(".updated")]
    acting = actor_identity(tctx.actor)
    # The actor is matched by id (member or API key), never by name; an actor without one merges with nothing.
    if not updates or acting is None:
        return entries
    by_target: dict[FieldSpec, set[str]] = {}
    for entry in updates:
        by_target.setdefault(entry.target, set()).add(entry.record_id)
    spec = tctx.spec
    keys = {name: spec.field(name).storage_key for name in ("name", "properties", "linkedRecordId", "happensAt")}  # type: ignore[union-attr]
    names = {entry.name for entry in updates}
    start = now - merge_window()
    since = format_instant(start)
    # One read per target field, on its join column alone: an indexed filter, which the planner
    # answers from the index (a filter that also named the activity's name and time was walked
    # over every activity of the workspace in id order), latest first. Only activities made in
    # the window can take the merge, and an activity's id is made after its ``happensAt`` by the
    # same clock (UUIDv7): ids from the window's first millisecond on are read, so the read follows
    # the window's activities, not the record's whole history (3,000 activities cost an update
    # 35 ms). The bound is a millisecond early (float rounding); name, time and actor are checked here.
    lowest_id = str(id_at(int(start.timestamp() * 1000) - 1))
    found: list[RecordRow] = []
    for target, ids in by_target.items():
        node = Condition((target.join_name,), "in", tuple(sorted(ids)))
        found += fetch_latest(tctx.scope(), node, MERGE_READ_LIMIT, lowest_id)
    found.sort(key=lambda row: row.id)
    # Ids are time-ordered (UUIDv7): the last one read per key is the latest activity.
    latest: dict[tuple[str, str, str, str | None], RecordRow] = {}
    for candidate in found:
        name = candidate.data.get(keys["name"])
        if name not in names or actor_identity(candidate.created_by) != acting:
            continue
        if str(candidate.data.get(keys["happensAt"]) or "") < since:
            continue
        linked = candidate.data.get(keys["linkedRecordId"])
        for target in by_target:
            record_id = candidate.data.get(target.join_storage_key)
            if record_id:
                latest[(target.join_name, str(record_id), str(name), str(linked) if linked else None)] = candidate
    changed: list[tuple[RecordRow, Any]] = []
    touched: set[str] = set()
    rest: list[Entry] = []
    for entry in entries:
        row = latest.get(entry.merge_key) if entry.name.endswith(".updated") else None
        if row is None:
            rest.append(entry)
            continue
        before_state = index_state(tctx.slots, row)
        current = row.data.get(keys["properties"]) or {}
        merged = {**current, "diff": merge_diffs(current.get("diff") or {}, entry.properties["diff"])}
        row.data = {**row.data, keys["properties"]: merged}
        if entry.linked is not None:  # the note's title as it is now
            row.data[spec.field("linkedRecordCachedName").storage_key] = entry.linked.cached_name  # type: ignore[union-attr]
        row.updated_at, row.updated_by = now, tctx.actor
        if row.id not in touched:  # two entries of one record merge into the same row, written once
            touched.add(row.id)
            changed.append((row, before_state))
    writer.update(tctx.slots, changed)
    return rest


def insert_activities(tctx: RecordContext, entries: list[Entry], now: datetime) -> None:
    """Insert one activity per entry (one statement for the records, one for their index rows)."""
    if not entries:
        return
    spec = tctx.spec
    keys = {
        name: spec.field(name).storage_key  # type: ignore[union-attr]
        for name in (
            "happensAt",
            "name",
            "properties",
            "linkedRecordCachedName",
            "linkedRecordId",
            "linkedObjectMetadataId",
        )
    }
    member = spec.field("workspaceMember")
    happens_at = format_instant(now)
    base: dict[str, Any] = {keys["happensAt"]: happens_at, keys["linkedRecordCachedName"]: ""}
    if member is not None and member.is_many_to_one:
        # Acting workspace member; API-key requests have none (api-reference §16.1).
        base[member.join_storage_key] = tctx.actor.get("workspaceMemberId")
    position = now.timestamp()
    rows = []
    for index, entry in enumerate(entries):
        data = {
            **base,
            keys["name"]: entry.name,
            keys["properties"]: entry.properties,
            entry.target.join_storage_key: entry.record_id,
        }
        if entry.linked is not None:
            data[keys["linkedRecordId"]] = entry.linked.record_id
            data[keys["linkedRecordCachedName"]] = entry.linked.cached_name
            data[keys["linkedObjectMetadataId"]] = entry.linked.object_id
        rows.append(
            RecordRow(
                id=new_id(),
                workspace_id=tctx.ws,
                object_id=spec.id,
                data=data,
                position=position + index / 1000,
                created_at=now,
                updated_at=now,
                deleted_at=None,
                created_by=tctx.actor,
                updated_by=tctx.actor,
            )
        )
    writer.insert(tctx.slots, rows)


def visible_diffs(ctx: RecordContext, records: list[RecordRow], outputs: list[dict[str, Any]]) -> None:
    """Leave out of each shaped activity what the caller's role cannot read of the audited records.

    A diff holds values of the audited record (of the linked note for ``linked-note.*``), not of the
    activity: a role that cannot read a person's ``jobTitle`` must not read it as
    ``properties.diff.jobTitle`` either, and an activity of an object the role cannot read keeps no
    diff. Likewise ``linkedRecordCachedName`` (a note's title) reads ``""`` unless the role reads the
    note's title. ``outputs`` are changed in place (new dicts: the stored ones stay intact).
    """
    if (
        ctx.access is None
        or ctx.spec.name_singular != access.TIMELINE_OBJECT
        or access.reads_every_audited_value(ctx.access, ctx.snapshot)
    ):
        return
    name_field, linked_field = ctx.spec.field("name"), ctx.spec.field("linkedObjectMetadataId")
    if name_field is None or linked_field is None:
        return
    for record, output in zip(records, outputs):
        linked_id = record.data.get(linked_field.storage_key)
        name = record.data.get(name_field.storage_key)
        if linked_id:
            target = ctx.snapshot.by_id.get(str(linked_id))
        else:
            target = ctx.snapshot.by_singular.get(name.split(".")[0]) if isinstance(name, str) else None
        view = access.object_view(ctx.access, ctx.snapshot, target) if target is not None else None
        if target is None or view is None or not ctx.access.on(target.id).read:
            view = None
        if linked_id and "linkedRecordCachedName" in output:
            label = target.label_identifier if target is not None else None
            if view is None or label is None or label.id not in view.readable:
                output["linkedRecordCachedName"] = ""
        properties = output.get("properties")
        if not isinstance(properties, dict) or not isinstance(properties.get("diff"), dict):
            continue
        if view is not None and view.complete:
            continue
        keys = view.keys if view is not None else frozenset()
        output["properties"] = {**properties, "diff": {k: v for k, v in properties["diff"].items() if k in keys}}
