"""Fixtures of the metadata GraphQL suite: seeded workspaces and GraphQL clients with real API keys."""

from __future__ import annotations

import pytest

from tests.graphql_metadata.helpers import GraphQLClient
from tests.seeding import other_workspace, seeded_workspaces, workspace  # noqa: F401  (fixtures)

seeded_workspace_ids = seeded_workspaces("package")


@pytest.fixture
def gql(api) -> GraphQLClient:
    """A GraphQL client with the key of the ``api`` fixture (workspace "Acme")."""
    return GraphQLClient(api.token)


@pytest.fixture
def other_gql(other_api) -> GraphQLClient:
    """A GraphQL client with a key of the "Globex" workspace."""
    return GraphQLClient(other_api.token)


@pytest.fixture
def anonymous_gql(workspace) -> GraphQLClient:
    """A GraphQL client without a key."""
    return GraphQLClient(None)
