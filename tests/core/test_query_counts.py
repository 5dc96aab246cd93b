"""SQL cost of the read path (docs/architecture.md, "How a read is planned"): a constant number of queries whatever the page
size, at depth 0, 1 and 2; batch creates in one INSERT; and, on PostgreSQL, index use read from
``EXPLAIN`` of the very SQL a request runs.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace
from tests.conftest import ApiClient
from tests.core.conftest import Records, client_for
from tests.statements import cost, writes, written_tables

# What one request costs once the API key was used in the last minute (no last-used write) and
# the workspace's schema snapshot is cached (both true after one warm-up request):
#: 1 the API key with its workspace (one SELECT with a join), 2 the page of records, which also
#: reads the object's live count (unfiltered: the counter, ``planner.page_rows``).
FIND_MANY_DEPTH_0 = 2
#: On PostgreSQL the ONE_TO_MANY relations of a level are read together, in one query
#: (``core_app.services.loading.default_pages``); SQLite reads each in a query of its own.
TOGETHER = connection.vendor == "postgresql"
#: + the company (MANY_TO_ONE), then pointOfContactForOpportunities, noteTargets, taskTargets,
#: attachments and timelineActivities (ONE_TO_MANY).
FIND_MANY_DEPTH_1 = FIND_MANY_DEPTH_0 + 1 + (1 if TOGETHER else 5)
#: + the ONE_TO_MANY relations of the embedded companies (people, opportunities, noteTargets,
#: taskTargets, attachments, timelineActivities; accountOwner costs nothing while no company has
#: one), the relations of the embedded opportunities (company and pointOfContact, two MANY_TO_ONE
#: read together in one query on both databases, then noteTargets, taskTargets, attachments and
#: timelineActivities) and of the embedded activities (targetPerson; their other targets and
#: workspaceMember are empty).
FIND_MANY_DEPTH_2 = FIND_MANY_DEPTH_1 + (1 if TOGETHER else 6) + 1 + (1 if TOGETHER else 4) + 1
#: The API key, then the record.
FIND_ONE = 2

#: Page sizes: the cost must not depend on them.
SIZES = [pytest.param("1", id="1_record"), pytest.param("10", id="10_records"), pytest.param("60", id="60_records")]


@pytest.fixture(scope="module")
def reader(seeded_workspace_ids, django_db_blocker) -> ApiClient:
    """A client of a workspace holding 60 people, written once for the module: each has a company
    of their own and an opportunity (of that company) they are the point of contact of."""
    with django_db_blocker.unblock():
        _, token = create_api_key(Workspace.objects.get(pk=seeded_workspace_ids[0]), {"name": "counter"})
        client = client_for(token)
        records = Records(client)
        companies = records.batch("companies", [{"name": f"Company {n}"} for n in range(60)])
        people = records.batch(
            "people", [{"name": {"firstName": f"P{n}"}, "companyId": c["id"]} for n, c in enumerate(companies)]
        )
        records.batch(
            "opportunities",
            [
                {"name": f"Deal {n}", "companyId": c["id"], "pointOfContactId": p["id"]}
                for n, (c, p) in enumerate(zip(companies, people))
            ],
        )
    return client


def queries_of(api, path: str, **params) -> list[str]:
    """The SQL a warm request runs (after a warm-up request of the same kind)."""
    assert api.get(path, **params)[0] == 200
    with CaptureQueriesContext(connection) as captured:
        status, body = api.get(path, **params)
    assert status == 200, body
    return [query["sql"] for query in captured.captured_queries]


def page_of(reader, limit: str, **params) -> list[str]:
    """The SQL of a warm find many of ``limit`` people, checking the page size."""
    status, body = reader.get("/rest/people", limit=limit, **params)
    assert status == 200 and len(body["data"]["people"]) == int(limit), body
    return queries_of(reader, "/rest/people", limit=limit, **params)


@pytest.mark.parametrize("limit", SIZES)
def test_find_many_at_depth_0_costs_the_key_the_page_and_the_count(db, reader, limit):
    # when
    queries = page_of(reader, limit)
    # then
    assert len(queries) == FIND_MANY_DEPTH_0
    assert "FROM apikeys_app_apikey k" in queries[0]
    # An unfiltered count reads the object's counter rows, not its records, in the page's statement.
    assert queries[1].startswith("SELECT q.*, (SELECT COALESCE(SUM(live), 0) FROM core_app_recordcount ")
    assert "FROM core_app_record r" in queries[1] and "ORDER BY" in queries[1]


@pytest.mark.parametrize("limit", SIZES)
def test_selecting_search_vector_costs_no_query(db, reader, limit):
    # given: a record's searchVector is computed from its values, read with the page
    status, body = reader.get("/rest/people", limit="1", fields="searchVector")
    assert (status, body["data"]["people"][0]["searchVector"]) == (200, "p0")
    # when
    listed = page_of(reader, limit, fields="id,searchVector")
    one = queries_of(reader, f"/rest/people/{body['data']['people'][0]['id']}", fields="searchVector")
    # then
    assert (len(listed), len(one)) == (FIND_MANY_DEPTH_0, FIND_ONE)


@pytest.mark.parametrize("limit", SIZES)
def test_find_many_at_depth_1_costs_one_query_per_relation(db, reader, limit):
    assert len(page_of(reader, limit, depth="1")) == FIND_MANY_DEPTH_1


@pytest.mark.parametrize("limit", SIZES)
def test_find_many_at_depth_2_costs_one_query_per_relation_and_level(db, reader, limit):
    assert len(page_of(reader, limit, depth="2")) == FIND_MANY_DEPTH_2


def test_a_filtered_and_sorted_page_costs_one_count_more_than_a_plain_one(db, reader):
    # The filter's count is a statement of its own (it also tells the planner how many records match).
    queries = page_of(reader, "10", filter="name.firstName[like]:P%", order_by="name.firstName[DescNullsLast]")
    assert len(queries) == FIND_MANY_DEPTH_0 + 1
    assert queries[1].startswith("SELECT COUNT(*) FROM core_app_record r")


def test_find_one_costs_the_key_and_the_record(api, records):
    person = records.person("Ada")
    assert len(queries_of(api, f"/rest/people/{person['id']}")) == FIND_ONE


def batch_queries(api, size: int, offset: int) -> list[str]:
    """The SQL of one batch create of ``size`` people with unique emails and a company link."""
    company = Records(api).company(f"Company {offset}")
    body = [
        {
            "name": {"firstName": f"P{n}"},
            "emails": {"primaryEmail": f"p{offset + n}@acme.com"},
            "companyId": company["id"],
        }
        for n in range(size)
    ]
    with CaptureQueriesContext(connection) as captured:
        status, answer = api.post("/rest/batch/people", body)
    assert status == 201, answer
    return [query["sql"] for query in captured.captured_queries]


def test_batch_create_costs_the_same_for_1_10_and_60_records_and_inserts_in_one_statement(api):
    # given: a warm key and snapshot
    batch_queries(api, 1, 0)
    # when
    costs = {size: batch_queries(api, size, 100 * (index + 1)) for index, size in enumerate((1, 10, 60))}
    # then
    assert cost(costs[1]) == cost(costs[10]) == cost(costs[60])
    # One insert per table: on PostgreSQL the people and their ``person.created`` activities
    # (api-reference §16) wait for each other and go together (60 by COPY); on SQLite, one
    # INSERT each.
    for table in ("core_app_record", "core_app_recordindex"):
        statements = [q for q in costs[60] if table in written_tables(q)]
        if connection.vendor == "postgresql":
            assert [q.split(" (")[0] for q in statements] == [f"COPY {table}"], (table, statements)
        else:
            assert len(statements) == 2, (table, statements)
    if connection.vendor == "postgresql":
        # One record: every insert of the request in one statement.
        inserts = [written_tables(q) for q in costs[1] if written_tables(q)]
        assert inserts == [
            [
                "core_app_record",
                "core_app_recordindex",
                "core_app_searchtoken",
                "core_app_uniquevalue",
                "webhooks_app_event",
                "core_app_recordcount",
            ]
        ]


def test_an_update_looks_up_only_the_unique_values_its_patch_changes(api):
    # given: a person with a unique email
    person = Records(api).person("Ada", email="ada@acme.com")

    # when
    with CaptureQueriesContext(connection) as other_fields:
        assert api.patch(f"/rest/people/{person['id']}", {"city": "Paris"})[0] == 200
    with CaptureQueriesContext(connection) as same_email:
        assert api.patch(f"/rest/people/{person['id']}", {"emails": {"primaryEmail": "ada@acme.com"}})[0] == 200
    with CaptureQueriesContext(connection) as new_email:
        assert api.patch(f"/rest/people/{person['id']}", {"emails": {"primaryEmail": "ada@globex.org"}})[0] == 200

    # then: the record holds its current values; only a new value is looked up (then registered)
    def lookups(captured: CaptureQueriesContext) -> int:
        return sum(
            q["sql"].startswith("SELECT") and "core_app_uniquevalue" in q["sql"] for q in captured.captured_queries
        )

    assert (lookups(other_fields), lookups(same_email), lookups(new_email)) == (0, 0, 1)


def test_an_update_sends_its_writes_together(api):
    # given: a person updated once (the activity the next update of the same key merges into)
    person = Records(api).person("Ada", email="ada@acme.com")
    assert api.patch(f"/rest/people/{person['id']}", {"jobTitle": "CTO"})[0] == 200

    # when
    with CaptureQueriesContext(connection) as captured:
        assert api.patch(f"/rest/people/{person['id']}", {"jobTitle": "Chair"})[0] == 200

    # then
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    written = [sorted(set(writes(q))) for q in statements if not q.startswith("SELECT") and writes(q)]
    if connection.vendor == "postgresql":
        # The key (which says the workspace has no webhook), the record under lock with the hold
        # on the data model as its gate (locked before any record), the activity to merge into,
        # and two writes: the record and its stale tokens; then the new tokens, the event and the
        # merged activity.
        assert len(statements) == 5
        assert statements[1].startswith("WITH c0 AS MATERIALIZED (SELECT metadata_version FROM metadata_app_workspace ")
        assert statements[1].endswith(" AND EXISTS (SELECT 1 FROM c0) ORDER BY r.id FOR UPDATE OF r")
        assert written == [
            [("DELETE FROM", "core_app_searchtoken"), ("UPDATE", "core_app_record")],
            [
                ("INSERT INTO", "core_app_searchtoken"),
                ("INSERT INTO", "webhooks_app_event"),
                ("UPDATE", "core_app_record"),
            ],
        ]
    else:  # one statement per write
        assert written == [
            [("UPDATE", "core_app_record")],
            [("DELETE FROM", "core_app_searchtoken")],
            [("INSERT INTO", "core_app_searchtoken")],
            [("INSERT INTO", "webhooks_app_event")],
            [("UPDATE", "core_app_record")],
        ]


# --- index use on PostgreSQL --------------------------------------------------------------------

ROWS = 2000


@pytest.fixture(scope="module")
def crowd(seeded_workspace_ids, django_db_blocker) -> tuple[ApiClient, list[dict]]:
    """2,000 people over 40 companies in the second seeded workspace, written once through the
    API (committed), then analysed as autovacuum would; a client of that workspace."""
    with django_db_blocker.unblock():
        _, token = create_api_key(Workspace.objects.get(pk=seeded_workspace_ids[1]), {"name": "crowd"})
        client = client_for(token)
        records = Records(client)
        companies = records.batch("companies", [{"name": f"Company {n}"} for n in range(40)])
        records.batch(
            "people",
            [
                {
                    "name": {"firstName": f"P{n}"},
                    "emails": {"primaryEmail": f"person{n}@acme.com"},
                    "companyId": companies[n % 40]["id"],
                }
                for n in range(ROWS)
            ],
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_app_record")
            cursor.execute("ANALYZE core_app_recordindex")
    return client, companies


def plan_of(sql: str) -> str:
    """The planner's plan for ``sql``."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def record_queries(api, path: str, **params) -> list[str]:
    """The SQL on the record table that one request runs."""
    return [
        q for q in queries_of(api, path, **params) if "FROM core_app_record r" in q or "JOIN core_app_record r" in q
    ]


