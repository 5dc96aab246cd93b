"""Plans that do not depend on luck: every hot query walks an index, on PostgreSQL, in three states
of the planner's statistics, and each test reads the very SQL a request runs and asks PostgreSQL
for its plan:

- ``no_analyze``: right after a bulk load that nobody analysed (sizes known, no statistics);
- ``analyzed``: after ANALYZE;
- ``stale``: statistics taken when only another workspace had records, then a bulk load into this
  one: the state of a new workspace that imports a million records before autovacuum analyses the
  table again. The statistics say this workspace holds no record (estimates of one row), under
  which a plan may re-run a subquery per "one" row and read the object squared, or take the wrong
  one of two indexes that tie at one row; the shapes of the store's queries must not let it.
"""

from __future__ import annotations

import random
import re
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core_app.query import planner
from metadata_app.registry import schema_registry
from tests.seeding import store_records

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

PEOPLE = 20_000
COMPANIES = 400
STORE_TABLES = ("core_app_record", "core_app_recordindex", "core_app_uniquevalue", "core_app_recordcount")


@pytest.fixture(autouse=True)
def short_statement_timeout(crowd):
    """A plan gone wrong here reads 20,000 records squared: once the records are loaded, let it fail
    in seconds, not at the server's limit."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '5s'")


@pytest.fixture(params=["no_analyze", "analyzed", "stale"])
def statistics(request, other_workspace):
    """The state of the planner's statistics (see the module docstring): "stale" analyses here, before
    the load; "analyzed" is analysed by ``crowd`` after it.

    The store's tables are emptied first (in the test's transaction, so they come back after it):
    each test starts from tables of known size, whatever earlier tests left (rolled-back loads
    leave pages of dead rows until a vacuum, and ANALYZE records sizes outside transactions).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(STORE_TABLES)}")
    if request.param == "stale":
        store_records(other_workspace, "person", *({} for _ in range(200)))
        analyze()
    return request.param


@pytest.fixture
def crowd(api, workspace, statistics) -> dict[str, Any]:
    """20,000 people over 400 companies written in bulk, ``city`` marked indexed; then the statistics."""
    city = next(
        f for f in api.get("/rest/metadata/fields", limit="1000")[1]["data"]["fields"]
        if f["name"] == "city" and f["objectMetadataId"] == schema_registry.current(workspace.pk).by_singular["person"].id
    )  # fmt: skip
    assert api.patch(f"/rest/metadata/fields/{city['id']}", {"isIndexed": True})[0] == 200
    snapshot = schema_registry.current(workspace.pk)
    people_spec = snapshot.by_singular["person"]
    company_spec = snapshot.by_singular["company"]
    companies = store_records(
        workspace, "company", *({company_spec.by_name["name"].storage_key: f"Company {n}"} for n in range(COMPANIES))
    )
    rng = random.Random(7)
    name, emails = people_spec.by_name["name"], people_spec.by_name["emails"]
    company = people_spec.by_name["company"]
    people = store_records(
        workspace,
        "person",
        *(
            {
                name.storage_key: {"firstName": f"F{n}", "lastName": f"L{n % 500}"},
                emails.storage_key: {"primaryEmail": f"p{n}@x.com", "additionalEmails": None},
                people_spec.by_name["city"].storage_key: f"City {rng.randrange(100)}",
                company.join_storage_key: companies[n % COMPANIES].id,
            }
            for n in range(PEOPLE)
        ),
    )
    if statistics == "analyzed":
        analyze()
    return {"companies": companies, "people": people}


def request_sql(api, path: str, table: str = "core_app_record", **params: Any) -> list[str]:
    """The SQL statements on records (or on the tables named ``table``...) that one request runs (after a warm-up request)."""
    assert api.get(path, **params)[0] == 200
    with CaptureQueriesContext(connection) as captured:
        status, body = api.get(path, **params)
    assert status == 200, body
    return [q["sql"] for q in captured.captured_queries if table in q["sql"]]


