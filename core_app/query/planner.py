"""The SQL of every record read: pages (filter, order, keyset cursor, limit) and counts.

Which shape a query takes, so that its cost follows the size of the answer, not of the object:

- **id order, filter on indexed fields only**: the ids come from the index alone (``RecordIndex``
  ranges, ``ORDER BY record_id LIMIT n``), then the page's records by primary key;
- **first sort key indexed**: the page walks the index in key order, joined to the records; a
  key's records without a value (NULL key) form their own segment, so each of the four null
  orderings is an index range, merged in one statement;
- **anything else** (trash included, sort on an unindexed field): the records of the object,
  filtered and sorted by their stored values.

Counts: an unfiltered count reads the object's counter rows (``RecordCount``); a filter on
indexed fields only counts index entries; anything else counts matching records.

Everything here is read-only and scoped by ``workspace_id`` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core_app.query.aggregates import Aggregate, select_aggregates
from core_app.query.ast import And, Condition, Node, mentions_field
from core_app.query.compiler import CompiledFilter, Leaf, check_size, compile_filter, index_predicate, resolve_leaf
from core_app.query.ordering import SortKey, order_sql, seek_sql
from core_app.query.targets import Source
from core_app.store import counts
from core_app.store.keys import is_cut, key_of
from core_app.store.records import COLUMNS, RecordRow, row_reader, select_list
from core_app.store.slots import ObjectSlots, Slot, object_slots
from core_app.store.sql import Dialect, dialect, in_list, rows
from metadata_app.specs import ObjectSpec, SchemaSnapshot

__all__ = ["Fetched", "Scope", "aggregate", "aggregate_by_parent", "count", "fetch", "read_rows"]


@dataclass(frozen=True)
class Scope:
    """The records a query runs over: one object of one workspace, live ones, trashed ones, or both."""

    workspace_id: str
    snapshot: SchemaSnapshot
    spec: ObjectSpec
    trash: bool | None = False  # False: live only; True: trashed only; None: both

    @classmethod
    def for_filter(
        cls, workspace_id: str, snapshot: SchemaSnapshot, spec: ObjectSpec, node: Node | None, trash: bool | None = None
    ) -> Scope:
        """Live records, unless ``trash`` says otherwise or the filter names ``deletedAt`` (then both)."""
        if trash is None:
            trash = None if node is not None and mentions_field(node, "deletedAt") else False
        return cls(workspace_id, snapshot, spec, trash)

    @property
    def slots(self) -> ObjectSlots | None:
        """The object's index slots, usable only over live records (the index holds no others)."""
        return object_slots(self.snapshot, self.spec) if self.trash is False else None

    def where(self, src: Source, params: list[Any]) -> str:
        """The scope as SQL on ``src``'s record alias."""
        d = src.d
        params += [d.uuid_in(self.workspace_id), d.uuid_in(self.spec.id)]
        sql = f"{src.alias}.workspace_id = %s AND {src.alias}.object_id = %s"
        if self.trash is False:
            return sql + f" AND {src.alias}.deleted_at IS NULL"
        if self.trash is True:
            return sql + f" AND {src.alias}.deleted_at IS NOT NULL"
        return sql


@dataclass
class Fetched:
    """Rows of a page in order, each with its sort values (for cursors)."""

    rows: list[RecordRow]
    sort_values: list[list[Any]]


def index_conjunction(scope: Scope, node: Node | None) -> list[Leaf] | None:
    """The leaves of ``node`` when it is a conjunction that the index answers alone, else None."""
    slots = scope.slots
    if node is None or slots is None:
        return None
    children = node.children if isinstance(node, And) else (node,)
    if not children or not all(isinstance(child, Condition) for child in children):
        return None
    check_size(node)
    leaves = [resolve_leaf(child, scope.spec, slots) for child in children if isinstance(child, Condition)]
    return leaves if all(leaf.indexed for leaf in leaves) else None


def index_ids_sql(scope: Scope, leaves: list[Leaf], d: Dialect, params: list[Any]) -> str:
    """Ids of the live records matching every leaf, read from the index alone.

    The first leaf's range drives the scan; each other leaf probes the index's primary key
    ``(workspace_id, record_id, slot)`` of the same record.
    """
    ws = scope.workspace_id
    sql = "SELECT p.record_id FROM core_app_recordindex p WHERE " + index_predicate(leaves[0], d, ws, "p", params)
    for leaf in leaves[1:]:
        probe = index_predicate(leaf, d, ws, "q", params)
        sql += f" AND EXISTS (SELECT 1 FROM core_app_recordindex q WHERE q.record_id = p.record_id AND {probe})"
    return sql


