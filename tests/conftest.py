"""Shared fixtures: real workspaces, real API keys, real HTTP requests through Django's test client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from apikeys_app.services import create_api_key
from metadata_app.registry import schema_registry
from metadata_app.services.workspaces import create_workspace
from roles_app.permissions import forget_permissions


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip ``postgres_only`` tests on any other database."""
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture(autouse=True)
def fresh_registry():
    """Never assume a cache is cold, or warm (schema snapshots and compiled roles alike)."""
    schema_registry.clear()
    forget_permissions()
    yield
    schema_registry.clear()
    forget_permissions()


class ApiClient:
    """A test client that sends JSON with an API key and returns (status, decoded body)."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def request(self, method: str, path: str, body: Any = None, raw: bytes | str | None = None, **params: Any):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        call = getattr(self.client, method.lower())
        if method.upper() in ("GET", "HEAD"):
            response = call(path, params or None, **self.headers())
        else:
            if params:
                from urllib.parse import urlencode

                path = f"{path}?{urlencode(params)}"
            response = call(path, data=data or "", content_type="application/json", **self.headers())
        content = response.content
        return response.status_code, (json.loads(content) if content else None)

    def get(self, path: str, **params: Any):
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def workspace(db):
    """A workspace seeded with the standard objects."""
    return create_workspace("Acme")


@pytest.fixture
def other_workspace(db):
    """A second workspace, to prove the first one's key sees nothing of it."""
    return create_workspace("Globex")


@pytest.fixture
def api(workspace) -> ApiClient:
    """A client authenticated with a fresh key of ``workspace``."""
    _, token = create_api_key(workspace, {"name": "test key"})
    return ApiClient(token)


@pytest.fixture
def other_api(other_workspace) -> ApiClient:
    """A client authenticated with a key of ``other_workspace``."""
    _, token = create_api_key(other_workspace, {"name": "other key"})
    return ApiClient(token)


@pytest.fixture
def anonymous() -> ApiClient:
    """A client without any key."""
    return ApiClient(None)