def plan_of(sql: str) -> str:
    """PostgreSQL's plan for ``sql``."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def analyze() -> None:
    with connection.cursor() as cursor:
        for table in STORE_TABLES:
            cursor.execute(f"ANALYZE {table}")


def assert_indexed(plans: list[str], *indexes: str) -> None:
    """Every plan reads the record store through indexes only, and uses each of ``indexes`` (each
    entry may list alternatives separated by ``|``)."""
    joined = "\n".join(plans)
    assert not re.search(r"Seq Scan on core_app_record(index|)\b", joined), joined
    # An index on records that does not lead with the id, used to find a record by id, reads
    # every record of the object per probe.
    assert not re.search(
        r"Index Scan using record_(position|created) on core_app_record \w+[^\n]*\n\s+Index Cond: [^\n]*[( ]id = ",
        joined,
    ), joined
    for index in indexes:
        assert any(choice in joined for choice in index.split("|")), f"{index} in none of:\n{joined}"


HOT_QUERIES = [
    # The page's ids are read apart from the records, so that the object's own index can serve them
    # index-only; at 20,000 people the primary key in id order is as cheap (the people are most of
    # the table), and the planner may take either (at 1M people it takes ``record_live``).
    pytest.param("/rest/people", {}, ("record_live|core_app_record_pkey",), id="list"),
    pytest.param(
        "/rest/people", {"order_by": "id[DescNullsLast]"}, ("record_live|core_app_record_pkey",), id="list_desc"
    ),
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
    # About 2,200 and 2,400 matches in 11 and 12 keys: each key gives its first ids (planner.skip_scan_ids).
    pytest.param(
        "/rest/people",
        {"filter": "city[in]:[" + ",".join(f"City {n}" for n in range(11)) + "]"},
        ("record_index_key",),
        id="list_by_key",
    ),
    pytest.param("/rest/people", {"filter": "city[lt]:City 2"}, ("record_index_key",), id="range_by_key"),
    # 19,960 of 20,000 match: the records are walked in id order, each probed by the index's primary key.
    pytest.param(
        "/rest/people",
        {"filter": "name.lastName[gte]:L1"},
        ("record_live|core_app_record_pkey", "core_app_recordindex_pkey"),
        id="range_most",
    ),
    pytest.param(
        "/rest/people",
        {"filter": "city[eq]:City 7", "order_by": "name.lastName"},
        ("record_index_key",),
        id="filter_and_sort",
    ),
]


@pytest.mark.parametrize(("path", "params", "indexes"), HOT_QUERIES)
def test_hot_queries_walk_indexes(api, crowd, path, params, indexes):
    plans = [plan_of(sql) for sql in request_sql(api, path, **params)]
    assert_indexed(plans, *indexes)


def test_relation_loads_probe_indexes(api, crowd):
    # given
    company = crowd["companies"][3].id
    # when: a company with its people (one-to-many), people with their company (many-to-one)
    one_to_many = request_sql(api, f"/rest/companies/{company}", depth="1")
    many_to_one = request_sql(api, "/rest/people", depth="1", limit="60")
    # then
    people = next(sql for sql in one_to_many if "LATERAL" in sql)
    assert_indexed([plan_of(people)], "record_index_key")
    companies = next(sql for sql in many_to_one if "r.id = ANY(" in sql and "LIMIT" not in sql)
    assert_indexed([plan_of(companies)], "core_app_record_pkey")


def test_counts_read_counters_or_the_index(api, crowd):
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/rest/people", filter="city[eq]:City 7", limit="1")[0] == 200
    # one statement counts the matches in the index, and reads the object's size from its counters
    (count,) = [q["sql"] for q in captured.captured_queries if "SELECT COUNT(*)" in q["sql"]]
    plan = plan_of(count)
    assert "Index Only Scan using record_index_key" in plan, plan
    assert "core_app_record " not in count and "FROM core_app_recordcount" in count


def test_a_create_reads_the_unique_key_and_the_position_index(api, crowd):
    with CaptureQueriesContext(connection) as captured:
        status, _ = api.post("/rest/people", {"emails": {"primaryEmail": "new@x.com"}})
    assert status == 201
    (lookup,) = [q["sql"] for q in captured.captured_queries if "FROM core_app_uniquevalue" in q["sql"]]
    assert "core_app_uniquevalue_pkey" in plan_of(lookup)
    # The new record's position comes from both ends of the position index, not from every record.
    (positions,) = [q["sql"] for q in captured.captured_queries if "ORDER BY position DESC LIMIT 1" in q["sql"]]
    assert_indexed([plan_of(positions)], "record_position")


def test_search_reads_the_token_index_and_walks_records_by_id(api, crowd, settings):
    # given: "f1" is a broad word in people's names at this bound (1,111 of 20,000 first names),
    # "l12" a narrow one (40 last names), read with the default search fields
    settings.SEARCH_BROAD_RANGE_ROWS = 500
    # when
    broad = request_sql(api, "/rest/search", search_input="f1", limit="20", table="core_app_")
    narrow = request_sql(api, "/rest/search", search_input="l123", limit="20", table="core_app_")
    # then: the ranges are counted and ranked from the field-led token index, the walk by id
    counts = [sql for sql in broad + narrow if "SELECT (SELECT COUNT(*)" in sql]
    assert counts and all("search_field_token" in plan_of(sql) for sql in counts)
    ranked = [sql for sql in narrow if "GROUP BY t.record_id" in sql]
    assert ranked and all("search_field_token" in plan_of(sql) for sql in ranked)
    walk = [sql for sql in broad if "ORDER BY r.id LIMIT" in sql]
    assert walk
    assert_indexed([plan_of(sql) for sql in walk], "record_live|core_app_record_pkey")
    # each walked record's ranks are probes of the token table's primary key, never a scan of the range
    for plan in map(plan_of, walk):
        assert "Index Only Scan using core_app_searchtoken_pkey" in plan, plan
        assert "search_field_token" not in plan, plan


def test_a_to_many_filter_reads_the_index(api, crowd, statistics):
    # when: companies with some person of a last name (the join column slot and the name's slot)
    plans = [plan_of(sql) for sql in request_sql(api, "/rest/companies", filter="people._some.name.lastName[eq]:L42")]
    # then: the people through the name's slot, each one's company by the record table's primary key
    assert_indexed(plans, "record_index_key")
    assert plans and all("core_app_record_pkey" in plan for plan in plans), plans


def test_an_upsert_batch_probes_the_unique_key_once_per_value(api, crowd):
    # given: 60 people matched by their email (the look-up an upsert import makes per batch)
    body = [{"emails": {"primaryEmail": f"p{n}@x.com"}, "jobTitle": "CTO"} for n in range(0, PEOPLE, PEOPLE // 60)][:60]
    # when
    with CaptureQueriesContext(connection) as captured:
        status, answer = api.post("/rest/batch/people?upsert=true", body)
    # then each value is a probe of the primary key, never a filter over the field's every value
    assert status == 201, answer
    lookups = [q["sql"] for q in captured.captured_queries if "FROM core_app_uniquevalue" in q["sql"]]
    assert lookups
    for plan in map(plan_of, lookups):
        assert re.search(r"Index Scan using core_app_uniquevalue_pkey\w* on core_app_uniquevalue", plan), plan
        assert "Bitmap Heap Scan on core_app_uniquevalue" not in plan, plan
        assert "value = " in plan, plan  # the value is in the index condition, not a filter


def test_an_update_finds_the_activity_to_merge_through_the_join_column(api, workspace, crowd):
    # given: 5,000 activities of other people, and one of this person by this key (its first update)
    spec = schema_registry.current(workspace.pk).by_singular["timelineActivity"]
    target, name = spec.by_name["targetPerson"].join_storage_key, spec.by_name["name"].storage_key
    others = crowd["people"][1:]
    store_records(workspace, "timelineActivity", *({target: others[n].id, name: "person.updated"} for n in range(5000)))
    person = crowd["people"][0].id
    assert api.patch(f"/rest/people/{person}", {"jobTitle": "A"})[0] == 200
    timeline = spec.id
    # when: the second update looks for it to merge into
    with CaptureQueriesContext(connection) as captured:
        assert api.patch(f"/rest/people/{person}", {"jobTitle": "B"})[0] == 200
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT") and timeline in q["sql"]]
    # then: the activities of that person, through the targetPersonId slot of the index alone (not
    # intersected with the 5,001 "person.updated" of the name's slot, which grows with every update)
    assert reads
    assert_indexed([plan_of(sql) for sql in reads], "record_index_key")
    assert not [sql for sql in reads if spec.by_name["name"].id in sql]


def rows_read(sql: str) -> int:
    """The most rows any node of ``sql``'s executed plan handled, over all its loops (rows it returned
    plus rows its filters removed): a plan that walks an object reads about that object's size."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (document,) = cursor.fetchone()
    plan = document[0]["Plan"] if isinstance(document, list) else orjson.loads(document)[0]["Plan"]
    most, stack = 0, [plan]
    while stack:
        node = stack.pop()
        handled = (
            node["Actual Rows"] + node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Join Filter", 0)
        )
        most = max(most, handled * node["Actual Loops"])
        stack += node.get("Plans", [])
    return most


