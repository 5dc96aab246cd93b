"""The one relation loader: records shaped for the API with their related records attached.

REST ``depth`` and GraphQL nesting both describe what to load as a tree of :class:`Load`
(built by ``core_app.rest.views`` from ``depth``/``fields`` and by ``core_app.graphql.loading``
from the selection set), and both go through :func:`shape`. Every relation of a level is loaded
for all records of that level in one query, so the number of queries grows with the depth of the
tree, never with the number of records:

- MANY_TO_ONE: the targets by primary key;
- ONE_TO_MANY: a page per parent. In id order without a filter (REST ``depth``, GraphQL nesting
  without arguments) each parent's page is a range of the join column's index (a ``LATERAL``
  probe per parent on PostgreSQL); otherwise one windowed query ranks the children per parent.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from core_app import access
from core_app.query.ast import Node, OrderKey
from core_app.query.compiler import compile_filter
from core_app.query.ordering import SortKey, build_sort_keys, encode_cursor, order_sql, seek_sql
from core_app.query.planner import Fetched, read_rows
from core_app.query.search_vector import SEARCH_VECTOR, has_search_vector
from core_app.query.targets import Source
from core_app.services import timeline
from core_app.services.context import RecordContext
from core_app.services.output import NESTED_LIMIT, api_builder
from core_app.store.records import COLUMNS, RecordRow, fetch_by_ids, row_reader, select_list
from core_app.store.search import search_fields
from core_app.store.sql import dialect, id_array, rows
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["ChildPage", "Load", "PageArgs", "depth_loads", "shape"]


@dataclass(frozen=True)
class PageArgs:
    """How the children of each parent are paged (GraphQL ``first``/``last``/``after``/``before``...)."""

    limit: int = NESTED_LIMIT
    node: Node | None = None
    order: tuple[OrderKey, ...] = ()
    cursor: tuple[Any, ...] | None = None  # decoded cursor (after, or before when ``backward``)
    backward: bool = False

    @property
    def is_default(self) -> bool:
        """Id order, no filter, no cursor: each parent's page is a plain range of the join index."""
        return self.node is None and not self.order and self.cursor is None and not self.backward


@dataclass
class Load:
    """One relation to load under ``key`` on every record of a level, and what to load below it.

    ``connection``: ONE_TO_MANY as a GraphQL connection (``edges``, ``pageInfo``, aggregates);
    otherwise a list (REST). ``with_nodes`` is False when a connection selects no ``node``.
    """

    field: FieldSpec
    key: str
    nested: list[Load] = dataclasses.field(default_factory=list)
    page: PageArgs = dataclasses.field(default_factory=PageArgs)
    connection: bool = False
    with_nodes: bool = True
    aggregates: list[str] = dataclasses.field(default_factory=list)
    aggregate_hook: Any = None  # callable(ctx, parent_ids, load) -> {parent id: {name: value}}
    selection: frozenset[str] | None = None  # fields of the related records to shape (None: all)


@dataclass
class ChildPage:
    """The children of one parent: records, their sort values, and whether more follow."""

    rows: list[RecordRow]
    sort_values: list[list[Any]]
    more: bool


