"""Counting the SQL a request sends, for the tests that pin its cost.

A unit of work's inserts wait and go together (``core_app.store.deferred``): a table with few rows
shares one chained statement with the others, a table with many rows goes by its own COPY. How
the rows split between those depends on their number, so the count of statements alone would
change with the size of a batch while its cost does not grow. :func:`cost` counts each table an
insert writes as one: constant for a request whatever its size, and growing if a request ever
inserts record by record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.test.utils import CaptureQueriesContext

__all__ = ["cost", "cost_of", "written_tables"]

WRITES = re.compile(r"\b(?:INSERT INTO|COPY) \"?(\w+)\"? \(")


def written_tables(sql: str) -> list[str]:
    """The tables one statement inserts into, once per INSERT or COPY clause, in order."""
    return WRITES.findall(sql)


def cost(statements: Iterable[str]) -> int:
    """Statements sent, an insert counted once per table it writes."""
    return sum(max(1, len(written_tables(sql))) for sql in statements)


def cost_of(captured: CaptureQueriesContext) -> int:
    """:func:`cost` of the statements a ``CaptureQueriesContext`` saw."""
    return cost(query["sql"] for query in captured.captured_queries)
