"""Compare three ways of indexing user-defined fields of JSONB records in one multi-tenant table.

Records live in ``record(workspace_id, id, object_id, data jsonb, created_at, deleted_at)``; every workspace
defines its own objects and fields at runtime. The designs compared:

- **A "pivot"** (what we ship): a side table ``record_index(workspace_id, record_id, slot, key text COLLATE "C")``
  with one btree ``(workspace_id, slot, key NULLS FIRST, record_id)``; one row per record per indexed field
  (slot = field id, key = the value as sortable text). Queries walk that index for (workspace, slot) and join
  ``record`` by primary key.
- **B "partitions"**: ``precord`` is ``PARTITION BY LIST (workspace_id)``, one partition per workspace; each
  indexed field gets a partial expression index on its workspace's partition, e.g.
  ``CREATE INDEX ... ON precord_w0 ((data->'name'->>'lastName') COLLATE "C", id)
  WHERE object_id = '<person>' AND deleted_at IS NULL``. Queries keep ``workspace_id`` constant (pruning).
  Sub-partitioning by object is not measured (it would multiply the partitions by the number of objects).
  "B0" is the same set of partitions with nothing but a primary key, used to plan generic plans when the
  full design's generic plan would need more locks than the server's lock table holds.
- **C "gin"**: one ``GIN (data jsonb_path_ops)`` on ``record`` plus the btree every design has,
  ``(workspace_id, object_id, created_at, id)``. Only equality (``data @> ...``) can use the GIN; sorts,
  ranges and prefixes read every record of the object and sort them.

A and C share the same ``record`` table (the GIN index is only built after A's inserts were measured, so
A's figures never include it); B is a separate partitioned copy of the same rows. Every table has the primary
key ``(workspace_id, id)`` and the listing btree ``(workspace_id, object_id, created_at, id)``.

What it measures (``W`` workspaces, 15 objects x 3 indexed fields each, so 45 field indexes per workspace in B):

1. Setup: time and backend CPU to create one more workspace's structures at ``W`` workspaces (B: a partition
   and its 45 indexes, median of 20 creations; A and C need no DDL), the locks that transaction takes, the
   pg_class rows of each design, and the time to mark one more field indexed in the big workspace
   (A: ``INSERT ... SELECT`` of the index rows, as they come and ordered by record id; B: ``CREATE INDEX`` and
   ``CREATE INDEX CONCURRENTLY`` on the partition; C: nothing can be done).
2. Planning time of ``... WHERE workspace_id = $1 AND object_id = $2 ORDER BY lastName LIMIT 60``: with
   literals, prepared with ``plan_cache_mode = force_custom_plan`` and ``force_generic_plan`` (the first
   EXPLAIN EXECUTE builds the generic plan; later ones reuse it, which costs locking every relation it
   names), and the first plan of a new session (cold relation cache). Generic plans of partitioned tables lock
   every partition and every index of every partition; the script computes how many locks that is and runs
   it only when it needs less than half of the server's lock table, else it reports why it did not (and shows
   B's generic plan prepared on the big partition itself, where its partial indexes cannot be used).
3. Execution time (median of ``EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)`` "Execution Time" over 10 runs after
   one warm-up) in one workspace of ``--people`` person records (lastName among 50,000 values, city among
   1,000) next to ``W - 1`` workspaces of 20 records: sort by lastName, the next keyset page, city equality
   ordered by id, lastName range, lastName prefix, and a count of a city. The script checks that the three
   designs return the same rows.
4. Insert cost of 1,000 single-row person inserts into the big workspace (each its own transaction, after a
   CHECKPOINT so that full-page images count alike): summed server execution time and WAL from
   ``EXPLAIN (ANALYZE, WAL)``, backend CPU and wall time. WAL is taken per statement from EXPLAIN, not from
   ``pg_current_wal_lsn()`` differences: those are cluster-wide, and on a shared server other databases'
   traffic swamps them. For ``CREATE INDEX`` (no EXPLAIN) the index size is shown; its WAL is about that.

Backend CPU is read from ``/proc/<backend pid>/schedstat`` (so the server must run on this machine; the
column shows "n/a" otherwise). Sessions run with ``jit = off``, no parallel workers (so figures are one
core's work) and ``maintenance_work_mem = 256MB``. Tables have autovacuum off; the script VACUUM ANALYZEs.

Run it (it drops and re-creates the scratch database, and drops it at the end unless ``--keep``)::

    DESIGNS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_designs .venv/bin/python bench/store_designs.py
    .venv/bin/python bench/store_designs.py --people 50000 --workspaces 50    # a quick, small run

Progress goes to stderr, the markdown tables to stdout. Full size (1M people, 1,000 workspaces) took about
7 minutes on two shared cores. Only psycopg (3) is needed. Writes to partitioned tables go one partition per
statement: a statement routing rows to all 1,000 partitions would lock every partition and index at once and
run out of lock table ("out of shared memory").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import ClientCursor
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_designs"
SESSION_OPTIONS = (
    "-c jit=off -c max_parallel_workers_per_gather=0 -c max_parallel_maintenance_workers=0"
    " -c maintenance_work_mem=256MB"
)
N_OBJECTS = 15  # standard objects per workspace; object 0 is "person"
SMALL_RECORDS = 20  # records in each small workspace
PAGE = 60
RUNS = 10
CREATIONS = 20
INSERTS = 1000
BIG = 0  # the big workspace's number

T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# --- identifiers: md5-derived uuids, computed the same way in Python and in SQL ---------------------------


def u(text: str) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(text.encode()).hexdigest())


def ws_id(n: int) -> uuid.UUID:
    return u(f"ws:{n}")  # SQL: md5('ws:' || n)::uuid


def obj_id(n: int, k: int) -> uuid.UUID:
    return u(f"obj:{n}:{k}")  # SQL: md5('obj:' || n || ':' || k)::uuid


def slot_id(obj: uuid.UUID, name: str) -> uuid.UUID:
    return u(f"slot:{obj}:{name}")  # SQL: md5('slot:' || object_id || ':' || name)::uuid


@dataclass(frozen=True)
class Field:
    name: str
    path: tuple[str, ...]
    numeric: bool = False

    def expr(self, col: str = "data") -> str:
        """The field's text value, e.g. data->'name'->>'lastName'."""
        *heads, last = self.path
        return col + "".join(f"->'{p}'" for p in heads) + f"->>'{last}'"

    def key(self, col: str = "data") -> str:
        """Design A's sortable text key."""
        return f"lpad({self.expr(col)}, 12, '0')" if self.numeric else self.expr(col)

    def index_element(self) -> str:
        """Design B's index element."""
        return f"(({self.expr()})::numeric)" if self.numeric else f'({self.expr()}) COLLATE "C"'


