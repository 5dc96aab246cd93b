"""Metadata REST (``/rest/metadata/objects|fields[/{id}]``) in Twenty's legacy envelopes.

Views only parse, call a service and shape the answer; every rule lives in the services.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Prefetch
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_common.errors import BadRequest
from api_common.pagination import paginate_by_id
from apikeys_app.authentication import api_key_of
from metadata_app.models import FieldMetadata, ObjectMetadata
from metadata_app.rest.serialize import field_to_api, object_to_api
from metadata_app.services import fields as field_services
from metadata_app.services import objects as object_services
from roles_app.flags import DATA_MODEL

__all__ = ["MetadataView", "metadata_path_error"]

FIELD_RELATED = ("object", "relation_target_object", "relation_target_field")
VALID_PATHS = "/rest/metadata/objects or /rest/metadata/fields or /rest/metadata/webhooks or /rest/metadata/apiKeys"


def metadata_path_error(path: str, resource: str) -> BadRequest:
    """The 400 for an unknown metadata path."""
    return BadRequest(
        f"Query path '{path}' invalid. Metadata path \"{resource}\" does not exist. Valid examples: {VALID_PATHS}"
    )


def fields_queryset(workspace: Any):
    """Fields of a workspace with what their API shape needs, in one query."""
    return FieldMetadata.objects.filter(workspace=workspace).select_related(*FIELD_RELATED)


class ObjectsResource:
    """Objects: names of the envelope keys and how to read, write and shape them."""

    plural, singular, cap = "objects", "object", "Object"

    def queryset(self, workspace: Any):
        fields = Prefetch(
            "fields", queryset=FieldMetadata.objects.select_related(*FIELD_RELATED).order_by("created_at", "name")
        )
        return ObjectMetadata.objects.filter(workspace=workspace).prefetch_related(fields)

    def shape(self, obj: ObjectMetadata) -> dict[str, Any]:
        return object_to_api(obj, obj.fields.all())

    def get(self, workspace: Any, pk: str | UUID):
        object_services.get_object(workspace, pk)
        return self.queryset(workspace).get(pk=pk)

    def create(self, workspace: Any, data: Any):
        return self.get(workspace, object_services.create_object(workspace, data).pk)

    def update(self, workspace: Any, pk: str, data: Any):
        return self.get(workspace, object_services.update_object(workspace, pk, data).pk)

    def delete(self, workspace: Any, pk: str) -> dict[str, Any]:
        obj = object_services.delete_object(workspace, pk)
        return object_to_api(obj, obj.deleted_fields)


class FieldsResource:
    """Fields: envelope keys and services."""

    plural, singular, cap = "fields", "field", "Field"

    def queryset(self, workspace: Any):
        return fields_queryset(workspace)

    def shape(self, field: FieldMetadata) -> dict[str, Any]:
        return field_to_api(field)

    def get(self, workspace: Any, pk: str | UUID):
        field_services.get_field(workspace, pk)
        return self.queryset(workspace).get(pk=pk)

    def create(self, workspace: Any, data: Any):
        return self.get(workspace, field_services.create_field(workspace, data).pk)

    def update(self, workspace: Any, pk: str, data: Any):
        return self.get(workspace, field_services.update_field(workspace, pk, data).pk)

    def delete(self, workspace: Any, pk: str) -> dict[str, Any]:
        return field_to_api(field_services.delete_field(workspace, pk))


RESOURCES = {"objects": ObjectsResource(), "fields": FieldsResource()}


class MetadataView(APIView):
    """``/rest/metadata/<resource>[/<id>]`` for objects and fields; changes need the ``DATA_MODEL`` permission."""

    write_permission_flag = DATA_MODEL

    def resource(self, request: Request, resource: str):
        handler = RESOURCES.get(resource)
        if handler is None:
            raise metadata_path_error(request.path.removeprefix("/rest/metadata/"), resource)
        return handler

    def get(self, request: Request, resource: str, pk: str | None = None) -> Response:
        handler, workspace = self.resource(request, resource), api_key_of(request).workspace
        if pk is not None:
            return Response({"data": {handler.singular: handler.shape(handler.get(workspace, pk))}})
        page = paginate_by_id(handler.queryset(workspace), request.query_params)
        return Response(
            {
                "data": {handler.plural: [handler.shape(row) for row in page.rows]},
                "pageInfo": page.page_info,
                "totalCount": page.total_count,
            }
        )

    def post(self, request: Request, resource: str, pk: str | None = None) -> Response:
        handler = self.resource(request, resource)
        if pk is not None:
            raise BadRequest(
                f"create {handler.singular} query invalid. Remove the id from the path: POST /rest/metadata/{resource}",
            )
        row = handler.create(api_key_of(request).workspace, request.data)
        return Response({"data": {f"createOne{handler.cap}": handler.shape(row)}}, status=201)

    def patch(self, request: Request, resource: str, pk: str | None = None) -> Response:
        handler = self.resource(request, resource)
        if pk is None:
            raise BadRequest(
                f"update {handler.singular} query invalid. Id missing. eg: /rest/metadata/{resource}/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56",
            )
        row = handler.update(api_key_of(request).workspace, pk, request.data)
        return Response({"data": {f"updateOne{handler.cap}": handler.shape(row)}})

    put = patch

    def delete(self, request: Request, resource: str, pk: str | None = None) -> Response:
        handler = self.resource(request, resource)
        if pk is None:
            raise BadRequest(
                f"delete {handler.singular} query invalid. Id missing. eg: /rest/metadata/{resource}/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56",
            )
        return Response({"data": {f"deleteOne{handler.cap}": handler.delete(api_key_of(request).workspace, pk)}})
