"""Search across objects (api-reference §13): ``GET /rest/search`` and GraphQL ``search``, which agree.

The dataset (one workspace, made through REST):

- people: Ada Lovelace (ada@analytical.org, Mathematician), Adam Smith (Economist), Charles
  Babbage (charles@engines.co.uk, Inventor);
- companies: Analytical Engines (analytical.org), Adaptive Ltd (adaptive.io);
- an opportunity "Ada rollout" and a note "Meeting with Ada".
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core_app.store.search import normalize
from tests.core.helpers import bad_request
from tests.graphql_core.helpers import user_error

SEARCH = """query S($q: String!, $limit: Int!, $after: String, $inc: [String!], $exc: [String!],
                      $filter: ObjectRecordFilterInput) {
  search(searchInput: $q, limit: $limit, after: $after, includedObjectNameSingulars: $inc,
         excludedObjectNameSingulars: $exc, filter: $filter) {
    edges { cursor node { recordId objectNameSingular label imageUrl tsRankCD tsRank } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture
def data(records) -> dict[str, str]:
    """The module's dataset: record ids by short name."""
    ids = {
        "ada": records.person("Ada", "Lovelace", "ada@analytical.org", jobTitle="Mathematician")["id"],
        "adam": records.person("Adam", "Smith", jobTitle="Economist")["id"],
        "charles": records.person("Charles", "Babbage", "charles@engines.co.uk", jobTitle="Inventor")["id"],
        "engines": records.company("Analytical Engines", "https://analytical.org")["id"],
        "adaptive": records.company("Adaptive Ltd", "adaptive.io")["id"],
        "rollout": records.opportunity("Ada rollout")["id"],
        "meeting": records.create("notes", {"title": "Meeting with Ada"})["id"],
    }
    return ids


def hit(record_id: str, obj: str, label: str, cd: float, rank: float, image: str = "") -> dict[str, Any]:
    """One expected ``SearchRecord``."""
    return {
        "recordId": record_id,
        "objectNameSingular": obj,
        "label": label,
        "imageUrl": image,
        "tsRankCD": cd,
        "tsRank": rank,
    }


def rest_search(api, **params: Any) -> dict[str, Any]:
    """The body of a successful ``GET /rest/search``."""
    status, body = api.get("/rest/search", **params)
    assert status == 200, body
    return body


def gql_search(gql, q: str, limit: int, **variables: Any) -> dict[str, Any]:
    """The ``search`` connection of a successful GraphQL request."""
    return gql.data(SEARCH, {"q": q, "limit": limit, **variables})["search"]


def cursor(ranks: tuple[float, float], obj: str, record_id: str) -> str:
    """A cursor as the API makes it."""
    body = {"lastRanks": {"tsRankCD": ranks[0], "tsRank": ranks[1]}, "lastRecordIdsPerObject": {obj: record_id}}
    return base64.b64encode(orjson.dumps(body)).decode()


def test_tokens_are_lower_cased_unaccented_and_split_on_non_alphanumerics():
    assert normalize("Élodie O'Brien-Smith, +44 (20) 7946_0958 ÅNGSTRÖM café") == [
        "elodie",
        "o",
        "brien",
        "smith",
        "44",
        "20",
        "7946",
        "0958",
        "angstrom",
        "cafe",
    ]


def test_one_word_ranks_every_match_alike_and_orders_by_object_priority(api, gql, data):
    expected = [
        hit(data["ada"], "person", "Ada Lovelace", 1, 1),
        hit(data["adam"], "person", "Adam Smith", 1, 1),
        hit(data["adaptive"], "company", "Adaptive Ltd", 1, 1, "https://twenty-icons.com/adaptive.io"),
        hit(data["rollout"], "opportunity", "Ada rollout", 1, 1),
        hit(data["meeting"], "note", "Meeting with Ada", 1, 1),
    ]
    body = rest_search(api, search_input="ADA")
    assert body["data"]["search"] == expected
    assert body["pageInfo"] == {"hasNextPage": False, "endCursor": cursor((1.0, 1.0), "note", data["meeting"])}
    connection_ = gql_search(gql, "ADA", 20)
    assert [edge["node"] for edge in connection_["edges"]] == expected
    assert connection_["pageInfo"] == body["pageInfo"]


def test_ranks_are_the_share_of_words_matched_and_matched_in_the_label(api, gql, data):
    expected = [
        hit(data["ada"], "person", "Ada Lovelace", 1, 1),
        hit(data["adam"], "person", "Adam Smith", 0.5, 0.5),
        hit(data["adaptive"], "company", "Adaptive Ltd", 0.5, 0.5, "https://twenty-icons.com/adaptive.io"),
        hit(data["rollout"], "opportunity", "Ada rollout", 0.5, 0.5),
        hit(data["meeting"], "note", "Meeting with Ada", 0.5, 0.5),
    ]
    assert rest_search(api, search_input="  ada   lovelace ")["data"]["search"] == expected
    assert [edge["node"] for edge in gql_search(gql, "ada lovelace", 20)["edges"]] == expected


def test_a_match_outside_the_label_ranks_below_a_match_in_it(api, gql, data):
    # "analytical": Ada's email (a search field, not her label) and the company's name.
    expected = [
        hit(data["engines"], "company", "Analytical Engines", 1, 1, "https://twenty-icons.com/analytical.org"),
        hit(data["ada"], "person", "Ada Lovelace", 1, 0),
    ]
    assert rest_search(api, search_input="analytical")["data"]["search"] == expected
    assert [edge["node"] for edge in gql_search(gql, "analytical", 20)["edges"]] == expected
    # Job titles and phones are search fields of people; cities are not (Twenty's list).
    assert [h["recordId"] for h in rest_search(api, search_input="econom")["data"]["search"]] == [data["adam"]]


def test_pages_walk_every_match_once_in_order_on_both_apis(api, gql, data):
    order = [data["ada"], data["adam"], data["adaptive"], data["rollout"], data["meeting"]]
    seen, after, pages = [], None, 0
    while True:
        params = {"search_input": "ada", "limit": "2", **({"starting_after": after} if after else {})}
        body = rest_search(api, **params)
        connection_ = gql_search(gql, "ada", 2, **({"after": after} if after else {}))
        assert [edge["node"] for edge in connection_["edges"]] == body["data"]["search"]
        assert connection_["pageInfo"] == body["pageInfo"]
        assert connection_["edges"][-1]["cursor"] == body["pageInfo"]["endCursor"]
        seen += [h["recordId"] for h in body["data"]["search"]]
        pages += 1
        if not body["pageInfo"]["hasNextPage"]:
            break
        after = body["pageInfo"]["endCursor"]
    assert (seen, pages) == (order, 3)


def test_pages_with_mixed_ranks_resume_after_the_last_record_of_each_object(api, data):
    # Ranks 1 then 0.5: the second page starts inside the 0.5 group, in another object.
    first = rest_search(api, search_input="ada lovelace", limit="2")
    assert [h["recordId"] for h in first["data"]["search"]] == [data["ada"], data["adam"]]
    second = rest_search(api, search_input="ada lovelace", limit="2", starting_after=first["pageInfo"]["endCursor"])
    assert [h["recordId"] for h in second["data"]["search"]] == [data["adaptive"], data["rollout"]]
    third = rest_search(api, search_input="ada lovelace", limit="2", starting_after=second["pageInfo"]["endCursor"])
    assert [h["recordId"] for h in third["data"]["search"]] == [data["meeting"]]
    assert third["pageInfo"]["hasNextPage"] is False


def test_empty_input_lists_every_searchable_record_by_priority_then_id(api, gql, data):
    body = rest_search(api, search_input="", limit="100")
    people = sorted([data["ada"], data["adam"], data["charles"]])
    companies = sorted([data["engines"], data["adaptive"]])
    assert [(h["objectNameSingular"], h["recordId"]) for h in body["data"]["search"]] == [
        *(("person", i) for i in people),
        *(("company", i) for i in companies),
        ("opportunity", data["rollout"]),
        ("note", data["meeting"]),
    ]
    assert {(h["tsRankCD"], h["tsRank"]) for h in body["data"]["search"]} == {(0, 0)}
    assert [edge["node"] for edge in gql_search(gql, "   ", 100)["edges"]] == body["data"]["search"]
    page = rest_search(api, search_input="", limit="4")
    rest = rest_search(api, search_input="", limit="4", starting_after=page["pageInfo"]["endCursor"])
    assert [h["recordId"] for h in page["data"]["search"] + rest["data"]["search"]] == [
        h["recordId"] for h in body["data"]["search"]
    ]


def test_included_and_excluded_objects(api, gql, data):
    only = rest_search(api, search_input="ada", included_objects="company,note")["data"]["search"]
    assert [h["recordId"] for h in only] == [data["adaptive"], data["meeting"]]
    assert [e["node"] for e in gql_search(gql, "ada", 20, inc=["company", "note"])["edges"]] == only
    without = rest_search(api, search_input="ada", excluded_objects="person, opportunity")["data"]["search"]
    assert [h["recordId"] for h in without] == [data["adaptive"], data["meeting"]]
    assert [e["node"] for e in gql_search(gql, "ada", 20, exc=["person", "opportunity"])["edges"]] == without


def test_filter_on_system_fields_and_the_trash(api, gql, data):
    status, _ = api.delete(f"/rest/people/{data['adam']}", soft_delete="true")
    assert status == 200
    live = rest_search(api, search_input="ada", included_objects="person")["data"]["search"]
    assert [h["recordId"] for h in live] == [data["ada"]]
    trash = rest_search(api, search_input="ada", included_objects="person", filter="deletedAt[is]:NOT_NULL")
    assert [h["recordId"] for h in trash["data"]["search"]] == [data["adam"]]
    graphql = gql_search(gql, "ada", 20, inc=["person"], filter={"deletedAt": {"is": "NOT_NULL"}})
    assert [e["node"] for e in graphql["edges"]] == trash["data"]["search"]
    by_id = rest_search(api, search_input="ada", filter=f"id[in]:[{data['rollout']},{data['meeting']}]")
    assert [h["recordId"] for h in by_id["data"]["search"]] == [data["rollout"], data["meeting"]]


def test_updates_and_destroys_keep_the_index_in_step(api, data):
    status, _ = api.patch(f"/rest/people/{data['ada']}", {"name": {"firstName": "Augusta", "lastName": "King"}})
    assert status == 200
    assert [h["recordId"] for h in rest_search(api, search_input="lovelace")["data"]["search"]] == []
    found = rest_search(api, search_input="augusta king")["data"]["search"]
    assert found == [hit(data["ada"], "person", "Augusta King", 1, 1)]
    status, _ = api.delete(f"/rest/people/{data['ada']}")
    assert status == 200
    assert rest_search(api, search_input="augusta")["data"]["search"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "Limit must be at least 1 (got 0)"),
        ({"limit": "-1"}, "Limit must be at least 1 (got -1)"),
        ({"limit": "101"}, "Limit cannot exceed 100 items"),
        ({"search_input": "x" * 201}, "Search input cannot exceed 200 characters (got 201)"),
        (
            {"search_input": " ".join(f"w{i}" for i in range(21))},
            "Search input cannot hold more than 20 words (got 21)",
        ),
        (
            {"starting_after": "garbage"},
            "Invalid cursor 'garbage': use the endCursor returned with this same search input",
        ),
        (
            {"filter": "name[eq]:Ada"},
            "'filter' invalid. Search filters may name id, createdAt, updatedAt, deletedAt only; got 'name'",
        ),
        ({"included_objects": "unicorn"}, "includedObjectNameSingulars: unknown object 'unicorn'"),
    ],
)
def test_bad_input_is_refused_alike_by_both_apis(api, gql, params, message):
    query = {"search_input": "ada", **params}
    assert api.get("/rest/search", **query) == bad_request(message)
    if "filter" in params:
        return  # GraphQL's ObjectRecordFilterInput has no other field: its schema refuses them
    variables: dict[str, Any] = {"q": query["search_input"], "limit": int(query.get("limit", 20))}
    if "starting_after" in params:
        variables["after"] = params["starting_after"]
    if "included_objects" in params:
        variables["inc"] = [params["included_objects"]]
    error = gql.error(SEARCH, variables)
    assert (error["message"], error["extensions"]) == (message, user_error(message))


@pytest.mark.parametrize("words", ["ada", "zzzzqqq", ""], ids=["matches", "no_match", "no_words"])
def test_a_bad_filter_value_is_refused_whatever_the_search_finds(api, gql, data, words):
    # when
    rest = api.get("/rest/search", search_input=words, filter="id[eq]:nope")
    error = gql.error(
        "query S($q: String!, $f: ObjectRecordFilterInput) { search(searchInput: $q, limit: 5, filter: $f) "
        "{ edges { node { recordId } } } }",
        {"q": words, "f": {"createdAt": {"gt": "nope"}}},
    )
    # then
    assert rest == bad_request("'filter' invalid. Value for 'id': expected a UUID, got \"nope\"")
    assert error["message"] == (
        "'filter' invalid. Value for 'createdAt': expected an ISO 8601 date-time such as "
        '"2024-01-31T09:30:00Z", got "nope"'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("limit", [-1, -250, 0], ids=["minus_one", "far_below", "zero"])
def test_a_limit_below_one_gets_the_same_answer_from_both_apis(api, gql, limit):
    # given
    message = f"Limit must be at least 1 (got {limit})"
    # when
    rest = api.get("/rest/search", search_input="ada", limit=str(limit))
    graphql = gql(SEARCH, {"q": "ada", "limit": limit})
    # then: the service's one range check words it, whichever API parsed the number
    assert rest == bad_request(message)
    assert graphql == (
        200,
        {
            "errors": [
                {
                    "message": message,
                    "locations": [{"line": 3, "column": 3}],
                    "path": ["search"],
                    "extensions": user_error(message),
                }
            ],
            "data": None,
        },
    )


@pytest.mark.parametrize("limit", ["- 1", "-", "+1", "-1.5", "--1"])
def test_a_rest_limit_that_is_no_integer_gets_the_lists_message(api, limit):
    assert api.get("/rest/search", search_input="ada", limit=limit) == bad_request(
        f"limit '{limit}' is invalid. Should be an integer"
    )


def test_a_cursor_that_does_not_fit_the_input_is_refused(api, data):
    # A rank of 0.5 cannot come from a one-word search.
    bad = cursor((0.5, 0.0), "person", data["ada"])
    assert api.get("/rest/search", search_input="ada", starting_after=bad) == bad_request(
        f"Invalid cursor '{bad}': use the endCursor returned with this same search input"
    )
    assert api.get("/rest/search", search_input="ada", limit="x") == bad_request(
        "limit 'x' is invalid. Should be an integer"
    )


def test_search_vector_filter_on_rest_and_graphql(api, gql, data):
    def rest(filter_: str) -> list[str]:
        status, body = api.get("/rest/people", filter=filter_, order_by="name.firstName")
        assert status == 200, body
        return [p["id"] for p in body["data"]["people"]]

    def graphql(filter_: dict[str, Any]) -> list[str]:
        query = "query P($f: PersonFilterInput) { people(filter: $f, orderBy: [{name: {firstName: AscNullsFirst}}]) { edges { node { id } } } }"
        return [edge["node"]["id"] for edge in gql.data(query, {"f": filter_})["people"]["edges"]]

    cases = [
        ("searchVector[search]:ada", {"searchVector": {"search": "ada"}}, [data["ada"], data["adam"]]),
        # Any one word is enough (Twenty's OR query).
        ("searchVector[search]:'babb zzz'", {"searchVector": {"search": "babb zzz"}}, [data["charles"]]),
        # The whole input as a substring of a search field (Twenty's ILIKE fallback): inside a word.
        ("searchVector[search]:velace", {"searchVector": {"search": "velace"}}, [data["ada"]]),
        ("searchVector[search]:'co.uk'", {"searchVector": {"search": "co.uk"}}, [data["charles"]]),
        ("not(searchVector[search]:ada)", {"not": {"searchVector": {"search": "ada"}}}, [data["charles"]]),
        (
            "and(searchVector[search]:ada,jobTitle[eq]:Economist)",
            {"searchVector": {"search": "ada"}, "jobTitle": {"eq": "Economist"}},
            [data["adam"]],
        ),
        ("searchVector[search]:nobody", {"searchVector": {"search": "nobody"}}, []),
    ]
    for rest_filter, graphql_filter, expected in cases:
        assert (rest_filter, rest(rest_filter)) == (rest_filter, expected)
        assert (rest_filter, graphql(graphql_filter)) == (rest_filter, expected)
    assert api.get("/rest/people", filter="searchVector[eq]:ada") == bad_request(
        "'filter' invalid. Comparator 'eq' cannot be used on 'searchVector' (TS_VECTOR); allowed: search"
    )
    assert api.get("/rest/people", filter="city[search]:ada") == bad_request(
        "'filter' invalid. Comparator 'search' cannot be used on 'city' (TEXT); "
        "allowed: endsWith, eq, gt, gte, ilike, in, is, like, lt, lte, neq, startsWith"
    )


def test_workspaces_are_sealed(api, gql, other_api, other_records, data):
    theirs = other_records.person("Ada", "Byron")["id"]
    mine = rest_search(api, search_input="ada", included_objects="person")["data"]["search"]
    assert [h["recordId"] for h in mine] == [data["ada"], data["adam"]]
    other = rest_search(other_api, search_input="ada")["data"]["search"]
    assert other == [hit(theirs, "person", "Ada Byron", 1, 1)]
    # A cursor naming another workspace's record reveals nothing: it only positions the page.
    after = cursor((1.0, 1.0), "person", data["ada"])
    assert rest_search(other_api, search_input="ada", starting_after=after)["data"]["search"] == other
    status, body = other_api.get("/rest/people", filter="searchVector[search]:lovelace")
    assert (status, body["data"]["people"]) == (200, [])
    assert gql_search(gql, "byron", 20)["edges"] == []


def test_queries_do_not_grow_with_the_page_size(api, records, data, search_path):
    records.batch("people", [{"name": {"firstName": f"Ada{i}", "lastName": "Clone"}} for i in range(12)])
    counts = []
    for limit in ("1", "10"):
        with CaptureQueriesContext(connection) as captured:
            body = rest_search(api, search_input="ada clone", limit=limit)
        assert len(body["data"]["search"]) == int(limit)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as captured:
        rest_search(api, search_input="ada", limit="100")
    assert len(captured) == counts[0]
    # every searchable object's word ranges are counted in one statement, whatever their number
    plans = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    assert len(plans) == 1
    assert {"core_app_searchtoken", "LIMIT"} <= set(plans[0].replace("(", " ").split())
    # then (ranked from the index) each object holding the word (person, company, opportunity, note)
    # is ranked with its records in one statement; the others are not read at all
    # on PostgreSQL the counting statement reads the token table once whatever the number of ranges
    # (they are an array: the statement is planned once), on SQLite once per range
    with CaptureQueriesContext(connection) as two_words:
        rest_search(api, search_input="ada clone", limit="100")
    counting = [q["sql"] for q in two_words.captured_queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    assert len(counting) == 1
    one, two = (sql.count("core_app_searchtoken") for sql in (plans[0], counting[0]))
    assert (one, two) == ((1, 1) if connection.vendor == "postgresql" else (one, 2 * one))
    if search_path == "ranked":
        reads = [
            q["sql"]
            for q in captured.captured_queries
            if "core_app_searchtoken" in q["sql"] or "core_app_record " in q["sql"]
        ]
        assert len(reads) == 5
        assert all("LEFT JOIN core_app_record r ON" in sql for sql in reads[1:])


def test_trashed_best_matches_do_not_hide_the_live_ones(api, gql, records):
    # More trashed matches than the first batch of candidates (50): the search reads on.
    trashed = records.batch(
        "people", [{"name": {"firstName": "Zed", "lastName": f"Trashed{i:02d}"}} for i in range(55)]
    )
    status, body = api.delete("/rest/people", filter="name.firstName[eq]:Zed", soft_delete="true")
    assert status == 200, body
    live = [records.person("Zed", f"Live{i}")["id"] for i in range(2)]
    assert [h["recordId"] for h in rest_search(api, search_input="zed", limit="1")["data"]["search"]] == live[:1]
    assert [e["node"]["recordId"] for e in gql_search(gql, "zed", 5)["edges"]] == live
    in_trash = rest_search(api, search_input="zed", limit="100", filter="deletedAt[is]:NOT_NULL")
    assert [h["recordId"] for h in in_trash["data"]["search"]] == sorted(p["id"] for p in trashed)


def test_search_vector_through_a_relation(api, gql, records, data):
    # A to-one relation filter (api-reference §11) reaches the related object's search index.
    status, _ = api.patch(f"/rest/people/{data['charles']}", {"companyId": data["engines"]})
    assert status == 200
    status, body = api.get("/rest/people", filter="company.searchVector[search]:analyt")
    assert status == 200, body
    assert [p["id"] for p in body["data"]["people"]] == [data["charles"]]
    query = '{ people(filter: {company: {searchVector: {search: "analyt"}}}) { edges { node { id } } } }'
    assert gql.data(query)["people"]["edges"] == [{"node": {"id": data["charles"]}}]
