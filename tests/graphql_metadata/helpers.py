"""A client that POSTs GraphQL operations to ``/metadata`` through Django's test client."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from metadata_app.models import FieldMetadata, ObjectMetadata

__all__ = ["GraphQLClient", "error_of", "field_id", "object_id"]


class GraphQLClient:
    """Sends ``{query, variables}`` as JSON with an optional API key; returns (status, decoded body)."""

    def __init__(self, token: str | None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def post(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> tuple[int, Any]:
        """POST one operation."""
        body = {"query": query, **({"variables": variables} if variables is not None else {}), **extra}
        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        response = self.client.post("/metadata", data=json.dumps(body), content_type="application/json", **headers)
        return response.status_code, json.loads(response.content)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one operation that must succeed; return its ``data``."""
        status, body = self.post(query, variables)
        assert status == 200 and "errors" not in body, body
        return body["data"]


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    """The only error of an answer, without its ``locations`` (they depend on the query's layout)."""
    assert len(body["errors"]) == 1, body
    return {key: value for key, value in body["errors"][0].items() if key != "locations"}


def object_id(workspace: Any, name_singular: str) -> str:
    """Id of the object ``name_singular`` of ``workspace``."""
    return str(ObjectMetadata.objects.get(workspace=workspace, name_singular=name_singular).pk)


def field_id(workspace: Any, object_name: str, field_name: str) -> str:
    """Id of the field ``object_name.field_name`` of ``workspace``."""
    return str(FieldMetadata.objects.get(workspace=workspace, object__name_singular=object_name, name=field_name).pk)
