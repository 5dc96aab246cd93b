"""SQL text for the two databases the store runs on, and the one way statements are sent.

The store and the query engine write SQL themselves (the ORM cannot express the index path, and
building querysets costs more CPU than the queries on the hot path). Everything that differs
between PostgreSQL and SQLite is a method of :class:`Dialect`; everything is sent through
Django's connection (``run``/``rows``), so query counting, debug logging and transactions work as
for ORM queries.

Conventions: placeholders are ``%s``; record columns are read through an alias (``r``);
identifiers and JSON keys are quoted here, never interpolated raw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connection
from django.utils.dateparse import parse_datetime

from core_app.store import deferred

__all__ = [
    "Dialect",
    "dialect",
    "id_array",
    "in_list",
    "insert_rows",
    "json_text",
    "option_position",
    "read_together",
    "rows",
    "run",
    "text_array",
    "write",
]


def quote_literal(text: str) -> str:
    """``text`` as an SQL string literal (doubled quotes; ``%`` doubled for the ``%s`` paramstyle)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


class Dialect:
    """SQL of PostgreSQL; :class:`SqliteDialect` overrides what SQLite writes differently."""

    vendor = "postgresql"
    #: Collation that compares text byte-wise (the order of index keys).
    byte_order = ' COLLATE "C"'
    #: Ends each item of an ARRAY's sort key: below every character a value holds ("a" before "ab").
    item_end = "chr(1)"
    #: Locks the rows a check found against their deletion until the transaction ends.
    key_share = " FOR KEY SHARE"
    #: Locks a row against its update until the transaction ends (and waits for one in progress).
    share = " FOR SHARE"

    # -- values in and out ------------------------------------------------------------------

    def uuid_in(self, value: str) -> Any:
        """A canonical UUID string as the database takes it in a parameter."""
        return value

    def uuid_out(self, value: Any) -> str:
        """A UUID read from the database as its canonical string."""
        return str(value)

    def json_in(self, value: Any) -> str:
        """A JSON value as a parameter (text; PostgreSQL casts it to jsonb)."""
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()

    def instant_out(self, value: Any) -> datetime | None:
        """A timestamp read from the database, timezone-aware."""
        return value

    def instant_in(self, value: datetime) -> Any:
        """A timestamp as a parameter."""
        return value

    def boolean_in(self, value: bool) -> Any:
        """A boolean as a parameter compared with the text of a JSON boolean."""
        return "true" if value else "false"

    # -- expressions --------------------------------------------------------------------------

    @staticmethod
    def path_literal(path: Sequence[str]) -> str:
        """A JSON path as an SQL literal: PostgreSQL's text array (``'{name,firstName}'``), SQLite's ``$."name"...``."""
        return quote_literal("{" + ",".join(path) + "}")

    def json_at(self, column: str, path: Sequence[str]) -> str:
        """The JSON value (PostgreSQL: jsonb) at ``path`` inside ``column``, or SQL NULL where there is none."""
        return f"({column} #> {self.path_literal(path)})"

    def json_text(self, column: str, path: Sequence[str]) -> str:
        """The text (or SQL NULL) of the JSON value at ``path`` inside ``column``."""
        if len(path) == 1:
            return f"({column} ->> {quote_literal(path[0])})"
        return f"({column} #>> {self.path_literal(path)})"

    def id_as_key(self, expression: str) -> str:
        """A record id column as the index key of a join id (the canonical UUID text)."""
        return f"CAST({expression} AS text)"

    def key_as_id(self, expression: str) -> str:
        """A join id's index key (canonical UUID text) as a record id, to compare with ``id``."""
        return f"CAST({expression} AS uuid)"

    def number(self, expression: str) -> str:
        """``expression`` (text) as a double."""
        return f"({expression})::double precision"

    def exact_number(self, expression: str) -> str:
        """``expression`` (a number) summed without overflow: PostgreSQL's numeric; SQLite's REAL as is."""
        return f"CAST({expression} AS numeric)"

    def text_bytes(self, expression: str) -> str:
        """``expression`` compared and sorted byte-wise."""
        return f"({expression}){self.byte_order}"

    def like(self, expression: str, insensitive: bool) -> str:
        """``expression LIKE %s`` (case-sensitive) or ILIKE; the pattern is the next parameter."""
        return f"({expression})::text {'ILIKE' if insensitive else 'LIKE'} %s"

    def like_pattern(self, pattern: str, insensitive: bool) -> str:
        """The pattern parameter of :meth:`like` (SQLite translates it)."""
        return pattern

    def json_repr(self, column: str, path: Sequence[str]) -> str:
        """The JSON text of the value at ``path`` inside ``column``, a string quoted (unlike
        :meth:`json_text`'s); NULL for a missing key or JSON null, as :meth:`json_text` gives."""
        return f"NULLIF(CAST({self.json_at(column, path)} AS text), 'null')"

    def array_sort_key(self, column: str, path: Sequence[str], codes: Sequence[str] | None) -> str:
        """A text that sorts the JSON arrays at ``path`` item by item (NULL when there is no array):
        each item as its index in ``codes`` (three digits; a value not among them after them all), or,
        without ``codes``, as its text ended by U+0001, so that a prefix sorts before what extends it."""
        array = self.json_at(column, path)
        item = self.array_item_key("t.e", codes)
        return (
            f"((SELECT COALESCE(string_agg({item}, '' ORDER BY t.o), CASE WHEN jsonb_typeof({array}) = 'array' "
            f"THEN '' END) FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof({array}) = 'array' THEN {array} END) "
            f"WITH ORDINALITY AS t(e, o)){self.byte_order})"
        )

    def array_item_key(self, item: str, codes: Sequence[str] | None) -> str:
        """SQL of one array item's part of :meth:`array_sort_key`."""
        if codes is None:
            return f"({item} || {self.item_end})"
        return option_position(item, codes, otherwise="'999'", digits=3)

    def tuple_text(self, expressions: Sequence[str]) -> str:
        """One text standing for several values together (a JSON array of them), equal only when
        every value is: what ``COUNT(DISTINCT ...)`` counts for a composite field."""
        return f"CAST(json_build_array({', '.join(expressions)}) AS text)"

    def contains(self, expression: str) -> str:
        """``expression`` holds the next parameter as a substring (exact, no pattern characters)."""
        return f"strpos({expression}, %s) > 0"

    def array_contains_any(self, column: str, path: Sequence[str]) -> str:
        """The JSON array at ``path`` holds any of the strings of the next parameter (a list)."""
        return f"({self.json_at(column, path)} ?| %s)"

    def array_param(self, values: list[str]) -> Any:
        """The parameter of :meth:`array_contains_any`."""
        return list(values)

    def array_any_ilike(self, column: str, path: Sequence[str]) -> str:
        """A string of the JSON array at ``path`` matches the next parameter, an ILIKE pattern (:meth:`like_pattern`)."""
        value = self.json_at(column, path)
        return (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof({value}) = 'array' "
            f"THEN {value} END) AS e(value) WHERE e.value ILIKE %s)"
        )

    #: Ends a subquery the planner must keep apart (PostgreSQL does not pull up or flatten a
    #: subquery with an OFFSET, so the query runs in the shape it is written).
    fence = " OFFSET 0"

    def in_ids(self, column: str, ids_sql: str) -> str:
        """``column`` is one of the ids ``ids_sql`` selects (a bounded list: it has a LIMIT).

        On PostgreSQL the ids are read once, into an array, before the outer query runs (an
        InitPlan), and the outer query probes its primary key for them. Written as ``IN
        (subquery)``, the planner may turn it into a join and, believing the outer side holds
        one row, re-run the subquery for each of its rows.
        """
        return f"{column} = ANY(ARRAY({ids_sql}))"

    def one_of(self, column: str, values: Sequence[Any], kind: str) -> tuple[str, list[Any]]:
        """``column`` is one of ``values`` (of PostgreSQL type ``kind``): the SQL and its parameters.

        PostgreSQL takes the values as one array, so the statement's text is the same whatever
        their number (psycopg re-parses statements of more than 50 parameters on every call).
        """
        # One string where a literal serves (ids, integers, texts), not a list dumped in Python.
        return f"{column} = ANY(%s::{kind}[])", [array_parameter(values, kind)]

    def string_agg(self, expression: str) -> str:
        """The texts of ``expression`` joined with commas, in no particular order (NULL for none)."""
        return f"string_agg({expression}, ',')"

    def shard(self) -> str:
        """Which counter shard this session writes (sessions spread over 8 shards)."""
        return "(pg_backend_pid() %% 8)"

    def upsert_add(self) -> str:
        """``ON CONFLICT`` clause adding ``live`` to a counter row, and counting one more change."""
        return (
            "ON CONFLICT (workspace_id, object_id, shard) DO UPDATE SET live = core_app_recordcount.live + "
            "EXCLUDED.live, changes = core_app_recordcount.changes + 1"
        )