@pytest.mark.postgres_only
def test_equality_filter_on_a_unique_field_reads_the_index_path(db, crowd):
    # given
    api, _ = crowd
    # when
    page_sql = record_queries(api, "/rest/people", filter="emails.primaryEmail[eq]:person1234@acme.com")[0]
    # then
    assert "core_app_recordindex" in page_sql
    assert "record_index_key" in plan_of(page_sql)


@pytest.mark.postgres_only
def test_join_id_filter_reads_the_index_path(db, crowd):
    api, companies = crowd
    page_sql = record_queries(api, "/rest/people", filter=f"companyId[eq]:{companies[7]['id']}")[0]
    assert "record_index_key" in plan_of(page_sql)


@pytest.mark.postgres_only
def test_embedding_the_people_of_a_company_probes_the_join_index(db, crowd):
    # given
    api, companies = crowd
    # when: depth=1 on one company loads its people by join id
    queries = queries_of(api, f"/rest/companies/{companies[3]['id']}", depth="1")
    people_sql = next(q for q in queries if "LATERAL" in q)
    # then
    assert "record_index_key" in plan_of(people_sql)


@pytest.mark.parametrize("dry_run", [pytest.param(True, id="dry_run"), pytest.param(False, id="merge")])
def test_a_merge_costs_the_same_for_2_and_9_records(api, dry_run):
    # given: companies to merge, and a warm key and snapshot
    records = Records(api)

    def merge_queries(count: int, tag: str) -> list[str]:
        ids = [records.company(f"{tag} {n}")["id"] for n in range(count)]
        body = {"ids": ids, "conflictPriorityIndex": 0, "dryRun": dry_run}
        with CaptureQueriesContext(connection) as captured:
            status, answer = api.patch("/rest/companies/merge", body)
        assert (status, answer["data"]["mergeCompany"]["id"]) == (200, ids[0])
        return [query["sql"] for query in captured.captured_queries]

    merge_queries(2, "Warm")
    # when
    two, nine = merge_queries(2, "Two"), merge_queries(9, "Nine")
    # then: the records are read in one statement (under lock for a merge), not one each
    assert len(nine) == len(two)
