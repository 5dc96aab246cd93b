"""Twenty's ``search`` root query on ``/graphql`` (api-reference §13.1), calling the search service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphene

from core_app.graphql import scalars
from core_app.graphql.errors import graphql_errors
from core_app.graphql.inputs import plain
from core_app.graphql.shared import scalar_filter
from core_app.query.graphql_filter import parse_graphql_filter
from core_app.services.search import search
from metadata_app.specs import ObjectSpec

__all__ = ["search_field"]


class SearchRecord(graphene.ObjectType):
    """One record found (Twenty's ``SearchRecord``)."""

    recordId = graphene.Field(scalars.UUID, required=True)
    objectNameSingular = graphene.String(required=True)
    label = graphene.String(required=True)
    imageUrl = graphene.String()
    tsRankCD = graphene.Float(required=True)
    tsRank = graphene.Float(required=True)


class SearchResultEdge(graphene.ObjectType):
    """A found record and the cursor after it."""

    node = graphene.Field(SearchRecord, required=True)
    cursor = graphene.String(required=True)


class SearchResultPageInfo(graphene.ObjectType):
    """Whether more results follow, and the cursor to ask for them."""

    endCursor = graphene.String()
    hasNextPage = graphene.Boolean(required=True)


class SearchResultConnection(graphene.ObjectType):
    """A page of search results."""

    edges = graphene.List(graphene.NonNull(SearchResultEdge), required=True)
    pageInfo = graphene.Field(SearchResultPageInfo, required=True)


# The filter every searched object applies: its system fields only (Twenty's shape). Built with
# type() because its keys ``and``/``or``/``not`` are Python keywords.
ObjectRecordFilterInput: type[graphene.InputObjectType] = type(
    "ObjectRecordFilterInput",
    (graphene.InputObjectType,),
    {
        "__doc__": "Conditions on the system fields of every searched object.",
        "and": graphene.InputField(graphene.List(graphene.NonNull(lambda: ObjectRecordFilterInput))),
        "or": graphene.InputField(graphene.List(graphene.NonNull(lambda: ObjectRecordFilterInput))),
        "not": graphene.InputField(lambda: ObjectRecordFilterInput),
        "id": graphene.InputField(scalar_filter("UUIDFilter")),
        "createdAt": graphene.InputField(scalar_filter("DateTimeFilter")),
        "updatedAt": graphene.InputField(scalar_filter("DateTimeFilter")),
        "deletedAt": graphene.InputField(scalar_filter("DateTimeFilter")),
    },
)


def search_field(objects: Sequence[ObjectSpec]) -> graphene.Field:
    """The ``search`` root field over ``objects`` (the objects of the schema's snapshot)."""

    @graphql_errors
    def resolve_search(
        root: Any,
        info: Any,
        searchInput: str,
        limit: int,
        after: str | None = None,
        includedObjectNameSingulars: list[str] | None = None,
        excludedObjectNameSingulars: list[str] | None = None,
        filter: Any = None,
    ) -> dict[str, Any]:
        # Every object of the workspace, as REST passes them: the service skips what the role cannot read.
        base = info.context.record_context_for(objects[0])
        contexts = [base.for_object(spec) for spec in base.snapshot.objects]
        page = search(
            contexts,
            searchInput,
            limit,
            after,
            includedObjectNameSingulars,
            excludedObjectNameSingulars,
            parse_graphql_filter(plain(filter)),
        )
        return {
            "edges": [{"node": hit.as_api(), "cursor": hit.cursor} for hit in page.hits],
            "pageInfo": {"endCursor": page.end_cursor, "hasNextPage": page.has_next_page},
        }

    return graphene.Field(
        SearchResultConnection,
        required=True,
        description="Records of every searchable object whose search fields match the input (api-reference §13).",
        searchInput=graphene.String(required=True),
        limit=graphene.Int(required=True),
        after=graphene.String(),
        includedObjectNameSingulars=graphene.List(graphene.NonNull(graphene.String)),
        excludedObjectNameSingulars=graphene.List(graphene.NonNull(graphene.String)),
        filter=graphene.Argument(ObjectRecordFilterInput),
        resolver=resolve_search,
    )
