"""The GraphQL read path: records to nodes and connections, relations loaded level by level.

A root resolver hands its records to :class:`Loader`, which reads the query's selection set
and loads every selected relation for all records of a level in one query (MANY_TO_ONE by
id, ONE_TO_MANY with a window per parent for ``first``/``filter``/``orderBy``). The number of
queries therefore grows with the nesting depth of the query, never with the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import F, Window
from django.db.models.fields.json import KT
from django.db.models.functions import RowNumber
from graphql import GraphQLResolveInfo
from graphql.execution.collect_fields import collect_sub_fields
from graphql.execution.values import get_argument_values
from graphql.language import FieldNode

from core_app.graphql.errors import user_error
from core_app.graphql.inputs import plain
from core_app.models import Record
from core_app.query.aggregates import AggregateError, parse_aggregate
from core_app.query.graphql_filter import parse_graphql_filter
from core_app.query.lookups import JsonValueIn
from core_app.query.order_by import parse_graphql_order_by
from core_app.query.ordering import InvalidCursor, build_sort_keys, decode_cursor, encode_cursor, order_terms, seek
from core_app.services.context import RecordContext
from core_app.services.output import NESTED_LIMIT, output_plan, record_to_api, related_records
from core_app.services.reading import Page, filtered
from metadata_app.specs import FieldSpec

__all__ = ["Loader", "page_size", "type_name"]

CONNECTION_KEYS = frozenset({"edges", "pageInfo", "__typename"})


def type_name(singular: str) -> str:
    """GraphQL type name of an object (``person`` -> ``Person``)."""
    return singular[:1].upper() + singular[1:]


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


class Loader:
    """Shapes records into the dicts graphene resolves from, following one query's selections."""

    def __init__(self, info: GraphQLResolveInfo) -> None:
        self.info = info

    def selections(self, type_name_: str, field_nodes: list[FieldNode]) -> dict[str, list[FieldNode]]:
        """Sub-fields selected on ``field_nodes`` (fragments resolved), by response key."""
        info = self.info
        return collect_sub_fields(
            info.schema, info.fragments, info.variable_values, info.schema.get_type(type_name_), field_nodes
        )

    def arguments(self, parent_type: str, field_nodes: list[FieldNode]) -> dict[str, Any]:
        """Argument values of a field (variables applied)."""
        definition = self.info.schema.get_type(parent_type).fields[field_nodes[0].name.value]
        return plain(get_argument_values(definition, field_nodes[0], self.info.variable_values))

    # -- nodes --------------------------------------------------------------------------------

    def nodes(self, ctx: RecordContext, records: list[Record], field_nodes: list[FieldNode]) -> list[dict[str, Any]]:
        """API dicts of ``records`` with the selected relations attached under their response keys."""
        plan = output_plan(ctx.snapshot, ctx.spec)
        shaped = [record_to_api(record, plan) for record in records]
        node_type = type_name(ctx.spec.name_singular)
        for key, nodes in self.selections(node_type, field_nodes).items():
            field = ctx.spec.field(nodes[0].name.value)
            if field is None or field.relation is None or not records:
                continue
            target = ctx.snapshot.by_id.get(field.relation.target_object_id)
            if target is None:
                continue
            if field.is_many_to_one:
                self.attach_parents(ctx.for_object(target), field, key, nodes, records, shaped)
            else:
                args = self.arguments(node_type, nodes)
                self.attach_children(ctx.for_object(target), field, key, nodes, args, records, shaped)
        return shaped

    def attach_parents(self, ctx, field: FieldSpec, key: str, nodes, records, shaped) -> None:
        """MANY_TO_ONE: one query for every record's target."""
        ids = {r.data.get(field.join_storage_key) for r in records} - {None}
        found = list(related_records(ctx.spec, ctx.workspace_id).filter(id__in=ids)) if ids else []
        by_id = {item["id"]: item for item in self.nodes(ctx, found, nodes)}
        for output, record in zip(shaped, records):
            output[key] = by_id.get(record.data.get(field.join_storage_key))

    def attach_children(self, ctx, field: FieldSpec, key: str, nodes, args, records, shaped) -> None:
        """ONE_TO_MANY: one query for every parent's page (a window per parent)."""
        inverse = ctx.spec.field(field.relation.target_field_name or "")
        if inverse is None or not inverse.is_many_to_one:
            return
        limit = page_size(args.get("first"), args.get("last"), default=NESTED_LIMIT)
        backward = args.get("last") is not None or args.get("before") is not None
        node = parse_graphql_filter(args.get("filter"))
        keys = build_sort_keys(parse_graphql_order_by(args.get("orderBy")), ctx.spec)
        cursor_text = args.get("before") or args.get("after")
        try:
            cursor = decode_cursor(cursor_text, keys) if cursor_text else None
        except InvalidCursor:
            # The root connection's message (``find_many``): the same cursor gets the same answer.
            raise user_error(
                [f"Invalid cursor '{cursor_text}': use a startCursor or endCursor returned with this same order_by"]
            ) from None
        parent_ids = [str(r.id) for r in records]
        base = filtered(ctx, node).filter(JsonValueIn("data", (inverse.join_storage_key,), parent_ids))
        rows = list(
            seek(base, keys, cursor, backward)
            .annotate(_parent=KT(f"data__{inverse.join_storage_key}"))
            .annotate(_rank=Window(RowNumber(), partition_by=[F("_parent")], order_by=order_terms(keys, backward)))
            .filter(_rank__lte=limit + 1)
            .order_by("_parent", "_rank")
        )
        grouped: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            grouped[row._parent].append(row)
        pages = {}
        for parent_id, items in grouped.items():
            more = len(items) > limit
            items = items[:limit][::-1] if backward else items[:limit]
            # The flags of a root connection (``find_many``, api-reference 1.5): each speaks only for
            # the direction being paged, so a nested page equals the same page read from the root.
            pages[parent_id] = Page(
                items, [encode_cursor(r, keys) for r in items], None, more and not backward, more and backward
            )
        connection_type = f"{type_name(ctx.spec.name_singular)}Connection"
        aggregates = self.aggregate_values(
            ctx, connection_type, nodes, base, group_key=inverse.join_storage_key, parent_ids=parent_ids
        )
        empty = Page([], [], None, False, False)
        all_records = [r for p in pages.values() for r in p.records]
        node_nodes = self.node_field_nodes(connection_type, nodes)
        shaped_children = iter(self.nodes(ctx, all_records, node_nodes) if node_nodes else [{} for _ in all_records])
        for output, record in zip(shaped, records):
            page = pages.get(str(record.id), empty)
            children = [next(shaped_children) for _ in page.records]
            output[key] = self.connection_dict(
                page, children, aggregates[str(record.id)] if aggregates is not None else {}
            )

    # -- connections --------------------------------------------------------------------------

    def node_field_nodes(self, connection_type: str, field_nodes: list[FieldNode]) -> list[FieldNode]:
        """Field nodes of ``edges { node }`` under a connection field."""
        edge_type = connection_type.removesuffix("Connection") + "Edge"
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
                result += [n for n in group if n.name.value == "node"]
        return result

    def aggregate_names(self, connection_type: str, field_nodes: list[FieldNode]) -> list[str]:
        """Aggregate fields (``totalCount`` included) selected on a connection."""
        names = [nodes[0].name.value for nodes in self.selections(connection_type, field_nodes).values()]
        return [name for name in dict.fromkeys(names) if name not in CONNECTION_KEYS]

    def aggregate_values(
        self,
        ctx,
        connection_type: str,
        field_nodes,
        queryset,
        group_key: str | None = None,
        parent_ids: list[str] | None = None,
    ):
        """Selected aggregates in one query: a dict, or per parent id (each of ``parent_ids``) when ``group_key`` is given."""
        names = self.aggregate_names(connection_type, field_nodes)
        if not names:
            return None
        try:
            aggregates = [parse_aggregate(name, ctx.spec) for name in names]
        except AggregateError as error:
            raise user_error([error.message]) from None
        sql = {k: v for aggregate in aggregates for k, v in aggregate.sql.items()}
        if group_key is None:
            row = queryset.order_by().aggregate(**sql)
            return {a.name: a.finish(row) for a in aggregates}
        rows = queryset.annotate(_parent=KT(f"data__{group_key}")).order_by().values("_parent").annotate(**sql)
        found = {row["_parent"]: {a.name: a.finish(row) for a in aggregates} for row in rows}
        # A parent without children has no row: give it what a root connection over no records
        # gives (counts 0, sums null); ``none()`` answers that without a query.
        empty_row = queryset.none().aggregate(**sql)
        empty = {a.name: a.finish(empty_row) for a in aggregates}
        return {parent: found[parent] if parent in found else empty for parent in parent_ids or []}

    @staticmethod
    def connection_dict(page: Page, nodes: list[dict[str, Any]], aggregates: dict[str, Any]) -> dict[str, Any]:
        """The dict a ``{Singular}Connection`` resolves from."""
        return {
            "edges": [{"node": node, "cursor": cursor} for node, cursor in zip(nodes, page.cursors)],
            "pageInfo": page.page_info(),
            "totalCount": 0,
            **aggregates,
        }

    def connection(self, ctx: RecordContext, page: Page, field_nodes: list[FieldNode], node_filter) -> dict[str, Any]:
        """A root connection: nodes with their relations, and the selected aggregates."""
        connection_type = f"{type_name(ctx.spec.name_singular)}Connection"
        node_nodes = self.node_field_nodes(connection_type, field_nodes)
        shaped = self.nodes(ctx, page.records, node_nodes) if node_nodes else [{} for _ in page.records]
        aggregates = self.aggregate_values(ctx, connection_type, field_nodes, filtered(ctx, node_filter)) or {}
        return self.connection_dict(page, shaped, aggregates)
