"""Live-record counters: an unfiltered ``totalCount`` in a handful of rows, exact, in any object size.

Writers add their deltas in the writing transaction. Deltas are gathered while a unit of work
is open (:func:`collecting`) and written when it closes, in one statement ordered by object, so
two transactions never lock counter rows in opposite orders. Each database session writes its own
shard (``pg_backend_pid() % 8`` on PostgreSQL), so concurrent writers of one object rarely wait
on each other; a count is the sum of the object's shards.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core_app.store.sql import dialect, rows, run, write

__all__ = ["add", "collecting", "forget_object", "live_count", "live_count_sql"]

_local = threading.local()


def _pending() -> dict[tuple[str, str], int] | None:
    return getattr(_local, "pending", None)


@contextmanager
def collecting() -> Iterator[None]:
    """Gather counter deltas until the outermost ``collecting`` block ends, then write them.

    Must run inside the writing transaction; nested blocks join the outermost one.
    """
    if _pending() is not None:
        yield
        return
    _local.pending = defaultdict(int)
    try:
        yield
        pending = _local.pending
    finally:
        _local.pending = None
    flush(pending)


def add(workspace_id: str, object_id: str, delta: int) -> None:
    """Count ``delta`` more (or fewer) live records of an object, now or when the unit of work ends."""
    if not delta:
        return
    pending = _pending()
    if pending is not None:
        pending[(workspace_id, object_id)] += delta
    else:
        flush({(workspace_id, object_id): delta})


def flush(deltas: dict[tuple[str, str], int]) -> None:
    """Write counter deltas, in (workspace, object) order (with the unit of work's inserts when it gathers them)."""
    items = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not items:
        return
    d = dialect()
    if d.vendor == "postgresql":
        # Arrays: one statement text whatever the number of objects, so it stays prepared.
        text = (
            "INSERT INTO core_app_recordcount (workspace_id, object_id, shard, live) "
            f"SELECT w, o, {d.shard()}, l FROM unnest(%b::uuid[], %b::uuid[], %b::bigint[]) AS u(w, o, l) "
            + d.upsert_add()
        )
        params: list[Any] = [[ws for (ws, _), _ in items], [obj for (_, obj), _ in items], [n for _, n in items]]
        write("core_app_recordcount", text, params)
        return
    values = ", ".join(f"(%s, %s, {d.shard()}, %s)" for _ in items)
    params = [p for (ws, obj), delta in items for p in (d.uuid_in(ws), d.uuid_in(obj), delta)]
    run(
        f"INSERT INTO core_app_recordcount (workspace_id, object_id, shard, live) VALUES {values} {d.upsert_add()}",
        params,
    )


def live_count_sql(workspace_id: str, object_id: str) -> tuple[str, list[Any]]:
    """The statement reading an object's live records (the sum of its shards), and its parameters."""
    d = dialect()
    return (
        "SELECT COALESCE(SUM(live), 0) FROM core_app_recordcount WHERE workspace_id = %s AND object_id = %s",
        [d.uuid_in(workspace_id), d.uuid_in(object_id)],
    )


def live_count(workspace_id: str, object_id: str) -> int:
    """Live records of an object (the sum of its shards)."""
    return int(rows(*live_count_sql(workspace_id, object_id))[0][0])


def forget_object(workspace_id: str, object_id: str) -> None:
    """Drop an object's counters (the object is gone with its records)."""
    d = dialect()
    run(
        "DELETE FROM core_app_recordcount WHERE workspace_id = %s AND object_id = %s",
        [d.uuid_in(workspace_id), d.uuid_in(object_id)],
    )