RELATION_SHAPES = [
    # People without a live company: none here, so the answer costs the index ranges that say so
    # (empty join keys, keys of trashed companies), never a probe of each person.
    pytest.param("/rest/people", {"filter": "company.name[is]:NULL", "limit": "60"}, id="to_one_is_null"),
    # People of one company: the company's key, then its people through the join column's slot.
    pytest.param("/rest/people", {"filter": "company.name[eq]:Company 7", "limit": "60"}, id="to_one_eq"),
    # The records without a value come first: the same ranges, then the walk of the companies' names.
    pytest.param("/rest/people", {"order_by": "company.name[AscNullsFirst]", "limit": "60"}, id="nulls_first"),
    # The walk of the companies' names, each company's people by equality on the join slot's key.
    pytest.param("/rest/people", {"order_by": "company.name[AscNullsLast]", "limit": "60"}, id="relation_order"),
    # Companies whose every person lives in one city: each company's people through the join
    # column's slot, each checked until one fails (a company or two of probes per company), not
    # every person of the object.
    pytest.param("/rest/companies", {"filter": "people._every.city[eq]:City 7", "limit": "60"}, id="every"),
    # Companies with some person of a last name: those 40 people through the name's slot, their
    # companies' keys, each company probed once; never each company re-reading the people (16,000
    # rows here when the statistics say the object is empty, 20,000 companies x 1,000 people at 1M).
    pytest.param("/rest/companies", {"filter": "people._some.name.lastName[eq]:L42", "limit": "60"}, id="some"),
]


