"""Every write to the record table, with the index path and the counters kept in step.

The record service decides *what* to write; this module writes it, as one multi-row statement
per table whatever the number of records, inside the caller's transaction:

- ``insert``: record rows, their index rows (live records only) and the counter delta;
- ``update``: changed columns, index rows whose key changed (all of them when a record moves
  between the trash and the live records), counter deltas;
- ``soft_delete`` / ``restore``: move records out of / back into the live set and the index;
- ``destroy``: records, their index rows and unique values, gone.

Each write that changes an object's index entries tells the counters (``counts.add``), even when
the number of live records stays the same: filtered counts are kept while it does not.

The search index (``core_app.store.search``) follows the same writes: a created record's tokens,
an updated record's tokens when the text of a search field changed, none left by a destroy.
Trashing and restoring leave tokens alone (the trash is searchable when a filter names it).

Unique values are written by ``core_app.store.unique`` (the service checks them first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core_app.store import counts
from core_app.store import search as search_index
from core_app.store.records import RecordRow
from core_app.store.slots import ObjectSlots
from core_app.store.sql import Dialect, dialect, in_list, insert_rows, run, write

__all__ = ["IndexState", "destroy", "index_state", "insert", "restore", "soft_delete", "update"]

RECORD_COLUMNS = (
    ("workspace_id", "uuid"),
    ("id", "uuid"),
    ("object_id", "uuid"),
    ("data", "jsonb"),
    ("position", "double precision"),
    ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"),
    ("deleted_at", "timestamptz"),
    ("created_by", "jsonb"),
    ("updated_by", "jsonb"),
)
INDEX_COLUMNS = (("workspace_id", "uuid"), ("record_id", "uuid"), ("slot", "uuid"), ("key", "text"))


@dataclass(frozen=True)
class IndexState:
    """What the index holds for a record: whether it is live, its key in each slot, its search documents."""

    live: bool
    keys: dict[str, str | None]
    search: dict[str, str] | None = None


def index_state(slots: ObjectSlots, row: RecordRow) -> IndexState:
    """The index state a record's current values call for."""
    columns = row.columns()
    documents = slots.search.documents(row.data) if slots.search is not None and slots.search.fields else None
    return IndexState(
        row.deleted_at is None, {slot.id: slot.key_of(row.data, columns) for slot in slots.slots}, documents
    )


def casts(d: Dialect) -> dict[str, str]:
    """Placeholders of the record columns (PostgreSQL needs types for values inside VALUES lists)."""
    if d.vendor != "postgresql":
        return dict.fromkeys(("uuid", "jsonb", "float", "time"), "%s")
    return {"uuid": "%s::uuid", "jsonb": "%s::jsonb", "float": "%s::double precision", "time": "%s::timestamptz"}


def record_params(d: Dialect, row: RecordRow) -> list[Any]:
    """Parameters of one record row, in ``RECORD_COLUMNS`` order."""
    return [
        d.uuid_in(row.workspace_id),
        d.uuid_in(row.id),
        d.uuid_in(row.object_id),
        d.json_in(row.data),
        float(row.position),
        instant(d, row.created_at),
        instant(d, row.updated_at),
        instant(d, row.deleted_at),
        d.json_in(row.created_by) if row.created_by is not None else None,
        d.json_in(row.updated_by) if row.updated_by is not None else None,
    ]


def instant(d: Dialect, value: datetime | None) -> Any:
    """A timestamp parameter (None stays NULL)."""
    return d.instant_in(value) if value is not None else None


def write_index(
    d: Dialect, workspace_id: str, entries: Sequence[tuple[str, str, str | None]], replace: bool = True
) -> None:
    """Insert index rows ``(record id, slot, key)``, replacing existing ones when ``replace`` (one statement).

    Rows go in (record, slot) order, the primary key's, so concurrent writers lock them in one order.
    """
    ws = d.uuid_in(workspace_id)
    ordered = sorted(entries, key=lambda e: (e[0], e[1]))
    insert_rows(
        "core_app_recordindex",
        INDEX_COLUMNS,
        [(ws, d.uuid_in(record_id), d.uuid_in(slot), key) for record_id, slot, key in ordered],
        "ON CONFLICT (workspace_id, record_id, slot) DO UPDATE SET key = excluded.key" if replace else "",
    )


