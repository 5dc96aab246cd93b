"""Shared fixtures: real workspaces, real API keys, real HTTP requests through Django's test client."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from apikeys_app.services import create_api_key
from metadata_app.registry import schema_registry
from metadata_app.services.workspaces import create_workspace
from roles_app.permissions import forget_permissions

#: The tables of the record store, which a distributed deployment (Citus) shards by workspace.
TENANT_TABLES = ("core_app_recordindex", "core_app_uniquevalue", "core_app_recordcount", "core_app_record")
_TABLE_REFERENCE = re.compile(
    r'(FROM|JOIN|UPDATE|INTO|COPY)\s+"?('
    + "|".join(TENANT_TABLES)
    + r')"?(?:\s+(?:AS\s+)?(?!WHERE|ON|SET|USING|VALUES|\(|WITH)(\w+))?',
    re.IGNORECASE,
)


def unscoped_reference(sql: str) -> str | None:
    """The first store table ``sql`` reads or writes without a workspace predicate, or None.

    Every statement on the record store must carry the workspace: a comparison of the referencing
    alias's ``workspace_id`` (``= ...``/``IN (...)``, a join on it included), or the column itself
    in an INSERT/COPY column list, so that a distributed database can route it to one shard.
    """
    if sql.lstrip().upper().startswith(("CREATE", "DROP", "ALTER", "TRUNCATE", "ANALYZE", "VACUUM", "EXPLAIN")):
        return None
    for match in _TABLE_REFERENCE.finditer(sql):
        verb, table, alias = match.group(1).upper(), match.group(2), match.group(3)
        if verb in ("INTO", "COPY"):
            columns = sql[match.end() : sql.find(")", match.end()) + 1]
            if "workspace_id" in columns:
                continue
            return table
        names = [re.escape(f"{alias}.workspace_id")] if alias else [
            re.escape(f'"{table}"."workspace_id"'), re.escape(f"{table}.workspace_id"), r"(?<![.\w\"])workspace_id"
        ]  # fmt: skip
        if not any(re.search(name + r"\s*(=|IN\b)", sql, re.IGNORECASE) for name in names):
            return f"{table} {alias or ''}".strip()
    return None


@pytest.fixture(autouse=True)
def statements_name_their_workspace():
    """Fail a test whose requests sent the record store a statement without a workspace predicate."""
    offending: list[str] = []

    def check(execute, sql, params, many, context):
        if isinstance(sql, str) and unscoped_reference(sql):
            offending.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(check):
        yield
    assert not offending, f"statements on the record store without workspace_id: {offending[:3]}"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip ``postgres_only`` tests on any other database."""
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture(autouse=True)
def rate_limits_off(settings):
    """Rate limits are tested in tests/guards; elsewhere they would add a statement to every request."""
    settings.RATE_LIMIT_ENABLED = False


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

    def headers(self) -> dict[str, Any]:
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
def make_client() -> Callable[[str | None], ApiClient]:
    """How ``api``, ``other_api`` and ``anonymous`` build their client from a token.

    A package's conftest overrides it, e.g. to reuse one loaded request handler (``tests.seeding``).
    """
    return ApiClient


@pytest.fixture
def api(workspace, make_client) -> ApiClient:
    """A client authenticated with a fresh key (called "test key") of ``workspace``."""
    _, token = create_api_key(workspace, {"name": "test key"})
    return make_client(token)


@pytest.fixture
def other_api(other_workspace, make_client) -> ApiClient:
    """A client authenticated with a fresh key (called "other key") of ``other_workspace``."""
    _, token = create_api_key(other_workspace, {"name": "other key"})
    return make_client(token)


@pytest.fixture
def anonymous(make_client) -> ApiClient:
    """A client without any key."""
    return make_client(None)
