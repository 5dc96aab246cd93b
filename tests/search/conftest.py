"""Fixtures of the search suite: the record-store fixtures (seeded workspaces, keyed REST and GraphQL clients)."""

from __future__ import annotations

from tests.store.conftest import (  # noqa: F401  (fixtures)
    gql,
    make_client,
    other_records,
    other_workspace,
    records,
    seeded_workspace_ids,
    workspace,
)
