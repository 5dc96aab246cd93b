"""Records as the store reads them: :class:`RecordRow`, and the SQL that selects one.

A ``RecordRow`` is a plain object with the record table's columns, ``data`` already decoded (with
orjson); no model instance is built on the read path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from core_app.store import deferred
from core_app.store.sql import Dialect, dialect, rows

__all__ = ["COLUMNS", "RecordRow", "fetch_by_ids", "row_reader", "select_list"]

#: Columns of a record row, in the order ``select_list`` selects them. The workspace and the object
#: are not read back: every query is scoped to one of each, which the reader is given.
COLUMNS = (
    "id",
    "data",
    "position",
    "created_at",
    "updated_at",
    "deleted_at",
    "created_by",
    "updated_by",
)


@dataclass(slots=True)
class RecordRow:
    """One record: its columns, with ids as canonical strings and JSON columns decoded."""

    id: str
    workspace_id: str
    object_id: str
    data: dict[str, Any]
    position: float
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    created_by: dict[str, Any] | None
    updated_by: dict[str, Any] | None

    @property
    def pk(self) -> str:
        """The record's id (the name the services and the API use)."""
        return self.id

    def columns(self) -> dict[str, Any]:
        """The system columns by name (what column-backed index slots read)."""
        return {
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "deleted_at": self.deleted_at,
            "position": self.position,
        }


def select_list(alias: str = "r") -> str:
    """The record columns of ``alias``, in ``COLUMNS`` order (the id as text on PostgreSQL: no UUID object)."""
    id_column = f"{alias}.id::text" if dialect().vendor == "postgresql" else f"{alias}.id"
    return ", ".join([id_column, *(f"{alias}.{column}" for column in COLUMNS[1:])])


def loads(value: Any) -> Any:
    """A JSON column as read (text on both databases, as Django registers it), decoded."""
    if value is None or isinstance(value, (dict, list)):
        return value
    return orjson.loads(value)


def row_reader(d: Dialect, workspace_id: str, object_id: str) -> Callable[[Sequence[Any]], RecordRow]:
    """A function turning a row selected by ``select_list`` into a ``RecordRow`` of the workspace and object.

    ``created_by`` and ``updated_by`` values repeat from row to row (a page is mostly written by a
    few actors): each distinct text is decoded once per reader and its dict shared by the rows
    that hold it (the services replace a row's actor, they never change it in place).
    """
    uuid_out, instant_out = d.uuid_out, d.instant_out
    actors: dict[Any, Any] = {}

    def actor(value: Any) -> Any:
        if value is None or isinstance(value, dict):
            return value
        found = actors.get(value)
        if found is None:
            found = actors[value] = orjson.loads(value)
        return found

    def read(row: Sequence[Any]) -> RecordRow:
        return RecordRow(
            uuid_out(row[0]),
            workspace_id,
            object_id,
            loads(row[1]),
            row[2],
            instant_out(row[3]),  # type: ignore[arg-type]
            instant_out(row[4]),  # type: ignore[arg-type]
            instant_out(row[5]),
            actor(row[6]),
            actor(row[7]),
        )

    return read


def fetch_by_ids(
    workspace_id: str,
    object_id: str,
    ids: Sequence[str],
    live_only: bool = True,
    order_by_id: bool = False,
    lock: bool = False,
) -> list[RecordRow]:
    """Records of one object among ``ids`` (live ones unless ``live_only`` is False).

    ``lock``: the rows are locked until the transaction ends, in id order (so that two writers of
    overlapping records wait instead of deadlocking), and read as the last transaction to commit
    them left them. SQLite needs no lock: its writing transactions run one at a time (IMMEDIATE).
    """
    if not ids:
        return []
    d = dialect()
    # "(... IS NULL) IS TRUE": no partial index matches it, so only the primary key serves the
    # lookup, whatever the planner believes of the table (see core_app.query.planner).
    among, among_params = d.one_of("r.id", [d.uuid_in(i) for i in ids], "uuid")
    sql = (
        f"SELECT {select_list()} FROM core_app_record r WHERE r.workspace_id = %s AND r.object_id = %s "
        f"AND {among}" + (" AND (r.deleted_at IS NULL) IS TRUE" if live_only else "")
    )
    read = row_reader(d, workspace_id, object_id)
    params = [d.uuid_in(workspace_id), d.uuid_in(object_id), *among_params]
    if lock and d.vendor == "postgresql":
        # The unit of work's data-model check rides here when nothing else waits (an update's
        # first statement): one round trip instead of two, its lock still taken first.
        checks = deferred.take_lone_checks()
        if checks:
            return locked_with_checks(checks, sql, params, read)
        sql += " ORDER BY r.id FOR UPDATE"
    elif order_by_id:
        sql += " ORDER BY r.id"
    # A write's read under lock is prepared (core_app.store.sql.execute), as the write that follows it.
    return [read(row) for row in rows(sql, params, prepare=lock)]


def locked_with_checks(
    checks: list[deferred.Check], sql: str, params: list[Any], read: Callable[[Sequence[Any]], RecordRow]
) -> list[RecordRow]:
    """The rows of ``sql`` locked in id order, ``checks`` sent and judged in the same statement
    (``deferred.locked_read``); when no row comes back, the checks go alone, to be judged all the same."""
    text, all_params = deferred.locked_read(checks, sql, params, "ORDER BY r.id FOR UPDATE OF r")
    found = rows(text, all_params, prepare=True)
    if not found:
        deferred.send(checks, [])
        return []
    deferred.judge(checks, found[0][-len(checks) :])
    return [read(row[: -len(checks)]) for row in found]
