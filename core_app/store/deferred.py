"""Writes a unit of work gathers and sends together: one statement for most of a request's writes.

Creating one person writes rows into seven tables: the record, its index rows, search tokens and
unique value, the event, the timeline activity's record and index rows, and adds to a counter.
Sent one by one, each write is a round trip, and a statement's fixed cost on both sides (about
0.1 ms of CPU in this process and as much in PostgreSQL) outweighs its rows. While a unit of work
is open (:func:`gathering`), writes wait here:

- plain inserts (:func:`insert`): a table's rows travel together (two COPYs of one table become
  one); a table with many rows goes by ``COPY``, cheaper per row than an INSERT from arrays;
- other writes whose row count nobody reads (:func:`statement`: an update of records by id, an
  upsert of index rows, a delete of a record's tokens, the counters).

Everything else that waits is sent as **one** statement: each part a data-modifying ``WITH``
clause. The parts of one statement see the database as it was before it and must not change the
same row, so a table holds either waiting rows or one waiting statement; anything more for it
sends what waits first.

Measured on this project's tables (a create's rows, one transaction each, psycopg directly): seven
single-table COPYs 1.0 ms of client CPU and 0.78 ms of PostgreSQL CPU; one chained statement
0.5 and 0.39. With 60 records per table COPY costs PostgreSQL about a fifth less than the arrays.

A unit of work's check (:func:`check`: a read that takes a lock and whose value is judged, the
data-model hold of ``core_app.services.writing``) rides with the unit's first statement, so it
costs none of its own and its lock is taken before any other: first in the checks a create reads
together (``sql.read_together``), as the gate of an update's read that locks its records
(``records.fetch_by_ids``), else with the first writes as one more clause; it goes alone before
another statement that locks rows, or at the end of the unit when nothing was written.

Writes wait only until a statement that could see them: an execute wrapper on the connection
sends them before any statement but a SELECT that names none of their tables. So every read in
the transaction sees every write before it, a constraint still fails inside the unit of work
(``IntegrityError`` as before), and a savepoint (or its rollback) covers exactly the writes after
it. PostgreSQL only: SQLite runs in-process, with no round trip to save.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection

__all__ = [
    "COPY_FROM_ROWS",
    "Check",
    "check",
    "check_params",
    "gathering",
    "insert",
    "judge",
    "locked_read",
    "send",
    "statement",
    "take_checks",
    "take_lone_checks",
]

#: A read that locks rows: a waiting check (and the lock it takes) goes before it.
ROW_LOCK = re.compile(r" FOR (?:UPDATE|NO KEY UPDATE|SHARE|KEY SHARE)\b")

#: A table with at least this many waiting rows goes by COPY rather than inside the shared statement.
COPY_FROM_ROWS = 16


class Check(NamedTuple):
    """A one-value read sent with a unit of work's next statement; ``judge`` gets its value and raises to refuse."""

    text: str
    params: list[Any]
    judge: Callable[[Any], None]


def judge(checks: Sequence[Check], values: Sequence[Any]) -> None:
    """Hand each of ``checks`` the value its part of the statement read (``values``, in the same order)."""
    for waiting, value in zip(checks, values, strict=True):
        waiting.judge(value)


def check_params(checks: Sequence[Check]) -> list[Any]:
    """The parameters of ``checks``, in order (they come first in the statement that carries them)."""
    return [param for waiting in checks for param in waiting.params]


@dataclass
class Pending:
    """What waits: rows per table (with their columns), and whole statements (with the table each changes)."""

    tables: dict[str, tuple[tuple[tuple[str, str], ...], list[Sequence[Any]]]] = field(default_factory=dict)
    statements: list[tuple[str, str, list[Any]]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.tables or self.statements or self.checks)

    def modifies(self, table: str) -> bool:
        """Whether a statement on ``table`` waits."""
        return any(t == table for t, _, _ in self.statements)

    def named_in(self, sql_text: str) -> bool:
        """Whether ``sql_text`` names a table that writes wait for (by substring: a longer name counts too)."""
        return any(table in sql_text for table in self.tables) or any(t in sql_text for t, _, _ in self.statements)


_local = threading.local()


def _pending() -> Pending | None:
    return getattr(_local, "pending", None)


@contextmanager
def gathering() -> Iterator[None]:
    """Hold writes until a statement that could see them or the end of the block, then send them together.

    Runs inside the writing transaction; a nested block joins the outermost one. When the block
    raises, waiting writes are dropped (the transaction is rolled back anyway).
    """
    if _pending() is not None or connection.vendor != "postgresql":
        yield
        return
    _local.pending = Pending()
    try:
        with connection.execute_wrapper(send_first):
            yield
            flush()
    finally:
        _local.pending = None


def send_first(execute: Callable[..., Any], sql_text: str, params: Any, many: bool, context: Any) -> Any:
    """Execute wrapper: send what waits before the statement, unless it is a read of other tables.

    A SELECT whose text names none of the waiting tables cannot see their rows (as Hibernate's
    auto-flush decides by a query's tables): a create's webhook lookup does not split its inserts
    in two. Anything else (a write, which may check a foreign key; a savepoint) goes after them.
    """
    pending = _pending()
    if pending and not (
        sql_text.lstrip()[:6].upper() == "SELECT"
        and not pending.named_in(sql_text)
        and not (pending.checks and ROW_LOCK.search(sql_text))
    ):
        flush()
    return execute(sql_text, params, many, context)


