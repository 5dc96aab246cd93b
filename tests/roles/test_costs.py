"""What permission decisions cost: no query once a role version is compiled in the process (the key's
role is read in the key's own statement), and nothing per record."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roles_app.permissions import forget_permissions
from tests.graphql_core.helpers import GraphQL

#: The key (its workspace and role version in one statement), the page with its count; then the
#: relations of a person at depth 1: the company, and pointOfContactForOpportunities, noteTargets,
#: taskTargets, attachments and timelineActivities (one query for the five on PostgreSQL, one each on
#: SQLite): an Admin key's cost (see tests/core/test_query_counts.py).
ADMIN_DEPTH_1 = 2 + 1 + (1 if connection.vendor == "postgresql" else 5)


def warm_queries(client, path: str, **params) -> list[str]:
    """The SQL of a request after a first, warming one."""
    assert client.get(path, **params)[0] == 200
    with CaptureQueriesContext(connection) as captured:
        status, body = client.get(path, **params)
    assert status == 200, body
    return [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def people(records) -> None:
    """Twelve people, each with a company."""
    companies = records.batch("companies", [{"name": f"C{n}"} for n in range(12)])
    records.batch("people", [{"name": {"firstName": f"P{n}"}, "companyId": c["id"]} for n, c in enumerate(companies)])


@pytest.fixture
def restricted(roles):
    """A role that reads people but not their job title, and no companies."""
    nothing = dict.fromkeys(("read", "update", "soft_delete", "destroy"), False)
    return roles.make(
        "restricted",
        ("read",),
        objects={"companies": nothing},
        fields={("people", "jobTitle"): {"canReadFieldValue": False}},
    )


@pytest.mark.parametrize("limit", ["1", "12"])
def test_a_restricted_key_costs_no_more_queries_than_an_admin_key(api, roles, restricted, people, limit):
    # when
    admin = warm_queries(api, "/rest/people", depth="1", limit=limit)
    mine = warm_queries(roles.rest(restricted), "/rest/people", depth="1", limit=limit)

    # then: the same page, count and relations, minus the company (never loaded for this role)
    assert len(admin) == ADMIN_DEPTH_1
    assert len(mine) == ADMIN_DEPTH_1 - 1
    assert "roles_app_role" in mine[0] and "FROM apikeys_app_apikey k" in mine[0]


def test_a_role_is_compiled_once_per_version(api, roles, restricted, people):
    # given: a process that has not compiled the role yet
    client = roles.rest(restricted)
    forget_permissions()
    with CaptureQueriesContext(connection) as first:
        assert client.get("/rest/people", limit="1")[0] == 200

    # when
    with CaptureQueriesContext(connection) as second:
        assert client.get("/rest/people", limit="1")[0] == 200

    # then: the first request read the role's permissions; the next one did not
    assert any("roles_app_objectpermission" in q["sql"] for q in first.captured_queries)
    assert not any("roles_app_" in q["sql"] and "apikeys_app_apikey" not in q["sql"] for q in second.captured_queries)


def test_graphql_costs_the_same_with_a_restricted_schema(api, roles, restricted, people):
    # given
    query = "{ people(first: 12) { totalCount edges { node { id city pointOfContactForOpportunities { edges { node { id } } } } } } }"
    admin, mine = GraphQL(api), roles.gql(restricted)
    for client in (admin, mine):
        client.data(query)

    # when
    counts = []
    for client in (admin, mine):
        with CaptureQueriesContext(connection) as captured:
            client.data(query)
        counts.append(len(captured.captured_queries))

    # then
    assert counts[0] == counts[1]
