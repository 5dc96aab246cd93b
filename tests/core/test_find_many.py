"""Find many and find one (api-reference 1.1, 1.2, 1.4, 1.6): envelopes, ``order_by`` and ``limit``."""

from __future__ import annotations

from typing import Any

import pytest

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace
from tests.conftest import ApiClient
from tests.core.conftest import Records, client_for
from tests.core.helpers import (
    MISSING_ID,
    Matches,
    bad_request,
    create_custom_object,
    create_field,
    ids_of,
    not_found,
    object_id_of,
)

CURSOR = Matches(r"[A-Za-z0-9_-]+", "<cursor>")
EMPTY_PAGE_INFO = {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}


# --- envelopes ------------------------------------------------------------------------------------


def test_find_many_returns_the_records_in_id_order_with_total_count_and_page_info(api, records):
    # given
    first, second = sorted([records.company("Acme"), records.company("Globex")], key=lambda r: r["id"])
    # when
    status, body = api.get("/rest/companies")
    # then
    assert status == 200
    assert body == {
        "data": {"companies": [first, second]},
        "totalCount": 2,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": CURSOR, "endCursor": CURSOR},
    }
    assert body["pageInfo"]["startCursor"] != body["pageInfo"]["endCursor"]


def test_find_many_of_an_object_without_records_returns_an_empty_page(api):
    assert api.get("/rest/companies") == (
        200,
        {"data": {"companies": []}, "totalCount": 0, "pageInfo": EMPTY_PAGE_INFO},
    )


def test_find_one_returns_the_record_under_its_singular_name(api, records):
    # given
    company = records.company("Acme", domain="acme.com", employees=12)
    # when
    answer = api.get(f"/rest/companies/{company['id']}")
    # then
    assert answer == (200, {"data": {"company": company}})


def test_find_one_accepts_an_upper_case_id(api, records):
    company = records.company("Acme")
    assert api.get(f"/rest/companies/{company['id'].upper()}") == (200, {"data": {"company": company}})


def test_find_one_with_an_unknown_id_is_a_404(api):
    assert api.get(f"/rest/companies/{MISSING_ID}") == not_found("companies", MISSING_ID)


def test_find_one_of_a_record_of_another_object_is_a_404(api, records):
    person = records.person("Ada")
    assert api.get(f"/rest/companies/{person['id']}") == not_found("companies", person["id"])


def test_find_one_of_a_soft_deleted_record_is_a_404(api, records):
    # given
    company = records.company("Acme")
    api.delete(f"/rest/companies/{company['id']}", soft_delete="true")
    # when / then
    assert api.get(f"/rest/companies/{company['id']}") == not_found("companies", company["id"])


def test_find_many_leaves_out_soft_deleted_records(api, records):
    # given
    kept, trashed = records.company("Kept"), records.company("Trashed")
    api.delete(f"/rest/companies/{trashed['id']}", soft_delete="true")
    # when
    status, body = api.get("/rest/companies")
    # then
    assert status == 200
    assert body["data"]["companies"] == [kept]
    assert body["totalCount"] == 1


# --- order_by -------------------------------------------------------------------------------------

GADGET_IDS = [f"b0000000-0000-4000-8000-00000000000{n}" for n in range(1, 7)]
G1, G2, G3, G4, G5, G6 = GADGET_IDS
GADGETS: list[dict[str, Any]] = [
    {
        "id": G1,
        "name": "g1",
        "code": "b",
        "count": 2,
        "tier": "MID",
        "owner": {"firstName": "Ann", "lastName": "Zed"},
        "seenAt": "2024-01-01T00:00:00+01:00",
    },
    {
        "id": G2,
        "name": "g2",
        "count": 10,
        "tier": "LOW",
        "owner": {"firstName": "Bob", "lastName": "Young"},
        "seenAt": "2023-12-31T23:30:00Z",
    },
    {"id": G3, "name": "g3", "code": "a", "tier": "HIGH", "owner": {"firstName": "Cid", "lastName": "Zed"}},
    {
        "id": G4,
        "name": "g4",
        "code": "B",
        "count": 2,
        "owner": {"firstName": "Dan", "lastName": "Abel"},
        "seenAt": "2024-01-01T00:00:00Z",
    },
    {
        "id": G5,
        "name": "g5",
        "count": 9,
        "tier": "LOW",
        "owner": {"firstName": "Eve", "lastName": "Young"},
        "seenAt": "2023-12-31T22:00:00-02:00",
    },
    {"id": G6, "name": "g6", "code": "a", "tier": "MID"},
]
BOLTS = 201


