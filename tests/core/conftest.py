"""Fixtures of the core REST suite: seeded workspaces and record factories that use the REST API.

Workspaces are seeded once per module (see ``tests/seeding.py``) and each test runs in its own
rolled-back transaction. The PostgreSQL-only tests that need ``transaction=True`` flush the
database when they end, so they come last in their module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.test.client import ClientHandler

from tests.conftest import ApiClient
from tests.core.helpers import first_value
from tests.seeding import other_workspace, seeded_workspaces, workspace  # noqa: F401  (fixtures)

seeded_workspace_ids = seeded_workspaces("module")

BATCH = 60

#: One request handler for every client of the suite. A test client builds its middleware chain
#: on its first request, and WhiteNoise (with finders) indexes every static file when it starts:
#: that costs more than most requests, once per test otherwise.
SHARED_HANDLER = ClientHandler()


def client_for(token: str | None) -> ApiClient:
    """An ``ApiClient`` sending ``token`` through the shared handler."""
    client = ApiClient(token)
    client.client.handler = SHARED_HANDLER
    return client


@pytest.fixture
def make_client() -> Callable[[str | None], ApiClient]:
    """The API fixtures' clients (``api``, ``other_api``, ``anonymous``) go through the shared handler."""
    return client_for


class Records:
    """Create records through the REST API and return them as the API answered."""

    def __init__(self, api) -> None:
        self.api = api

    def create(self, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /rest/{plural}`` (asserting the 201)."""
        status, answer = self.api.post(f"/rest/{plural}", body)
        assert status == 201, answer
        return first_value(answer)

    def batch(self, plural: str, bodies: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """``POST /rest/batch/{plural}`` in chunks of 60 (asserting each 201)."""
        bodies, created = list(bodies), []
        for start in range(0, len(bodies), BATCH):
            status, answer = self.api.post(f"/rest/batch/{plural}", bodies[start : start + BATCH])
            assert status == 201, answer
            created += first_value(answer)
        return created

    def person(self, first: str, last: str = "", email: str | None = None, **extra: Any) -> dict[str, Any]:
        """A person named ``first last``."""
        body: dict[str, Any] = {"name": {"firstName": first, "lastName": last}, **extra}
        if email is not None:
            body["emails"] = {"primaryEmail": email}
        return self.create("people", body)

    def company(self, name: str, domain: str | None = None, **extra: Any) -> dict[str, Any]:
        """A company called ``name``."""
        body: dict[str, Any] = {"name": name, **extra}
        if domain is not None:
            body["domainName"] = {"primaryLinkUrl": domain}
        return self.create("companies", body)

    def opportunity(self, name: str, **extra: Any) -> dict[str, Any]:
        """An opportunity called ``name``."""
        return self.create("opportunities", {"name": name, **extra})


@pytest.fixture
def records(api) -> Records:
    """Record factory of the ``api`` key's workspace."""
    return Records(api)


@pytest.fixture
def other_records(other_api) -> Records:
    """Record factory of the other workspace."""
    return Records(other_api)
