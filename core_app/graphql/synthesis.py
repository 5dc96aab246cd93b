"""Build the Graphene schema of one workspace snapshot, in Twenty's names (api-reference 2.1-2.8).

Per object: ``{Singular}``, ``{Singular}Edge``, ``{Singular}Connection`` (with aggregate
fields), ``{Singular}FilterInput``, ``{Singular}OrderByInput``, ``{Singular}CreateInput``,
``{Singular}UpdateInput`` and a ``{Singular}{Field}Enum`` per SELECT-like field. Resolvers
come from ``resolvers.py``; this module only assembles classes, each in one expression.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graphene

from api_common.errors import ApiError
from api_common.graphql_execution import reads_response_key
from core_app.graphql import resolvers, scalars
from core_app.graphql.search import search_field
from core_app.graphql.shared import (
    FilterIs,
    OrderByDirection,
    PageInfo,
    TSVectorFilter,
    composite_types,
    scalar_filter,
    scalar_type,
)
from core_app.graphql.type_names import type_name_clash
from core_app.query.aggregates import available_aggregates
from core_app.query.search_vector import SEARCH_VECTOR, has_search_vector
from metadata_app.registry import schema_registry
from metadata_app.services.names import cap
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["build_schema", "register_query_field", "schema_for"]

#: Root query fields that apps above this one add to every workspace schema (the event feed):
#: name -> a function returning the graphene field. Object names never clash with them (the
#: names are reserved, see ``metadata_app.services.names``).
QUERY_EXTENSIONS: dict[str, Callable[[], Any]] = {}


def register_query_field(name: str, factory: Callable[[], Any]) -> None:
    """Add the root query field ``name`` (built by ``factory``) to every workspace schema built from now on."""
    QUERY_EXTENSIONS[name] = factory


FLOAT_OPERATIONS = frozenset({"percentageEmpty", "percentageNotEmpty", "avg", "sum", "min", "max"})


@reads_response_key
def relation_resolver(root: dict[str, Any], info: Any, **_: Any) -> Any:
    """Relations were attached by the loader under the field's response key."""
    return root.get(info.path.key)


