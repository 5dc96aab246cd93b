"""Root queries and mutations of one object, all calling the record service (as REST does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphene

from core_app.graphql import scalars
from core_app.graphql.errors import graphql_errors, user_error
from core_app.graphql.inputs import plain
from core_app.graphql.loading import Loader, page_size
from core_app.query.ast import OrderKey
from core_app.query.graphql_filter import parse_graphql_filter
from core_app.query.order_by import parse_graphql_order_by, spec_relations
from core_app.services import writing
from core_app.services.context import RecordContext
from core_app.services.duplicates import find_duplicates
from core_app.services.grouping import group_by
from core_app.services.merging import merge_records
from core_app.services.reading import Page, find_many, find_one, select
from metadata_app.services.names import cap
from metadata_app.specs import ObjectSpec

__all__ = ["ObjectTypes", "context_of", "mutation_fields", "query_fields"]


@dataclass(frozen=True)
class ObjectTypes:
    """The synthesized types of one object that its root fields use."""

    node: Any
    connection: Any
    group: Any
    filter: Any
    order_by: Any
    create: Any
    update: Any


def context_of(info: Any, spec: ObjectSpec) -> RecordContext:
    """The record context of ``spec`` for this request (set up by the view)."""
    return info.context.record_context_for(spec)


def nodes_of(info: Any, ctx: RecordContext, records: list) -> list[dict[str, Any]]:
    """Records shaped for the current field's selection (relations loaded level by level)."""
    return Loader(info).nodes(ctx, records, info.field_nodes)


def query_fields(spec: ObjectSpec, types: ObjectTypes) -> dict[str, Any]:
    """``{plural}``, ``{singular}``, ``{singular}Duplicates`` and ``{plural}GroupBy``."""

    @graphql_errors
    def resolve_many(
        root, info, filter=None, orderBy=None, first=None, last=None, after=None, before=None, offset=None
    ):
        ctx = context_of(info, spec)
        node = parse_graphql_filter(plain(filter))
        loader = Loader(info)
        page = find_many(
            ctx,
            node,
            parse_graphql_order_by(plain(orderBy), spec_relations(spec)),
            page_size(first, last),
            after,
            before,
            # Counted only when asked for (with the page, so a shape that reads every match reads them once).
            with_count=loader.selects_total_count(spec, info.field_nodes),
            from_end=last is not None,
            offset=offset or 0,
        )
        return loader.connection(ctx, page, info.field_nodes, node)

    @graphql_errors
    def resolve_one(root, info, filter=None):
        ctx = context_of(info, spec)
        found = select(ctx, parse_graphql_filter(plain(filter)), [OrderKey(("position",), "AscNullsFirst")], 1)
        record = found[0] if found else None
        if record is None:
            raise user_error([f"Record not found in {spec.name_plural}"], "NOT_FOUND")
        return nodes_of(info, ctx, [record])[0]

    @graphql_errors
    def resolve_duplicates(root, info, ids=None, data=None):
        ctx = context_of(info, spec)
        loader = Loader(info)
        results = []
        for records, total in find_duplicates(ctx, plain(data), plain(ids)):
            page = Page(records, [r.id for r in records], total, total > len(records), False)
            connection = loader.connection_dict(
                page,
                loader.nodes(ctx, records, loader.node_field_nodes(types.connection._meta.name, info.field_nodes)),
                {},
            )
            connection["totalCount"] = total
            results.append(connection)
        return results

    @graphql_errors
    def resolve_group_by(root, info, groupBy, filter=None, limit=None, orderBy=None):
        ctx = context_of(info, spec)
        loader = Loader(info)
        group_type = types.group._meta.name
        names = [n for n in loader.aggregate_names(group_type, info.field_nodes) if n != "groupByDimensionValues"]
        with_records = "edges" in loader.selections(group_type, info.field_nodes)
        # The sample records' selection: a group's edges are the object's own (``PersonEdge``).
        node_nodes = loader.node_field_nodes(group_type, info.field_nodes, f"{cap(spec.name_singular)}Edge")
        if limit is not None and limit < 0:
            raise user_error(["'limit' must not be negative"])
        groups = group_by(
            ctx,
            parse_graphql_filter(plain(filter)),
            plain(groupBy),
            names,
            page_size(limit, None, default=50),
            with_records,
            loader.selected(ctx, node_nodes) if node_nodes else None,
            order=parse_graphql_order_by(plain(orderBy)),
            argument="groupBy",
        )
        for group in groups:
            group["edges"] = [{"node": record, "cursor": None} for record in group.pop("records", [])]
        return groups

    many_args = {
        "filter": graphene.Argument(types.filter),
        "orderBy": graphene.Argument(graphene.List(types.order_by)),
        "first": graphene.Int(),
        "last": graphene.Int(),
        "after": graphene.String(),
        "before": graphene.String(),
        # Twenty's newer findMany argument: records to skip (after the cursor, if any) before the page.
        "offset": graphene.Int(),
    }
    return {
        spec.name_plural: graphene.Field(types.connection, resolver=resolve_many, **many_args),
        spec.name_singular: graphene.Field(types.node, resolver=resolve_one, filter=graphene.Argument(types.filter)),
        f"{spec.name_plural}GroupBy": graphene.Field(
            graphene.List(graphene.NonNull(types.group)),
            resolver=resolve_group_by,
            groupBy=graphene.Argument(graphene.List(graphene.NonNull(scalars.RawJSON)), required=True),
            filter=graphene.Argument(types.filter),
            limit=graphene.Int(),
            # Groups' order, as groupBy's own shape: [{stage: AscNullsFirst}, {aggregate: {totalCount: DescNullsLast}}]
            orderBy=graphene.Argument(graphene.List(graphene.NonNull(scalars.RawJSON))),
        ),
        f"{spec.name_singular}Duplicates": graphene.Field(
            graphene.List(types.connection),
            resolver=resolve_duplicates,
            ids=graphene.List(scalars.UUID),
            data=graphene.List(types.create),
        ),
    }


