"""Counting the SQL a request sends, for the tests that pin its cost.

A unit of work's writes wait and go together (``core_app.store.deferred``): a table with few rows
shares one chained statement with the other writes, a table with many rows goes by its own COPY.
How the writes split between statements depends on the number of rows, so the count of
statements alone would change with the size of a batch while its cost does not grow. :func:`cost`
counts each table a statement writes as one: constant for a request whatever its size, and
growing if a request ever writes record by record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

__all__ = ["cost", "cost_of", "sent", "writes", "written_tables"]

#: A write and its table: ``INSERT INTO t (``, ``COPY t (``, ``UPDATE t SET``, ``DELETE FROM t WHERE``
#: (an upsert's ``DO UPDATE SET`` is part of its INSERT; a read's ``FOR UPDATE OF r`` writes nothing).
WRITES = re.compile(r"\b(INSERT INTO|COPY|(?<!DO )(?<!FOR )UPDATE|DELETE FROM) \"?(\w+)\"?\s")


def writes(sql: str) -> list[tuple[str, str]]:
    """``(verb, table)`` of each INSERT, COPY, UPDATE or DELETE clause of one statement, in order."""
    return WRITES.findall(sql)


def written_tables(sql: str) -> list[str]:
    """The tables one statement writes, once per INSERT, COPY, UPDATE or DELETE clause, in order."""
    return [table for _, table in writes(sql)]


def cost(statements: Iterable[str]) -> int:
    """Statements sent, a write counted once per table it writes."""
    return sum(max(1, len(written_tables(sql))) for sql in statements)


def cost_of(captured: CaptureQueriesContext) -> int:
    """:func:`cost` of the statements a ``CaptureQueriesContext`` saw."""
    return cost(query["sql"] for query in captured.captured_queries)


@contextmanager
def sent() -> Iterator[list[tuple[str, Any]]]:
    """Every ``(SQL, parameters)`` the default connection sends inside the block, as sent (to send
    again or EXPLAIN: ``CaptureQueriesContext`` keeps only the text with its values written in)."""
    statements: list[tuple[str, Any]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        yield statements
