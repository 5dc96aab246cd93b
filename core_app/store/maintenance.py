"""The index path kept in step with data-model changes, and the store rebuilt on demand.

- :func:`sync_slots` runs in the transaction of every data-model change: slots that no longer
  exist (a field deleted, deactivated or no longer indexed) lose their index rows; new slots (a
  field created or marked ``isIndexed``, an object reactivated) get a row for every live record.
- :func:`purge_object` / :func:`purge_field` / :func:`purge_workspace` remove what the store
  holds for something deleted.
- :func:`sync_search` does the same for the search index (``core_app.store.search``): fields no
  longer searched (``isSearchable`` off, deactivated, deleted, their object no longer searchable
  or inactive) lose their tokens; newly searched fields get the tokens of every record, trash
  included, in the metadata change's transaction (as ``isIndexed`` does).
- :func:`rebuild` recomputes every index row and counter of a workspace from its records
  (``manage.py rebuild_record_index``; the migration that introduced the index path runs it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final

from core_app.store import counts, writer
from core_app.store import search as search_index
from core_app.store.records import RecordRow, fetch_by_ids, row_reader, select_list
from core_app.store.slots import Slot, build_object_slots, field_slots
from core_app.store.sql import dialect, in_list, rows, run
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = [
    "iter_records",
    "purge_field",
    "purge_object",
    "purge_pointing",
    "purge_workspace",
    "rebuild",
    "rebuild_search",
    "sync_search",
    "sync_slots",
]

BATCH = 2000


def iter_records(workspace_id: str, object_id: str, live_only: bool = True) -> Iterator[list[RecordRow]]:
    """Every record of an object, in batches in id order (keyset, so any size is read in bounded memory)."""
    d = dialect()
    read = row_reader(d, workspace_id, object_id)
    last: str | None = None
    while True:
        params: list[Any] = [d.uuid_in(workspace_id), d.uuid_in(object_id)]
        sql = f"SELECT {select_list()} FROM core_app_record r WHERE r.workspace_id = %s AND r.object_id = %s"
        if live_only:
            sql += " AND r.deleted_at IS NULL"
        if last is not None:
            sql += " AND r.id > %s"
            params.append(d.uuid_in(last))
        batch = [read(row) for row in rows(sql + f" ORDER BY r.id LIMIT {BATCH}", params)]
        if not batch:
            return
        yield batch
        last = batch[-1].id


def indexed_slots(workspace_id: str) -> set[str]:
    """The slots that have index rows in a workspace (a skip scan of the index: one probe per slot)."""
    d = dialect()
    ws = d.uuid_in(workspace_id)
    found = rows(
        "WITH RECURSIVE s(slot) AS ("
        "SELECT (SELECT slot FROM core_app_recordindex WHERE workspace_id = %s ORDER BY slot LIMIT 1) "
        "UNION ALL SELECT (SELECT i.slot FROM core_app_recordindex i WHERE i.workspace_id = %s AND i.slot > s.slot "
        "ORDER BY i.slot LIMIT 1) FROM s WHERE s.slot IS NOT NULL) SELECT slot FROM s WHERE slot IS NOT NULL",
        [ws, ws],
    )
    return {d.uuid_out(row[0]) for row in found}


def backfill(snapshot: SchemaSnapshot, spec: ObjectSpec, slots: list[Slot]) -> None:
    """Give every live record of ``spec`` its row in each of ``slots``."""
    if not slots:
        return
    for batch in iter_records(snapshot.workspace_id, spec.id):
        entries = []
        for record in batch:
            columns = record.columns()
            entries += [(record.id, slot.id, slot.key_of(record.data, columns)) for slot in slots]
        for start in range(0, len(entries), BATCH):
            writer.write_index(dialect(), snapshot.workspace_id, entries[start : start + BATCH])
    # After the entries (kept counts read before it are counted again), even for an empty object.
    counts.add(snapshot.workspace_id, spec.id, 0)


def drop_slots(workspace_id: str, slot_ids: Iterable[str]) -> None:
    """Remove every index row of these slots."""
    d = dialect()
    ids = sorted(slot_ids)
    if ids:
        run(
            f"DELETE FROM core_app_recordindex WHERE workspace_id = %s AND slot IN {in_list(len(ids))}",
            [d.uuid_in(workspace_id), *(d.uuid_in(i) for i in ids)],
        )


def sync_slots(snapshot: SchemaSnapshot) -> None:
    """Make the index hold exactly the slots of ``snapshot`` (the workspace's data model as it now is)."""
    expected = {slot.id: (spec, slot) for spec in snapshot.objects for slot in build_object_slots(spec).slots}
    present = indexed_slots(snapshot.workspace_id)
    drop_slots(snapshot.workspace_id, present - set(expected))
    missing: dict[str, list[Slot]] = {}
    for slot_id, (spec, slot) in expected.items():
        if slot_id not in present:
            missing.setdefault(spec.id, []).append(slot)
    for spec in snapshot.objects:
        backfill(snapshot, spec, missing.get(spec.id, []))


def searched_fields(snapshot: SchemaSnapshot) -> dict[str, tuple[ObjectSpec, FieldSpec]]:
    """Field id -> (object, field) of every field the search index should hold."""
    return {field.id: (spec, field) for spec in snapshot.objects for field in search_index.search_fields(spec).fields}


def backfill_search(snapshot: SchemaSnapshot, spec: ObjectSpec, fields: list[FieldSpec]) -> None:
    """Write the tokens of ``fields`` for every record of ``spec``, trashed ones included."""
    if not fields:
        return
    d = dialect()
    # Tokens written by record writes before the bookkeeping row existed are replaced, not doubled.
    drop_search_fields(snapshot.workspace_id, {f.id: spec.id for f in fields}, [f.id for f in fields])
    part = search_index.SearchFields(spec.id, tuple(fields), spec.label_identifier_field_id)
    for batch in iter_records(snapshot.workspace_id, spec.id, live_only=False):
        entries = [entry for record in batch for entry in part.rows(record.id, record.data)]
        for start in range(0, len(entries), BATCH * 4):
            search_index.write_tokens(d, snapshot.workspace_id, spec.id, entries[start : start + BATCH * 4])
    run(
        f"INSERT INTO core_app_searchfield (workspace_id, field_id, object_id) VALUES "
        f"{', '.join(['(%s, %s, %s)'] * len(fields))}",
        [value for f in fields for value in (d.uuid_in(snapshot.workspace_id), d.uuid_in(f.id), d.uuid_in(spec.id))],
    )


#: The ids of an object's records, live and trashed, from the object's partial indexes (an index
#: of the record table serves (workspace, object) only with a condition on ``deleted_at``).
OBJECT_RECORD_IDS: Final = (
    "SELECT id FROM core_app_record WHERE workspace_id = %s AND object_id = %s AND deleted_at IS NULL UNION ALL "
    "SELECT id FROM core_app_record WHERE workspace_id = %s AND object_id = %s AND deleted_at IS NOT NULL"
)


def object_params(ws: Any, obj: Any) -> list[Any]:
    """The parameters of ``OBJECT_RECORD_IDS``."""
    return [ws, obj, ws, obj]


def drop_search_fields(workspace_id: str, present: dict[str, str], field_ids: Iterable[str]) -> None:
    """Remove the tokens of these fields (``present`` maps each to its object) and their bookkeeping row."""
    d = dialect()
    ws = d.uuid_in(workspace_id)
    for field_id in sorted(field_ids):
        # Found through the object's records, a probe of the token table's primary key (led by the
        # record) each: no index serves (workspace, object, field) over the document rows too, and
        # a scan of every workspace's tokens made creating a workspace take seconds per field.
        run(
            "DELETE FROM core_app_searchtoken WHERE workspace_id = %s AND field_id = %s AND record_id IN "
            f"({OBJECT_RECORD_IDS})",
            [ws, d.uuid_in(field_id), *object_params(ws, d.uuid_in(present[field_id]))],
        )
        run("DELETE FROM core_app_searchfield WHERE workspace_id = %s AND field_id = %s", [ws, d.uuid_in(field_id)])


def sync_search(snapshot: SchemaSnapshot) -> None:
    """Make the search index hold exactly the search fields of ``snapshot``."""
    d = dialect()
    expected = searched_fields(snapshot)
    present = {
        d.uuid_out(field_id): d.uuid_out(object_id)
        for field_id, object_id in rows(
            "SELECT field_id, object_id FROM core_app_searchfield WHERE workspace_id = %s",
            [d.uuid_in(snapshot.workspace_id)],
        )
    }
    drop_search_fields(snapshot.workspace_id, present, set(present) - set(expected))
    missing: dict[str, list[FieldSpec]] = {}
    for field_id, (spec, field) in expected.items():
        if field_id not in present:
            missing.setdefault(spec.id, []).append(field)
    for spec in snapshot.objects:
        backfill_search(snapshot, spec, missing.get(spec.id, []))


def rebuild_search(snapshot: SchemaSnapshot) -> None:
    """Recompute the whole search index of a workspace from its records."""
    ws = dialect().uuid_in(snapshot.workspace_id)
    run("DELETE FROM core_app_searchtoken WHERE workspace_id = %s", [ws])
    run("DELETE FROM core_app_searchfield WHERE workspace_id = %s", [ws])
    sync_search(snapshot)


def purge_field(workspace_id: str, field: FieldSpec) -> None:
    """Remove a deleted field's index rows and unique values."""
    d = dialect()
    drop_slots(workspace_id, [slot.id for slot in field_slots(field)])
    drop_search_fields(workspace_id, {field.id: field.object_id}, [field.id])
    run(
        "DELETE FROM core_app_uniquevalue WHERE workspace_id = %s AND field_id = %s",
        [d.uuid_in(workspace_id), d.uuid_in(field.id)],
    )


def purge_object(workspace_id: str, object_id: str, field_ids: Iterable[str]) -> None:
    """Remove a deleted object's records, with their index rows, unique values and counters."""
    d = dialect()
    ws, obj = d.uuid_in(workspace_id), d.uuid_in(object_id)
    run(
        f"DELETE FROM core_app_recordindex WHERE workspace_id = %s AND record_id IN ({OBJECT_RECORD_IDS})",
        [ws, *object_params(ws, obj)],
    )
    fields = [d.uuid_in(f) for f in field_ids]
    if fields:
        run(
            f"DELETE FROM core_app_uniquevalue WHERE workspace_id = %s AND field_id IN {in_list(len(fields))}",
            [ws, *fields],
        )
    run(
        f"DELETE FROM core_app_searchtoken WHERE workspace_id = %s AND record_id IN ({OBJECT_RECORD_IDS})",
        [ws, *object_params(ws, obj)],
    )
    run("DELETE FROM core_app_searchfield WHERE workspace_id = %s AND object_id = %s", [ws, obj])
    run("DELETE FROM core_app_record WHERE workspace_id = %s AND object_id = %s", [ws, obj])
    counts.forget_object(workspace_id, object_id)


def purge_pointing(workspace_id: str, object_id: str, join_key: str) -> None:
    """Destroy the records of ``object_id`` whose join column ``join_key`` names a record, trash included.

    For the ``CASCADE`` relations of join objects (note and task targets, attachments, timeline
    activities) to an object being deleted: its records go without their own events, so the rows
    that only pointed at them go the same way, as destroying each record would have taken them.
    """
    d = dialect()
    found = rows(
        "SELECT id FROM core_app_record WHERE workspace_id = %s AND object_id = %s "
        f"AND {d.json_text('data', (join_key,))} IS NOT NULL",
        [d.uuid_in(workspace_id), d.uuid_in(object_id)],
    )
    ids = [d.uuid_out(row[0]) for row in found]
    for start in range(0, len(ids), BATCH):
        chunk = fetch_by_ids(workspace_id, object_id, ids[start : start + BATCH], live_only=False)
        writer.destroy(workspace_id, object_id, chunk)


def purge_workspace(workspace_id: str) -> None:
    """Remove everything the store holds for a workspace."""
    ws = dialect().uuid_in(workspace_id)
    for table in (
        "core_app_recordindex",
        "core_app_uniquevalue",
        "core_app_recordcount",
        "core_app_searchtoken",
        "core_app_searchfield",
        "core_app_record",
    ):
        run(f"DELETE FROM {table} WHERE workspace_id = %s", [ws])


def rebuild(snapshot: SchemaSnapshot) -> int:
    """Recompute every index row and counter of a workspace from its records; return the records seen."""
    d = dialect()
    ws = d.uuid_in(snapshot.workspace_id)
    run("DELETE FROM core_app_recordindex WHERE workspace_id = %s", [ws])
    # Counter rows stay, with their changes (kept counts must never see changes go back).
    run("UPDATE core_app_recordcount SET live = 0 WHERE workspace_id = %s", [ws])
    for spec in snapshot.objects:
        backfill(snapshot, spec, list(build_object_slots(spec).slots))
    # Counters cover every object, active or not: a reactivated object must count right at once.
    live = rows(
        "SELECT object_id, COUNT(*) FROM core_app_record WHERE workspace_id = %s AND deleted_at IS NULL "
        "GROUP BY object_id",
        [ws],
    )
    for object_id, number in live:
        counts.add(snapshot.workspace_id, d.uuid_out(object_id), int(number))
    run("UPDATE core_app_recordcount SET changes = changes + 1 WHERE workspace_id = %s", [ws])
    return sum(int(number) for _, number in live)
