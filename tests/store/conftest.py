"""Fixtures of the record-store suite: the core REST fixtures (seeded workspaces, keyed clients,
record factories) and a GraphQL client of the same key."""

from __future__ import annotations

import pytest

from tests.core.conftest import (  # noqa: F401  (fixtures)
    make_client,
    other_records,
    records,
    seeded_workspace_ids,
)
from tests.graphql_core.helpers import GraphQL
from tests.seeding import other_workspace, workspace  # noqa: F401  (fixtures)


@pytest.fixture
def gql(api) -> GraphQL:
    """``POST /graphql`` with the ``api`` key."""
    return GraphQL(api)
