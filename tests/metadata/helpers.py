"""Helpers shared by the metadata, API-key and isolation tests: ids by name, API shortcuts, matchers."""

from __future__ import annotations

import re
from typing import Any

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace

__all__ = [
    "INSTANT",
    "STANDARD_NAMES",
    "UUID",
    "Matches",
    "create_field",
    "create_object",
    "deactivate_and_delete",
    "error",
    "field_id",
    "object_id",
    "version_of",
]

#: ``nameSingular`` of every object a new workspace is seeded with, sorted (api-reference §4, §16, §17).
STANDARD_NAMES = [
    "attachment",
    "company",
    "note",
    "noteTarget",
    "opportunity",
    "person",
    "task",
    "taskTarget",
    "timelineActivity",
    "workspaceMember",
]


class Matches:
    """Equal to any string that fully matches ``pattern`` (for generated ids and timestamps)."""

    def __init__(self, pattern: str, name: str) -> None:
        self.pattern = re.compile(pattern)
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __repr__(self) -> str:
        return self.name


UUID = Matches(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
INSTANT = Matches(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "<instant>")


def error(status: int, message: str) -> dict[str, Any]:
    """The error body the API answers for ``status`` with one message."""
    names = {400: "BadRequestException", 401: "UnauthorizedException", 404: "NotFoundException"}
    return {"statusCode": status, "error": names[status], "messages": [message]}


def object_id(workspace: Workspace, name_singular: str) -> str:
    """Id of the object called ``name_singular`` in ``workspace``."""
    return str(ObjectMetadata.objects.get(workspace=workspace, name_singular=name_singular).pk)


def field_id(workspace: Workspace, object_name: str, field_name: str) -> str:
    """Id of the field ``object_name.field_name`` in ``workspace``."""
    return str(FieldMetadata.objects.get(workspace=workspace, object__name_singular=object_name, name=field_name).pk)


def version_of(workspace: Workspace) -> int:
    """The metadata version stored now."""
    return Workspace.objects.values_list("metadata_version", flat=True).get(pk=workspace.pk)


def create_object(api, singular: str = "rocket", plural: str = "rockets", **extra: Any) -> dict[str, Any]:
    """Create a custom object through the API and return it (asserting the 201)."""
    body = {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": singular.title(),
        "labelPlural": plural.title(),
        **extra,
    }
    status, answer = api.post("/rest/metadata/objects", body)
    assert status == 201, answer
    return answer["data"]["createOneObject"]


def create_field(api, object_metadata_id: str, name: str, type: str = "TEXT", **extra: Any) -> dict[str, Any]:
    """Create a field through the API and return it (asserting the 201)."""
    body = {"objectMetadataId": object_metadata_id, "type": type, "name": name, "label": name.title(), **extra}
    status, answer = api.post("/rest/metadata/fields", body)
    assert status == 201, answer
    return answer["data"]["createOneField"]


def deactivate_and_delete(api, path: str) -> tuple[int, Any]:
    """Deactivate the object or field at ``path`` (``isActive: false``), then delete it: the answer of the DELETE."""
    status, body = api.patch(path, {"isActive": False})
    assert status == 200, body
    return api.delete(path)
