"""Which of some records in hand match a filter, decided by the database with the query engine's SQL.

Webhook filters (api-reference 6.2, ours) are checked on the records a write has just changed,
including destroyed ones that are no longer in the table. Rather than a second evaluator in Python
(whose comparisons, coercions, null logic and byte-wise text order would have to copy the SQL's on
both databases), the records are given to one query as literal rows and the filter compiled by
``core_app.query.compiler`` runs over them: the same answer as ``GET /rest/{plural}?filter=``, at
the cost of one small query that reads no table (relation conditions aside)::

    matching_ids(parse_rest_filter("stage[eq]:WON"), spec, workspace_id, [record, ...])  # {"<id>", ...}
"""

from __future__ import annotations

from collections.abc import Sequence

from core_app.query.ast import Node
from core_app.query.compiler import compile_filter
from core_app.query.targets import Source
from core_app.store.records import RecordRow
from core_app.store.sql import dialect, rows
from core_app.store.writer import RECORD_COLUMNS, record_params
from metadata_app.specs import ObjectSpec

__all__ = ["matching_ids"]

#: Records per query: SQLite allows 500 terms in a compound SELECT and a bounded number of parameters.
CHUNK = 200


def literal_rows(count: int, vendor: str) -> str:
    """``SELECT`` of ``count`` parameterised rows with the record table's columns (typed on PostgreSQL)."""
    if vendor == "postgresql":
        columns = ", ".join(f"CAST(%s AS {sql_type}) AS {name}" for name, sql_type in RECORD_COLUMNS)
    else:
        columns = ", ".join(f"%s AS {name}" for name, _ in RECORD_COLUMNS)
    return " UNION ALL ".join([f"SELECT {columns}"] * count)


def matching_ids(node: Node, spec: ObjectSpec, workspace_id: str, records: Sequence[RecordRow]) -> set[str]:
    """The ids of ``records`` (their values as given, not as stored) that ``node`` selects.

    ``node`` must already be valid for ``spec`` (otherwise the query engine's 400 is raised).
    """
    if not records:
        return set()
    d = dialect()
    src = Source(d, alias="r")
    # No index slots: the records in hand are not (or no longer) what the index holds.
    compiled = compile_filter(node, spec, src, workspace_id, slots=None)
    found: set[str] = set()
    for start in range(0, len(records), CHUNK):
        chunk = records[start : start + CHUNK]
        params = [value for record in chunk for value in record_params(d, record)]
        literal = literal_rows(len(chunk), d.vendor)
        sql = f"SELECT r.id FROM ({literal}) r{src.lateral_sql()} WHERE {compiled.sql}"
        found.update(d.uuid_out(row[0]) for row in rows(sql, params + compiled.params))
    return found