def insert(table: str, columns: Sequence[tuple[str, str]], values: Sequence[Sequence[Any]]) -> bool:
    """Keep rows for ``table`` until the next statement; False when no unit of work gathers (send them now)."""
    pending = _pending()
    if pending is None:
        return False
    key = tuple(columns)
    held = pending.tables.get(table)
    if held is not None and held[0] == key:
        held[1].extend(values)
        return True
    if held is not None or pending.modifies(table):
        # Other columns for the table, or a statement on it waits (the rows may be what it would
        # delete, and one statement cannot order its parts): what waits goes first.
        flush()
        pending = _pending()
        assert pending is not None
    pending.tables[table] = (key, list(values))
    return True


def statement(table: str, text: str, params: list[Any]) -> bool:
    """Keep a data-modifying statement on ``table`` whose row count nobody reads, to send with the rows.

    The parts of one statement all see the database as it was before it, and two of them must not
    change the same row: so a table holds either waiting rows or one waiting statement, and what
    waits on ``table`` goes first. False when no unit of work gathers (run it now).
    """
    pending = _pending()
    if pending is None:
        return False
    if table in pending.tables or pending.modifies(table):
        flush()
        pending = _pending()
        assert pending is not None
    pending.statements.append((table, text, params))
    return True


def take_checks() -> list[Check]:
    """The waiting checks, no longer waiting: a statement about to run takes them along
    (``sql.read_together`` puts them first), and judges their values."""
    pending = _pending()
    if pending is None or not pending.checks:
        return []
    checks, pending.checks = pending.checks, []
    return checks


def take_lone_checks() -> list[Check]:
    """The waiting checks, no longer waiting, when nothing else waits (else none): a read that locks
    rows then carries them (``core_app.store.records.fetch_by_ids``). With writes waiting, the checks
    stay, to go first with those writes."""
    pending = _pending()
    if pending is None or not pending.checks or pending.tables or pending.statements:
        return []
    return take_checks()


def locked_read(checks: Sequence[Check], text: str, params: list[Any], lock: str) -> tuple[str, list[Any]]:
    """``text`` (a SELECT ... WHERE of one table) with ``lock`` (``FOR UPDATE OF r``), carrying ``checks``.

    Each check is a materialised ``WITH`` clause, gating the read (an uncorrelated ``EXISTS``:
    PostgreSQL evaluates it once, before the scan starts, so a check's lock is taken before any
    row's) and selected after the read's own columns. A row of the result ends with the checks'
    values; no row means they are still to be judged (:func:`send` them alone).
    """
    clauses = ", ".join(f"c{i} AS MATERIALIZED ({waiting.text})" for i, waiting in enumerate(checks))
    values = "".join(f", (SELECT * FROM c{i})" for i in range(len(checks)))
    gates = "".join(f" AND EXISTS (SELECT 1 FROM c{i})" for i in range(len(checks)))
    select, _, rest = text.partition(" FROM ")
    return f"WITH {clauses} {select}{values} FROM {rest}{gates} {lock}", check_params(checks) + params


def check(text: str, params: list[Any], judge: Callable[[Any], None]) -> bool:
    """Keep a one-value read (``text``) to send with the next writes, then hand its value to ``judge``.

    ``judge`` raises to refuse what the unit did; the statement's writes go with the transaction.
    False when no unit of work gathers (run it now).
    """
    pending = _pending()
    if pending is None:
        return False
    pending.checks.append(Check(text, params, judge))
    return True


def flush() -> None:
    """Send what waits: big tables by COPY, the rest as one chained statement."""
    from core_app.store import sql  # sql sends inserts here: imported when first needed

    pending = _pending()
    if not pending:
        return
    _local.pending = Pending()
    parts: list[tuple[str, list[Any]]] = []
    checks = pending.checks
    # Tables in name order: the shared statement's text is the same for the same tables, so
    # psycopg keeps it prepared.
    for table in sorted(pending.tables):
        columns, values = pending.tables[table]
        if len(values) >= COPY_FROM_ROWS:
            if checks:  # a check's lock comes before any row is written
                send(checks, [])
                checks = []
            sql.copy_rows(table, columns, values)
            continue
        parts.append(sql.array_insert(table, columns, values))
    parts += [(text, params) for _, text, params in pending.statements]
    if parts or checks:
        send(checks, parts)


def send(checks: list[Check], parts: list[tuple[str, list[Any]]]) -> None:
    """Send ``parts`` (writes) and ``checks`` as one statement, then judge the checks' values."""
    from core_app.store import sql

    # Prepared (``sql.execute``): the text is long and its parsing most of its cost; the same
    # operation sends the same text (tables in name order, arrays whatever the number of rows).
    if len(parts) == 1 and not checks:
        sql.run(*parts[0], prepare=True)
        return
    # Every part a WITH clause (a part may have a WITH of its own, which cannot follow another);
    # PostgreSQL runs each data-modifying clause whether or not the query reads it, and a check
    # clause because the query reads it.
    clauses = [f"c{i} AS ({waiting.text})" for i, waiting in enumerate(checks)]
    clauses += [f"w{i} AS ({text})" for i, (text, _) in enumerate(parts)]
    selected = ", ".join(f"(SELECT * FROM c{i})" for i in range(len(checks))) or "1"
    params = check_params(checks) + [p for _, ps in parts for p in ps]
    found = sql.rows(f"WITH {', '.join(clauses)} SELECT {selected}", params, prepare=True)
    if checks:
        judge(checks, found[0])