class SqliteDialect(Dialect):
    """SQLite (3.38 or later, for ``->>``): UUIDs as 32 hex digits, GLOB for case-sensitive LIKE."""

    vendor = "sqlite"
    byte_order = ""  # BINARY, SQLite's default collation, is byte order
    item_end = "char(1)"
    key_share = ""  # one writing transaction at a time (IMMEDIATE): nothing to lock against
    share = ""
    fence = ""  # OFFSET needs a LIMIT in SQLite; its planner keeps these subqueries apart anyway

    def in_ids(self, column: str, ids_sql: str) -> str:
        return f"{column} IN (SELECT * FROM ({ids_sql}))"

    def one_of(self, column: str, values: Sequence[Any], kind: str) -> tuple[str, list[Any]]:
        return f"{column} IN {in_list(len(values))}", list(values)

    def uuid_in(self, value: str) -> Any:
        return value.replace("-", "")

    def uuid_out(self, value: Any) -> str:
        text = str(value)
        if len(text) == 32:
            return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
        return text

    def instant_in(self, value: datetime) -> Any:
        # Stored as Django stores it: naive UTC text, so text comparison is time comparison.
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")

    def boolean_in(self, value: bool) -> Any:
        return 1 if value else 0  # SQLite's ->> reads JSON true/false as 1/0

    def instant_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        moment = parse_datetime(value) if isinstance(value, str) else value
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment

    @staticmethod
    def path_literal(path: Sequence[str]) -> str:
        return quote_literal("$" + "".join('."' + key.replace('"', '\\"') + '"' for key in path))

    def json_at(self, column: str, path: Sequence[str]) -> str:
        return f"({column} -> {self.path_literal(path)})"  # JSON text: SQLite has no JSON type

    def json_text(self, column: str, path: Sequence[str]) -> str:
        return f"({column} ->> {self.path_literal(path)})"

    def id_as_key(self, expression: str) -> str:
        # Ids are stored as 32 lowercase hex digits; keys are canonical (dashed) UUIDs.
        e = expression
        return (
            f"(substr({e}, 1, 8) || '-' || substr({e}, 9, 4) || '-' || substr({e}, 13, 4) || '-' "
            f"|| substr({e}, 17, 4) || '-' || substr({e}, 21))"
        )

    def key_as_id(self, expression: str) -> str:
        return f"REPLACE({expression}, '-', '')"

    def number(self, expression: str) -> str:
        return f"CAST({expression} AS REAL)"

    def exact_number(self, expression: str) -> str:
        return expression  # a sum past REAL's range is infinity, not an error

    def like(self, expression: str, insensitive: bool) -> str:
        if insensitive:
            # unicode_lower (core_app/store/sqlite_functions.py): SQLite's LOWER knows ASCII only.
            return f"unicode_lower({expression}) LIKE unicode_lower(%s) ESCAPE '\\'"
        return f"({expression}) GLOB %s"

    def like_pattern(self, pattern: str, insensitive: bool) -> str:
        return pattern if insensitive else like_to_glob(pattern)

    def json_repr(self, column: str, path: Sequence[str]) -> str:
        return f"NULLIF({self.json_at(column, path)}, 'null')"

    def array_sort_key(self, column: str, path: Sequence[str], codes: Sequence[str] | None) -> str:
        path_sql = self.path_literal(path)
        item = self.array_item_key("t.value", codes)
        is_array = f"json_type({column}, {path_sql}) = 'array'"
        return (
            f"(SELECT COALESCE(group_concat(k, ''), CASE WHEN {is_array} THEN '' END) FROM "
            f"(SELECT {item} AS k FROM json_each({column}, {path_sql}) AS t WHERE {is_array} ORDER BY t.key))"
        )

    def tuple_text(self, expressions: Sequence[str]) -> str:
        return f"json_array({', '.join(expressions)})"

    def contains(self, expression: str) -> str:
        return f"instr({expression}, %s) > 0"

    def array_contains_any(self, column: str, path: Sequence[str]) -> str:
        return (
            f"EXISTS (SELECT 1 FROM json_each({column}, {self.path_literal(path)}) AS e "
            "WHERE e.type = 'text' AND e.value IN (SELECT value FROM json_each(%s)))"
        )

    def array_param(self, values: list[str]) -> Any:
        return orjson.dumps(list(values)).decode()

    def array_any_ilike(self, column: str, path: Sequence[str]) -> str:
        return (
            f"EXISTS (SELECT 1 FROM json_each({column}, {self.path_literal(path)}) AS e "
            "WHERE e.type = 'text' AND unicode_lower(e.value) LIKE unicode_lower(%s) ESCAPE '\\')"
        )

    def shard(self) -> str:
        return "0"  # one writer at a time: nothing to spread

    def string_agg(self, expression: str) -> str:
        return f"group_concat({expression}, ',')"