PERSON_FIELDS = (
    Field("lastName", ("name", "lastName")),
    Field("city", ("city",)),
    Field("employees", ("employees",), True),
)
OTHER_FIELDS = (Field("name", ("name",)), Field("status", ("status",)), Field("amount", ("amount",), True))
NEW_FIELD = Field("firstName", ("name", "firstName"))
NEW_FIELD_2 = Field("jobTitle", ("jobTitle",))  # marked indexed with its rows inserted in record_id order
LAST, CITY = PERSON_FIELDS[0], PERSON_FIELDS[1]


def fields_of(k: int) -> tuple[Field, ...]:
    return PERSON_FIELDS if k == 0 else OTHER_FIELDS


def person_json_sql(i: str) -> str:
    return (
        "jsonb_build_object('name', jsonb_build_object('firstName', 'F' || floor(random() * 20000)::int,"
        " 'lastName', 'L' || floor(random() * 50000)::int),"
        f" 'email', 'person' || {i} || '@example.com', 'phone', '+1555' || lpad(({i})::text, 7, '0'),"
        " 'jobTitle', 'Title ' || floor(random() * 300)::int, 'city', 'City ' || floor(random() * 1000)::int,"
        " 'employees', floor(random() * 10000)::int)"
    )


def other_json_sql(j: str) -> str:
    return f"jsonb_build_object('name', 'Name ' || {j}, 'status', 'S' || ({j}) % 5, 'amount', ({j}) * 10)"


COLUMNS = """workspace_id uuid NOT NULL, id uuid NOT NULL, object_id uuid NOT NULL, data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz"""


# --- measuring ---------------------------------------------------------------------------------------------


def backend_cpu(conn: psycopg.Connection) -> float | None:
    """CPU seconds the connection's backend has run so far (Linux schedstat, nanoseconds)."""
    try:
        with open(f"/proc/{conn.info.backend_pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Took:
    wall: float = 0.0
    cpu: float | None = None
    wal: int | None = None  # bytes, from EXPLAIN (WAL)
    fpi: int | None = None  # full-page images, from EXPLAIN (WAL)
    size: int | None = None  # bytes of the index built


@contextmanager
def measure(conn: psycopg.Connection) -> Iterator[Took]:
    took = Took()
    cpu0 = backend_cpu(conn)
    t0 = time.perf_counter()
    yield took
    took.wall = time.perf_counter() - t0
    cpu1 = backend_cpu(conn)
    took.cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None


def relation_size(conn: psycopg.Connection, name: str) -> int:
    return conn.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchall()[0][0]


def explain(conn: psycopg.Connection, sql: str, options: str = "ANALYZE, BUFFERS, TIMING OFF") -> dict:
    out = conn.execute(f"EXPLAIN ({options}, FORMAT JSON) {sql}").fetchall()[0][0]
    return (json.loads(out) if isinstance(out, str) else out)[0]


def shape(node: dict, depth: int = 0) -> str:
    """A compact plan shape: node types with index or relation names."""
    label = node["Node Type"]
    if node.get("Index Name"):
        label += f" {node['Index Name']}"
    elif node.get("Relation Name"):
        label += f" {node['Relation Name']}"
    if node.get("Subplans Removed"):
        label += f" ({node['Subplans Removed']} pruned)"
    kids = node.get("Plans", [])
    if not kids:
        return label
    parts = [shape(k, depth + 1) for k in kids[:2]]
    if len(kids) > 2:
        parts.append(f"+{len(kids) - 2} more")
    return f"{label} → " + (parts[0] if len(parts) == 1 else "(" + "; ".join(parts) + ")")


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.1f} ms"


def secs(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:,.2f} s"


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.3f}" if value < 1 else f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def mb(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 1e6:,.1f} MB"