def shape(
    ctx: RecordContext, records: list[RecordRow], loads: list[Load], selection: frozenset[str] | None = None
) -> list[dict[str, Any]]:
    """API dicts of ``records`` (only ``selection`` keys when given) with every ``Load`` attached.

    Only what the caller's role reads is shaped: other fields are left out, relations to objects
    it cannot read are not loaded (``core_app.access.visible_output``). ``searchVector`` is shaped
    only when ``selection`` names it: it is computed from the records' values, so it costs no query.
    """
    # Asked for by the caller (a role's narrowing turns "no selection" into every key it reads),
    # then still there once narrowed (the role reads every search field).
    vector = selection is not None and SEARCH_VECTOR in selection and has_search_vector(ctx.spec)
    selection, loads = access.visible_output(ctx, selection, loads)
    build = api_builder(ctx.snapshot, ctx.spec, selection)
    outputs = [build(record) for record in records]
    if vector and selection is not None and SEARCH_VECTOR in selection:
        fields = ctx.slots.search or search_fields(ctx.spec)
        for record, output in zip(records, outputs):
            output[SEARCH_VECTOR] = fields.vector(record.data)
    timeline.visible_diffs(ctx, records, outputs)
    if records:
        children = {id(load): child for load in loads if (child := children_of(ctx, load)) is not None}
        together = [c for c in children.values() if c.load.page.is_default] if dialect().vendor == "postgresql" else []
        pages = default_pages(together, [record.id for record in records]) if together else {}
        parents = {id(load): found for load in loads if (found := parents_of(ctx, records, load)) is not None}
        pointing = [p for p in parents.values() if p.ids]
        targets = parent_records(ctx.ws, pointing) if len(pointing) > 1 else None
        for load in loads:  # in their order: it is the order of the keys of each output
            if (parent := parents.get(id(load))) is not None:
                attach_parent(ctx, records, outputs, parent, targets)
            elif (child := children.get(id(load))) is not None:
                attach(records, outputs, child, pages.get(id(load)))
    return outputs


@dataclass(frozen=True)
class Children:
    """A ONE_TO_MANY load, resolved: the related object's context, its join field and its sort keys."""

    load: Load
    ctx: RecordContext
    join: FieldSpec
    keys: list[SortKey]


def children_of(ctx: RecordContext, load: Load) -> Children | None:
    """``load`` resolved when it is a ONE_TO_MANY relation whose target and inverse join field exist."""
    relation = load.field.relation
    if relation is None or load.field.is_many_to_one:
        return None
    target = ctx.snapshot.by_id.get(relation.target_object_id)
    inverse = target.field(relation.target_field_name or "") if target is not None else None
    if target is None or inverse is None or not inverse.is_many_to_one:
        return None
    target_ctx = ctx.for_object(target)
    keys = build_sort_keys(list(load.page.order), target, target_ctx.slots, target_ctx.snapshot)
    return Children(load, target_ctx, inverse, keys)


@dataclass(frozen=True)
class Parents:
    """A MANY_TO_ONE load, resolved: its target object and the sorted ids the level's records point at."""

    load: Load
    target: ObjectSpec
    ids: list[str]


def parents_of(ctx: RecordContext, records: list[RecordRow], load: Load) -> Parents | None:
    """``load`` resolved when it is a MANY_TO_ONE relation whose target object exists."""
    relation = load.field.relation
    target = ctx.snapshot.by_id.get(relation.target_object_id) if relation and load.field.is_many_to_one else None
    if target is None:
        return None
    join = load.field.join_storage_key
    return Parents(load, target, sorted({v for record in records if isinstance(v := record.data.get(join), str)}))


def parent_records(workspace_id: str, wanted: list[Parents]) -> dict[str, RecordRow]:
    """The live records of several MANY_TO_ONE loads of a level, by id, in one statement.

    Ids are unique in a workspace, so the statement reads them whatever their object; each load
    then keeps the ones of its own target object (a join id naming a record of another object
    finds nothing, as when read per object).
    """
    d = dialect()
    ids = sorted({i for parents in wanted for i in parents.ids})
    among, among_params = d.one_of("r.id", [d.uuid_in(i) for i in ids], "uuid")
    sql = (
        f"SELECT {select_list()}, r.object_id FROM core_app_record r WHERE r.workspace_id = %s "
        f"AND {among} AND (r.deleted_at IS NULL) IS TRUE"
    )
    readers = {parents.target.id: row_reader(d, workspace_id, parents.target.id) for parents in wanted}
    found: dict[str, RecordRow] = {}
    for row in rows(sql, [d.uuid_in(workspace_id), *among_params]):
        read = readers.get(d.uuid_out(row[len(COLUMNS)]))
        if read is not None:
            record = read(row)
            found[record.id] = record
    return found