class Builder:
    """Holds the types of one schema while it is assembled."""

    def __init__(self, snapshot: SchemaSnapshot) -> None:
        self.snapshot = snapshot
        self.enums: dict[str, type[graphene.Enum]] = {}
        self.nodes: dict[str, type[graphene.ObjectType]] = {}
        self.connections: dict[str, type[graphene.ObjectType]] = {}
        self.filters: dict[str, type[graphene.InputObjectType]] = {}
        self.order_bys: dict[str, type[graphene.InputObjectType]] = {}
        self.edges: dict[str, type[graphene.ObjectType]] = {}
        self.relation_inputs: dict[str, type[graphene.InputObjectType]] = {}

    # -- per field ----------------------------------------------------------------------------

    def enum(self, spec: ObjectSpec, field: FieldSpec) -> type[graphene.Enum]:
        """The enum of a SELECT/MULTI_SELECT/RATING field."""
        name = f"{cap(spec.name_singular)}{cap(field.name)}Enum"
        if name not in self.enums:
            values = [(option["value"], option["value"]) for option in field.options] or [("NONE", "NONE")]
            self.enums[name] = graphene.Enum(name, values, description=f"Options of {spec.name_singular}.{field.name}.")
        return self.enums[name]

    def output(self, spec: ObjectSpec, field: FieldSpec) -> Any:
        """The output type of a non-relation field."""
        field_type = field.field_type
        if field_type.is_composite:
            return composite_types(field.type).output
        if field_type.has_options:
            enum = self.enum(spec, field)
            return graphene.List(enum) if field_type.value_kind == "json" else enum
        if field.type == "NUMBER" and field.settings.get("dataType") == "int":
            return graphene.Int
        return scalar_type(field_type)

    def input(self, spec: ObjectSpec, field: FieldSpec, update: bool) -> Any:
        """The input type of a writable field."""
        if field.field_type.is_composite:
            types = composite_types(field.type)
            return types.update_input if update else types.create_input
        return self.output(spec, field)

    def filter(self, spec: ObjectSpec, field: FieldSpec) -> Any:
        """The filter input of a field (None when it cannot be filtered directly)."""
        field_type = field.field_type
        if field_type.is_composite:
            return composite_types(field.type).filter
        if field_type.has_options:
            enum = self.enum(spec, field)
            name = f"{enum._meta.name}Filter"
            if name not in self.filters:
                attrs = {
                    op: graphene.InputField(
                        graphene.List(enum)
                        if op in ("in", "containsAny")
                        else graphene.Boolean
                        if op == "isEmptyArray"
                        else FilterIs
                        if op == "is"
                        else enum
                    )
                    for op in sorted(field_type.operators)
                }
                self.filters[name] = type(name, (graphene.InputObjectType,), attrs)
            return self.filters[name]
        return scalar_filter(field_type.graphql_filter)

    # -- per object ---------------------------------------------------------------------------

    def node(self, spec: ObjectSpec) -> type[graphene.ObjectType]:
        """``{Singular}``: every field; MANY_TO_ONE as an object, ONE_TO_MANY as a connection; ``searchVector``."""
        attrs: dict[str, Any] = {"__doc__": f"A {spec.label_singular} record."}
        for field in spec.fields:
            if field.relation is None:
                attrs[field.name] = graphene.Field(self.output(spec, field))
                continue
            target = self.snapshot.by_id.get(field.relation.target_object_id)
            if target is None:
                continue
            target_name = cap(target.name_singular)
            if field.is_many_to_one:
                attrs[field.join_name] = graphene.Field(scalars.UUID)
                attrs[field.name] = graphene.Field(lambda n=target_name: self.nodes[n], resolver=relation_resolver)
            else:
                attrs[field.name] = graphene.Field(
                    lambda n=target_name: self.connections[n],
                    resolver=relation_resolver,
                    filter=graphene.Argument(lambda n=target_name: self.filters[f"{n}FilterInput"]),
                    orderBy=graphene.Argument(graphene.List(lambda n=target_name: self.order_bys[n])),
                    first=graphene.Int(),
                    last=graphene.Int(),
                    after=graphene.String(),
                    before=graphene.String(),
                )
        if has_search_vector(spec):
            # Twenty's TS_VECTOR reads as a String; shaped only when selected (api-reference §13.2).
            attrs[SEARCH_VECTOR] = graphene.Field(
                graphene.String,
                description="The record's search tokens in one string (read-only, computed from the search fields).",
            )
        return type(cap(spec.name_singular), (graphene.ObjectType,), attrs)

    def connection(self, spec: ObjectSpec) -> type[graphene.ObjectType]:
        """``{Singular}Edge`` and ``{Singular}Connection`` with every aggregate field."""
        name = cap(spec.name_singular)
        edge = type(
            f"{name}Edge",
            (graphene.ObjectType,),
            {
                "node": graphene.Field(lambda: self.nodes[name]),
                "cursor": graphene.Field(scalars.ConnectionCursor),
            },
        )
        self.edges[name] = edge
        attrs: dict[str, Any] = {
            "edges": graphene.List(graphene.NonNull(edge), required=True),
            "pageInfo": graphene.Field(PageInfo, required=True),
            **self.aggregate_fields(spec),
        }
        return type(f"{name}Connection", (graphene.ObjectType,), attrs)

    def group(self, spec: ObjectSpec) -> type[graphene.ObjectType]:
        """``{Singular}GroupByConnection``: one group's dimension values, aggregates and sample."""
        name = cap(spec.name_singular)
        attrs: dict[str, Any] = {
            "groupByDimensionValues": graphene.List(scalars.RawJSON),
            "edges": graphene.List(graphene.NonNull(self.edges[name])),
            **self.aggregate_fields(spec),
        }
        return type(f"{name}GroupByConnection", (graphene.ObjectType,), attrs)

    @staticmethod
    def aggregate_fields(spec: ObjectSpec) -> dict[str, Any]:
        """``totalCount`` and every aggregate field of api-reference 2.8."""
        attrs: dict[str, Any] = {"totalCount": graphene.Int()}
        for aggregate, (operation, field) in available_aggregates(spec).items():
            if operation in ("min", "max") and field.type in ("DATE", "DATE_TIME"):
                attrs[aggregate] = graphene.Field(scalars.DateTime)
            else:
                attrs[aggregate] = graphene.Float() if operation in FLOAT_OPERATIONS else graphene.Int()
        return attrs

    def filter_input(self, spec: ObjectSpec) -> type[graphene.InputObjectType]:
        """``{Singular}FilterInput`` with ``and``/``or``/``not`` and one entry per filterable field."""
        name = f"{cap(spec.name_singular)}FilterInput"
        attrs: dict[str, Any] = {
            "and": graphene.InputField(graphene.List(lambda: self.filters[name])),
            "or": graphene.InputField(graphene.List(lambda: self.filters[name])),
            "not": graphene.InputField(lambda: self.filters[name]),
        }
        # Quantifiers of a one-to-many relation (api-reference §11.2), valid right under one; names
        # cannot start with "_" (§3.5), so they never clash with a field.
        for quantifier, meaning in (("_some", "at least one"), ("_none", "no"), ("_every", "every")):
            attrs[quantifier] = graphene.InputField(
                lambda: self.filters[name],
                description=f"Under a one-to-many relation: {meaning} related record matches.",
            )
        for field in spec.fields:
            if field.is_many_to_one:
                attrs[field.join_name] = graphene.InputField(scalar_filter("UUIDFilter"))
            elif field.relation is None:
                attrs[field.name] = graphene.InputField(self.filter(spec, field))
            target = self.snapshot.by_id.get(field.relation.target_object_id) if field.relation else None
            if target is not None:
                target_filter = f"{cap(target.name_singular)}FilterInput"
                attrs[field.name] = graphene.InputField(
                    lambda n=target_filter: self.filters[n],
                    description=f"Filter on fields of the related {target.name_singular}",
                )
        # Twenty's searchVector filter on every object (api-reference §13).
        attrs.setdefault(SEARCH_VECTOR, graphene.InputField(TSVectorFilter))
        return type(name, (graphene.InputObjectType,), attrs)

    def order_by_input(self, spec: ObjectSpec) -> type[graphene.InputObjectType]:
        """``{Singular}OrderByInput``: one direction per sortable field (sub-fields for composites)."""
        attrs: dict[str, Any] = {}
        for field in spec.fields:
            if field.is_many_to_one:
                # The join column, and the related record's fields (one hop, api-reference §11.4).
                attrs[field.join_name] = graphene.InputField(OrderByDirection)
                target = self.snapshot.by_id.get(field.relation.target_object_id) if field.relation else None
                if target is not None:
                    target_name = cap(target.name_singular)
                    attrs[field.name] = graphene.InputField(lambda n=target_name: self.order_bys[n])
                continue
            if field.relation is not None:
                continue
            if field.field_type.is_composite:
                attrs[field.name] = graphene.InputField(composite_types(field.type).order_by)
            elif field.field_type.sortable:
                attrs[field.name] = graphene.InputField(OrderByDirection)
        return type(f"{cap(spec.name_singular)}OrderByInput", (graphene.InputObjectType,), attrs)

    def relation_input(self, target: ObjectSpec) -> type[graphene.InputObjectType]:
        """``{Target}RelationInput { connect: {Target}ConnectInput, disconnect: Boolean }`` (api-reference §12.1).

        ``{Target}ConnectInput { where: {Target}WhereUniqueInput }`` names the target by ``id`` or by one
        of its unique fields (a composite by its unique sub-field: ``{Target}{Field}WhereInput``).
        """
        name = cap(target.name_singular)
        if name in self.relation_inputs:
            return self.relation_inputs[name]
        where: dict[str, Any] = {"id": graphene.InputField(scalars.UUID)}
        for field in target.unique_fields:
            sub = field.field_type.unique_sub_field
            if field.field_type.is_composite and sub:
                where[field.name] = graphene.InputField(
                    type(
                        f"{name}{cap(field.name)}WhereInput",
                        (graphene.InputObjectType,),
                        {sub: graphene.String()},
                    )
                )
            elif not field.field_type.is_composite:
                where[field.name] = graphene.InputField(self.output(target, field))
        where_unique = type(f"{name}WhereUniqueInput", (graphene.InputObjectType,), where)
        connect = type(f"{name}ConnectInput", (graphene.InputObjectType,), {"where": graphene.InputField(where_unique)})
        self.relation_inputs[name] = type(
            f"{name}RelationInput",
            (graphene.InputObjectType,),
            {
                "connect": graphene.InputField(connect, description=f"Connect to a {target.name_singular} record"),
                "disconnect": graphene.Boolean(description=f"Disconnect from a {target.name_singular} record"),
            },
        )
        return self.relation_inputs[name]

    def write_input(self, spec: ObjectSpec, update: bool) -> type[graphene.InputObjectType]:
        """``{Singular}CreateInput`` / ``{Singular}UpdateInput``: writable fields, join ids and relation inputs."""
        attrs: dict[str, Any] = {}
        for field in spec.fields:
            if field.is_many_to_one:
                attrs[field.join_name] = graphene.InputField(scalars.UUID)
                target = self.snapshot.by_id.get(field.relation.target_object_id)  # type: ignore[union-attr]
                if target is not None:
                    attrs[field.name] = graphene.InputField(self.relation_input(target))
            elif field.relation is None and not field.is_read_only and not (update and field.name == "id"):
                attrs[field.name] = graphene.InputField(self.input(spec, field, update))
        suffix = "UpdateInput" if update else "CreateInput"
        return type(f"{cap(spec.name_singular)}{suffix}", (graphene.InputObjectType,), attrs)

    # -- schema -------------------------------------------------------------------------------

    def build(self) -> graphene.Schema:
        """Assemble every type, then the Query and Mutation roots."""
        objects = list(self.snapshot.objects)
        for spec in objects:
            name = cap(spec.name_singular)
            self.filters[f"{name}FilterInput"] = self.filter_input(spec)
            self.order_bys[name] = self.order_by_input(spec)
        for spec in objects:
            name = cap(spec.name_singular)
            self.nodes[name] = self.node(spec)
            self.connections[name] = self.connection(spec)
        query: dict[str, Any] = {}
        mutation: dict[str, Any] = {}
        for spec in objects:
            name = cap(spec.name_singular)
            types = resolvers.ObjectTypes(
                node=self.nodes[name],
                connection=self.connections[name],
                group=self.group(spec),
                filter=self.filters[f"{name}FilterInput"],
                order_by=self.order_bys[name],
                create=self.write_input(spec, update=False),
                update=self.write_input(spec, update=True),
            )
            query.update(resolvers.query_fields(spec, types))
            mutation.update(resolvers.mutation_fields(spec, types))
        if objects:
            query.setdefault("search", search_field(objects))
        for name, factory in QUERY_EXTENSIONS.items():
            query.setdefault(name, factory())
        if not query:
            query["_empty"] = graphene.Boolean(description="This workspace has no objects yet.")
        Query = type("Query", (graphene.ObjectType,), query)
        Mutation = type("Mutation", (graphene.ObjectType,), mutation) if mutation else None
        return graphene.Schema(query=Query, mutation=Mutation, auto_camelcase=False)


