"""Plans that do not depend on luck: every hot query walks an index, on PostgreSQL, right after a
bulk load that nobody analysed (the planner has the tables' sizes but no statistics) and again
after ANALYZE. Each test reads the very SQL a request runs and asks PostgreSQL for its plan.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metadata_app.registry import schema_registry
from tests.seeding import store_records

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

PEOPLE = 20_000
COMPANIES = 400


@pytest.fixture
def crowd(api, workspace) -> dict[str, Any]:
    """20,000 people over 400 companies written in bulk (no ANALYZE), ``city`` marked indexed."""
    city = next(
        f for f in api.get("/rest/metadata/fields", limit="1000")[1]["data"]["fields"]
        if f["name"] == "city" and f["objectMetadataId"] == schema_registry.current(workspace.pk).by_singular["person"].id
    )  # fmt: skip
    assert api.patch(f"/rest/metadata/fields/{city['id']}", {"isIndexed": True})[0] == 200
    snapshot = schema_registry.current(workspace.pk)
    people_spec = snapshot.by_singular["person"]
    company_spec = snapshot.by_singular["company"]
    companies = store_records(
        workspace, "company", *({company_spec.field("name").storage_key: f"Company {n}"} for n in range(COMPANIES))
    )
    rng = random.Random(7)
    name, emails = people_spec.field("name"), people_spec.field("emails")
    company = people_spec.field("company")
    people = store_records(
        workspace,
        "person",
        *(
            {
                name.storage_key: {"firstName": f"F{n}", "lastName": f"L{n % 500}"},
                emails.storage_key: {"primaryEmail": f"p{n}@x.com", "additionalEmails": None},
                people_spec.field("city").storage_key: f"City {rng.randrange(100)}",
                company.join_storage_key: companies[n % COMPANIES].id,
            }
            for n in range(PEOPLE)
        ),
    )
    return {"companies": companies, "people": people}


def request_sql(api, path: str, **params: Any) -> list[str]:
    """The SQL statements on records that one request runs (after a warm-up request)."""
    assert api.get(path, **params)[0] == 200
    with CaptureQueriesContext(connection) as captured:
        status, body = api.get(path, **params)
    assert status == 200, body
    return [q["sql"] for q in captured.captured_queries if "core_app_record" in q["sql"]]


def plan_of(sql: str) -> str:
    """PostgreSQL's plan for ``sql``."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def analyze() -> None:
    with connection.cursor() as cursor:
        for table in ("core_app_record", "core_app_recordindex", "core_app_uniquevalue", "core_app_recordcount"):
            cursor.execute(f"ANALYZE {table}")


def assert_indexed(plans: list[str], *indexes: str) -> None:
    """Every plan reads the record store through indexes only, and uses each of ``indexes`` (each
    entry may list alternatives separated by ``|``)."""
    joined = "\n".join(plans)
    assert not re.search(r"Seq Scan on core_app_record(index|)\b", joined), joined
    # An index on records that does not lead with the id, used to find a record by id, reads
    # every record of the object per probe.
    assert not re.search(
        r"Index Scan using record_(position|created) on core_app_record \w+\s+Index Cond: [^\n]*id = ", joined
    ), joined
    for index in indexes:
        assert any(choice in joined for choice in index.split("|")), (index, joined)


HOT_QUERIES = [
    # Most records of the workspace are people here: the primary key in id order is as good as the
    # object's own index, and the planner may take either once it has statistics.
    pytest.param("/rest/people", {}, ("record_live|core_app_record_pkey",), id="list"),
    pytest.param("/rest/people", {"order_by": "name.lastName"}, ("record_index_key",), id="sort_indexed"),
    pytest.param(
        "/rest/people", {"order_by": "name.lastName[DescNullsFirst]"}, ("record_index_key",), id="sort_desc_nulls_first"
    ),
    pytest.param("/rest/people", {"order_by": "createdAt[DescNullsLast]"}, ("record_created",), id="sort_created"),
    pytest.param("/rest/people", {"filter": "city[eq]:City 7"}, ("record_index_key",), id="filter_eq"),
    pytest.param("/rest/people", {"filter": "name.lastName[startsWith]:L12"}, ("record_index_key",), id="prefix"),
    pytest.param(
        "/rest/people", {"filter": "emails.primaryEmail[eq]:p1234@x.com"}, ("record_index_key",), id="unique_value_eq"
    ),
    pytest.param(
        "/rest/people",
        {"filter": "city[eq]:City 7", "order_by": "name.lastName"},
        ("record_index_key",),
        id="filter_and_sort",
    ),
]


@pytest.mark.parametrize("statistics", [False, True], ids=["no_analyze", "analyzed"])
@pytest.mark.parametrize(("path", "params", "indexes"), HOT_QUERIES)
def test_hot_queries_walk_indexes(api, crowd, path, params, indexes, statistics):
    if statistics:
        analyze()
    plans = [plan_of(sql) for sql in request_sql(api, path, **params)]
    assert_indexed(plans, *indexes)


@pytest.mark.parametrize("statistics", [False, True], ids=["no_analyze", "analyzed"])
def test_relation_loads_probe_indexes(api, crowd, statistics):
    # given
    if statistics:
        analyze()
    company = crowd["companies"][3].id
    # when: a company with its people (one-to-many), people with their company (many-to-one)
    one_to_many = request_sql(api, f"/rest/companies/{company}", depth="1")
    many_to_one = request_sql(api, "/rest/people", depth="1", limit="60")
    # then
    people = next(sql for sql in one_to_many if "LATERAL" in sql)
    assert_indexed([plan_of(people)], "record_index_key")
    companies = next(sql for sql in many_to_one if "r.id IN" in sql and "LIMIT" not in sql)
    assert_indexed([plan_of(companies)], "core_app_record_pkey")


@pytest.mark.parametrize("statistics", [False, True], ids=["no_analyze", "analyzed"])
def test_counts_read_counters_or_the_index(api, crowd, statistics):
    if statistics:
        analyze()
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/rest/people", filter="city[eq]:City 7", limit="1")[0] == 200
    (count,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    plan = plan_of(count)
    assert "Index Only Scan using record_index_key" in plan, plan
    assert "core_app_record " not in count


@pytest.mark.parametrize("statistics", [False, True], ids=["no_analyze", "analyzed"])
def test_the_unique_lookup_of_a_create_uses_the_unique_key(api, crowd, statistics):
    if statistics:
        analyze()
    with CaptureQueriesContext(connection) as captured:
        status, _ = api.post("/rest/people", {"emails": {"primaryEmail": "new@x.com"}})
    assert status == 201
    (lookup,) = [q["sql"] for q in captured.captured_queries if "FROM core_app_uniquevalue" in q["sql"]]
    assert "core_app_uniquevalue_pkey" in plan_of(lookup)
