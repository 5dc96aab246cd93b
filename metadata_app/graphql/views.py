"""``POST /metadata``: the metadata GraphQL endpoint.

The request path (authentication by API key, introspection without a key, limits, error format)
is ``api_common.graphql.GraphQLEndpointView``'s, the same as ``/graphql``'s; this view serves
the metadata schema with a :class:`MetadataContext`.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.http import HttpRequest

from api_common.graphql import GraphQLEndpointView
from apikeys_app.authentication import authenticate_header
from apikeys_app.models import ApiKey
from metadata_app.graphql.context import MetadataContext
from metadata_app.graphql.schema import metadata_schema

__all__ = ["MetadataGraphQLView"]


class MetadataGraphQLView(GraphQLEndpointView):
    """The metadata schema over HTTP, authenticated by API key, in Twenty's error format."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schema", metadata_schema())
        super().__init__(**kwargs)

    def authenticate(self, request: HttpRequest) -> ApiKey:
        return authenticate_header(request.META.get("HTTP_AUTHORIZATION"), request)

    def prepare(self, request: HttpRequest, principal: ApiKey | None) -> tuple[graphene.Schema, MetadataContext]:
        return self.schema, MetadataContext(request, principal)
