"""The SQL of every record read: pages (filter, order, keyset cursor, limit) and counts.

Which shape a query takes, so that its cost follows the size of the answer, not of the object:

- **id order, filter on indexed fields only**: the ids come from the index alone (``RecordIndex``
  ranges, ``ORDER BY record_id LIMIT n``), then the page's records by primary key, when one
  condition is an equality (its key's entries are in id order) or the filter matches at most
  ``SORT_MATCHES_UP_TO`` records; the same for a many-to-one filter (``company.name[is]:NULL``:
  ranges of the join column's slot) within that size; beyond, a walk in id order probing each record;
- **first sort key indexed**: the page walks the index in key order, joined to the records; a
  key's records without a value (NULL key) form their own segment, so each of the four null
  orderings is an index range, merged in one statement;
- **anything else** (trash included, sort on an unindexed field): the records of the object,
  filtered and sorted by their stored values.

Counts: an unfiltered count reads the object's counter rows (``RecordCount``); a filter on
indexed fields only counts index entries (or reads the count kept since the object's index last
changed, ``counts.kept_count``); anything else counts matching records.

Everything here is read-only and scoped by ``workspace_id`` first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core_app.query.aggregates import Aggregate, select_aggregates
from core_app.query.ast import And, Condition, Node, Scoped, mentions_field
from core_app.query.binding import QUANTIFIERS
from core_app.query.compiler import (
    CompiledFilter,
    Leaf,
    check_size,
    compile_filter,
    index_ids,
    index_predicate,
    operand_key,
    relation_id_set,
    resolve_leaf,
    row_probe,
)
from core_app.query.ordering import SortKey, build_sort_keys, order_sql, seek_sql
from core_app.query.targets import Source
from core_app.store import counts
from core_app.store.keys import is_cut, key_of
from core_app.store.records import COLUMNS, RecordRow, row_reader, select_list
from core_app.store.slots import ObjectSlots, Slot, object_slots
from core_app.store.sql import Dialect, dialect, in_list, quote_literal, rows
from metadata_app.specs import ObjectSpec, SchemaSnapshot

__all__ = [
    "Fetched",
    "Scope",
    "aggregate",
    "aggregate_by_parent",
    "count",
    "fetch",
    "fetch_latest",
    "fetch_page",
    "read_rows",
]


@dataclass(frozen=True)
class Scope:
    """The records a query runs over: one object of one workspace, live ones, trashed ones, or both."""

    workspace_id: str
    snapshot: SchemaSnapshot
    spec: ObjectSpec
    trash: bool | None = False  # False: live only; True: trashed only; None: both
    #: The page's statements also read the object's live count (:func:`page_rows`): set by
    #: :func:`fetch_page` for an unfiltered count, which then costs no statement of its own.
    with_live_count: bool = False
    #: The page's statements also read the object's ``changes`` (``Fetched.version``): set by
    #: :func:`fetch_page` to confirm a kept count with the page, without a statement of its own.
    with_version: bool = False

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

    def where_by_id(self, src: Source, params: list[Any]) -> str:
        """The scope as SQL for reading records by id: only the primary key ``(id, workspace_id)`` can
        serve it (the trash condition is written so that no partial index matches it; without
        statistics the planner could otherwise pick an index that does not lead with the id)."""
        d = src.d
        params += [d.uuid_in(self.workspace_id), d.uuid_in(self.spec.id)]
        sql = f"{src.alias}.workspace_id = %s AND {src.alias}.object_id = %s"
        if self.trash is None:
            return sql
        test = "IS NULL" if self.trash is False else "IS NOT NULL"
        return sql + f" AND ({src.alias}.deleted_at {test}) IS TRUE"

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
    #: How many records match the filter, when the page's statement counted them (``fetch_page``).
    total: int | None = None
    #: The object's ``changes`` the page was read under (``Scope.with_version``; None: not read).
    version: counts.Version | None = None


def index_conjunction(scope: Scope, node: Node | None) -> list[Leaf] | None:
    """The leaves of ``node`` when it is a conjunction that the index answers alone, else None."""
    slots = scope.slots
    if node is None or slots is None:
        return None
    children = node.children if isinstance(node, And) else (node,)
    if not children or not all(isinstance(child, Condition) for child in children):
        return None
    if through_relation(scope.spec, node):
        return None
    check_size(node)
    leaves = [resolve_leaf(child, scope.spec, slots) for child in children if isinstance(child, Condition)]
    return leaves if all(leaf.indexed for leaf in leaves) else None


def equality_first(leaves: list[Leaf]) -> list[Leaf] | None:
    """``leaves`` with an equality first, or None when none is one.

    An equality is one key of the index, whose entries ``(workspace, slot, key, record_id)`` list
    its records in id order: driven by it, a page in id order reads ``limit`` index entries however
    many records match (10,000 people of one city: 0.1 ms, against 15 ms for a walk of the records
    probing each). ``is NULL`` is one key too, but PostgreSQL does not take it as fixing the column
    for the order, and would sort every record without a value.
    """
    for index, leaf in enumerate(leaves):
        if leaf.condition.op == "eq":
            return [leaf, *leaves[:index], *leaves[index + 1 :]]
    return None


def is_relation_path(spec: ObjectSpec, path: tuple[str, ...]) -> bool:
    """True when ``path`` starts with a relation or a quantifier (a filter through one, api-reference §11)."""
    if path[0] in QUANTIFIERS:
        return True
    field = spec.field(path[0])
    return field is not None and field.relation is not None


def through_relation(spec: ObjectSpec, node: Node) -> bool:
    """Whether one of the conditions ``node`` joins with AND filters through a relation: the only
    filters ``relation_id_set`` may answer, and never ones ``index_conjunction`` answers."""
    children = node.children if isinstance(node, And) else (node,)
    return any(isinstance(child, (Condition, Scoped)) and is_relation_path(spec, child.path) for child in children)


def index_ids_sql(scope: Scope, leaves: list[Leaf], d: Dialect, params: list[Any]) -> str:
    """Ids of the live records matching every leaf, read from the index alone.

    The first leaf's range drives the scan; each other leaf probes the index's primary key
    ``(record_id, slot, workspace_id)`` of the same record.
    """
    return index_ids(leaves, d, scope.workspace_id, params)


#: Matches of a filter answered by the index up to which a page is cut from the sorted matches;
#: beyond, the page walks an index in its own order and checks each record (about
#: ``limit * records / matches`` probes), which costs less than sorting that many matches.
SORT_MATCHES_UP_TO = 10_000

#: How many matches cost as much to read from the index and sort by id as one probe of a walk in id
#: order (at 1M people: 11,033 matches read and sorted in 3.6 ms; a walk's 5,110 probes, 12.2 ms).
MATCHES_PER_PROBE = 8


def cheaper_to_sort(matches: int, limit: int, records: int) -> bool:
    """Whether a page in id order is cut from the sorted matches (``matches``: an exact count,
    ``records``: the object's live records).

    A walk in id order probes about ``limit * records / matches`` records to fill the page, where
    sorting reads every match: the page is sorted while ``matches ** 2 <= MATCHES_PER_PROBE * limit
    * records``. At 1M people that is up to 22,000 matches; among 10,000 companies, up to 2,209 of
    them for a page of 61. (The caller knows ``records`` when the count read them too, see
    :func:`fetch_page`; otherwise it sorts up to ``SORT_MATCHES_UP_TO`` without reading them.)
    """
    return matches * matches <= MATCHES_PER_PROBE * limit * records


#: Probes a walk in id order may spend beyond the cost of sorting the matches (``matches /
#: MATCHES_PER_PROBE`` probes): matches gathered in one part of the id order (records created last
#: week, in a walk that starts with the oldest) then cost at most about twice the sort.
WALK_SLACK = 64


def walk_or_sort(
    scope: Scope,
    node: Node | None,
    leaves: list[Leaf],
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    matches: int,
    records: int,
) -> Fetched:
    """A page in id order of a filter the index answers, matching too many records to sort them all.

    The records are walked in id order and checked one by one, for at most as many probes as
    sorting the matches costs (``matches / MATCHES_PER_PROBE``, more than the walk an even spread
    of the matches needs, since that is why the walk was chosen). A walk that ends with a short
    page either reached the end of the object (then the matches after the cursor are few, and
    sorting them is cheap) or ran out of budget: either way the page is read again, sorted, so
    that what it holds never depends on where the matches lie. At 1M people, ``name.lastName[gte]:
    Last500`` (557,258 matches, spread over the id order) fills its page from about 110 records,
    within a budget of 69,721.
    """
    budget = matches // MATCHES_PER_PROBE + WALK_SLACK
    walked = fetch_plain(scope, node, keys, cursor, backward, limit, d, probe=True, budget=budget)
    if len(walked.rows) >= limit:
        return walked
    return fetch_by_index_filter(scope, leaves, keys[0], cursor, backward, limit, d, matches)


def fetch(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    exclude_ids: list[str] | None = None,
    matches: int | None = None,
    records: int | None = None,
) -> Fetched:
    """Up to ``limit`` records after ``cursor`` in the order of ``keys`` (reversed when ``backward``).

    The shape of the query is chosen here from exact facts (is the first key indexed, is the
    filter answered by the index, and how many records it matches: ``matches`` when the caller
    counted them, else a capped count; ``records``, the object's live records, when the caller
    read them with that count), never from the database's statistics, so a plan does not depend
    on when the tables were last analysed.
    """
    # Counted: no match means no page, and a first page holds at most every match (a walk for a
    # filter that matches few records stops at the last of them, not at the end of the object).
    if matches == 0:
        return Fetched([], [])
    if matches is not None and cursor is None:
        limit = min(limit, matches)
    d = dialect()
    first = keys[0]
    if (
        first.target_slot is not None
        and first.join_slot is not None
        and scope.slots is not None
        and d.vendor == "postgresql"
        and not exclude_ids
    ):
        return fetch_by_relation_order(scope, node, keys, cursor, backward, limit, d)
    if node is None and len(keys) == 1 and first.is_id and not exclude_ids:
        return fetch_by_id_walk(scope, first, cursor, backward, limit, d)
    leaves = index_conjunction(scope, node) if not exclude_ids else None
    if leaves is None and node is not None and first.is_id and not exclude_ids:
        ids_params: list[Any] = []
        ids_sql = relation_id_set(node, scope.spec, scope.workspace_id, scope.slots, scope.snapshot, ids_params)
        if ids_sql is not None:
            if matches is None:
                matches = count_ids(ids_sql, ids_params, SORT_MATCHES_UP_TO + 1)
            if matches <= SORT_MATCHES_UP_TO:
                return page_by_ids(scope, first, ids_sql, ids_params, "g.record_id", cursor, backward, limit, d)
            return fetch_plain(scope, node, keys, cursor, backward, limit, d, probe=True)
    if leaves is not None and (first.is_id or first.slot is not None):
        driving = equality_first(leaves) if first.is_id else None
        if driving is not None:
            return fetch_by_index_filter(scope, driving, first, cursor, backward, limit, d)
        exact = matches is not None
        if matches is None:
            matches = count_index_matches(scope, leaves, SORT_MATCHES_UP_TO + 1)
        few = matches <= SORT_MATCHES_UP_TO
        if first.is_id:
            # A capped count says only "more than SORT_MATCHES_UP_TO": the object's size decides
            # between sort and walk only when the matches were counted exactly.
            if exact and (records is not None or not few):
                if records is None:
                    records = counts.live_count(scope.workspace_id, scope.spec.id)
                if not cheaper_to_sort(matches, limit, records):
                    return walk_or_sort(scope, node, leaves, keys, cursor, backward, limit, d, matches, records)
            elif not few:
                return fetch_plain(scope, node, keys, cursor, backward, limit, d, probe=True)
            return fetch_by_index_filter(scope, leaves, first, cursor, backward, limit, d, matches)
        return fetch_by_index_order(scope, node, keys, cursor, backward, limit, d, None, leaves if few else None)
    if first.slot is not None and scope.slots is not None:
        return fetch_by_index_order(scope, node, keys, cursor, backward, limit, d, exclude_ids)
    return fetch_plain(scope, node, keys, cursor, backward, limit, d, exclude_ids)


def fetch_page(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    with_count: bool,
) -> Fetched:
    """:func:`fetch`, with ``total`` set to :func:`count` when ``with_count``.

    Counted first (the number of matches also tells :func:`fetch` which shape the page takes),
    except where both would read every match: a relation filter in id order (``people._some...``,
    ``company.name[eq]:X``) selects its ids from a set that is built whole, so the page and its
    count come from one reading of that set, in one statement (r2 at 1M: two 13 ms statements
    become one). Without a filter, the count is the object's counter, read by the page's own
    statement (:func:`page_rows`). A page after a cursor that comes back empty counts on its own.
    A filter the index answers, counted before and kept since (``counts.kept``), is not counted
    again: the kept count shapes the page, and the page's statement reads the object's changes,
    which must be the count's (else the filter is counted and the page read again).
    """
    if with_count and node is not None and keys[0].is_id and through_relation(scope.spec, node):
        params: list[Any] = []
        ids_sql = relation_id_set(node, scope.spec, scope.workspace_id, scope.slots, scope.snapshot, params)
        if ids_sql is not None:
            d = dialect()
            fetched = page_by_ids(scope, keys[0], ids_sql, params, "g.record_id", cursor, backward, limit, d, True)
            if fetched.total is None:  # no row carried the count
                fetched.total = 0 if cursor is None else count_ids(ids_sql, params)
            return fetched
    if with_count and node is None and scope.trash is False:
        fetched = fetch(replace(scope, with_live_count=True), None, keys, cursor, backward, limit)
        if fetched.total is None:  # no row carried the count: an empty object, or past the last page
            fetched.total = 0 if cursor is None and limit > 0 else count(scope, None)
        return fetched
    total = records = None
    leaves = index_conjunction(scope, node) if with_count and scope.trash is False else None
    if leaves is not None:
        count_sql, count_params = index_count_sql(scope, leaves)
        kept = counts.kept(count_sql, count_params)
        if kept is not None and kept.count > 0:
            # A kept count shapes the page, whose statement reads the object's changes: the same
            # as the count's, and the count is this page's (read in the page's snapshot).
            versioned = replace(scope, with_version=True)
            fetched = fetch(versioned, node, keys, cursor, backward, limit, matches=kept.count, records=kept.records)
            if fetched.version == kept.version:
                fetched.total = kept.count
                return fetched
        # The object's size comes with the count, for fetch to weigh sorting the matches against
        # walking the records in id order (cheaper_to_sort) without a statement of its own.
        if kept is not None and kept.count == 0:  # no page statement to read the changes with
            total, records = counts.kept_count(scope.workspace_id, scope.spec.id, count_sql, count_params)
        else:
            total, records = counts.count_and_keep(scope.workspace_id, scope.spec.id, count_sql, count_params)
    elif with_count:
        total = count(scope, node)
    fetched = fetch(scope, node, keys, cursor, backward, limit, matches=total, records=records)
    fetched.total = total
    return fetched


def fetch_latest(scope: Scope, node: Node, limit: int, lowest_id: str) -> list[RecordRow]:
    """Up to ``limit`` records matching ``node`` whose id is ``lowest_id`` or above, latest (highest) id first.

    For a caller that knows the filter matches few records (the timeline activities of the records
    a request changed, made since ``lowest_id``'s time): when the index answers the filter, the
    ids come from it in one statement, without the count that :func:`fetch` takes to choose a
    shape, the bound read from the index too (entries are in id order within a key). Otherwise, as
    :func:`fetch`.
    """
    keys = build_sort_keys([], scope.spec)
    leaves = index_conjunction(scope, node)
    if leaves is None:
        bounded = And((node, Condition(("id",), "gte", lowest_id)))
        return fetch(scope, bounded, keys, None, True, limit).rows
    d = dialect()
    params: list[Any] = []
    ids_sql = f"{index_ids_sql(scope, leaves, d, params)} AND p.record_id >= %s"
    params.append(d.uuid_in(lowest_id))
    return page_by_ids(scope, keys[0], ids_sql, params, "p.record_id", None, True, limit, d).rows


def fetch_by_relation_order(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
) -> Fetched:
    """The first sort key goes through a many-to-one relation (``company.name``, api-reference §11.4).

    Records with a value: the target's index is walked key by key in the page's direction (a
    recursive query, one index probe per distinct key, live targets only since the index holds no
    others); each key's targets lead through the source's join-column slot to their records,
    checked and ordered by the whole value then the further keys, at most ``limit`` of them. The
    walk stops once the page is full: its cost follows the page, not the object. Records without a
    value (no related record, a trashed one, or none there) are the filter ``<path>[is]:NULL`` in
    the order of the further keys. The two segments are read one after the other, in null order,
    the second only when the first does not fill the page (at most two statements).
    """
    first = keys[0]
    assert first.target is not None and first.via is not None
    assert first.target_slot is not None and first.join_slot is not None
    nulls_first = first.directions(backward)[1]
    segments = ["null", "value"] if nulls_first else ["value", "null"]
    if cursor is not None:
        segments = segments[segments.index("null" if cursor[0] is None else "value") :]
    fetched = Fetched([], [])
    for segment in segments:
        wanted = limit - len(fetched.rows)
        if wanted <= 0:
            break
        seek = cursor if cursor is not None and (cursor[0] is None) == (segment == "null") else None
        if segment == "null":
            # Every record here sorts as null on the first key: the further keys alone order them,
            # and the planner picks the segment's shape as for any filter (from the index when few).
            path = (first.via.name, *first.target.api_path.split("."))
            missing = Condition(path, "is", "NULL")
            part = fetch(scope, And((node, missing)) if node is not None else missing, keys[1:],
                         seek[1:] if seek is not None else None, backward, wanted)  # fmt: skip
            part.sort_values = [[None, *values] for values in part.sort_values]
        else:
            part = relation_value_segment(scope, node, keys, seek, backward, wanted, d)
        # Each segment reads the object's changes in its own statement: the page has them when
        # every segment that found records read the same.
        if not fetched.rows:
            fetched.version = part.version
        elif part.rows and part.version != fetched.version:
            fetched.version = None
        fetched.rows += part.rows
        fetched.sort_values += part.sort_values
        fetched.total = part.total if fetched.total is None else fetched.total
    return fetched


def relation_value_segment(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
) -> Fetched:
    """The records whose related record has a value, in the order of ``keys`` (PostgreSQL; see above)."""
    first = keys[0]
    target_slot, join_slot = first.target_slot, first.join_slot
    assert target_slot is not None and join_slot is not None
    descending = first.directions(backward)[0]
    ws, target_id, join_id = d.uuid_in(scope.workspace_id), d.uuid_in(target_slot.id), d.uuid_in(join_slot.id)
    step, direction = ("<", " DESC NULLS LAST") if descending else (">", " ASC NULLS FIRST")
    cursor_key = sort_value_key(target_slot, cursor[0]) if cursor is not None else None
    start, start_params = ("", []) if cursor_key is None else (f" AND i.key {step}= %s", [cursor_key])
    params: list[Any] = [ws, target_id, *start_params, ws, target_id]
    walk = (
        "WITH RECURSIVE walk(k) AS ("
        f"SELECT (SELECT i.key FROM core_app_recordindex i WHERE i.workspace_id = %s AND i.slot = %s "
        f"AND i.key IS NOT NULL{start} ORDER BY i.key{direction} LIMIT 1) UNION ALL "
        f"SELECT (SELECT i.key FROM core_app_recordindex i WHERE i.workspace_id = %s AND i.slot = %s "
        f"AND i.key {step} walk.k ORDER BY i.key{direction} LIMIT 1) FROM walk WHERE walk.k IS NOT NULL)"
    )
    src = Source(d)
    inner = Source(d, alias="x")
    compiled = compile_filter(node, scope.spec, inner, scope.workspace_id, scope.slots, snapshot=scope.snapshot)
    # The first key's value is read once per target (``tv``, as the key's own subquery reads it),
    # not once per record: every record of a target's group has that target's value (a record's
    # join-slot key is its join column).
    expressions = ["tv.v", *(key.expression(src) for key in keys[1:])]
    assert first.via is not None and first.via.relation is not None
    target_object = quote_literal(d.uuid_in(first.via.relation.target_object_id))
    check_params: list[Any] = []
    check = [scope.where_by_id(inner, check_params), "x.id = s.record_id", compiled.sql]
    check_params += compiled.params
    params += [ws, join_id, *check_params, ws, target_id]
    where = ["t.workspace_id = %s", "t.slot = %s", "t.key = walk.k"]
    if cursor is not None and cursor_key is not None:
        # Inside the cursor's own key the whole value and the further keys decide (a cut key's
        # group holds several values).
        seek_params: list[Any] = []
        seek = seek_sql(keys, expressions, cursor, src, seek_params, backward)
        params += [cursor_key, *seek_params]
        where.append(f"(t.key <> %s OR {seek})")
    group = (
        f"SELECT {select_list()}, {aliased(expressions)} FROM core_app_recordindex t "
        f"LEFT JOIN LATERAL (SELECT {first.value_expression(Source(d, alias='rs'))} AS v FROM core_app_record rs "
        f"WHERE rs.workspace_id = t.workspace_id AND rs.object_id = {target_object} AND rs.id = t.record_id "
        f"AND (rs.deleted_at IS NULL) IS TRUE{d.fence}) AS tv ON TRUE "
        # Each target's records by equality on the join slot's key (a LATERAL ``OFFSET 0`` keeps the
        # key in the index condition: as a join, a planner that believed the workspace empty read
        # every key of the slot per target and filtered them).
        f"CROSS JOIN LATERAL (SELECT s.record_id, s.key FROM core_app_recordindex s WHERE s.workspace_id = %s "
        f"AND s.slot = %s AND s.key = {d.id_as_key('t.record_id')}{d.fence}) AS s "
        f"CROSS JOIN LATERAL (SELECT x.* FROM core_app_record x{inner.lateral_sql()} WHERE {' AND '.join(check)}"
        f"{d.fence}) AS r WHERE {' AND '.join(where)} ORDER BY {order_sql(keys, expressions, backward)} LIMIT {int(limit)}"
    )
    sql = f"{walk} SELECT g.* FROM walk CROSS JOIN LATERAL ({group}) AS g WHERE walk.k IS NOT NULL LIMIT {int(limit)}"
    return read_page(scope, sql, params, keys, d)


def index_count_sql(scope: Scope, leaves: list[Leaf], cap: int | None = None) -> tuple[str, list[Any]]:
    """The statement counting the live records that match ``leaves`` in the index (up to ``cap``)."""
    params: list[Any] = []
    ids = index_ids_sql(scope, leaves, dialect(), params)
    limit = "" if cap is None else f" LIMIT {int(cap)}"
    return f"SELECT COUNT(*) FROM ({ids}{limit}) AS ids", params


def count_index_matches(scope: Scope, leaves: list[Leaf], cap: int | None = None) -> int:
    """How many live records match ``leaves``, counted in the index (up to ``cap``), or kept from
    an earlier count while the object's index has not changed (``counts.kept_count``)."""
    return counts.kept_count(scope.workspace_id, scope.spec.id, *index_count_sql(scope, leaves, cap))[0]


def count_ids(ids_sql: str, params: list[Any], cap: int | None = None) -> int:
    """How many ids ``ids_sql`` selects (up to ``cap``)."""
    limit = "" if cap is None else f" LIMIT {int(cap)}"
    return int(rows(f"SELECT COUNT(*) FROM ({ids_sql}{limit}) AS ids", params)[0][0])


def page_rows(scope: Scope, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (a page); with ``scope.with_live_count``, each followed by the object's
    live count; with ``scope.with_version``, by its ``changes`` (never both).

    The counters are read by the page's statement, as an uncorrelated subquery evaluated once: a
    REST list (which always counts) sends one statement fewer. The page keeps its order: it is
    the subquery's, which an outer query that only adds a column does not change.
    """
    assert not (scope.with_live_count and scope.with_version), "one counter column at most"
    if scope.with_live_count:
        extra_sql, extra_params = counts.live_count_sql(scope.workspace_id, scope.spec.id)
    elif scope.with_version:
        extra_sql, extra_params = counts.version_sql(scope.workspace_id, scope.spec.id)
    else:
        return rows(sql, params)
    return rows(f"SELECT q.*, ({extra_sql}) FROM ({sql}) AS q", [*extra_params, *params])


def read_page(scope: Scope, sql: str, params: list[Any], keys: list[SortKey], d: Dialect, skip: int = 0) -> Fetched:
    """:func:`read_rows` of :func:`page_rows`, with ``total`` when the statement carried the live count."""
    result = page_rows(scope, sql, params)
    fetched = read_rows(result, keys, d, scope, skip)
    if scope.with_live_count and result:
        fetched.total = int(result[0][-1])
    return fetched


def read_rows(result: list[tuple[Any, ...]], keys: list[SortKey], d: Dialect, scope: Scope, skip: int = 0) -> Fetched:
    """Rows selected as ``select_list``, then ``skip`` other columns, then one column per sort key."""
    read = row_reader(d, scope.workspace_id, scope.spec.id)
    width = len(COLUMNS) + skip
    fetched = Fetched([], [])
    if scope.with_version and result:
        fetched.version = counts.parse_version(result[0][-1])
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


def excluding(ids: list[str] | None, d: Dialect, params: list[Any], alias: str = "r") -> list[str]:
    """The condition leaving out ``ids`` (none when there are none)."""
    if not ids:
        return []
    params += [d.uuid_in(i) for i in ids]
    return [f"{alias}.id NOT IN {in_list(len(ids))}"]


def fetch_plain(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    exclude_ids: list[str] | None = None,
    probe: bool = False,
    budget: int | None = None,
) -> Fetched:
    """Filter and sort the object's records by their stored values (``probe``: indexed conditions
    are checked record by record, for a walk of the record table in its own order).

    ``budget`` (with ``probe``, in id order): only the first ``budget`` records after the cursor are
    checked, so the page may hold fewer than ``limit`` records although more match further on.
    """
    assert budget is None or all(key.is_id for key in keys), "a budget walks the records in id order"
    src = Source(d)
    compiled = compile_filter(
        node, scope.spec, src, scope.workspace_id, scope.slots, probe=probe, snapshot=scope.snapshot
    )
    expressions = [key.expression(src) for key in keys]
    order = order_sql(keys, expressions, backward)
    params: list[Any] = []
    scoped = [scope.where(src, params)]
    if cursor is not None:
        scoped.append(seek_sql(keys, expressions, cursor, src, params, backward))
    source = "core_app_record r"
    if budget is not None:
        # The records walked, in the page's order, at most ``budget`` of them: a subquery that its
        # LIMIT keeps apart (it has the alias of the table, so the conditions read the same).
        source = f"(SELECT r.* FROM {source} WHERE {' AND '.join(scoped)} ORDER BY {order} LIMIT {int(budget)}) AS r"
        scoped = []
    where = [*scoped, compiled.sql]
    params += compiled.params
    where += excluding(exclude_ids, d, params)
    sql = (
        f"SELECT {select_list()}, {', '.join(expressions)} FROM {source}{src.lateral_sql()} "
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {int(limit)}"
    )
    return read_page(scope, sql, params, keys, d)


def fetch_by_id_walk(
    scope: Scope, key: SortKey, cursor: list[Any] | None, backward: bool, limit: int, d: Dialect
) -> Fetched:
    """Id order, no filter: the page's ids from the object's id index, then their records.

    Read as one ``ORDER BY id LIMIT``, PostgreSQL may walk the primary key ``(id, workspace_id)``
    in id order and skip every record of other objects and workspaces that sorts before the
    object's first one (10 ms at 1M records when the object's ids come after another object's).
    The ids alone are answered by ``record_live`` / ``record_trash`` (``(workspace_id, object_id,
    id)``, index only), which no other index can pass for; the records are then read by key.
    """
    ids_params: list[Any] = []
    ids_sql = f"SELECT k.id FROM core_app_record k WHERE {scope.where(Source(d, alias='k'), ids_params)}"
    return page_by_ids(scope, key, ids_sql, ids_params, "k.id", cursor, backward, limit, d)


def fetch_by_index_filter(
    scope: Scope,
    leaves: list[Leaf],
    key: SortKey,
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    matches: int | None = None,
) -> Fetched:
    """Id order, filter answered by the index: the page's ids from the index, then their records.

    With ``matches`` (counted) of ``SKIP_SCAN_MATCHES`` or more and a range, prefix or list that
    drives the scan, on PostgreSQL: :func:`skip_scan_ids`.
    """
    ids_params: list[Any] = []
    driver = range_first(leaves)
    if driver is not None and matches is not None and matches >= SKIP_SCAN_MATCHES and d.vendor == "postgresql":
        ids_sql = skip_scan_ids(scope, driver, key, cursor, backward, limit, d, ids_params)
        return page_by_ids(scope, key, ids_sql, ids_params, "u.record_id", None, backward, limit, d)
    ids_sql = index_ids_sql(scope, leaves, d, ids_params)
    return page_by_ids(scope, key, ids_sql, ids_params, "p.record_id", cursor, backward, limit, d)


#: Matches from which a page in id order of a range, prefix or list is read key by key
#: (:func:`skip_scan_ids`), and the most distinct keys it reads that way.
SKIP_SCAN_MATCHES = 2_000
SKIP_SCAN_KEYS = 32
#: Comparators whose matches are several keys of the index, each key's entries in id order.
RANGE_OPERATORS = frozenset({"gt", "gte", "lt", "lte", "startsWith", "in"})


def range_first(leaves: list[Leaf]) -> list[Leaf] | None:
    """``leaves`` with a range, a prefix or a list of at most ``SKIP_SCAN_KEYS`` values first, or None."""
    for index, leaf in enumerate(leaves):
        op = leaf.condition.op
        if op in RANGE_OPERATORS and (op != "in" or len(leaf.values) <= SKIP_SCAN_KEYS):
            return [leaf, *leaves[:index], *leaves[index + 1 :]]
    return None


def skip_scan_ids(
    scope: Scope,
    leaves: list[Leaf],
    key: SortKey,
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    params: list[Any],
) -> str:
    """The ids of a page in id order of ``leaves`` (the first a range, prefix or list), read key by key.

    The index keeps each key's entries in id order, so a page is the first ``limit`` ids of each
    distinct key, merged. A list names its keys; a range or prefix is stepped through by a
    recursive query (one probe per key), and past ``SKIP_SCAN_KEYS`` keys the statement reads the
    whole range and sorts it instead (it decides from the keys it walked). Each key gives at most
    ``limit`` ids after the cursor. At 1M people, the 11,033 whose last name starts with ``Last12``
    (11 keys): 0.3 ms, against 2.4 ms for reading and sorting them all. Returns ``SELECT
    u.record_id ... WHERE ...`` for :func:`page_by_ids`.
    """
    ws, driver = scope.workspace_id, leaves[0]
    assert driver.target.slot is not None
    descending, _ = key.directions(backward)
    comparison, direction = ("<", "DESC") if descending else (">", "ASC")
    after, after_params = "", []
    if cursor is not None:
        after, after_params = f" AND p.record_id {comparison} %s", [d.uuid_in(cursor[0])]

    def probes() -> str:
        return "".join(f" AND {row_probe(leaf, d, 'p.record_id', params)}" for leaf in leaves[1:])

    if driver.condition.op == "in":
        # PostgreSQL 15 reads ``key IN (...)`` in key order only by filtering the whole slot: the
        # keys are given instead (a key the index cannot hold exactly matches nothing, as in IN).
        keys = sorted({k for value in driver.values if (k := operand_key(driver.target, value)) is not None})
        params.append(keys)
        common, gate = "WITH keys(k) AS (SELECT unnest(%s::text[]))", ""
    else:
        first = index_predicate(driver, d, ws, "i", params)
        step = index_predicate(driver, d, ws, "i", params)
        common = (
            f"WITH RECURSIVE walk(k) AS (SELECT (SELECT i.key FROM core_app_recordindex i WHERE {first} "
            "ORDER BY i.key NULLS FIRST LIMIT 1) UNION ALL "
            f"SELECT (SELECT i.key FROM core_app_recordindex i WHERE {step} AND i.key > walk.k "
            "ORDER BY i.key NULLS FIRST LIMIT 1) FROM walk WHERE walk.k IS NOT NULL), "
            f"keys AS (SELECT walk.k FROM walk WHERE walk.k IS NOT NULL LIMIT {SKIP_SCAN_KEYS + 1})"
        )
        gate = f" WHERE (SELECT COUNT(*) FROM keys) <= {SKIP_SCAN_KEYS}"
    params += [d.uuid_in(ws), d.uuid_in(driver.target.slot.id)]
    branches = [
        "SELECT g.record_id FROM keys CROSS JOIN LATERAL (SELECT p.record_id FROM core_app_recordindex p "
        f"WHERE p.workspace_id = %s AND p.slot = %s AND p.key = keys.k{probes()}{after} "
        f"ORDER BY p.record_id {direction} LIMIT {int(limit)}) AS g{gate}"
    ]
    params += after_params
    if gate:
        whole = f"SELECT p.record_id FROM core_app_recordindex p WHERE {index_predicate(driver, d, ws, 'p', params)}"
        branches.append(f"{whole}{probes()}{after} AND (SELECT COUNT(*) FROM keys) > {SKIP_SCAN_KEYS}")
        params += after_params
    return f"{common} SELECT u.record_id FROM ({' UNION ALL '.join(branches)}) AS u WHERE 1 = 1"


def page_by_ids(
    scope: Scope,
    key: SortKey,
    ids_sql: str,
    ids_params: list[Any],
    id_column: str,
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    counted: bool = False,
) -> Fetched:
    """A page in id order: ``limit`` ids after ``cursor`` from ``ids_sql`` (a SELECT of ``id_column``
    ending with its WHERE clause), read once, then their records by primary key.

    ``counted``: ``ids_sql`` is read once, as a common table expression, for the page and for
    ``total``, the number of ids it selects (carried by every row; None when the page is empty).
    """
    params: list[Any] = list(ids_params) if counted else []
    scope_sql = scope.where_by_id(Source(d), params)
    descending, _ = key.directions(backward)
    comparison, direction = ("<", "DESC") if descending else (">", "ASC")
    common, total = "", ""
    if counted:
        # Referenced twice, the ids are read once, into a materialised table (PostgreSQL and SQLite alike).
        common, total = f"WITH ids(record_id) AS ({ids_sql}) ", ", (SELECT COUNT(*) FROM ids)"
        ids_sql, id_column = "SELECT i.record_id FROM ids i WHERE 1 = 1", "i.record_id"
    else:
        params += ids_params
    if cursor is not None:
        ids_sql += f" AND {id_column} {comparison} %s"
        params.append(d.uuid_in(cursor[0]))
    page_ids = d.in_ids("r.id", f"{ids_sql} ORDER BY {id_column} {direction} LIMIT {int(limit)}")
    sql = (
        f"{common}SELECT {select_list()}, r.id{total} FROM core_app_record r WHERE {scope_sql} AND {page_ids} "
        f"ORDER BY r.id {direction}"
    )
    result = page_rows(scope, sql, params)
    fetched = read_rows(result, [key], d, scope)
    assert not (counted and scope.with_version), "one counter column at most"
    if (counted or scope.with_live_count) and result:  # never both: the live count is unfiltered
        fetched.total = int(result[0][-1])
    return fetched


def fetch_by_index_order(
    scope: Scope,
    node: Node | None,
    keys: list[SortKey],
    cursor: list[Any] | None,
    backward: bool,
    limit: int,
    d: Dialect,
    exclude_ids: list[str] | None = None,
    matched: list[Leaf] | None = None,
) -> Fetched:
    """The first sort key is indexed: read the page in its key order (see the module docstring).

    Records without a value (NULL key) and records with one are two ranges of the index, each in
    order; each is read up to ``limit`` rows and the two are merged by segment, so every null
    ordering is served by the index. A cursor skips the segment it is past.

    By default the key's index is walked and each record checked as it comes (the walk drives
    the join, whatever the planner believes of the tables' sizes). With ``matched`` (the leaves
    of a filter the index answers, known to match few records) those matches are read first and
    sorted instead.
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
    # PostgreSQL checks each record in a LATERAL subquery (alias x); SQLite, which has no LATERAL,
    # in the join itself.
    inner = Source(d, alias="x") if d.vendor == "postgresql" else src
    compiled = compile_filter(
        None if matched else node, scope.spec, inner, scope.workspace_id, scope.slots, snapshot=scope.snapshot
    )
    # The id tie-breaker is the index row's own record_id: ORDER BY key, record_id is the index's order.
    expressions = ["s.record_id" if key.is_id else key.expression(src) for key in keys]
    rest_keys, rest_expressions = keys[1:], expressions[1:]
    key_order = " DESC" if descending else ""
    params: list[Any] = []
    branches = []
    # Where the key's index order is not the page's order (descending keys keep ids ascending; more
    # sort keys order each group of equal keys), PostgreSQL walks the distinct keys one by one.
    walk_keys = d.vendor == "postgresql" and matched is None and (descending or len(rest_keys) > 1)
    for number, segment in enumerate(segments):
        if segment == "value" and walk_keys:
            branches.append(
                key_walk_sql(scope, slot, keys, expressions, cursor, cursor_key, cut_group, backward, limit,
                             compiled, inner, exclude_ids, d, params, number)
            )  # fmt: skip
            continue
        source_sql = records_by_key(scope, slot, compiled, inner, matched, exclude_ids, d, params)
        where = ["s.workspace_id = %s", "s.slot = %s"]
        params += [d.uuid_in(scope.workspace_id), d.uuid_in(slot.id)]
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
            # NULLS as the index keeps them (no nulls here): the index then gives the order itself.
            order = f"s.key{' DESC NULLS LAST' if descending else ' ASC NULLS FIRST'}, {rest_order}"
            where += key_range(cursor, cursor_key, cut_group, descending, rest_keys, rest_expressions, src, params,
                               backward)  # fmt: skip
        branches.append(
            f"SELECT * FROM (SELECT {select_list()}, {number} AS seg, s.key AS skey, {aliased(expressions)} "
            f"FROM {source_sql} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {int(limit)}) AS b{number}"
        )
    nulls = f" NULLS {'FIRST' if nulls_first else 'LAST'}"
    outer = ["seg", f"skey{key_order}{nulls}"] + [key.order_term(f"o{i}", backward) for i, key in enumerate(keys) if i]
    sql = f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS u ORDER BY {', '.join(outer)} LIMIT {int(limit)}"
    fetched = read_page(scope, sql, params, keys, d, skip=2)
    if slot.kind == "text":
        repair_cut_groups(scope, node, keys, cursor, backward, limit, d, fetched, cut_group, exclude_ids)
    return fetched


def key_range(
    cursor: list[Any] | None,
    cursor_key: str | None,
    cut_group: str | None,
    descending: bool,
    rest_keys: list[SortKey],
    rest_expressions: list[str],
    src: Source,
    params: list[Any],
    backward: bool,
) -> list[str]:
    """Conditions on ``s.key`` that start the value range after the cursor (none without one)."""
    if cut_group is not None:
        # The cursor stands in a group of cut keys: that group is read apart (repair_cut_groups).
        params.append(cut_group)
        return [f"s.key {'<' if descending else '>'} %s"]
    if cursor is None or cursor_key is None:
        return []
    # The range start alone lets the index skip everything before the cursor.
    tie_params: list[Any] = []
    ties = seek_sql(rest_keys, rest_expressions, cursor[1:], src, tie_params, backward)
    params += [cursor_key, cursor_key, cursor_key, *tie_params]
    return [
        f"s.key {'<=' if descending else '>='} %s",
        f"(s.key {'<' if descending else '>'} %s OR (s.key = %s AND {ties}))",
    ]


def key_walk_sql(
    scope: Scope,
    slot: Slot,
    keys: list[SortKey],
    expressions: list[str],
    cursor: list[Any] | None,
    cursor_key: str | None,
    cut_group: str | None,
    backward: bool,
    limit: int,
    compiled: CompiledFilter,
    inner: Source,
    exclude_ids: list[str] | None,
    d: Dialect,
    params: list[Any],
    number: int,
) -> str:
    """The value range of ``slot`` read key by key (PostgreSQL): a recursive query steps through the
    distinct keys in the page's direction, one index probe each, and each key's records are read
    in their own order (ids ascending, or the further sort keys), at most ``limit`` of them.

    The walk stops as soon as ``limit`` rows are out: its cost follows the page, not the object.
    """
    descending = keys[0].directions(backward)[0]
    ws, slot_id = d.uuid_in(scope.workspace_id), d.uuid_in(slot.id)
    # The directions the index can be read in (its keys are NULLS FIRST).
    step, direction = ("<", " DESC NULLS LAST") if descending else (">", " ASC NULLS FIRST")
    start = ""
    start_params: list[Any] = []
    if cut_group is not None:
        start, start_params = f" AND i.key {step} %s", [cut_group]
    elif cursor_key is not None:
        start, start_params = f" AND i.key {step}= %s", [cursor_key]
    params += [ws, slot_id, *start_params, ws, slot_id]
    walk = (
        "WITH RECURSIVE walk(k) AS ("
        f"SELECT (SELECT i.key FROM core_app_recordindex i WHERE i.workspace_id = %s AND i.slot = %s "
        f"AND i.key IS NOT NULL{start} ORDER BY i.key{direction} LIMIT 1) UNION ALL "
        f"SELECT (SELECT i.key FROM core_app_recordindex i WHERE i.workspace_id = %s AND i.slot = %s "
        f"AND i.key {step} walk.k ORDER BY i.key{direction} LIMIT 1) FROM walk WHERE walk.k IS NOT NULL)"
    )
    source_sql = records_by_key(scope, slot, compiled, inner, None, exclude_ids, d, params)
    params += [ws, slot_id]
    where = ["s.workspace_id = %s", "s.slot = %s", "s.key = walk.k"]
    rest_keys, rest_expressions = keys[1:], expressions[1:]
    if cursor_key is not None and cut_group is None:
        src = Source(d)
        tie_params: list[Any] = []
        ties = seek_sql(rest_keys, rest_expressions, cursor[1:] if cursor else [], src, tie_params, backward)
        params += [cursor_key, *tie_params]
        where.append(f"(s.key <> %s OR {ties})")
    group = (
        f"SELECT {select_list()}, {number} AS seg, s.key AS skey, {aliased(expressions)} FROM {source_sql} "
        f"WHERE {' AND '.join(where)} ORDER BY {order_sql(rest_keys, rest_expressions, backward)} LIMIT {int(limit)}"
    )
    return (
        f"SELECT * FROM ({walk} SELECT g.* FROM walk CROSS JOIN LATERAL ({group}) AS g "
        f"WHERE walk.k IS NOT NULL LIMIT {int(limit)}) AS b{number}"
    )


def records_by_key(
    scope: Scope,
    slot: Slot,
    compiled: CompiledFilter,
    inner: Source,
    matched: list[Leaf] | None,
    exclude_ids: list[str] | None,
    d: Dialect,
    params: list[Any],
) -> str:
    """The FROM clause of a page read in ``slot``'s key order: index rows ``s`` and their records ``r``.

    Walk (``matched`` None): ``s`` drives; each entry's record is read by primary key and checked
    by a LATERAL subquery that ``OFFSET 0`` keeps apart, so no plan can start from the records and
    sort them all. Matches first: the ids the index gives for ``matched``, fenced the same way, then
    their key and record by primary key; the page is sorted from those few.
    """
    record_params: list[Any] = []
    check = [scope.where_by_id(inner, record_params), f"{inner.alias}.id = s.record_id", compiled.sql]
    record_params += compiled.params
    check += excluding(exclude_ids, d, record_params, alias=inner.alias)
    if d.vendor == "postgresql":
        record = (
            f"CROSS JOIN LATERAL (SELECT x.* FROM core_app_record x{inner.lateral_sql()} "
            f"WHERE {' AND '.join(check)}{d.fence}) AS r"
        )
    else:
        record = f"JOIN core_app_record r ON {' AND '.join(check)}"
    if matched is None:
        params += record_params
        return f"core_app_recordindex s {record}"
    ids_params: list[Any] = []
    ids = index_ids_sql(scope, matched, d, ids_params)
    params += ids_params
    params += [d.uuid_in(scope.workspace_id), d.uuid_in(slot.id)]
    params += record_params
    return (
        f"({ids}{d.fence}) AS ids JOIN core_app_recordindex s ON s.workspace_id = %s AND s.slot = %s "
        f"AND s.record_id = ids.record_id {record}"
    )


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
    if cut_group is None and not any(isinstance(v[0], str) and is_cut(v[0]) for v in fetched.sort_values):
        return  # no text as long as the kept prefix (the usual page): the index order is the order
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
    compiled = compile_filter(node, scope.spec, src, scope.workspace_id, scope.slots, snapshot=scope.snapshot)
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
    compiled = compile_filter(node, scope.spec, src, scope.workspace_id, scope.slots, snapshot=scope.snapshot)
    among, among_params = d.one_of("j.key", parent_ids, "text")
    where = [scope.where(src, params), "j.workspace_id = %s", "j.slot = %s", among]
    params += [d.uuid_in(scope.workspace_id), d.uuid_in(join.id), *among_params, *compiled.params]
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
        return count_index_matches(scope, leaves)
    if node is not None:
        ids_sql = relation_id_set(node, scope.spec, scope.workspace_id, scope.slots, scope.snapshot, params)
        if ids_sql is not None:
            return count_ids(ids_sql, params)
    compiled: CompiledFilter = compile_filter(
        node, scope.spec, src, scope.workspace_id, scope.slots, snapshot=scope.snapshot
    )
    where = scope.where(src, params)
    params += compiled.params
    sql = f"SELECT COUNT(*) FROM core_app_record r{src.lateral_sql()} WHERE {where} AND {compiled.sql}"
    return int(rows(sql, params)[0][0])