def fetch(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    exclude_ids: list[str] | None = None,
) -> Fetched:
    """Up to ``limit`` records after ``cursor`` in the order of ``keys`` (reversed when ``backward``)."""
    d = dialect()
    first = keys[0]
    if first.is_id and not exclude_ids:
        leaves = index_conjunction(scope, node)
        if leaves is not None:
            return fetch_by_index_filter(scope, leaves, first, cursor, backward, limit, d)
    if first.slot is not None and scope.slots is not None:
        return fetch_by_index_order(scope, node, keys, cursor, backward, limit, d, exclude_ids)
    return fetch_plain(scope, node, keys, cursor, backward, limit, d, exclude_ids)


def read_rows(result: list[tuple[Any, ...]], keys: list[SortKey], d: Dialect, scope: Scope, skip: int = 0) -> Fetched:
    """Rows selected as ``select_list``, then ``skip`` other columns, then one column per sort key."""
    read = row_reader(d, scope.workspace_id, scope.spec.id)
    width = len(COLUMNS) + skip
    fetched = Fetched([], [])
    for row in result:
        record = read(row)
        fetched.rows.append(record)
        values = list(row[width : width + len(keys)])
        for index, key in enumerate(keys):
            if key.is_id:
                values[index] = record.id
            elif key.is_datetime:
                values[index] = d.instant_out(values[index])
        fetched.sort_values.append(values)
    return fetched


def excluding(ids: list[str] | None, d: Dialect, params: list[Any]) -> list[str]:
    """The condition leaving out ``ids`` (none when there are none)."""
    if not ids:
        return []
    params += [d.uuid_in(i) for i in ids]
    return [f"r.id NOT IN {in_list(len(ids))}"]


def fetch_plain(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    exclude_ids: list[str] | None = None,
) -> Fetched:
    """Filter and sort the object's records by their stored values."""
    src = Source(d)
    compiled = compile_filter(node, scope.spec, src, scope.workspace_id, scope.slots)
    expressions = [key.expression(src) for key in keys]
    params: list[Any] = []
    where = [scope.where(src, params), compiled.sql]
    params += compiled.params
    where += excluding(exclude_ids, d, params)
    if cursor is not None:
        where.append(seek_sql(keys, expressions, cursor, src, params, backward))
    sql = (
        f"SELECT {select_list()}, {', '.join(expressions)} FROM core_app_record r{src.lateral_sql()} "
        f"WHERE {' AND '.join(where)} ORDER BY {order_sql(keys, expressions, backward)} LIMIT {int(limit)}"
    )
    return read_rows(rows(sql, params), keys, d, scope)


def fetch_by_index_filter(
    scope: Scope, leaves: list[Leaf], key: SortKey, cursor: list[Any] | None, backward: bool, limit: int, d: Dialect
) -> Fetched:
    """Id order, filter answered by the index: the page's ids from the index, then their records."""
    params: list[Any] = []
    scope_sql = scope.where(Source(d), params)
    ids_sql = index_ids_sql(scope, leaves, d, params)
    descending, _ = key.directions(backward)
    comparison, direction = ("<", "DESC") if descending else (">", "ASC")
    if cursor is not None:
        ids_sql += f" AND p.record_id {comparison} %s"
        params.append(d.uuid_in(cursor[0]))
    sql = (
        f"SELECT {select_list()}, r.id FROM core_app_record r WHERE {scope_sql} AND r.id IN "
        f"(SELECT * FROM ({ids_sql} ORDER BY p.record_id {direction} LIMIT {int(limit)}) AS ids) "
        f"ORDER BY r.id {direction}"
    )
    return read_rows(rows(sql, params), [key], d, scope)


