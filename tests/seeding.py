"""Fixtures that keep the metadata, API-key and isolation suites fast.

- Seeding the standard objects takes about 0.2 s, and most tests need two workspaces:
  ``seeded_workspaces(scope)`` returns a fixture that creates "Acme" and "Globex" once per
  package or module (committed), hands each test fresh ``Workspace`` rows and deletes them at
  teardown. Each test still runs in its own rolled-back transaction, so nothing leaks.
- Every new test ``Client`` loads the middleware chain, and WhiteNoise then scans every static
  file (about 70 ms). With ``make_client`` from here, the ``api``, ``other_api`` and ``anonymous``
  clients (tests/conftest.py) share one loaded handler; cookies and credentials stay per client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pytest
from django.test.client import ClientHandler

from metadata_app.models import Workspace
from metadata_app.services.workspaces import create_workspace
from tests.conftest import ApiClient

__all__ = ["fast_client", "make_client", "other_workspace", "seeded_workspaces", "workspace"]

_HANDLER = ClientHandler(enforce_csrf_checks=False)


def seeded_workspaces(scope: Literal["module", "package", "session"]):
    """Return a fixture of the given scope that yields the ids of two seeded workspaces."""

    @pytest.fixture(scope=scope, name="seeded_workspace_ids")
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            ids = (create_workspace("Acme").pk, create_workspace("Globex").pk)
        yield ids
        with django_db_blocker.unblock():
            Workspace.objects.filter(pk__in=ids).delete()

    return fixture


def fast_client(token: str | None) -> ApiClient:
    """An ``ApiClient`` whose Django test client reuses the shared, already loaded handler."""
    client = ApiClient(token)
    client.client.handler = _HANDLER
    return client


@pytest.fixture
def workspace(db, seeded_workspace_ids) -> Workspace:
    """The seeded "Acme" workspace, read afresh for this test."""
    return Workspace.objects.get(pk=seeded_workspace_ids[0])


@pytest.fixture
def other_workspace(db, seeded_workspace_ids) -> Workspace:
    """The seeded "Globex" workspace, read afresh for this test."""
    return Workspace.objects.get(pk=seeded_workspace_ids[1])


@pytest.fixture
def make_client() -> Callable[[str | None], ApiClient]:
    """The API fixtures' clients (``api``, ``other_api``, ``anonymous``) reuse the loaded handler."""
    return fast_client


def store_records(workspace, object_name: str, *datas: dict, deleted: bool = False, deleted_at=None) -> list:
    """Write records of ``object_name`` holding ``data`` as given (keyed by storage keys), through the
    record store (index rows, unique values and counters included) but without the API's
    validation: for tests of data the API would not let in, of data-model changes over existing
    records, or of bulk loads. Each record is created a microsecond after the previous one.

    ``deleted`` trashes them on 2024-01-01; ``deleted_at`` at that instant."""
    from datetime import UTC, datetime, timedelta

    from core_app.services.context import RecordContext
    from core_app.services.writing import unique_pairs
    from core_app.store import unique, writer
    from core_app.store.ids import new_id
    from core_app.store.records import RecordRow
    from core_app.store.slots import build_object_slots
    from metadata_app.registry import schema_registry

    snapshot = schema_registry.current(workspace.pk)
    spec = snapshot.by_singular[object_name]
    ctx = RecordContext(workspace.pk, snapshot, spec, {})
    now = datetime.now(UTC)
    rows = [
        RecordRow(
            id=new_id(),
            workspace_id=str(workspace.pk),
            object_id=spec.id,
            data=dict(data),
            position=float(index),
            created_at=now + timedelta(microseconds=index),
            updated_at=now + timedelta(microseconds=index),
            deleted_at=deleted_at or (datetime(2024, 1, 1, tzinfo=UTC) if deleted else None),
            created_by=None,
            updated_by=None,
        )
        for index, data in enumerate(datas)
    ]
    values = [(field, value, row.id) for row in rows for field, value in unique_pairs(ctx, row.data).items()]
    unique.register(str(workspace.pk), spec.id, values)
    writer.insert(build_object_slots(spec), rows)
    return rows