@pytest.fixture(scope="module")
def reader(seeded_workspace_ids, django_db_blocker) -> ApiClient:
    """A client whose workspace holds six ``gadgets`` (ties and nulls) and 201 ``bolts``, written once."""
    with django_db_blocker.unblock():
        workspace = Workspace.objects.get(pk=seeded_workspace_ids[0])
        _, token = create_api_key(workspace, {"name": "order reader"})
        client = client_for(token)
        gadget = create_custom_object(client, "gadget", "gadgets")
        create_field(client, gadget, "code", "TEXT")
        create_field(client, gadget, "count", "NUMBER")
        create_field(
            client,
            gadget,
            "tier",
            "SELECT",
            options=[
                {"label": "Low", "value": "LOW"},
                {"label": "Mid", "value": "MID"},
                {"label": "High", "value": "HIGH"},
            ],
        )
        create_field(client, gadget, "owner", "FULL_NAME")
        create_field(client, gadget, "seenAt", "DATE_TIME")
        create_field(client, gadget, "payload", "RAW_JSON")
        Records(client).batch("gadgets", GADGETS)
        create_custom_object(client, "bolt", "bolts")
        Records(client).batch("bolts", [{"name": f"bolt {n:03d}"} for n in range(BOLTS)])
    return client


def order_of(reader: ApiClient, order_by: str) -> list[str]:
    """Names of the gadgets in the order ``order_by`` gives."""
    status, body = reader.get("/rest/gadgets", order_by=order_by)
    assert status == 200, body
    return [record["name"] for record in body["data"]["gadgets"]]


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        pytest.param("count[AscNullsFirst]", "g3 g6 g1 g4 g5 g2", id="number-AscNullsFirst"),
        pytest.param("count[AscNullsLast]", "g1 g4 g5 g2 g3 g6", id="number-AscNullsLast"),
        pytest.param("count[DescNullsFirst]", "g3 g6 g2 g5 g1 g4", id="number-DescNullsFirst"),
        pytest.param("count[DescNullsLast]", "g2 g5 g1 g4 g3 g6", id="number-DescNullsLast"),
        pytest.param("count", "g3 g6 g1 g4 g5 g2", id="number-without_direction_is_AscNullsFirst"),
        pytest.param("code[AscNullsFirst]", "g2 g5 g4 g3 g6 g1", id="text-AscNullsFirst-byte_order"),
        pytest.param("code[AscNullsLast]", "g4 g3 g6 g1 g2 g5", id="text-AscNullsLast"),
        pytest.param("code[DescNullsFirst]", "g2 g5 g1 g3 g6 g4", id="text-DescNullsFirst"),
        pytest.param("code[DescNullsLast]", "g1 g3 g6 g4 g2 g5", id="text-DescNullsLast"),
        pytest.param("tier[AscNullsFirst]", "g4 g2 g5 g1 g6 g3", id="select-by_option_position-AscNullsFirst"),
        pytest.param("tier[AscNullsLast]", "g2 g5 g1 g6 g3 g4", id="select-by_option_position-AscNullsLast"),
        pytest.param("tier[DescNullsFirst]", "g4 g3 g1 g6 g2 g5", id="select-by_option_position-DescNullsFirst"),
        pytest.param("tier[DescNullsLast]", "g3 g1 g6 g2 g5 g4", id="select-by_option_position-DescNullsLast"),
        pytest.param("seenAt[AscNullsLast]", "g1 g2 g4 g5 g3 g6", id="datetime-by_instant-AscNullsLast"),
        pytest.param("seenAt[DescNullsFirst]", "g3 g6 g4 g5 g2 g1", id="datetime-by_instant-DescNullsFirst"),
        pytest.param("tier[AscNullsLast],count[DescNullsFirst]", "g2 g5 g6 g1 g3 g4", id="several_keys"),
        pytest.param(
            "owner.lastName[AscNullsFirst],owner.firstName[DescNullsLast]",
            "g6 g4 g5 g2 g3 g1",
            id="composite_sub_fields",
        ),
        pytest.param("owner.lastName[DescNullsLast]", "g1 g3 g2 g5 g4 g6", id="composite_ties_broken_by_id"),
        pytest.param("deletedAt[DescNullsFirst]", "g1 g2 g3 g4 g5 g6", id="all_tied_then_id_ascending"),
        pytest.param("id[DescNullsFirst]", "g6 g5 g4 g3 g2 g1", id="id_descending"),
        pytest.param("", "g1 g2 g3 g4 g5 g6", id="no_order_by_is_id_ascending"),
    ],
)
def test_order_by_sorts_with_the_chosen_null_ordering_and_id_as_final_tie_breaker(db, reader, order_by, expected):
    assert order_of(reader, order_by) == expected.split()