def fetch_by_index_order(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    exclude_ids: list[str] | None = None,
) -> Fetched:
    """The first sort key is indexed: walk its index range(s) in key order (see the module docstring).

    Records without a value (NULL key) and records with one are two ranges of the index, each in
    order; each is read up to ``limit`` rows and the two are merged by segment, so every null
    ordering is served by the index. A cursor skips the segment it is past.
    """
    first = keys[0]
    slot = first.slot
    assert slot is not None
    descending, nulls_first = first.directions(backward)
    segments = ["null", "value"] if nulls_first else ["value", "null"]
    cursor_key: str | None = None
    if cursor is not None:
        segments = segments[segments.index("null" if cursor[0] is None else "value") :]
        cursor_key = sort_value_key(slot, cursor[0])
    elif nulls_first != descending:
        # The index keeps NULL keys first: AscNullsFirst (the default) and DescNullsLast are one
        # range of it, read forward or backward.
        segments = ["all"]
    cut_group = cursor_key if slot.kind == "text" and cursor_key is not None and is_cut(cursor_key) else None
    src = Source(d)
    compiled = compile_filter(node, scope.spec, src, scope.workspace_id, scope.slots)
    expressions = [key.expression(src) for key in keys]
    rest_keys, rest_expressions = keys[1:], expressions[1:]
    key_order = " DESC" if descending else ""
    params: list[Any] = []
    branches = []
    for number, segment in enumerate(segments):
        where = [scope.where(src, params), "s.workspace_id = %s", "s.slot = %s", compiled.sql]
        params += [d.uuid_in(scope.workspace_id), d.uuid_in(slot.id), *compiled.params]
        where += excluding(exclude_ids, d, params)
        rest_order = order_sql(rest_keys, rest_expressions, backward)
        if segment == "all":
            order = f"s.key{key_order} NULLS {'FIRST' if nulls_first else 'LAST'}, {rest_order}"
        elif segment == "null":
            where.append("s.key IS NULL")
            order = rest_order
            if cursor is not None and cursor[0] is None:  # a cursor among the values is before every null
                where.append(seek_sql(rest_keys, rest_expressions, cursor[1:], src, params, backward))
        else:
            where.append("s.key IS NOT NULL")
            order = f"s.key{key_order}, {rest_order}"
            if cut_group is not None:
                # The cursor stands in a group of cut keys: that group is read apart (repair_cut_groups).
                where.append(f"s.key {'<' if descending else '>'} %s")
                params.append(cut_group)
            elif cursor_key is not None:
                # The range start alone lets the index skip everything before the cursor.
                where.append(f"s.key {'<=' if descending else '>='} %s")
                params.append(cursor_key)
                tie_params: list[Any] = []
                ties = seek_sql(rest_keys, rest_expressions, cursor[1:], src, tie_params, backward)
                where.append(f"(s.key {'<' if descending else '>'} %s OR (s.key = %s AND {ties}))")
                params += [cursor_key, cursor_key, *tie_params]
        branches.append(
            f"SELECT * FROM (SELECT {select_list()}, {number} AS seg, s.key AS skey, {aliased(expressions)} "
            f"FROM core_app_record r{src.lateral_sql()} JOIN core_app_recordindex s "
            f"ON s.workspace_id = r.workspace_id AND s.record_id = r.id WHERE {' AND '.join(where)} "
            f"ORDER BY {order} LIMIT {int(limit)}) AS b{number}"
        )
    nulls = f" NULLS {'FIRST' if nulls_first else 'LAST'}"
    outer = ["seg", f"skey{key_order}{nulls}"] + [key.order_term(f"o{i}", backward) for i, key in enumerate(keys) if i]
    sql = f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS u ORDER BY {', '.join(outer)} LIMIT {int(limit)}"
    fetched = read_rows(rows(sql, params), keys, d, scope, skip=2)
    if slot.kind == "text":
        repair_cut_groups(scope, node, keys, cursor, backward, limit, d, fetched, cut_group, exclude_ids)
    return fetched


def sort_value_key(slot: Slot, value: Any) -> str | None:
    """The index key of a sorted value as SQL returned it (booleans come back as 1/0 on SQLite, as text on PostgreSQL)."""
    if slot.kind == "boolean" and value is not None and not isinstance(value, bool):
        value = value in (1, "true")
    return key_of(slot.kind, value)


def aliased(expressions: list[str]) -> str:
    """Sort expressions selected as ``o0, o1, ...`` (so the outer query can order by them)."""
    return ", ".join(f"{expression} AS o{index}" for index, expression in enumerate(expressions))