def build_schema(snapshot: SchemaSnapshot) -> graphene.Schema:
    """The Graphene schema of ``snapshot``."""
    return Builder(snapshot).build()


def schema_for(snapshot: SchemaSnapshot, visibility_key: str = "") -> graphene.Schema:
    """The schema of ``snapshot``, built once per (workspace, metadata version) in each process.

    A role that cannot read everything gets the schema of the part it reads
    (``core_app.access.visibility``): ``snapshot`` is that part and ``visibility_key`` names it, so
    the schema is built once per (metadata version, what the role reads), shared by alike roles.
    """
    name = f"graphql:{visibility_key}" if visibility_key else "graphql"
    return schema_registry.memo(snapshot, name, lambda: build_or_refuse(snapshot))


class DataModelConflict(ApiError):
    """409: the workspace's data model cannot be served as it stands (no retry helps: change it)."""

    status = 409
    error_name = "ConflictException"
    code = "CONFLICT"


def build_or_refuse(snapshot: SchemaSnapshot) -> graphene.Schema:
    """The schema of ``snapshot``; a 409 naming the clash when two of its types share a name.

    The metadata services refuse such names (``type_names``); a data model made before they did
    gets this answer instead of a server error, and its REST API keeps working.
    """
    try:
        return build_schema(snapshot)
    except (AssertionError, TypeError) as error:
        clash = type_name_clash(snapshot)
        if clash is None:
            raise
        raise DataModelConflict(
            f"This workspace's data model cannot be served over GraphQL: {clash}. Rename or delete it through "
            "the metadata API; REST keeps working meanwhile."
        ) from error