def drop_index(d: Dialect, workspace_id: str, record_ids: Sequence[str]) -> None:
    """Remove every index row of these records."""
    if record_ids:
        write(
            "core_app_recordindex",
            f"DELETE FROM core_app_recordindex WHERE workspace_id = %s AND record_id IN {in_list(len(record_ids))}",
            [d.uuid_in(workspace_id), *(d.uuid_in(i) for i in record_ids)],
        )


def all_entries(slots: ObjectSlots, row: RecordRow) -> list[tuple[str, str, str | None]]:
    """Every index row of a live record."""
    columns = row.columns()
    return [(row.id, slot.id, slot.key_of(row.data, columns)) for slot in slots.slots]


def insert(slots: ObjectSlots, new_rows: Sequence[RecordRow]) -> None:
    """Insert records of one object (one workspace), their index rows and their count."""
    if not new_rows:
        return
    d = dialect()
    first = new_rows[0]
    insert_rows("core_app_record", RECORD_COLUMNS, [record_params(d, row) for row in new_rows])
    live = [row for row in new_rows if row.deleted_at is None]
    # New records have no index rows yet: a plain insert, without the cost of conflict checks.
    write_index(d, first.workspace_id, [entry for row in live for entry in all_entries(slots, row)], replace=False)
    if slots.search is not None and slots.search.fields:
        search = slots.search
        tokens = [entry for row in new_rows for entry in search.rows(row.id, row.data)]
        search_index.write_tokens(d, first.workspace_id, first.object_id, tokens)
    counts.add(first.workspace_id, first.object_id, len(live))


def update(slots: ObjectSlots, changed: Sequence[tuple[RecordRow, IndexState]]) -> None:
    """Write records' data, position, ``updatedAt``/``updatedBy`` and ``deletedAt``; keep the index in step.

    ``changed`` pairs each record (its new state) with the index state it had before the change.
    """
    if not changed:
        return
    d = dialect()
    first = changed[0][0]
    if len(changed) == 1:
        row = first
        write(
            "core_app_record",
            "UPDATE core_app_record SET data = %s, position = %s, updated_at = %s, updated_by = %s, deleted_at = %s "
            "WHERE workspace_id = %s AND id = %s",
            [
                d.json_in(row.data),
                float(row.position),
                instant(d, row.updated_at),
                d.json_in(row.updated_by) if row.updated_by is not None else None,
                instant(d, row.deleted_at),
                d.uuid_in(row.workspace_id),
                d.uuid_in(row.id),
            ],
        )
    else:
        c = casts(d)
        values = ", ".join(
            [f"({c['uuid']}, {c['jsonb']}, {c['float']}, {c['time']}, {c['jsonb']}, {c['time']})"] * len(changed)
        )
        params: list[Any] = []
        # Rows are written in id order: concurrent writers of overlapping records lock them in one order.
        for row, _ in sorted(changed, key=lambda pair: pair[0].id):
            params += [
                d.uuid_in(row.id),
                d.json_in(row.data),
                float(row.position),
                instant(d, row.updated_at),
                d.json_in(row.updated_by) if row.updated_by is not None else None,
                instant(d, row.deleted_at),
            ]
        params.append(d.uuid_in(first.workspace_id))
        write(
            "core_app_record",
            f"WITH v (id, data, position, updated_at, updated_by, deleted_at) AS (VALUES {values}) "
            "UPDATE core_app_record SET data = v.data, position = v.position, updated_at = v.updated_at, "
            "updated_by = v.updated_by, deleted_at = v.deleted_at FROM v "
            "WHERE core_app_record.workspace_id = %s AND core_app_record.id = v.id",
            params,
        )
    entries: list[tuple[str, str, str | None]] = []
    left: list[str] = []
    delta = 0
    for row, before in changed:
        after = index_state(slots, row)
        if after.live and before.live:
            entries += [(row.id, slot, key) for slot, key in after.keys.items() if before.keys.get(slot, "") != key]
        elif after.live:
            entries += [(row.id, slot, key) for slot, key in after.keys.items()]
            delta += 1
        elif before.live:
            left.append(row.id)
            delta -= 1
    drop_index(d, first.workspace_id, left)
    write_index(d, first.workspace_id, entries)
    update_tokens(d, slots, changed)
    if entries or left or delta:  # the index changed, or the live count
        counts.add(first.workspace_id, first.object_id, delta)


