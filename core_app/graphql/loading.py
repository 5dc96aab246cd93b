"""The GraphQL read path: a query's selection set as a tree of relation loads, and connections.

A root resolver hands its records to :class:`Loader`, which reads the selection set and describes
every selected relation as a ``core_app.services.loading.Load`` (arguments of nested connections
included); the shared relation loader then loads each relation for all records of a level in one
query. The number of queries therefore grows with the nesting depth of the query, never with the
number of records.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, cast

from django.conf import settings
from graphql import GraphQLObjectType, GraphQLResolveInfo
from graphql.execution.collect_fields import collect_sub_fields
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode

from core_app.graphql.errors import user_error
from core_app.graphql.inputs import plain
from core_app.query.aggregates import AggregateError, parse_aggregate
from core_app.query.graphql_filter import parse_graphql_filter
from core_app.query.order_by import parse_graphql_order_by, spec_relations
from core_app.query.ordering import InvalidCursor, build_sort_keys, decode_cursor
from core_app.query.planner import aggregate, aggregate_by_parent, count
from core_app.services.context import RecordContext
from core_app.services.loading import Load, PageArgs, shape
from core_app.services.output import NESTED_LIMIT
from core_app.services.reading import Page, scope_of
from core_app.store.records import RecordRow
from metadata_app.services.names import cap
from metadata_app.specs import ObjectSpec

__all__ = ["Loader", "page_size"]

CONNECTION_KEYS = frozenset({"edges", "pageInfo", "__typename"})


def page_size(first: Any, last: Any, default: int | None = None) -> int:
    """``first``/``last``: at most one, non-negative; defaulted and capped like REST's ``limit``.

    The default and the cap are REST's settings (``QUERY_DEFAULT_LIMIT``, ``QUERY_MAX_LIMIT``),
    read at call time, so both APIs page alike whatever the deployment sets.
    """
    maximum = int(getattr(settings, "QUERY_MAX_LIMIT", 200))
    if default is None:
        default = int(getattr(settings, "QUERY_DEFAULT_LIMIT", 60))
    if first is not None and last is not None:
        raise user_error(["Use either 'first' or 'last', not both"])
    value = first if first is not None else last
    if value is None:
        return default
    if value < 0:
        raise user_error([f"'{'first' if first is not None else 'last'}' must not be negative"])
    return min(value, maximum)


def invalid_cursor(cursor_text: str) -> Exception:
    """The root connection's message (``find_many``): the same cursor gets the same answer."""
    return user_error(
        [f"Invalid cursor '{cursor_text}': use a startCursor or endCursor returned with this same order_by"]
    )


