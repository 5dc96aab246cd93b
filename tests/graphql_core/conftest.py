"""Fixtures of the core GraphQL suite: seeded workspaces (tests/seeding.py), GraphQL clients and a
read-only data set.

Workspaces are seeded once per module and each test runs in its own rolled-back transaction.
``reader`` writes the data set of ``dataset.py`` into the first workspace once per module
(committed, removed with the workspace); modules that use it only read it, or write inside
their own rolled-back test transaction.
"""

from __future__ import annotations

import pytest

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace
from metadata_app.registry import schema_registry
from roles_app.permissions import forget_permissions
from tests.conftest import ApiClient
from tests.graphql_core.dataset import build_dataset
from tests.graphql_core.helpers import GraphQL
from tests.seeding import fast_client, make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401

seeded_workspace_ids = seeded_workspaces("module")


@pytest.fixture(autouse=True)
def fresh_registry(db, seeded_workspace_ids):
    """Replaces tests/conftest.py's fixture of the same name: forget every cached schema after a test
    that changed metadata, keep the others.

    Building a workspace's GraphQL schema takes about half a second, so clearing the registry
    before every test would make this suite several times slower. Entries of the committed
    metadata versions stay valid across tests. A test that changes metadata reaches version
    V+1, and the next such test, after the rollback, reaches a *different* V+1: its entries must
    not survive, so the registry is cleared whenever a workspace's version moved during the test.
    """

    def versions() -> dict:
        return dict(Workspace.objects.filter(pk__in=seeded_workspace_ids).values_list("pk", "metadata_version"))

    before = versions()
    yield
    if versions() != before:
        schema_registry.clear()
    # Role versions go back with a rollback too; compiling a role again costs a few queries.
    forget_permissions()


@pytest.fixture
def gql(api) -> GraphQL:
    """``POST /graphql`` with the ``api`` key of ``workspace``."""
    return GraphQL(api)


@pytest.fixture
def other_gql(other_api) -> GraphQL:
    """``POST /graphql`` with a key of ``other_workspace``."""
    return GraphQL(other_api)


@pytest.fixture(scope="module")
def reader(seeded_workspace_ids, django_db_blocker) -> ApiClient:
    """A client of the first workspace, whose data set is written once for the module."""
    with django_db_blocker.unblock():
        workspace = Workspace.objects.get(pk=seeded_workspace_ids[0])
        client = fast_client(create_api_key(workspace, {"name": "reader"})[1])
        build_dataset(client)
    return client


@pytest.fixture
def rgql(db, reader) -> GraphQL:
    """``POST /graphql`` with the ``reader`` key (the data set's workspace)."""
    return GraphQL(reader)