def update_tokens(d: Dialect, slots: ObjectSlots, changed: Sequence[tuple[RecordRow, IndexState]]) -> None:
    """Rewrite the search tokens of the records whose search text changed (two statements at most)."""
    search = slots.search
    if search is None or not search.fields:
        return
    stale = [row for row, before in changed if search.documents(row.data) != (before.search or {})]
    if not stale:
        return
    first = stale[0]
    search_index.delete_tokens(d, first.workspace_id, [row.id for row in stale])
    search_index.write_tokens(
        d, first.workspace_id, first.object_id, [entry for row in stale for entry in search.rows(row.id, row.data)]
    )


def soft_delete(workspace_id: str, object_id: str, record_ids: Sequence[str], now: datetime) -> None:
    """Move live records to the trash: ``deletedAt`` set, out of the index and the count."""
    if not record_ids:
        return
    d = dialect()
    ids = sorted(record_ids)
    changed = run(
        f"UPDATE core_app_record SET deleted_at = %s, updated_at = %s WHERE workspace_id = %s AND object_id = %s "
        f"AND deleted_at IS NULL AND id IN {in_list(len(ids))}",
        [instant(d, now), instant(d, now), d.uuid_in(workspace_id), d.uuid_in(object_id), *(d.uuid_in(i) for i in ids)],
    )
    drop_index(d, workspace_id, ids)
    if changed:
        counts.add(workspace_id, object_id, -changed)


def restore(slots: ObjectSlots, rows: Sequence[RecordRow], now: datetime) -> None:
    """Take trashed records out of the trash: back in the index and the count."""
    trashed = [row for row in rows if row.deleted_at is not None]
    for row in rows:
        row.deleted_at, row.updated_at = None, now
    if not trashed:
        return
    d = dialect()
    first = trashed[0]
    ids = sorted(row.id for row in trashed)
    run(
        f"UPDATE core_app_record SET deleted_at = NULL, updated_at = %s WHERE workspace_id = %s AND object_id = %s "
        f"AND id IN {in_list(len(ids))}",
        [instant(d, now), d.uuid_in(first.workspace_id), d.uuid_in(first.object_id), *(d.uuid_in(i) for i in ids)],
    )
    write_index(d, first.workspace_id, [entry for row in trashed for entry in all_entries(slots, row)])
    counts.add(first.workspace_id, first.object_id, len(trashed))


def destroy(workspace_id: str, object_id: str, rows: Sequence[RecordRow]) -> None:
    """Delete records for good, with their index rows and unique values."""
    if not rows:
        return
    d = dialect()
    ids = sorted(row.id for row in rows)
    params = [d.uuid_in(workspace_id), *(d.uuid_in(i) for i in ids)]
    run(f"DELETE FROM core_app_record WHERE workspace_id = %s AND id IN {in_list(len(ids))}", params)
    run(f"DELETE FROM core_app_uniquevalue WHERE workspace_id = %s AND record_id IN {in_list(len(ids))}", params)
    drop_index(d, workspace_id, ids)
    search_index.delete_tokens(d, workspace_id, ids)
    counts.add(workspace_id, object_id, -sum(1 for row in rows if row.deleted_at is None))