def attach_parent(
    ctx: RecordContext,
    records: list[RecordRow],
    outputs: list[dict[str, Any]],
    parents: Parents,
    read: dict[str, RecordRow] | None,
) -> None:
    """Put each record's MANY_TO_ONE target under its load's key (``read``: the level's targets read
    together, when several loads pointed somewhere; else this load's are read by primary key)."""
    load, target = parents.load, parents.target
    if read is not None:
        found = [record for i in parents.ids if (record := read.get(i)) is not None and record.object_id == target.id]
    else:
        found = fetch_by_ids(ctx.ws, target.id, parents.ids)
    join = load.field.join_storage_key
    by_id = {item["id"]: item for item in shape(ctx.for_object(target), found, load.nested, load.selection)}
    for output, record in zip(outputs, records):
        output[load.key] = by_id.get(record.data.get(join))


def attach(
    records: list[RecordRow], outputs: list[dict[str, Any]], child: Children, pages: dict[str, ChildPage] | None
) -> None:
    """Put each record's page of one ONE_TO_MANY relation under ``load.key`` (``pages``: read already)."""
    load, target_ctx, keys = child.load, child.ctx, child.keys
    parent_ids = [record.id for record in records]
    if pages is None:
        pages = child_pages(target_ctx, child.join, parent_ids, load.page, keys)
    empty = ChildPage([], [], False)
    # Children in the order of their parents, so the shaped ones can be handed out in that order.
    children = [row for record in records for row in pages.get(record.id, empty).rows]
    shaped = iter(
        shape(target_ctx, children, load.nested, load.selection) if load.with_nodes else [{} for _ in children]
    )
    aggregates = load.aggregate_hook(target_ctx, parent_ids, load) if load.aggregate_hook else None
    for output, record in zip(outputs, records):
        page = pages.get(record.id, empty)
        items = [next(shaped) for _ in page.rows]
        if not load.connection:
            output[load.key] = items
            continue
        cursors = [encode_cursor(values, keys) for values in page.sort_values]
        output[load.key] = {
            "edges": [{"node": item, "cursor": cursor} for item, cursor in zip(items, cursors)],
            "pageInfo": {
                # The flags of a root connection: each speaks only for the direction being paged.
                "hasNextPage": page.more and not load.page.backward,
                "hasPreviousPage": page.more and load.page.backward,
                "startCursor": cursors[0] if cursors else None,
                "endCursor": cursors[-1] if cursors else None,
            },
            "totalCount": 0,
            **((aggregates or {}).get(record.id, {})),
        }


def child_pages(
    ctx: RecordContext, join: FieldSpec, parent_ids: list[str], args: PageArgs, keys: list[SortKey]
) -> dict[str, ChildPage]:
    """Each parent's page of live records of ``ctx``'s object whose ``join`` points at it.

    Ranked per parent by a window over the join index's matches. PostgreSQL reads default pages
    (id order, no filter) through :func:`default_pages` instead: one index probe per parent.
    """
    d = dialect()
    slot = ctx.slots.by_path[join.join_name]
    src = Source(d)
    expressions = [key.expression(src) for key in keys]
    params: list[Any] = []
    compiled = compile_filter(args.node, ctx.spec, src, ctx.ws, ctx.slots, snapshot=ctx.snapshot)
    scope = ctx.scope(False)
    among, among_params = d.one_of("j.key", parent_ids, "text")
    where = [scope.where(src, params), "j.workspace_id = %s", "j.slot = %s", among]
    params += [d.uuid_in(ctx.ws), d.uuid_in(slot.id), *among_params]
    where.append(compiled.sql)
    params += compiled.params
    if args.cursor is not None:
        where.append(seek_sql(keys, expressions, list(args.cursor), src, params, args.backward))
    ranking = order_sql(keys, expressions, args.backward)
    sql = (
        f"SELECT * FROM (SELECT {select_list()}, j.key AS parent, {', '.join(expressions)}, "
        f"ROW_NUMBER() OVER (PARTITION BY j.key ORDER BY {ranking}) AS rank_ "
        f"FROM core_app_record r{src.lateral_sql()} JOIN core_app_recordindex j "
        f"ON j.workspace_id = r.workspace_id AND j.record_id = r.id WHERE {' AND '.join(where)}) AS ranked "
        f"WHERE rank_ <= {args.limit + 1} ORDER BY parent, rank_"
    )
    return paged(read_rows(rows(sql, params), keys, d, ctx.scope(False), skip=1), join, args)


