"""Records as the store reads them: :class:`RecordRow`, and the SQL that selects one.

A ``RecordRow`` is a plain object with the record table's columns, ``data`` already decoded (with
orjson); no model instance is built on the read path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from core_app.store.sql import Dialect, dialect, in_list, rows

__all__ = ["COLUMNS", "RecordRow", "fetch_by_ids", "row_reader", "select_list"]

#: Columns of a record row, in the order ``select_list`` selects them.
COLUMNS = (
    "id",
    "workspace_id",
    "object_id",
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
    """The record columns of ``alias``, in ``COLUMNS`` order."""
    return ", ".join(f"{alias}.{column}" for column in COLUMNS)


def loads(value: Any) -> Any:
    """A JSON column as read (text on both databases, as Django registers it), decoded."""
    if value is None or isinstance(value, (dict, list)):
        return value
    return orjson.loads(value)


def row_reader(d: Dialect) -> Any:
    """A function turning a selected row (``select_list`` first) into a ``RecordRow``."""
    uuid_out, instant_out = d.uuid_out, d.instant_out

    def read(row: Sequence[Any]) -> RecordRow:
        return RecordRow(
            uuid_out(row[0]),
            uuid_out(row[1]),
            uuid_out(row[2]),
            loads(row[3]),
            row[4],
            instant_out(row[5]),  # type: ignore[arg-type]
            instant_out(row[6]),  # type: ignore[arg-type]
            instant_out(row[7]),
            loads(row[8]),
            loads(row[9]),
        )

    return read


def fetch_by_ids(
    workspace_id: str, object_id: str, ids: Sequence[str], live_only: bool = True, order_by_id: bool = False
) -> list[RecordRow]:
    """Records of one object among ``ids`` (live ones unless ``live_only`` is False)."""
    if not ids:
        return []
    d = dialect()
    sql = (
        f"SELECT {select_list()} FROM core_app_record r WHERE r.workspace_id = %s AND r.object_id = %s "
        f"AND r.id IN {in_list(len(ids))}" + (" AND r.deleted_at IS NULL" if live_only else "")
    )
    if order_by_id:
        sql += " ORDER BY r.id"
    read = row_reader(d)
    params = [d.uuid_in(workspace_id), d.uuid_in(object_id), *(d.uuid_in(i) for i in ids)]
    return [read(row) for row in rows(sql, params)]
