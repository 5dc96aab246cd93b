"""The static metadata schema: ``Query`` and ``Mutation`` assembled from this package and from the
apps that extend ``/metadata`` (webhooks_app registers its operations in its ``ready()``, since
this app may not import it: dependencies point from webhooks_app to metadata_app).
"""

from __future__ import annotations

from functools import cache

import graphene

from metadata_app.graphql.api_keys import ApiKeyMutations, ApiKeyQueries
from metadata_app.graphql.mutations import MetadataMutations
from metadata_app.graphql.queries import MetadataQueries
from metadata_app.graphql.roles import RoleMutations, RoleQueries
from metadata_app.graphql.workspace import WorkspaceMutations

__all__ = ["metadata_schema", "register_extension"]

_extensions: list[tuple[type, type]] = []


def register_extension(queries: type, mutations: type) -> None:
    """Add an app's query and mutation mixins to ``/metadata`` (call from ``AppConfig.ready``)."""
    if (queries, mutations) not in _extensions:
        _extensions.append((queries, mutations))
        metadata_schema.cache_clear()


@cache
def metadata_schema() -> graphene.Schema:
    """The schema of ``/metadata``, built once per process after every app registered."""
    # graphene lists the fields of the last base first; data-model fields come first in the schema.
    query = type(
        "Query",
        (*(q for q, _ in _extensions), RoleQueries, ApiKeyQueries, MetadataQueries, graphene.ObjectType),
        {"__doc__": "Every query of ``/metadata``."},
    )
    mutation = type(
        "Mutation",
        (
            *(m for _, m in _extensions),
            WorkspaceMutations,
            RoleMutations,
            ApiKeyMutations,
            MetadataMutations,
            graphene.ObjectType,
        ),
        {"__doc__": "Every mutation of ``/metadata``."},
    )
    return graphene.Schema(query=query, mutation=mutation)