@pytest.mark.parametrize(("path", "params"), RELATION_SHAPES)
def test_relation_shapes_read_what_their_answer_needs(api, crowd, path, params):
    # when
    statements = request_sql(api, path, **params)
    # then: no statement handles a fifth as many rows as there are people (the old plans read all
    # 20,000; a probe of one person's index row by the primary key passes over that person's few
    # other rows, which count here)
    assert statements
    assert_indexed([plan_of(sql) for sql in statements], "record_index_key")
    assert max(rows_read(sql) for sql in statements) < PEOPLE // 5


def page_of_twenty(api, people_filter: str) -> str:
    """The one statement that reads the page of ``GET /rest/people?filter=...&limit=20`` (21 rows: one to tell if more follow)."""
    statements = request_sql(api, "/rest/people", filter=people_filter, limit="20")
    pages = [sql for sql in statements if "LIMIT 21" in sql]
    assert len(pages) == 1, statements
    return pages[0]


def test_a_page_of_an_equality_reads_its_key_in_id_order(api, crowd, monkeypatch):
    # given: the matches of "City 7" (about 200) beyond the size up to which a page is cut from
    # the sorted matches (10,000 at full size, which this crowd does not reach: lowered here)
    monkeypatch.setattr(planner, "SORT_MATCHES_UP_TO", 100)
    # when
    page = page_of_twenty(api, "city[eq]:City 7")
    # then: the page reads the city's first 21 index entries (one key: in id order), never a walk
    # of the people probing each one's city (about 20 x 100 of them)
    assert_indexed([plan_of(page)], "record_index_key")
    assert rows_read(page) == 21


def test_a_walk_probes_each_record_by_the_index_primary_key(api, crowd):
    # given: the people whose last name starts with "L" (all 20,000): sorting them costs more than
    # a walk, so the page walks the people in id order and checks each one's name
    # when
    walk = page_of_twenty(api, "name.lastName[startsWith]:L")
    # then: each check reads that person's own row of the name's slot by the primary key, never the
    # prefix's range of the key index (at 1M people, 11,000 rows per probed person: 3.4 s a page)
    plan = plan_of(walk)
    assert_indexed([plan], "record_live|core_app_record_pkey")
    assert re.search(r"Index (Only )?Scan using core_app_recordindex_pkey on core_app_recordindex", plan), plan
    assert "record_index_key" not in plan, plan


def test_a_page_in_id_order_sorts_the_matches_while_that_costs_less_than_a_walk(api, crowd, monkeypatch):
    # given: the 440 people whose last name starts with "L12", beyond SORT_MATCHES_UP_TO (lowered
    # to 100, as above) but few for 20,000 people: a walk would probe about 21 x 20,000 / 440 = 950
    # people, sorting reads the 440 matches (440 ** 2 <= 8 x 21 x 20,000)
    monkeypatch.setattr(planner, "SORT_MATCHES_UP_TO", 100)
    # when
    page = page_of_twenty(api, "name.lastName[startsWith]:L12")
    # then: the page's ids are the first 21 of the sorted matches, read from the name's index range
    plan = plan_of(page)
    assert_indexed([plan], "record_index_key")
    assert "record_live" not in plan, plan
    assert rows_read(page) == 440