def median_or_none(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- the experiment ------------------------------------------------------------------------------------------


@dataclass
class Bench:
    url: str
    workspaces: int
    people: int
    res: dict = field(default_factory=dict)

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, options=SESSION_OPTIONS, cursor_factory=ClientCursor)

    # -- 0. schema ------------------------------------------------------------------------------------------
    def schema(self, conn: psycopg.Connection) -> None:
        conn.execute(f"""
            CREATE TABLE bench_object (workspace_id uuid NOT NULL, object_id uuid PRIMARY KEY, k int NOT NULL);
            CREATE TABLE record ({COLUMNS}) WITH (autovacuum_enabled = off);
            CREATE TABLE record_index (workspace_id uuid NOT NULL, record_id uuid NOT NULL, slot uuid NOT NULL,
                key text COLLATE "C") WITH (autovacuum_enabled = off);
            CREATE TABLE precord ({COLUMNS}) PARTITION BY LIST (workspace_id);
            ALTER TABLE precord ADD PRIMARY KEY (workspace_id, id);
            CREATE INDEX precord_listing ON precord (workspace_id, object_id, created_at, id);
            CREATE TABLE precord_bare ({COLUMNS}) PARTITION BY LIST (workspace_id);
            ALTER TABLE precord_bare ADD PRIMARY KEY (workspace_id, id);
        """)
        self.res["catalog_fresh"] = self.catalog(conn)

    @staticmethod
    def catalog(conn: psycopg.Connection) -> tuple[int, int]:
        return conn.execute("""
            SELECT (SELECT count(*) FROM pg_class),
                   (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
                    WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r')::bigint
        """).fetchall()[0]

    @staticmethod
    def field_index_ddl(n: int, table_name: str | None = None) -> list[str]:
        table_name = table_name or f"precord_w{n}"
        out = []
        for k in range(N_OBJECTS):
            obj = obj_id(n, k)
            for f in fields_of(k):
                out.append(
                    f"CREATE INDEX {table_name}_o{k}_{f.name.lower()} ON {table_name} ({f.index_element()}, id)"
                    f" WHERE object_id = '{obj}' AND deleted_at IS NULL"
                )
        return out

    def workspace_ddl(self, n: int) -> str:
        stmts = [
            f"CREATE TABLE precord_w{n} PARTITION OF precord FOR VALUES IN ('{ws_id(n)}')"
            " WITH (autovacuum_enabled = off)",
            *self.field_index_ddl(n),
        ]
        return ";\n".join(stmts)

    # -- 1. workspaces and data ------------------------------------------------------------------------------
    def setup(self, conn: psycopg.Connection) -> None:
        W, N = self.workspaces, self.people
        conn.execute("SET synchronous_commit = off")
        log(f"creating {W - 1} small workspaces' partitions (B: 1 partition + {N_OBJECTS * 3} indexes each)")
        with measure(conn) as took:
            for n in range(1, W):
                conn.execute(f"BEGIN; {self.workspace_ddl(n)}; COMMIT")
                if n % 100 == 0:
                    log(f"  {n} workspaces")
        self.res["setup_partitions"] = took
        log(f"  done in {took.wall:.1f}s")

        log("loading records")
        conn.execute("SELECT setseed(0.4242)")
        conn.execute(f"""
            INSERT INTO bench_object
            SELECT md5('ws:' || w)::uuid, md5('obj:' || w || ':' || k)::uuid, k
            FROM generate_series(0, {W - 1}) w, generate_series(0, {N_OBJECTS - 1}) k;
            INSERT INTO record (workspace_id, id, object_id, data, created_at)
            SELECT md5('ws:' || w)::uuid, md5('rec:' || w || ':' || j)::uuid,
                   md5('obj:' || w || ':' || (j % {N_OBJECTS}))::uuid,
                   CASE WHEN j % {N_OBJECTS} = 0 THEN {person_json_sql("w * 100 + j")} ELSE {other_json_sql("j")} END,
                   now() - make_interval(mins => j)
            FROM generate_series(1, {W - 1}) w, generate_series(0, {SMALL_RECORDS - 1}) j;
        """)
        with measure(conn) as took:
            conn.execute(f"""
                INSERT INTO record (workspace_id, id, object_id, data, created_at)
                SELECT '{ws_id(BIG)}', md5('rec:{BIG}:' || i)::uuid, '{obj_id(BIG, 0)}', {person_json_sql("i")},
                       now() - make_interval(secs => i)
                FROM generate_series(1, {N}) i
            """)
            conn.execute("ALTER TABLE record ADD PRIMARY KEY (workspace_id, id)")
            conn.execute("CREATE INDEX record_listing ON record (workspace_id, object_id, created_at, id)")
        log(f"  record: {took.wall:.1f}s")

        with measure(conn) as took:
            for kind, fields in (("= 0", PERSON_FIELDS), ("> 0", OTHER_FIELDS)):
                for f in fields:
                    conn.execute(f"""
                        INSERT INTO record_index (workspace_id, record_id, slot, key)
                        SELECT r.workspace_id, r.id, md5('slot:' || r.object_id || ':' || '{f.name}')::uuid,
                               {f.key("r.data")}
                        FROM record r JOIN bench_object o ON o.object_id = r.object_id
                        WHERE o.k {kind} AND r.deleted_at IS NULL
                    """)
            conn.execute("ALTER TABLE record_index ADD PRIMARY KEY (workspace_id, record_id, slot)")
            conn.execute(
                "CREATE INDEX record_index_sort ON record_index (workspace_id, slot, key NULLS FIRST, record_id)"
            )
        self.res["load_a"] = took
        log(f"  A record_index: {took.wall:.1f}s")

        with measure(conn) as took:
            # One partition per statement: routing rows to every partition in one statement would lock all
            # partitions and all their indexes at once, more than the lock table holds.
            for n in range(1, W):
                conn.execute(f"INSERT INTO precord_w{n} SELECT * FROM record WHERE workspace_id = '{ws_id(n)}'")
            conn.execute(
                f"CREATE TABLE precord_w{BIG} (LIKE precord INCLUDING DEFAULTS) WITH (autovacuum_enabled = off)"
            )
            conn.execute(f"INSERT INTO precord_w{BIG} SELECT * FROM record WHERE workspace_id = '{ws_id(BIG)}'")
            conn.execute(f"ALTER TABLE precord ATTACH PARTITION precord_w{BIG} FOR VALUES IN ('{ws_id(BIG)}')")
        log(f"  B copy + attach: {took.wall:.1f}s")
        with measure(conn) as took:
            for stmt in self.field_index_ddl(BIG):
                conn.execute(stmt)
        self.res["load_b_indexes"] = took
        log(f"  B {N_OBJECTS * 3} field indexes on the big partition: {took.wall:.1f}s")

        log("VACUUM ANALYZE")
        for t in ("record", "record_index", "precord", "bench_object"):
            conn.execute(f"VACUUM (ANALYZE) {t}")
        conn.execute("RESET synchronous_commit")

    def creation_cost(self, conn: psycopg.Connection) -> None:
        W = self.workspaces
        log(f"timing {CREATIONS} workspace creations at {W} workspaces")
        creations = []
        for n in range(W, W + CREATIONS):
            with measure(conn) as t:
                conn.execute(f"BEGIN; {self.workspace_ddl(n)}; COMMIT")
            creations.append(t)
        self.res["create_ws"] = (
            statistics.median(t.wall for t in creations),
            median_or_none([t.cpu for t in creations]),
        )
        n = W + CREATIONS
        conn.execute(f"BEGIN; {self.workspace_ddl(n)}")
        self.res["create_ws_locks"] = conn.execute("""
            SELECT count(*), string_agg(mode, ', ') FILTER (WHERE relation = 'precord'::regclass)
            FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
        """).fetchone()
        conn.execute("COMMIT")
        for n in range(W, W + CREATIONS + 1):
            conn.execute(f"DROP TABLE precord_w{n}")

    @staticmethod
    def design_relations(conn: psycopg.Connection, tables_sql: str, exclude: tuple[str, ...] = ()) -> int:
        """pg_class rows of some tables: themselves, their indexes, toast tables and toast indexes."""
        return conn.execute(
            f"""
            WITH t AS ({tables_sql}),
            rels AS (
                SELECT oid FROM t
                UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM t)
                UNION ALL SELECT reltoastrelid FROM pg_class WHERE oid IN (SELECT oid FROM t) AND reltoastrelid <> 0
                UNION ALL SELECT i.indexrelid FROM pg_class c JOIN pg_index i ON i.indrelid = c.reltoastrelid
                          WHERE c.oid IN (SELECT oid FROM t))
            SELECT count(*) FROM rels WHERE oid::regclass::text <> ALL (%s)
            """,
            (list(exclude),),
        ).fetchall()[0][0]

    def bare_partitions(self, conn: psycopg.Connection) -> None:
        log("creating B0 (primary-key-only) partitions")
        conn.execute("SET synchronous_commit = off")
        for n in range(self.workspaces):
            conn.execute(
                f"CREATE TABLE precord_bare_w{n} PARTITION OF precord_bare FOR VALUES IN ('{ws_id(n)}')"
                " WITH (autovacuum_enabled = off)"
            )
        conn.execute("RESET synchronous_commit")

    # -- 2. planning ---------------------------------------------------------------------------------------
    def lock_capacity(self, conn: psycopg.Connection) -> int:
        return conn.execute("""
            SELECT current_setting('max_locks_per_transaction')::int * (current_setting('max_connections')::int
                + current_setting('autovacuum_max_workers')::int + 1 + current_setting('max_worker_processes')::int
                + current_setting('max_wal_senders')::int + current_setting('max_prepared_transactions')::int)
        """).fetchall()[0][0]

    def generic_locks(self, conn: psycopg.Connection, parent: str) -> int:
        """Locks a generic plan over a partitioned table takes: every partition and every index of each."""
        return conn.execute(
            """
            SELECT count(*) + (SELECT count(*) FROM pg_index WHERE indrelid IN (SELECT relid FROM pg_partition_tree(%s)))
            FROM pg_partition_tree(%s)
            """,
            (parent, parent),
        ).fetchall()[0][0]

    def planning(self, conn: psycopg.Connection, name: str, sql: str, params: str, lock_parent: str | None) -> dict:
        """sql has $1 (workspace) and $2 (object or slot); params are their literal values."""
        out: dict = {}
        literal = sql.replace("$1", f"'{ws_id(BIG)}'::uuid").replace("$2", params)
        runs = [explain(conn, literal, "SUMMARY ON")["Planning Time"] for _ in range(RUNS + 1)]
        out["literal"] = statistics.median(runs[1:])
        conn.execute(f"PREPARE q(uuid, uuid) AS {sql}")
        execute = f"EXECUTE q('{ws_id(BIG)}', {params})"
        conn.execute("SET plan_cache_mode = force_custom_plan")
        runs = [explain(conn, execute, "SUMMARY ON")["Planning Time"] for _ in range(RUNS + 1)]
        out["custom"] = statistics.median(runs[1:])
        conn.execute("DEALLOCATE q")
        need = self.generic_locks(conn, lock_parent) if lock_parent else 0
        capacity = self.lock_capacity(conn)
        out["locks"] = (need, capacity)
        if need > capacity // 2:
            out["generic_first"] = out["generic_cached"] = None
            out["generic_shape"] = f"not run: needs ~{need:,} locks, lock table holds {capacity:,}"
        else:
            conn.execute(f"PREPARE q(uuid, uuid) AS {sql}")
            conn.execute("SET plan_cache_mode = force_generic_plan")
            runs = []
            for _ in range(RUNS + 1):
                plan = explain(conn, execute, "SUMMARY ON")
                runs.append(plan["Planning Time"])
            out["generic_first"] = runs[0]
            out["generic_cached"] = statistics.median(runs[1:])
            out["generic_shape"] = shape(plan["Plan"])
            conn.execute("DEALLOCATE q")
        conn.execute("RESET plan_cache_mode")
        firsts = []
        for _ in range(5):
            with self.connect() as fresh:
                firsts.append(explain(fresh, literal, "SUMMARY ON")["Planning Time"])
        out["new_session"] = statistics.median(firsts)
        log(f"  planning {name}: {out}")
        return out

    # -- 3. queries -------------------------------------------------------------------------------------------
    def queries(self, cursor: tuple[str, str]) -> dict[str, dict[str, str]]:
        ws, obj = ws_id(BIG), obj_id(BIG, 0)
        s_last, s_city = slot_id(obj, LAST.name), slot_id(obj, CITY.name)
        x, y = cursor
        last = f'({LAST.expr()}) COLLATE "C"'
        city = f'({CITY.expr()}) COLLATE "C"'
        a_join = (
            "SELECT r.* FROM record_index i JOIN record r ON r.workspace_id = i.workspace_id AND r.id = i.record_id"
            f" WHERE i.workspace_id = '{ws}' AND r.deleted_at IS NULL AND "
        )
        a_order = f"ORDER BY i.key NULLS FIRST, i.record_id LIMIT {PAGE}"
        bc_where = f"WHERE workspace_id = '{ws}' AND object_id = '{obj}' AND deleted_at IS NULL"
        bc_order = f"ORDER BY {last}, id LIMIT {PAGE}"
        city42 = "City 42"
        a = {
            "sort": f"{a_join} i.slot = '{s_last}' {a_order}",
            "keyset": f"{a_join} i.slot = '{s_last}' AND (i.key, i.record_id) > ('{x}', '{y}') {a_order}",
            "city_eq": f"{a_join} i.slot = '{s_city}' AND i.key = '{city42}' ORDER BY i.record_id LIMIT {PAGE}",
            "range": f"{a_join} i.slot = '{s_last}' AND i.key >= 'L25000' {a_order}",
            "prefix": f"{a_join} i.slot = '{s_last}' AND i.key LIKE 'L123%' {a_order}",
            "count": "SELECT count(*) FROM record_index i JOIN record r ON r.workspace_id = i.workspace_id"
            f" AND r.id = i.record_id WHERE i.workspace_id = '{ws}' AND i.slot = '{s_city}' AND i.key = '{city42}'"
            " AND r.deleted_at IS NULL",
        }
        out = {"A": a}
        for design, tbl in (("B", "precord"), ("C", "record")):
            base = f"SELECT * FROM {tbl} {bc_where}"
            q = {
                "sort": f"{base} {bc_order}",
                "keyset": f"{base} AND ({last}, id) > ('{x}', '{y}') {bc_order}",
                "range": f"{base} AND {last} >= 'L25000' {bc_order}",
                "prefix": f"{base} AND {last} LIKE 'L123%' {bc_order}",
            }
            if design == "B":
                q["city_eq"] = f"{base} AND {city} = '{city42}' ORDER BY id LIMIT {PAGE}"
                q["count"] = f"SELECT count(*) FROM {tbl} {bc_where} AND {city} = '{city42}'"
            else:
                gin = f"data @> '{json.dumps({'city': city42})}'"
                q["city_eq"] = f"{base} AND {gin} ORDER BY id LIMIT {PAGE}"
                q["count"] = f"SELECT count(*) FROM {tbl} {bc_where} AND {gin}"
            out[design] = q
        return out

    def run_queries(self, conn: psycopg.Connection, design: str, queries: dict[str, str]) -> dict:
        out = {}
        for name, sql in queries.items():
            runs: list[float] = []
            for _ in range(RUNS + 1):
                plan = explain(conn, sql)
                runs.append(plan["Execution Time"])
            top = plan["Plan"]
            rows = conn.execute(sql).fetchall()
            result = rows[0][0] if name == "count" else [str(r[1]) for r in rows]
            out[name] = {
                "ms": statistics.median(runs[1:]),
                "buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
                "shape": shape(top),
                "result": result,
            }
            log(f"  {design} {name}: {out[name]['ms']:.3f} ms, {out[name]['buffers']} buffers; {out[name]['shape']}")
        return out

    # -- 4. inserts -------------------------------------------------------------------------------------------
    def insert_rows(self) -> list[tuple[uuid.UUID, Jsonb]]:
        rng = random.Random(7)
        rows = []
        for i in range(INSERTS):
            data = {
                "name": {"firstName": f"F{rng.randrange(20000)}", "lastName": f"L{rng.randrange(50000)}"},
                "email": f"new{i}@example.com",
                "phone": f"+1556{i:07d}",
                "jobTitle": f"Title {rng.randrange(300)}",
                "city": f"City {rng.randrange(1000)}",
                "employees": rng.randrange(10000),
            }
            rows.append((u(f"ins:{i}"), Jsonb(data)))
        return rows

    def inserts(self, conn: psycopg.Connection, design: str) -> dict:
        ws, obj = ws_id(BIG), obj_id(BIG, 0)
        if design == "A":
            slots = ", ".join(f"('{slot_id(obj, f.name)}'::uuid, {f.key('r.data')})" for f in PERSON_FIELDS)
            sql = (
                "WITH r AS (INSERT INTO record (workspace_id, id, object_id, data) VALUES (%s, %s, %s, %s)"
                " RETURNING workspace_id, id, data)"
                " INSERT INTO record_index (workspace_id, record_id, slot, key)"
                f" SELECT r.workspace_id, r.id, s.slot, s.key FROM r CROSS JOIN LATERAL (VALUES {slots}) s(slot, key)"
            )
        else:
            tbl = "precord" if design == "B" else "record"
            sql = f"INSERT INTO {tbl} (workspace_id, id, object_id, data) VALUES (%s, %s, %s, %s)"
        rows = self.insert_rows()
        conn.execute("CHECKPOINT")
        exec_ms, wal, fpi = 0.0, 0, 0
        with measure(conn) as took:
            for rid, data in rows:
                with ClientCursor(conn) as cur:  # what connect()'s cursor_factory makes
                    stmt = cur.mogrify(sql, (ws, rid, obj, data))
                plan = explain(conn, stmt, "ANALYZE, WAL, TIMING OFF")
                exec_ms += plan["Execution Time"]
                wal += plan["Plan"].get("WAL Bytes", 0)
                fpi += plan["Plan"].get("WAL FPI", 0)
        out = {"exec_ms": exec_ms, "wal": wal, "fpi": fpi, "took": took}
        log(f"  inserts {design}: {out}")
        if design == "A":  # so that design C's queries and inserts see the same table as A's did
            ids = [rid for rid, _ in rows]
            conn.execute("DELETE FROM record_index WHERE workspace_id = %s AND record_id = ANY(%s)", (ws, ids))
            conn.execute("DELETE FROM record WHERE workspace_id = %s AND id = ANY(%s)", (ws, ids))
            conn.execute("VACUUM (ANALYZE) record")
            conn.execute("VACUUM (ANALYZE) record_index")
        return out

    # -- 1b. marking one more field indexed -------------------------------------------------------------------
    def mark_field(self, conn: psycopg.Connection, design: str) -> dict:
        ws, obj = ws_id(BIG), obj_id(BIG, 0)
        out: dict[str, Any] = {}
        if design == "A":
            # As the rows come (heap order, random record ids), then in record_id order, which turns the
            # primary key's random insertions into an append-like walk. Each starts after a CHECKPOINT.
            for label, f, order in (
                ("insert_select", NEW_FIELD, ""),
                ("insert_select_ordered", NEW_FIELD_2, " ORDER BY id"),
            ):
                conn.execute("CHECKPOINT")
                with measure(conn) as took:
                    plan = explain(
                        conn,
                        "INSERT INTO record_index (workspace_id, record_id, slot, key)"
                        f" SELECT workspace_id, id, '{slot_id(obj, f.name)}', {f.key()} FROM record"
                        f" WHERE workspace_id = '{ws}' AND object_id = '{obj}' AND deleted_at IS NULL{order}",
                        "ANALYZE, WAL, TIMING OFF",
                    )
                took.wal, took.fpi = plan["Plan"].get("WAL Bytes"), plan["Plan"].get("WAL FPI")
                out[label] = (took, plan["Plan"]["Plans"][0]["Actual Rows"])
        else:
            ddl = (
                f"INDEX precord_w{BIG}_o0_new ON precord_w{BIG} ({NEW_FIELD.index_element()}, id)"
                f" WHERE object_id = '{obj}' AND deleted_at IS NULL"
            )
            conn.execute("CHECKPOINT")
            with measure(conn) as took:
                conn.execute(f"CREATE {ddl}")
            took.size = relation_size(conn, f"precord_w{BIG}_o0_new")
            out["create_index"] = took
            conn.execute(f"DROP INDEX precord_w{BIG}_o0_new")
            with measure(conn) as took:
                conn.execute(f"CREATE {ddl.replace('INDEX', 'INDEX CONCURRENTLY', 1)}")
            took.size = relation_size(conn, f"precord_w{BIG}_o0_new")
            out["create_index_concurrently"] = took
        log(f"  mark field {design}: {out}")
        return out

    def partition_generic(self, conn: psycopg.Connection) -> dict:
        """B's generic plan where it is affordable: prepared on the big workspace's partition itself."""
        sql = (
            f"SELECT * FROM precord_w{BIG} WHERE workspace_id = $1 AND object_id = $2 AND deleted_at IS NULL"
            f' ORDER BY ({LAST.expr()}) COLLATE "C", id LIMIT {PAGE}'
        )
        conn.execute(f"PREPARE qp(uuid, uuid) AS {sql}")
        conn.execute("SET plan_cache_mode = force_generic_plan")
        runs: list[float] = []
        for _ in range(4):
            plan = explain(conn, f"EXECUTE qp('{ws_id(BIG)}', '{obj_id(BIG, 0)}')")
            runs.append(plan["Execution Time"])
        conn.execute("RESET plan_cache_mode")
        conn.execute("DEALLOCATE qp")
        out = {"shape": shape(plan["Plan"]), "ms": statistics.median(runs[1:])}
        log(f"  B generic plan on the partition: {out}")
        return out

    # -- the whole run ----------------------------------------------------------------------------------------
    def run(self) -> dict:
        with self.connect() as conn:
            self.res["version"] = conn.execute("SELECT version()").fetchall()[0][0]
            self.schema(conn)
            self.setup(conn)
        with self.connect() as conn:  # a fresh backend, so that its relation cache holds only what it touches
            self.creation_cost(conn)
            self.res["catalog_setup"] = self.catalog(conn)
            self.res["relations_b"] = self.design_relations(
                conn, "SELECT relid AS oid FROM pg_partition_tree('precord')"
            )
            self.res["relations_a"] = self.design_relations(
                conn, "SELECT unnest(ARRAY['record'::regclass::oid, 'record_index'::regclass::oid]) AS oid"
            )
            self.bare_partitions(conn)
            self.res["cursor"] = conn.execute(
                "SELECT i.key, i.record_id FROM record_index i JOIN record r"
                " ON r.workspace_id = i.workspace_id AND r.id = i.record_id"
                " WHERE i.workspace_id = %s AND i.slot = %s AND r.deleted_at IS NULL"
                " ORDER BY i.key NULLS FIRST, i.record_id OFFSET %s LIMIT 1",
                (ws_id(BIG), slot_id(obj_id(BIG, 0), LAST.name), PAGE - 1),
            ).fetchone()
        queries = self.queries(self.res["cursor"])
        where = f'WHERE workspace_id = $1 AND object_id = $2 AND deleted_at IS NULL ORDER BY ({LAST.expr()}) COLLATE "C", id LIMIT {PAGE}'
        plan_sql = {
            "A": "SELECT r.* FROM record_index i JOIN record r ON r.workspace_id = i.workspace_id AND r.id = i.record_id"
            f" WHERE i.workspace_id = $1 AND i.slot = $2 AND r.deleted_at IS NULL"
            f" ORDER BY i.key NULLS FIRST, i.record_id LIMIT {PAGE}",
            "B": f"SELECT * FROM precord {where}",
            "B0": f"SELECT * FROM precord_bare {where}",
            "C": f"SELECT * FROM record {where}",
        }
        obj = obj_id(BIG, 0)
        plan_params = {
            "A": f"'{slot_id(obj, LAST.name)}'::uuid",
            "B": f"'{obj}'::uuid",
            "B0": f"'{obj}'::uuid",
            "C": f"'{obj}'::uuid",
        }
        lock_parent = {"A": None, "B": "precord", "B0": "precord_bare", "C": None}
        self.res["planning"], self.res["queries"], self.res["inserts"], self.res["mark"] = {}, {}, {}, {}

        def design_phase(design: str, before: Callable[[psycopg.Connection], None] | None = None) -> None:
            with self.connect() as conn:
                if before:
                    before(conn)
                for d in (design, "B0") if design == "B" else (design,):
                    self.res["planning"][d] = self.planning(conn, d, plan_sql[d], plan_params[d], lock_parent[d])
                if design == "B":
                    self.res["partition_generic"] = self.partition_generic(conn)
                self.res["queries"][design] = self.run_queries(conn, design, queries[design])
                self.res["inserts"][design] = self.inserts(conn, design)
                if design != "C":
                    self.res["mark"][design] = self.mark_field(conn, design)

        def build_gin(conn: psycopg.Connection) -> None:
            log("building the GIN index (design C)")
            with measure(conn) as took:
                conn.execute("CREATE INDEX record_data_gin ON record USING gin (data jsonb_path_ops)")
            took.size = relation_size(conn, "record_data_gin")
            self.res["gin_build"] = took
            conn.execute("VACUUM (ANALYZE) record")
            self.res["relations_c"] = self.design_relations(conn, "SELECT 'record'::regclass::oid AS oid")
            log(f"  {took}")

        for design in ("A", "B"):
            log(f"design {design}")
            design_phase(design)
        log("design C")
        design_phase("C", build_gin)
        return self.res


