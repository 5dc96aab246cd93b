"""Matchers, error bodies and metadata shortcuts shared by the core REST suite.

Everything here goes through the public API (``/rest/metadata/...`` and ``/rest/...``); nothing
reaches into the record service.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "INSTANT",
    "MISSING_ID",
    "PATH_EXAMPLES",
    "UUID",
    "Matches",
    "actor",
    "bad_request",
    "create_custom_object",
    "create_field",
    "error",
    "first_value",
    "ids_of",
    "not_found",
    "relation_field",
]

#: A well-formed UUID that no record has.
MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
PATH_EXAMPLES = "/rest/companies/id or /rest/companies or /rest/batch/companies or /rest/restore/companies/id"


class Matches:
    """Equal to any string that fully matches ``pattern`` (generated ids, timestamps)."""

    def __init__(self, pattern: str, name: str) -> None:
        self.pattern = re.compile(pattern)
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __repr__(self) -> str:
        return self.name


UUID = Matches(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
INSTANT = Matches(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "<instant>")

ERROR_NAMES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
}


def error(status: int, *messages: str) -> dict[str, Any]:
    """The error body of the API for ``status`` and ``messages``."""
    return {"statusCode": status, "error": ERROR_NAMES[status], "messages": list(messages)}


def bad_request(*messages: str) -> tuple[int, dict[str, Any]]:
    """``(400, body)`` as an ``ApiClient`` call returns it."""
    return 400, error(400, *messages)


def not_found(plural: str, record_id: str) -> tuple[int, dict[str, Any]]:
    """``(404, body)`` for an unknown record id."""
    return 404, error(404, f"Record {record_id} not found in {plural}")


def actor(name: str = "test key") -> dict[str, Any]:
    """The ``createdBy``/``updatedBy`` of a change made with the API key called ``name``."""
    return {"source": "API", "workspaceMemberId": None, "name": name, "context": {}}


def first_value(body: dict[str, Any]) -> Any:
    """The single value under ``data`` (``createPerson``, ``people``...)."""
    (value,) = body["data"].values()
    return value


def ids_of(records: list[dict[str, Any]]) -> list[str]:
    """The ``id`` of each record, in order."""
    return [record["id"] for record in records]


def create_custom_object(api, singular: str, plural: str) -> str:
    """Create a custom object through ``POST /rest/metadata/objects``; return its id."""
    body = {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": singular.title(),
        "labelPlural": plural.title(),
    }
    status, answer = api.post("/rest/metadata/objects", body)
    assert status == 201, answer
    return answer["data"]["createOneObject"]["id"]


def create_field(api, object_id: str, name: str, type: str, **extra: Any) -> dict[str, Any]:
    """Create a field through ``POST /rest/metadata/fields``; return it."""
    body = {"objectMetadataId": object_id, "type": type, "name": name, "label": name.title(), **extra}
    status, answer = api.post("/rest/metadata/fields", body)
    assert status == 201, answer
    return answer["data"]["createOneField"]


def relation_field(api, object_id: str, name: str, target_object_id: str, target_name: str) -> dict[str, Any]:
    """Create a MANY_TO_ONE relation ``name`` (and its ONE_TO_MANY side ``target_name``)."""
    return create_field(
        api,
        object_id,
        name,
        "RELATION",
        relationCreationPayload={
            "targetObjectMetadataId": target_object_id,
            "targetFieldLabel": target_name.title(),
            "targetFieldName": target_name,
            "type": "MANY_TO_ONE",
        },
    )


def object_id_of(api, singular: str) -> str:
    """Id of the object called ``singular`` in the caller's workspace (read through the metadata API)."""
    status, answer = api.get("/rest/metadata/objects")
    assert status == 200, answer
    return next(o["id"] for o in answer["data"]["objects"] if o["nameSingular"] == singular)


__all__ += ["object_id_of"]