@pytest.mark.parametrize(
    ("order_by", "message"),
    [
        pytest.param(
            "count[Sideways]",
            "'order_by' direction 'Sideways' invalid. Allowed values are 'AscNullsFirst', 'AscNullsLast', "
            "'DescNullsFirst', 'DescNullsLast'. eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3",
            id="unknown_direction",
        ),
        pytest.param(
            "count[asc]",
            "'order_by' direction 'asc' invalid. Allowed values are 'AscNullsFirst', 'AscNullsLast', "
            "'DescNullsFirst', 'DescNullsLast'. eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3",
            id="lower_case_direction",
        ),
        pytest.param(
            "count[",
            "'order_by' invalid for 'count['. eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3",
            id="malformed_item",
        ),
        pytest.param(
            "nope[AscNullsFirst]",
            "'order_by' invalid. Field 'nope' does not exist on object 'gadget'",
            id="unknown_field",
        ),
        pytest.param("payload", "'order_by' invalid. 'payload' (RAW_JSON) cannot be sorted on", id="unsortable_type"),
        pytest.param(
            "owner",
            "'order_by' invalid. Field 'owner' is of type FULL_NAME: use one of its sub-fields "
            "(firstName, lastName), e.g. owner.firstName",
            id="composite_without_sub_field",
        ),
    ],
)
def test_invalid_order_by_is_a_400_with_the_exact_message(db, reader, order_by, message):
    assert reader.get("/rest/gadgets", order_by=order_by) == bad_request(message)


# --- limit ----------------------------------------------------------------------------------------


def bolt_page(reader: ApiClient, **params) -> tuple[list[str], dict]:
    """Names of a page of bolts and the rest of the body."""
    status, body = reader.get("/rest/bolts", **params)
    assert status == 200, body
    return [r["name"] for r in body["data"]["bolts"]], body


def test_limit_defaults_to_60(db, reader):
    names, body = bolt_page(reader)
    assert len(names) == 60
    assert body["totalCount"] == BOLTS
    assert body["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        pytest.param("200", 200, id="maximum"),
        pytest.param("201", 200, id="just_above_the_maximum_is_capped"),
        pytest.param("5000", 200, id="far_above_the_maximum_is_capped"),
        pytest.param("7", 7, id="small"),
    ],
)
def test_limit_sets_the_page_size_up_to_200(db, reader, limit, expected):
    names, body = bolt_page(reader, limit=limit)
    assert len(names) == expected
    assert len(set(names)) == expected
    assert body["totalCount"] == BOLTS
    assert body["pageInfo"]["hasNextPage"] is True


