"""Fixtures of the search suite: the record-store fixtures (seeded workspaces, keyed REST and GraphQL clients)."""

from __future__ import annotations

import pytest

from tests.store.conftest import (  # noqa: F401  (fixtures)
    gql,
    make_client,
    other_records,
    other_workspace,
    records,
    seeded_workspace_ids,
    workspace,
)


@pytest.fixture(autouse=True, params=["ranked", "walked", "mixed"])
def search_path(request, settings) -> str:
    """Every search test runs three times: as the data is (small ranges: ranked from the index), with
    every non-empty range taken for broad (``SEARCH_BROAD_RANGE_ROWS`` 0: the object walked in id
    order), and with ranges of one row narrow and larger ones broad (1: the narrow ranges' records
    ranked through the index, the rest walked), so every way of reading gives the answers expected."""
    settings.SEARCH_BROAD_RANGE_ROWS = {"ranked": 2000, "walked": 0, "mixed": 1}[request.param]
    return request.param