class Loader:
    """Turns one query's selections into relation loads and shapes records into the dicts graphene resolves."""

    def __init__(self, info: GraphQLResolveInfo) -> None:
        self.info = info

    def object_type(self, name: str) -> GraphQLObjectType:
        """The schema's object type ``name`` (the callers name types of the fields they resolve)."""
        return cast(GraphQLObjectType, self.info.schema.get_type(name))

    def selections(self, type_name_: str, field_nodes: list[FieldNode]) -> dict[str, list[FieldNode]]:
        """Sub-fields selected on ``field_nodes`` (fragments resolved), by response key."""
        info = self.info
        return collect_sub_fields(
            info.schema, info.fragments, info.variable_values, self.object_type(type_name_), field_nodes
        )

    def arguments(self, parent_type: str, field_nodes: list[FieldNode]) -> dict[str, Any]:
        """Argument values of a field (variables applied)."""
        definition = self.object_type(parent_type).fields[field_nodes[0].name.value]
        return plain(get_argument_values(definition, field_nodes[0], self.info.variable_values))

    # -- loads ----------------------------------------------------------------------------------

    def loads(self, ctx: RecordContext, field_nodes: list[FieldNode]) -> list[Load]:
        """The relations selected on records of ``ctx``'s object, each with what it selects below."""
        node_type = cap(ctx.spec.name_singular)
        result = []
        for key, nodes in self.selections(node_type, field_nodes).items():
            field = ctx.spec.field(nodes[0].name.value)
            if field is None or field.relation is None:
                continue
            target = ctx.snapshot.by_id.get(field.relation.target_object_id)
            if target is None:
                continue
            target_ctx = ctx.for_object(target)
            if field.is_many_to_one:
                result.append(
                    Load(field, key, self.loads(target_ctx, nodes), selection=self.selected(target_ctx, nodes))
                )
                continue
            connection_type = f"{cap(target.name_singular)}Connection"
            node_nodes = self.node_field_nodes(connection_type, nodes)
            args = self.arguments(node_type, nodes)
            result.append(
                Load(
                    field,
                    key,
                    self.loads(target_ctx, node_nodes) if node_nodes else [],
                    page=self.page_args(target_ctx, args),
                    connection=True,
                    with_nodes=bool(node_nodes),
                    aggregates=self.aggregate_names(connection_type, nodes),
                    aggregate_hook=self.nested_aggregates,
                    selection=self.selected(target_ctx, node_nodes) if node_nodes else None,
                )
            )
        return result

    def selected(self, ctx: RecordContext, field_nodes: list[FieldNode]) -> frozenset[str]:
        """Names of the fields selected on records of ``ctx``'s object (only those are shaped)."""
        node_type = cap(ctx.spec.name_singular)
        return frozenset(nodes[0].name.value for nodes in self.selections(node_type, field_nodes).values())

    def page_args(self, ctx: RecordContext, args: dict[str, Any]) -> PageArgs:
        """A nested connection's ``first``/``last``/``after``/``before``/``filter``/``orderBy``."""
        limit = page_size(args.get("first"), args.get("last"), default=NESTED_LIMIT)
        backward = args.get("last") is not None or args.get("before") is not None
        node = parse_graphql_filter(args.get("filter"))
        order = parse_graphql_order_by(args.get("orderBy"), spec_relations(ctx.spec))
        keys = build_sort_keys(order, ctx.spec, ctx.slots, ctx.snapshot)
        cursor_text = args.get("before") or args.get("after")
        try:
            cursor = decode_cursor(cursor_text, keys) if cursor_text else None
        except InvalidCursor:
            raise invalid_cursor(str(cursor_text)) from None
        return PageArgs(limit, node, tuple(order), tuple(cursor) if cursor is not None else None, backward)

    def nested_aggregates(self, ctx: RecordContext, parent_ids: list[str], load: Load) -> dict[str, Any] | None:
        """The aggregates a nested connection selects, per parent (one query for all parents)."""
        if not load.aggregates:
            return None
        relation = load.field.relation
        inverse = ctx.spec.field(relation.target_field_name or "") if relation else None
        if inverse is None:
            return None
        aggregates = self.parse_aggregates(ctx, load.aggregates)
        join = ctx.slots.by_path[inverse.join_name]
        return aggregate_by_parent(ctx.scope(False), load.page.node, aggregates, join, parent_ids)

    # -- shaping --------------------------------------------------------------------------------

    def nodes(self, ctx: RecordContext, records: list[RecordRow], field_nodes: list[FieldNode]) -> list[dict[str, Any]]:
        """API dicts of ``records`` with the selected relations attached under their response keys."""
        if not records:
            return []
        return shape(ctx, records, self.loads(ctx, field_nodes), self.selected(ctx, field_nodes))

    def node_field_nodes(
        self, connection_type: str, field_nodes: list[FieldNode], edge_type: str | None = None
    ) -> list[FieldNode]:
        """Field nodes of ``edges { node }`` under a connection field (edges of ``edge_type``, by default
        the connection's own: ``PersonConnection`` has ``PersonEdge``)."""
        return self.edge_field_nodes(connection_type, field_nodes, "node", edge_type)

    def edge_field_nodes(
        self, connection_type: str, field_nodes: list[FieldNode], name: str, edge_type: str | None = None
    ) -> list[FieldNode]:
        """Field nodes of ``edges { <name> }`` under a connection field (see :meth:`node_field_nodes`)."""
        edge_type = edge_type or connection_type.removesuffix("Connection") + "Edge"
        # By field name, not response key: ``items: edges { node { ... } }`` is still the edges.
        edges = [
            edge
            for nodes in self.selections(connection_type, field_nodes).values()
            for edge in nodes
            if edge.name.value == "edges"
        ]
        result: list[FieldNode] = []
        for nodes in (self.selections(edge_type, [edge]).values() for edge in edges):
            for group in nodes:
                result += [n for n in group if n.name.value == name]
        return result

    def aggregate_names(self, connection_type: str, field_nodes: list[FieldNode]) -> list[str]:
        """Aggregate fields (``totalCount`` included) selected on a connection."""
        names = [nodes[0].name.value for nodes in self.selections(connection_type, field_nodes).values()]
        return [name for name in dict.fromkeys(names) if name not in CONNECTION_KEYS]

    def selects_total_count(self, spec: ObjectSpec, field_nodes: list[FieldNode]) -> bool:
        """Whether the root connection of ``spec`` selects ``totalCount``."""
        return "totalCount" in self.aggregate_names(f"{cap(spec.name_singular)}Connection", field_nodes)

    @staticmethod
    def parse_aggregates(ctx: RecordContext, names: list[str]) -> list[Any]:
        """Resolve aggregate names; a clear GraphQL error for an unknown one."""
        try:
            return [parse_aggregate(name, ctx.spec) for name in names]
        except AggregateError as error:
            raise user_error([error.message]) from None

    @staticmethod
    def connection_dict(
        page: Page, nodes: list[dict[str, Any]], aggregates: dict[str, Any], cursors: bool = True
    ) -> dict[str, Any]:
        """The dict a ``{Singular}Connection`` resolves from; each edge's ``cursor`` None unless ``cursors``
        (encoding one costs about as much as completing a record's plain fields)."""
        return {
            "edges": [
                {"node": node, "cursor": cursor}
                for node, cursor in zip(nodes, page.cursors if cursors else repeat(None))
            ],
            "pageInfo": page.page_info(),
            "totalCount": 0,
            **aggregates,
        }

    def connection(
        self, ctx: RecordContext, page: Page, field_nodes: list[FieldNode], node_filter: Any
    ) -> dict[str, Any]:
        """A root connection: nodes with their relations, and the selected aggregates."""
        connection_type = f"{cap(ctx.spec.name_singular)}Connection"
        node_nodes = self.node_field_nodes(connection_type, field_nodes)
        shaped = self.nodes(ctx, page.records, node_nodes) if node_nodes else [{} for _ in page.records]
        names = self.aggregate_names(connection_type, field_nodes)
        scope = scope_of(ctx, node_filter)
        values: dict[str, Any] = {}
        if "totalCount" in names:  # counters and the index answer counts without reading records
            values["totalCount"] = page.total_count if page.total_count is not None else count(scope, node_filter)
        others = [name for name in names if name != "totalCount"]
        if others:
            values.update(aggregate(scope, node_filter, self.parse_aggregates(ctx, others)))
        aggregates = {name: values[name] for name in names}
        return self.connection_dict(
            page, shaped, aggregates, bool(self.edge_field_nodes(connection_type, field_nodes, "cursor"))
        )