def test_limit_zero_returns_no_record_but_the_total(db, reader):
    names, body = bolt_page(reader, limit="0")
    assert names == []
    assert body["totalCount"] == BOLTS
    assert body["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False, "startCursor": None, "endCursor": None}


def test_a_page_holding_every_record_has_no_next_page(db, reader):
    status, body = reader.get("/rest/gadgets", limit="6")
    assert status == 200
    assert [r["name"] for r in body["data"]["gadgets"]] == ["g1", "g2", "g3", "g4", "g5", "g6"]
    assert body["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    "limit",
    [
        pytest.param("abc", id="word"),
        pytest.param("-1", id="negative"),
        pytest.param("1.5", id="decimal"),
        pytest.param("", id="empty"),
        pytest.param("1e2", id="exponent"),
    ],
)
def test_invalid_limit_is_a_400(db, reader, limit):
    assert reader.get("/rest/bolts", limit=limit) == bad_request(f"limit '{limit}' is invalid. Should be an integer")


def test_limit_of_a_digit_that_is_not_decimal_is_a_400(db, reader):
    assert reader.get("/rest/bolts", limit="²") == bad_request("limit '²' is invalid. Should be an integer")


def test_ids_of_a_limited_page_are_the_first_ones_in_order(db, reader):
    status, body = reader.get("/rest/gadgets", limit="2", order_by="count[DescNullsLast]")
    assert status == 200
    assert ids_of(body["data"]["gadgets"]) == [G2, G5]
    assert body["totalCount"] == 6


@pytest.mark.parametrize(
    ("path", "order_by", "message"),
    [
        (
            "/rest/people",
            "company[AscNullsLast]",
            "'order_by' invalid. Relation 'company' cannot be sorted on itself; sort on its join column (companyId) "
            "or on a field of the related record, e.g. company.id",
        ),
        # api-reference §11.4, with or without a field after the relation
        ("/rest/companies", "people", "'order_by' invalid: 'people' is a one-to-many relation and cannot be sorted on"),
        (
            "/rest/companies",
            "people.city[AscNullsLast]",
            "'order_by' invalid: 'people' is a one-to-many relation and cannot be sorted on",
        ),
    ],
    ids=["many_to_one_alone", "one_to_many_alone", "one_to_many_field"],
)
def test_order_by_a_relation_itself_says_what_to_sort_on(api, path, order_by, message):
    assert api.get(path, order_by=order_by) == bad_request(message)


@pytest.mark.parametrize(
    ("group_by", "message"),
    [
        (
            '[{"name": true}]',
            "'group_by' invalid. Field 'name' is of type FULL_NAME: group by one of its sub-fields (firstName, lastName), "
            'e.g. {"name": {"firstName": true}}',
        ),
        (
            '[{"company": true}]',
            "'group_by' invalid. Relation 'company' cannot be used directly; use its join column companyId",
        ),
    ],
    ids=["composite", "relation"],
)
def test_group_by_hints_in_its_own_syntax(api, group_by, message):
    assert api.get("/rest/people/groupBy", group_by=group_by) == bad_request(message)


def test_a_date_field_grouped_by_quarter_gives_each_quarters_first_day(api, records, workspace):
    # given: a DATE field (no time of day), four dates over three quarters
    create_field(api, object_id_of(api, "company"), "foundedOn", "DATE")
    records.batch(
        "companies",
        [
            {"name": name, "foundedOn": day}
            for name, day in [("A", "2024-01-31"), ("B", "2024-03-01"), ("C", "2024-04-01"), ("D", "2023-12-31")]
        ],
    )
    # when
    status, groups = api.get(
        "/rest/companies/groupBy",
        group_by='[{"foundedOn": {"granularity": "QUARTER"}}]',
        order_by="foundedOn[AscNullsFirst]",
    )
    # then: the period's first day in the field's own form
    assert (status, [(g["groupByDimensionValues"], g["totalCount"]) for g in groups]) == (
        200,
        [(["2023-10-01"], 1), (["2024-01-01"], 2), (["2024-04-01"], 1)],
    )


def test_groups_show_arrays_and_json_as_values_and_sort_options_by_position(api):
    # given: options whose positions are not alphabetical, and JSON values that read alike as text
    trinket = create_custom_object(api, "trinket", "trinkets")
    options = [{"label": name.title(), "value": name, "position": n} for n, name in enumerate(("RED", "GREEN", "BLUE"))]
    create_field(api, trinket, "color", "SELECT", options=options)
    create_field(api, trinket, "tags", "MULTI_SELECT", options=options)
    create_field(api, trinket, "words", "ARRAY")
    create_field(api, trinket, "blob", "RAW_JSON")
    rows = [
        ("BLUE", ["GREEN", "BLUE"], ["a"], {"k": 1}),
        ("GREEN", ["GREEN", "BLUE"], ["a"], "1"),
        ("RED", [], None, 1),
        ("RED", None, [], None),
    ]
    for color, tags, words, blob in rows:
        body = {"color": color, "tags": tags, "words": words, "blob": blob}
        assert api.post("/rest/trinkets", body)[0] == 201

    def groups(field: str, order: str | None = None) -> list[tuple[list[Any], int]]:
        params = {"group_by": f'[{{"{field}": true}}]', **({"order_by": order} if order else {})}
        status, body = api.get("/rest/trinkets/groupBy", **params)
        assert status == 200, body
        return [(g["groupByDimensionValues"], g["totalCount"]) for g in body]

    # when / then: option order, as a list sorts them
    assert groups("color", "color[AscNullsLast]") == [(["RED"], 2), (["GREEN"], 1), (["BLUE"], 1)]
    assert groups("color", "color[DescNullsLast]") == [(["BLUE"], 1), (["GREEN"], 1), (["RED"], 2)]
    # arrays and JSON as records show them (an empty array and null stay apart, as stored)
    assert sorted(groups("tags"), key=str) == sorted([([["GREEN", "BLUE"]], 2), ([[]], 1), ([None], 1)], key=str)
    assert sorted(groups("words"), key=str) == sorted([([["a"]], 2), ([[]], 1), ([None], 1)], key=str)
    assert sorted(groups("blob"), key=str) == sorted([([{"k": 1}], 1), (["1"], 1), ([1], 1), ([None], 1)], key=str)
    query = "{ trinketsGroupBy(groupBy: [{blob: true}]) { groupByDimensionValues totalCount } }"
    graphql = api.post("/graphql", {"query": query})[1]["data"]["trinketsGroupBy"]
    assert sorted(((g["groupByDimensionValues"], g["totalCount"]) for g in graphql), key=str) == sorted(
        groups("blob"), key=str
    )


def test_arrays_sort_item_by_item_and_every_page_follows_on_both_apis(api):
    # given: MULTI_SELECT items by option position (RED, GREEN, BLUE), ARRAY items as text
    bauble = create_custom_object(api, "bauble", "baubles")
    options = [{"label": name.title(), "value": name, "position": n} for n, name in enumerate(("RED", "GREEN", "BLUE"))]
    create_field(api, bauble, "tags", "MULTI_SELECT", options=options)
    create_field(api, bauble, "words", "ARRAY")
    rows = [
        ("n1", ["GREEN"], ["b"]),
        ("n2", ["GREEN", "BLUE"], ["a", "c"]),
        ("n3", [], ["a"]),
        ("n4", None, []),
        ("n5", ["RED"], None),
        ("n6", ["BLUE", "RED"], ["ab"]),
    ]
    for name, tags, words in rows:
        assert api.post("/rest/baubles", {"name": name, "tags": tags, "words": words})[0] == 201

    def walk(order: str, limit: int = 2) -> list[str]:
        names, cursor = [], None
        while True:
            params = {"order_by": order, "limit": str(limit), **({"starting_after": cursor} if cursor else {})}
            status, body = api.get("/rest/baubles", **params)
            assert status == 200, body
            names += [r["name"] for r in body["data"]["baubles"]]
            if not body["pageInfo"]["hasNextPage"]:
                return names
            cursor = body["pageInfo"]["endCursor"]

    # when / then: [] first, a prefix before what extends it, nulls where the ordering says
    assert walk("tags[AscNullsLast]", 6) == ["n3", "n5", "n1", "n2", "n6", "n4"]
    assert walk("tags[AscNullsLast]") == ["n3", "n5", "n1", "n2", "n6", "n4"]
    assert walk("tags[DescNullsFirst]") == ["n4", "n6", "n2", "n1", "n5", "n3"]
    assert walk("words[AscNullsFirst]") == ["n5", "n4", "n3", "n2", "n6", "n1"]
    query = "{ baubles(orderBy: [{words: DescNullsLast}]) { edges { node { name } } } }"
    edges = api.post("/graphql", {"query": query})[1]["data"]["baubles"]["edges"]
    assert [e["node"]["name"] for e in edges] == ["n1", "n6", "n2", "n3", "n4", "n5"]
