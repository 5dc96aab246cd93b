"""Fixtures of the import/export suite: seeded workspaces, clients that send files, and the real task worker.

- ``run_worker``: django-tasks-db's worker (the loop behind ``manage.py db_worker`` and
  ``webhook_worker``) in batch mode, in this process: it runs every due task, then returns. An
  import job runs on it exactly as in production (its continuations included).
- ``transfer``: a client of the ``api`` key that posts files (raw bodies, multipart) and reads jobs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ApiClient
from tests.core.conftest import Records, client_for
from tests.seeding import other_workspace, seeded_workspaces, workspace  # noqa: F401  (fixtures)
from tests.webhooks.conftest import run_worker, worker_run  # noqa: F401  (the same task worker runs imports)

seeded_workspace_ids = seeded_workspaces("module")


class Transfers:
    """Imports and exports through HTTP, with one API key."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def post_file(self, plural: str, body: bytes | str, content_type: str = "text/csv", headers=None, **params: Any):
        """``POST /rest/imports/{plural}`` with a raw body; ``(status, decoded JSON)``."""
        query = {k: (json.dumps(v) if k == "mapping" and not isinstance(v, str) else v) for k, v in params.items()}
        from urllib.parse import urlencode

        path = f"/rest/imports/{plural}" + (f"?{urlencode(query)}" if query else "")
        data = body.encode() if isinstance(body, str) else body
        response = self.api.client.post(
            path, data=data, content_type=content_type, **self.api.headers(), **(headers or {})
        )
        return response.status_code, json.loads(response.content), response

    def multipart(self, plural: str, name: str, body: bytes, **fields: Any):
        """``POST /rest/imports/{plural}`` with a multipart form (``file`` plus fields)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {k: (json.dumps(v) if k == "mapping" else v) for k, v in fields.items()}
        data["file"] = SimpleUploadedFile(name, body, content_type="application/octet-stream")
        response = self.api.client.post(f"/rest/imports/{plural}", data=data, **self.api.headers())
        return response.status_code, json.loads(response.content)

    def job(self, job_id: str) -> dict[str, Any]:
        status, body = self.api.get(f"/rest/imports/{job_id}")
        assert status == 200, body
        return body["data"]

    def errors(self, job_id: str) -> list[dict[str, Any]]:
        status, body = self.api.get(f"/rest/imports/{job_id}/errors")
        assert status == 200, body
        return body["data"]

    def export(self, plural: str, **params: Any):
        """``GET /rest/exports/{plural}``: ``(status, body bytes, response)``."""
        response = self.api.client.get(f"/rest/exports/{plural}", params, **self.api.headers())
        content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        return response.status_code, content, response


@pytest.fixture
def api(workspace) -> ApiClient:
    from apikeys_app.services import create_api_key

    _, token = create_api_key(workspace, {"name": "test key"})
    return client_for(token)


@pytest.fixture
def other_api(other_workspace) -> ApiClient:
    from apikeys_app.services import create_api_key

    _, token = create_api_key(other_workspace, {"name": "other key"})
    return client_for(token)


@pytest.fixture
def transfer(api) -> Transfers:
    return Transfers(api)


@pytest.fixture
def other_transfer(other_api) -> Transfers:
    return Transfers(other_api)


@pytest.fixture
def records(api) -> Records:
    return Records(api)