def default_pages(children: list[Children], parent_ids: list[str]) -> dict[int, dict[str, ChildPage]]:
    """Each parent's default page (id order, no filter) of the ONE_TO_MANY relations of a level, in one
    statement (PostgreSQL): keyed by ``id()`` of each one's :class:`Load`.

    One index probe per relation and parent, each reading at most the page's limit + 1 entries in
    id order: a company at ``depth=1`` read its six one-to-many relations in six statements (about
    0.5 ms of server and PostgreSQL CPU each, most of them empty), now in one.
    """
    d = dialect()
    keys: list[str] = []
    slots: list[Any] = []
    tags: list[int] = []
    limits: list[int] = []
    ordered = sorted(parent_ids)
    for tag, child in enumerate(children):
        slot = d.uuid_in(child.ctx.slots.by_path[child.join.join_name].id)
        for parent in ordered:
            keys.append(parent)
            slots.append(slot)
            tags.append(tag)
            limits.append(child.load.page.limit + 1)
    ws = d.uuid_in(children[0].ctx.ws)
    sql = (
        f"SELECT {select_list()}, pid.tag, r.id "
        "FROM unnest(%s::text[], %s::uuid[], %s::int[], %s::int[]) AS pid(key, slot, tag, lim) CROSS JOIN LATERAL ("
        "SELECT p.record_id FROM core_app_recordindex p WHERE p.workspace_id = %s AND p.slot = pid.slot "
        "AND p.key = pid.key ORDER BY p.record_id LIMIT pid.lim) AS s "
        "JOIN core_app_record r ON r.workspace_id = %s AND r.id = s.record_id AND r.deleted_at IS NULL "
        "ORDER BY pid.tag, pid.key, r.id"
    )
    by_tag: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows(sql, [id_array(keys), id_array(slots), id_array(tags), id_array(limits), ws, ws]):
        by_tag[row[len(COLUMNS)]].append(row)
    return {
        id(child.load): paged(
            read_rows(by_tag[tag], child.keys, d, child.ctx.scope(False), skip=1), child.join, child.load.page
        )
        for tag, child in enumerate(children)
    }


def paged(fetched: Fetched, join: FieldSpec, args: PageArgs) -> dict[str, ChildPage]:
    """Children read in (parent, order) order, cut into each parent's page of ``args.limit``."""
    # Keyed by the stored join id, a JSON value (the index matched it to a parent id).
    grouped: dict[Any, ChildPage] = defaultdict(lambda: ChildPage([], [], False))
    for row, values in zip(fetched.rows, fetched.sort_values):
        parent = row.data.get(join.join_storage_key)
        grouped[parent].rows.append(row)
        grouped[parent].sort_values.append(values)
    pages: dict[str, ChildPage] = {}
    for parent, page in grouped.items():
        more = len(page.rows) > args.limit
        kept_rows, kept_values = page.rows[: args.limit], page.sort_values[: args.limit]
        if args.backward:
            kept_rows.reverse()
            kept_values.reverse()
        pages[parent] = ChildPage(kept_rows, kept_values, more)
    return pages


def depth_loads(ctx: RecordContext, depth: int, selection: frozenset[str] | None = None) -> list[Load]:
    """REST ``depth``: every relation, ``depth`` levels deep (the first level limited to ``selection``)."""
    if depth <= 0:
        return []
    loads = []
    for relation_field in ctx.spec.relations:
        if selection is not None and relation_field.name not in selection:
            continue
        relation = relation_field.relation
        target = ctx.snapshot.by_id.get(relation.target_object_id) if relation else None
        if target is not None:
            nested = depth_loads(ctx.for_object(target), depth - 1)
            loads.append(Load(relation_field, relation_field.name, nested))
    return loads
