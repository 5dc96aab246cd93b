"""Query fields of objects, fields and the workspace: ``objects``, ``object``, ``fields``, ``field``, ``currentWorkspace``."""

from __future__ import annotations

from typing import Any

import graphene

from metadata_app.graphql.context import workspace_of
from metadata_app.graphql.filters import (
    FIELD_FILTER_ATTRIBUTES,
    OBJECT_FILTER_ATTRIBUTES,
    FieldFilter,
    ObjectFilter,
    read_filter,
)
from metadata_app.graphql.loading import (
    ObjectBatch,
    fields_queryset,
    load_field,
    load_object,
    objects_queryset,
    prepare_fields,
)
from metadata_app.graphql.paging import Page, PageRequest, page_queryset
from metadata_app.graphql.scalars import UUID
from metadata_app.graphql.types import (
    FieldConnection,
    FieldNode,
    ObjectConnection,
    ObjectNode,
    WorkspaceNode,
    filter_argument,
    paging_argument,
)
from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.rest.serialize import base_url, workspace_to_api

__all__ = ["MetadataQueries"]


class MetadataQueries(graphene.ObjectType):
    """Read the caller's data model: lists are connections ordered by id."""

    objects = graphene.NonNull(ObjectConnection, paging=paging_argument(), filter=filter_argument(ObjectFilter))
    object = graphene.NonNull(ObjectNode, id=UUID(required=True))
    fields = graphene.NonNull(FieldConnection, paging=paging_argument(), filter=filter_argument(FieldFilter))
    field = graphene.NonNull(FieldNode, id=UUID(required=True))
    current_workspace = graphene.NonNull(WorkspaceNode)

    @staticmethod
    def resolve_objects(root: Any, info: Any, paging: Any, filter: Any) -> Page:
        """A page of the workspace's objects; their fields load together when asked for."""
        workspace, request = workspace_of(info), PageRequest.parse(paging)
        condition = read_filter(filter, OBJECT_FILTER_ATTRIBUTES)
        page = page_queryset(objects_queryset(workspace).filter(condition.to_q()), request)
        ObjectBatch(page.rows)
        return page

    @staticmethod
    def resolve_object(root: Any, info: Any, id: Any) -> ObjectMetadata:
        """One object of the workspace; NOT_FOUND for any other id."""
        return load_object(workspace_of(info), id)

    @staticmethod
    def resolve_fields(root: Any, info: Any, paging: Any, filter: Any) -> Page:
        """A page of the workspace's fields (of every object unless filtered by ``objectMetadataId``)."""
        workspace, request = workspace_of(info), PageRequest.parse(paging)
        condition = read_filter(filter, FIELD_FILTER_ATTRIBUTES)
        page = page_queryset(fields_queryset(workspace).filter(condition.to_q()), request)
        prepare_fields(page.rows)
        return page

    @staticmethod
    def resolve_field(root: Any, info: Any, id: Any) -> FieldMetadata:
        """One field of the workspace; NOT_FOUND for any other id."""
        return load_field(workspace_of(info), id)

    @staticmethod
    def resolve_current_workspace(root: Any, info: Any) -> dict[str, Any]:
        """The workspace of the API key that authenticated the request, with its settings."""
        workspace = Workspace.objects.get(pk=workspace_of(info).pk)
        return workspace_to_api(workspace, base_url(info.context.request))