def option_position(expression: str, codes: Sequence[str], otherwise: str = "NULL", digits: int = 0) -> str:
    """SQL of the position of ``expression``'s value among ``codes`` (a field's options, in order).

    As a number, or with ``digits`` as text of that many digits (to concatenate into a sort key);
    ``otherwise`` for a value that is none of them (NULL included).
    """
    positions = (f"'{index:0{digits}d}'" if digits else str(index) for index in range(len(codes)))
    whens = " ".join(f"WHEN {quote_literal(code)} THEN {position}" for code, position in zip(codes, positions))
    return f"(CASE {expression} {whens} ELSE {otherwise} END)"


def like_to_glob(pattern: str) -> str:
    """Translate a LIKE pattern (``%``, ``_``, backslash escapes) into an equivalent GLOB pattern."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(f"[{char}]" if char in "*?[" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


_DIALECTS = {"postgresql": Dialect(), "sqlite": SqliteDialect()}


def dialect() -> Dialect:
    """The dialect of the default database."""
    return _DIALECTS[connection.vendor]


def json_text(column: str, path: Sequence[str]) -> str:
    """Shortcut for ``dialect().json_text``."""
    return dialect().json_text(column, path)


def in_list(count: int) -> str:
    """``(%s, %s, ...)`` with ``count`` placeholders (``(NULL)`` for none, which matches nothing)."""
    return "(" + ", ".join(["%s"] * count) + ")" if count else "(NULL)"


def run(sql: str, params: Iterable[Any] = (), prepare: bool = False) -> int:
    """Execute one statement; return the number of rows it changed. ``prepare``: see :func:`execute`."""
    with connection.cursor() as cursor:
        execute(cursor, sql, list(params), prepare)
        return int(cursor.rowcount)


def write(table: str, sql: str, params: list[Any]) -> None:
    """Execute a statement that changes ``table`` and whose row count nobody reads.

    Inside a unit of work that gathers writes (PostgreSQL), it waits and goes with them
    (``core_app.store.deferred``); otherwise it runs now.
    """
    if not deferred.statement(table, sql, params):
        run(sql, params)


def rows(sql: str, params: Iterable[Any] = (), prepare: bool = False) -> list[tuple[Any, ...]]:
    """Execute one query; return every row. ``prepare``: see :func:`execute`."""
    with connection.cursor() as cursor:
        execute(cursor, sql, list(params), prepare)
        return cursor.fetchall()


def execute(cursor: Any, sql: str, params: list[Any], prepare: bool) -> None:
    """Execute ``sql`` on Django's ``cursor``; with ``prepare``, as a prepared statement on PostgreSQL.

    A prepared statement is parsed and analysed once per connection; each execution is still
    planned for its own parameters (``plan_cache_mode=force_custom_plan``), so its plans are
    those of an unprepared statement. For the statements whose parsing is most of their cost:
    a unit of work's chained write is a long text of small inserts (a create: 1.33 -> 0.96 ms of
    PostgreSQL CPU with it prepared, 0.88 with a create's checks prepared too). Other statements
    are not prepared (their texts vary more; each prepared text holds memory in its backend).
    ``DATABASE_PREPARED_STATEMENTS=0`` (for a transaction-mode pooler) prepares nothing.
    """
    if not prepare or connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return

    def prepared(sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            return cursor.cursor.execute(sql, params, prepare=True)

    through_django(cursor, sql, params, prepared)


def through_django(cursor: Any, sql: str, params: Any, executor: Any, shown: str | None = None) -> None:
    """Run ``executor`` as Django runs a statement: through the connection's execute wrappers and,
    when queries are logged (DEBUG, tests), into the query log (as ``shown``, or the statement)."""
    debug = getattr(cursor, "debug_sql", None)
    if debug is None:
        cursor._execute_with_wrappers(sql, params, False, executor)
        return
    with debug(shown or sql, None if shown else params, use_last_executed_query=shown is None):
        cursor._execute_with_wrappers(sql, params, False, executor)


def read_together(queries: Sequence[tuple[str, list[Any]]]) -> list[list[tuple[Any, ...]]]:
    """The rows of each ``(SELECT, parameters)`` of ``queries``, in one round trip on PostgreSQL.

    Each query becomes a scalar subquery aggregating its rows as JSON (``json_agg``), read back
    here: values come as JSON gives them (ids and text as strings, numbers as ``int`` or
    ``float``), so a query's columns need distinct names and its readers must not rely on the
    Python type of a number or id. SQLite runs in this process (no round trip to save): each
    query runs alone.
    """
    if connection.vendor != "postgresql":
        return [rows(sql, params) for sql, params in queries]
    # A unit of work's waiting checks go first (deferred.take_checks): their locks before any of these.
    checks = deferred.take_checks()
    if len(queries) < 2 and not checks:
        return [rows(sql, params) for sql, params in queries]
    parts = [f"({waiting.text})" for waiting in checks]
    parts += [f"(SELECT json_agg(q{n})::text FROM ({sql}) AS q{n})" for n, (sql, _) in enumerate(queries)]
    params = deferred.check_params(checks) + [p for _, ps in queries for p in ps]
    (found,) = rows(f"SELECT {', '.join(parts)}", params, prepare=True)
    deferred.judge(checks, found[: len(checks)])
    return [[tuple(row.values()) for row in orjson.loads(text)] if text else [] for text in found[len(checks) :]]


#: SQLite's default limit of parameters in one statement is 32,766; stay well below it.
SQLITE_PARAMETERS = 30_000


def insert_rows(
    table: str, columns: Sequence[tuple[str, str]], values: Sequence[Sequence[Any]], suffix: str = ""
) -> None:
    """Insert ``values`` (one tuple per row) into ``table``; ``columns`` are ``(name, PostgreSQL type)``.

    PostgreSQL: plain inserts wait for the rest of the unit of work's when one gathers them
    (``core_app.store.deferred``), or go through ``COPY`` (no statement text to build, parse or plan per
    row); inserts with a ``suffix`` (``ON CONFLICT ...``) send one array per column
    (``INSERT ... SELECT * FROM unnest(...)``), so their text stays the same size whatever the
    number of rows. SQLite: ``VALUES`` lists, cut to stay under its parameter limit.
    """
    if not values:
        return
    if connection.vendor == "postgresql":
        if not suffix:
            if not deferred.insert(table, columns, values):
                copy_rows(table, columns, values)
            return
        write(table, *array_insert(table, columns, values, suffix))
        return
    names = ", ".join(name for name, _ in columns)
    width = len(columns)
    per_statement = max(1, SQLITE_PARAMETERS // width)
    row_sql = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(values), per_statement):
        chunk = values[start : start + per_statement]
        run(
            f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(chunk))} {suffix}",
            [value for row in chunk for value in row],
        )


#: Array element types sent as one array literal (``id_array``) rather than a list.
LITERAL_KINDS = frozenset({"uuid", "int", "bigint"})


def id_array(values: Iterable[Any]) -> str:
    """PostgreSQL's array literal of ids or integers (``{a,b,NULL}``), for a ``%s::uuid[]`` (or
    ``text[]``, ``int[]``...) parameter.

    psycopg dumps a list parameter element by element in Python: 2.3 µs a UUID string as text,
    0.4 µs in binary; one literal string costs about 0.1 µs an element (600 ids: 1,384 / 231 /
    59 µs). Only for values whose text needs no quoting (UUIDs, integers): a value that is not
    one fails to parse in PostgreSQL, as it would as a list element.
    """
    return "{" + ",".join("NULL" if value is None else str(value) for value in values) + "}"


def text_array(values: Iterable[str | None]) -> str:
    """PostgreSQL's array literal of texts (``{"a","b \\"c\\"",NULL}``), for a ``%s::text[]`` (or
    ``jsonb[]``, of JSON texts) parameter.

    Each element quoted, its backslashes and double quotes escaped: any text comes back as it was
    (``id_array``'s reasons: one string, not a list dumped element by element); None is NULL.
    """
    return (
        "{"
        + ",".join(
            "NULL" if value is None else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values
        )
        + "}"
    )


#: Array element types sent as a ``text_array`` literal when every value is a string (or None).
TEXT_KINDS = frozenset({"text", "jsonb"})


def array_parameter(column: Sequence[Any], kind: str) -> Any:
    """The parameter of one column of ``array_insert``: a literal string when one serves, else the list."""
    if kind in LITERAL_KINDS:
        return id_array(column)
    if kind in TEXT_KINDS and all(value is None or value.__class__ is str for value in column):
        return text_array(column)
    return list(column)


def array_insert(
    table: str, columns: Sequence[tuple[str, str]], values: Sequence[Sequence[Any]], suffix: str = ""
) -> tuple[str, list[Any]]:
    """``INSERT ... SELECT * FROM unnest(...)`` of ``values`` into ``table`` (PostgreSQL): the SQL and its parameters.

    One array per column, so the text is the same for any number of rows (above one): ids and
    integers as one array literal (``id_array``), texts and JSON texts too (``text_array``), other
    columns in binary (``%b``), never a list dumped as text. A single row is a ``VALUES`` row of
    plain parameters instead (a second text, as stable as the first).
    """
    names = ", ".join(name for name, _ in columns)
    if len(values) == 1:
        # One row (a create's or an update's own rows): plain parameters. psycopg dumps a list in
        # Python, element type found and array built, about 4 µs a column against 0.6 for a value.
        placeholders = ", ".join(f"%s::{kind}" if kind in LITERAL_KINDS else f"%b::{kind}" for _, kind in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})" + (f" {suffix}" if suffix else "")
        return sql, list(values[0])
    params = [array_parameter(column, kind) for column, (_, kind) in zip(zip(*values), columns, strict=True)]
    arrays = ", ".join(
        f"%s::{kind}[]" if isinstance(param, str) else f"%b::{kind}[]" for param, (_, kind) in zip(params, columns)
    )
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})" + (f" {suffix}" if suffix else "")
    return sql, params


def copy_rows(table: str, columns: Sequence[tuple[str, str]], values: Sequence[Sequence[Any]]) -> None:
    """``COPY`` ``values`` into the ``columns`` of ``table`` (PostgreSQL), through Django's cursor machinery.

    The statement goes through the connection's execute wrappers and, when queries are logged
    (DEBUG, tests), into the query log like any other; database errors become Django's
    (``IntegrityError``...), so callers handle them as for an INSERT.
    """
    sql = f"COPY {table} ({', '.join(name for name, _ in columns)}) FROM STDIN"
    with connection.cursor() as wrapper:

        def copy_in(sql: str, params: Any, many: bool, context: dict[str, Any]) -> None:
            connection.validate_no_broken_transaction()
            with connection.wrap_database_errors, wrapper.cursor.copy(sql) as copy:
                for row in params:
                    copy.write_row(row)

        through_django(wrapper, sql, values, copy_in, shown=f"{sql} ({len(values)} rows)")