def mutation_fields(spec: ObjectSpec, types: ObjectTypes) -> dict[str, Any]:
    """create/update/delete/destroy/restore one and many, and merge."""
    singular, plural = cap(spec.name_singular), cap(spec.name_plural)

    def field(output: Any, resolver: Any, **arguments: Any) -> graphene.Field:
        return graphene.Field(output, resolver=graphql_errors(resolver), **arguments)

    def records_of(info, changes):
        return nodes_of(info, context_of(info, spec), [change.record for change in changes])

    def create_one(root, info, data, upsert=False):
        return records_of(
            info, writing.create_many(context_of(info, spec), [plain(data)], upsert=bool(upsert), batch=False)
        )[0]

    def create_many(root, info, data, upsert=False):
        return records_of(info, writing.create_many(context_of(info, spec), plain(data), upsert=bool(upsert)))

    def update_one(root, info, id, data):
        return records_of(info, [writing.update_one(context_of(info, spec), id, plain(data))])[0]

    def update_many(root, info, filter, data):
        ctx = context_of(info, spec)
        return records_of(info, writing.update_many(ctx, parse_graphql_filter(plain(filter)), plain(data)))

    def by_id(operation, with_deleted):
        def resolve(root, info, id):
            ctx = context_of(info, spec)
            record = find_one(ctx, id, with_deleted=with_deleted)
            return records_of(info, [writing.change_of(ctx, record, operation(ctx, [record]))])[0]

        return resolve

    def by_filter(operation, verb, trash=None):
        def resolve(root, info, filter):
            ctx = context_of(info, spec)
            return records_of(
                info, operation(ctx, writing.select_many(ctx, parse_graphql_filter(plain(filter)), verb, trash=trash))
            )

        return resolve

    def merge(root, info, ids, conflictPriorityIndex=0, dryRun=False):
        ctx = context_of(info, spec)
        return nodes_of(info, ctx, [merge_records(ctx, plain(ids), conflictPriorityIndex, bool(dryRun))])[0]

    one, many = graphene.NonNull(types.node), graphene.List(graphene.NonNull(types.node))
    record_id = graphene.Argument(scalars.UUID, required=True)
    required_filter = graphene.Argument(types.filter, required=True)
    return {
        f"create{singular}": field(
            one, create_one, data=graphene.Argument(types.create, required=True), upsert=graphene.Boolean()
        ),
        f"create{plural}": field(
            many,
            create_many,
            data=graphene.Argument(graphene.List(graphene.NonNull(types.create)), required=True),
            upsert=graphene.Boolean(),
        ),
        f"update{singular}": field(one, update_one, id=record_id, data=graphene.Argument(types.update, required=True)),
        f"update{plural}": field(
            many, update_many, filter=required_filter, data=graphene.Argument(types.update, required=True)
        ),
        f"delete{singular}": field(one, by_id(writing.soft_delete, False), id=record_id),
        f"delete{plural}": field(many, by_filter(writing.soft_delete, "delete"), filter=required_filter),
        f"destroy{singular}": field(one, by_id(writing.destroy, True), id=record_id),
        f"destroy{plural}": field(many, by_filter(writing.destroy, "destroy"), filter=required_filter),
        f"restore{singular}": field(one, by_id(writing.restore, True), id=record_id),
        f"restore{plural}": field(many, by_filter(writing.restore, "restore", trash=True), filter=required_filter),
        f"merge{plural}": field(
            one,
            merge,
            ids=graphene.Argument(graphene.List(graphene.NonNull(scalars.UUID)), required=True),
            conflictPriorityIndex=graphene.Int(required=True),
            dryRun=graphene.Boolean(),
        ),
    }