def repair_cut_groups(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    fetched: Fetched,
    cut_group: str | None,
    exclude_ids: list[str] | None,
) -> None:
    """Put records whose text keys were cut (values of ``TEXT_PREFIX`` characters or more) in exact order.

    The index orders such records by their cut key, then id; their true order is by whole value.
    A group sharing one cut key is contiguous in the page, so it is read whole in true order (after
    the cursor when the cursor stands in it) and spliced back in place.
    """
    first = keys[0]
    slot, target = first.slot, first.target
    assert slot is not None and target is not None
    key_at = [sort_value_key(slot, values[0]) for values in fetched.sort_values]
    groups = {key for key in key_at if key is not None and is_cut(key)}
    if cut_group is not None:
        groups.add(cut_group)
    for group in sorted(groups, reverse=first.directions(backward)[0]):
        prefix = Condition(tuple(target.api_path.split(".")), "startsWith", group)
        whole = fetch_plain(
            scope,
            And((node, prefix)) if node is not None else prefix,
            keys,
            cursor if group == cut_group else None,
            backward,
            limit,
            d,
            exclude_ids,
        )
        key_at = [sort_value_key(slot, values[0]) for values in fetched.sort_values]
        inside = [index for index, key in enumerate(key_at) if key == group]
        start = inside[0] if inside else (0 if group == cut_group else len(fetched.rows))
        end = inside[-1] + 1 if inside else start
        fetched.rows[start:end] = whole.rows
        fetched.sort_values[start:end] = whole.sort_values
    del fetched.rows[limit:]
    del fetched.sort_values[limit:]


def aggregate(scope: Scope, node: Node | None, aggregates: list[Aggregate]) -> dict[str, Any]:
    """The values of ``aggregates`` over the records of the scope matching ``node``."""
    d = dialect()
    src = Source(d)
    params: list[Any] = []
    columns, aliases = select_aggregates(aggregates, src, params)
    compiled = compile_filter(node, scope.spec, src, scope.workspace_id, scope.slots)
    where = scope.where(src, params)
    params += compiled.params
    sql = f"SELECT {columns} FROM core_app_record r{src.lateral_sql()} WHERE {where} AND {compiled.sql}"
    row = dict(zip(aliases, rows(sql, params)[0]))
    return {a.name: a.finish(row, src) for a in aggregates}


def aggregate_by_parent(
    scope: Scope, node: Node | None, aggregates: list[Aggregate], join: Slot, parent_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """``aggregates`` per parent: over the scope's records matching ``node`` whose ``join`` key is the parent.

    A parent without children gets what a connection over no records gives (counts 0, sums null).
    """
    d = dialect()
    src = Source(d)
    params: list[Any] = []
    columns, aliases = select_aggregates(aggregates, src, params)
    compiled = compile_filter(node, scope.spec, src, scope.workspace_id, scope.slots)
    where = [scope.where(src, params), "j.workspace_id = %s", "j.slot = %s", f"j.key IN {in_list(len(parent_ids))}"]
    params += [d.uuid_in(scope.workspace_id), d.uuid_in(join.id), *parent_ids, *compiled.params]
    where.append(compiled.sql)
    sql = (
        f"SELECT j.key, {columns} FROM core_app_record r{src.lateral_sql()} JOIN core_app_recordindex j "
        f"ON j.workspace_id = r.workspace_id AND j.record_id = r.id WHERE {' AND '.join(where)} GROUP BY j.key"
    )
    found = {row[0]: dict(zip(aliases, row[1:])) for row in rows(sql, params)}
    # What SQL gives over no rows: counts 0, the other aggregates NULL (no query needed).
    empty_row = {alias: 0 if sql.startswith("COUNT") else None for a in aggregates for alias, sql in a.columns(src, [])}
    empty = {a.name: a.finish(empty_row, src) for a in aggregates}
    return {
        parent: {a.name: a.finish(found[parent], src) for a in aggregates} if parent in found else empty
        for parent in parent_ids
    }


def count(scope: Scope, node: Node | None) -> int:
    """How many records of the scope match ``node``."""
    d = dialect()
    if node is None and scope.trash is False:
        return counts.live_count(scope.workspace_id, scope.spec.id)
    src = Source(d)
    leaves = index_conjunction(scope, node)
    params: list[Any] = []
    if leaves is not None:
        sql = f"SELECT COUNT(*) FROM ({index_ids_sql(scope, leaves, d, params)}) AS ids"
        return int(rows(sql, params)[0][0])
    compiled: CompiledFilter = compile_filter(node, scope.spec, src, scope.workspace_id, scope.slots)
    where = scope.where(src, params)
    params += compiled.params
    sql = f"SELECT COUNT(*) FROM core_app_record r{src.lateral_sql()} WHERE {where} AND {compiled.sql}"
    return int(rows(sql, params)[0][0])