# --- report --------------------------------------------------------------------------------------------------

QUERY_LABELS = {
    "sort": "sort by name.lastName, LIMIT 60",
    "keyset": "next keyset page, (lastName, id) > (x, y)",
    "city_eq": "city = 'City 42' ORDER BY id LIMIT 60",
    "range": "lastName >= 'L25000' LIMIT 60",
    "prefix": "lastName LIKE 'L123%' LIMIT 60",
    "count": "COUNT(*) WHERE city = 'City 42'",
}


def report(res: dict, args: argparse.Namespace, runtime: float) -> str:
    W, N = args.workspaces, args.people
    out = []
    c_wall, c_cpu = res["create_ws"]
    n_locks, parent_mode = res["create_ws_locks"]
    mark_a_took, mark_a_rows = res["mark"]["A"]["insert_select"]
    ordered = res["mark"]["A"]["insert_select_ordered"][0]
    ci, cic = res["mark"]["B"]["create_index"], res["mark"]["B"]["create_index_concurrently"]
    gin = res["gin_build"]
    fresh, setup = res["catalog_fresh"], res["catalog_setup"]
    out.append(f"### 1. Setup and DDL at {W:,} workspaces (big workspace: {N:,} people)\n")
    out.append(
        table(
            ["measure", "A pivot", "B partitions", "C gin"],
            [
                [
                    f"create one more workspace's structures (median of {CREATIONS}; wall / backend CPU)",
                    "no DDL",
                    f"{ms(c_wall)} / {ms(c_cpu)} (1 partition + {N_OBJECTS * 3} indexes)",
                    "no DDL",
                ],
                [
                    "locks held by that transaction",
                    "–",
                    f"{n_locks} relation locks, incl. {parent_mode} on precord",
                    "–",
                ],
                [
                    f"pg_class rows of the design at {W:,} workspaces",
                    f"{res['relations_a']:,}",
                    f"{res['relations_b']:,}",
                    f"{res['relations_c']:,}",
                ],
                [
                    "mark one more field indexed in the big workspace (wall / backend CPU / WAL or index size)",
                    f"INSERT…SELECT of {mark_a_rows:,} rows: {secs(mark_a_took.wall)} / {secs(mark_a_took.cpu)}"
                    f" / {mb(mark_a_took.wal)} ({mark_a_took.fpi:,} FPI); the same ORDER BY id: {secs(ordered.wall)}"
                    f" / {secs(ordered.cpu)} / {mb(ordered.wal)} ({ordered.fpi:,} FPI); row locks only",
                    f"CREATE INDEX: {secs(ci.wall)} / {secs(ci.cpu)} / index {mb(ci.size)} (blocks writes to the"
                    f" workspace); CONCURRENTLY: {secs(cic.wall)} / {secs(cic.cpu)}",
                    "not possible (GIN already covers equality; nothing serves sort/range/prefix)",
                ],
                [
                    "initial index build during load (wall / backend CPU)",
                    f"all index rows of all workspaces + 2 btrees: {secs(res['load_a'].wall)} / {secs(res['load_a'].cpu)}",
                    f"the big partition's {N_OBJECTS * 3} field indexes: {secs(res['load_b_indexes'].wall)}"
                    f" / {secs(res['load_b_indexes'].cpu)}",
                    f"GIN over all workspaces: {secs(gin.wall)} / {secs(gin.cpu)} / index {mb(gin.size)}",
                ],
            ],
        )
    )
    out.append(
        f"\nWhole database: pg_class rows {fresh[0]:,} → {setup[0]:,}, system catalog size {mb(fresh[1])} → "
        f"{mb(setup[1])} after setup (before the B0 partitions). Creating the {W - 1} small workspaces' partitions "
        f"took {secs(res['setup_partitions'].wall)} (synchronous_commit off)."
    )

    p = res["planning"]
    cols = ["A", "B", "B0", "C"]
    out.append(f"\n### 2. Planning time of the sort query at {W:,} workspaces (ms; median of {RUNS} unless noted)\n")
    rows = [
        ["literal constants", *(fmt_ms(p[c]["literal"]) for c in cols)],
        ["PREPARE, force_custom_plan", *(fmt_ms(p[c]["custom"]) for c in cols)],
        ["PREPARE, force_generic_plan: first EXECUTE (builds it)", *(fmt_ms(p[c]["generic_first"]) for c in cols)],
        ["PREPARE, force_generic_plan: later EXECUTEs (cached)", *(fmt_ms(p[c]["generic_cached"]) for c in cols)],
        ["first plan in a new session (median of 5 sessions)", *(fmt_ms(p[c]["new_session"]) for c in cols)],
        ["generic plan", *(p[c]["generic_shape"] for c in cols)],
    ]
    out.append(table(["plan", "A pivot", "B partitions", "B0: same partitions, PK only", "C gin"], rows))
    pg = res["partition_generic"]
    out.append(
        f"\nB's generic plan prepared on the big workspace's partition itself (object id a parameter, so no partial"
        f" field index can be proven to apply): {pg['shape']}, execution {fmt_ms(pg['ms'])} ms (median of 3)."
    )

    q = res["queries"]
    same = {name: len({json.dumps(q[d][name]["result"]) for d in "ABC"}) == 1 for name in QUERY_LABELS}
    out.append(
        f"\n### 3. Execution time in the {N:,}-person workspace (ms, median of {RUNS}; shared buffers touched)\n"
    )
    rows = []
    for name, label in QUERY_LABELS.items():
        rows.append(
            [
                label + ("" if same[name] else " (RESULTS DIFFER)"),
                *(f"{fmt_ms(q[d][name]['ms'])} ({q[d][name]['buffers']:,} buf)" for d in "ABC"),
            ]
        )
    out.append(table(["query", "A pivot", "B partitions", "C gin"], rows))
    counts = q["A"]["count"]["result"]
    out.append(
        f"\nAll three designs returned the same rows: {'yes' if all(same.values()) else 'NO'} "
        f"(count of City 42: {counts:,}). Plans:\n"
    )
    out.append(
        table(
            ["query", "A pivot", "B partitions", "C gin"],
            [[n, *(q[d][n]["shape"] for d in "ABC")] for n in QUERY_LABELS],
        )
    )

    ins = res["inserts"]
    out.append(f"\n### 4. {INSERTS:,} single-row person inserts into the big workspace (one transaction each)\n")
    rows = [
        ["server execution time, sum (EXPLAIN ANALYZE)", *(f"{ins[d]['exec_ms']:,.0f} ms" for d in "ABC")],
        ["backend CPU (incl. parse, plan, commit)", *(ms(ins[d]["took"].cpu) for d in "ABC")],
        ["wall time (client, incl. commit flushes)", *(ms(ins[d]["took"].wall) for d in "ABC")],
        ["WAL from EXPLAIN (full-page images)", *(f"{mb(ins[d]['wal'])} ({ins[d]['fpi']:,} FPI)" for d in "ABC")],
    ]
    out.append(
        table(
            ["measure", "A pivot (record + 3 index rows)", f"B partitions ({N_OBJECTS * 3} partial indexes)", "C gin"],
            rows,
        )
    )
    out.append(
        f"\n{res['version']}. Sessions: jit off, no parallel workers, maintenance_work_mem 256MB. "
        f"Total runtime {runtime / 60:.1f} min."
    )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000, help="person records in the big workspace")
    parser.add_argument("--workspaces", type=int, default=1000, help="workspaces, including the big one")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database at the end")
    args = parser.parse_args()
    url = os.environ.get("DESIGNS_DATABASE_URL", DEFAULT_URL)
    params = conninfo_to_dict(url)
    dbname = params.get("dbname") or "crm_designs"
    admin = make_conninfo("", **{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    log(f"scratch database {dbname} created; {args.workspaces} workspaces, {args.people} people")
    try:
        res = Bench(url, args.workspaces, args.people).run()
    finally:
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            log(f"scratch database {dbname} dropped")
    print(report(res, args, time.perf_counter() - T0))


if __name__ == "__main__":
    main()
