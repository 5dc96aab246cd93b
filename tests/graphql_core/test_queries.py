"""Reading through ``POST /graphql`` (api-reference 2.2-2.5, 2.8): filters of every operator family,
orderBy, pagination both ways, aggregates, and relations nested in the selection.

Every test reads the data set of ``dataset.py`` (written once for the module).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_core.dataset import MISSING_ID, C, O, P
from tests.graphql_core.helpers import GraphQL, edge_names, firsts, nodes, user_error

PLURAL_TYPES = {"people": "Person", "companies": "Company", "opportunities": "Opportunity"}
BY_FIRST_NAME = [{"name": {"firstName": "AscNullsFirst"}}]
EMPTY_PAGE_INFO = {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}


def matching(gql: GraphQL, plural: str, filter: dict[str, Any]) -> list[str]:
    """Sorted identifying names of the records matching ``filter`` (asserting ``totalCount``)."""
    key = "name { firstName }" if plural == "people" else "name"
    query = f"query($f: {PLURAL_TYPES[plural]}FilterInput) {{ {plural}(filter: $f) {{ totalCount edges {{ node {{ {key} }} }} }} }}"
    connection = gql.data(query, {"f": filter})[plural]
    names = firsts(connection) if plural == "people" else edge_names(connection)
    assert connection["totalCount"] == len(names)
    return sorted(names)


def case(plural: str, filter: dict[str, Any], expected: list[str], id: str):
    return pytest.param(plural, filter, sorted(expected), id=id)


FILTER_CASES = [
    # equality family
    case("people", {"jobTitle": {"eq": "Engineer"}}, ["Ada", "Edsger", "Linus"], "text-eq"),
    case("people", {"jobTitle": {"neq": "Engineer"}}, ["Alan", "Barbara", "Grace"], "text-neq"),
    case("people", {"name": {"firstName": {"in": ["Ada", "Grace", "Nobody"]}}}, ["Ada", "Grace"], "composite-in"),
    case("people", {"companyId": {"is": "NULL"}}, ["Edsger"], "join_id-is_null"),
    case(
        "people", {"companyId": {"is": "NOT_NULL"}}, ["Ada", "Alan", "Barbara", "Grace", "Linus"], "join_id-is_not_null"
    ),
    case("people", {"companyId": {"eq": C["Globex"]}}, ["Barbara", "Grace"], "join_id-eq"),
    case("people", {"companyId": {"in": [C["Globex"], MISSING_ID]}}, ["Barbara", "Grace"], "join_id-in"),
    case("people", {"id": {"in": [P["Ada"], P["Linus"]]}}, ["Ada", "Linus"], "id-in"),
    case("companies", {"idealCustomerProfile": {"eq": True}}, ["Acme", "Umbrella"], "boolean-eq"),
    case("opportunities", {"stage": {"eq": "NEW"}}, ["Deal B"], "select-eq"),
    case("opportunities", {"stage": {"in": ["MEETING", "CUSTOMER"]}}, ["Deal A", "Deal C"], "select-in"),
    # ordered family: numbers compare as numbers (10 < 50 < 200)
    case("companies", {"employees": {"gt": 10}}, ["Globex", "Umbrella"], "number-gt"),
    case("companies", {"employees": {"gte": 50}}, ["Globex", "Umbrella"], "number-gte"),
    case("companies", {"employees": {"lt": 50}}, ["Acme"], "number-lt"),
    case("companies", {"employees": {"lte": 50}}, ["Acme", "Umbrella"], "number-lte"),
    case(
        "companies",
        {"annualRecurringRevenue": {"amountMicros": {"gte": 3000000}}},
        ["Globex", "Umbrella"],
        "currency-amountMicros-gte",
    ),
    case("opportunities", {"closeDate": {"gt": "2024-01-01T00:00:00+01:00"}}, ["Deal A"], "datetime-gt"),
    # string family: like/startsWith/endsWith are case-sensitive, ilike is not
    case("people", {"name": {"lastName": {"startsWith": "L"}}}, ["Ada", "Barbara"], "text-startsWith"),
    case("people", {"emails": {"primaryEmail": {"endsWith": "@acme.com"}}}, ["Ada", "Alan"], "text-endsWith"),
    case("people", {"name": {"lastName": {"like": "%o%"}}}, ["Ada", "Barbara", "Grace", "Linus"], "text-like"),
    case("people", {"name": {"firstName": {"like": "a%"}}}, [], "text-like-is_case_sensitive"),
    case("people", {"name": {"firstName": {"ilike": "a%"}}}, ["Ada", "Alan"], "text-ilike"),
    case("companies", {"address": {"addressCity": {"ilike": "PARIS"}}}, ["Acme", "Umbrella"], "address-ilike"),
    # arrays
    case("companies", {"tags": {"containsAny": ["B2B"]}}, ["Acme", "Globex"], "multi_select-containsAny"),
    case(
        "companies", {"tags": {"containsAny": ["PHARMA", "SAAS"]}}, ["Acme", "Umbrella"], "multi_select-containsAny-two"
    ),
    # logic
    case(
        "people", {"and": [{"jobTitle": {"eq": "Engineer"}}, {"companyId": {"eq": C["Acme"]}}]}, ["Ada", "Linus"], "and"
    ),
    case("people", {"jobTitle": {"eq": "Engineer"}, "city": {"eq": "London"}}, ["Ada"], "two_keys_mean_and"),
    case(
        "people",
        {"or": [{"name": {"firstName": {"eq": "Grace"}}}, {"city": {"eq": "London"}}]},
        ["Ada", "Alan", "Grace"],
        "or",
    ),
    case("people", {"not": {"jobTitle": {"eq": "Engineer"}}}, ["Alan", "Barbara", "Grace"], "not"),
    case(
        "people",
        {
            "or": [
                {"and": [{"city": {"eq": "London"}}, {"not": {"jobTitle": {"eq": ""}}}]},
                {"emails": {"primaryEmail": {"eq": "grace@navy.mil"}}},
            ]
        },
        ["Ada", "Grace"],
        "nested_logic",
    ),
    # soft-deleted records: only when the filter names deletedAt
    case("people", {"deletedAt": {"is": "NOT_NULL"}}, ["Ghost"], "deletedAt-lists_the_trash"),
]


@pytest.mark.parametrize("plural, filter, expected", FILTER_CASES)
def test_filter_selects_exactly_the_matching_records(rgql, plural, filter, expected):
    assert matching(rgql, plural, filter) == expected


def test_filter_written_inline_with_enum_literals_equals_the_same_filter_in_variables(rgql):
    # when
    inline = rgql.data(
        "{ people(filter: {companyId: {is: NULL}}) { edges { node { id } } } "
        "opportunities(filter: {stage: {in: [NEW, CUSTOMER]}}) { edges { node { id } } } "
        "companies(filter: {tags: {containsAny: [PHARMA]}}) { edges { node { id } } } }"
    )
    # then
    assert {key: [n["id"] for n in nodes(value)] for key, value in inline.items()} == {
        "people": [P["Edsger"]],
        "opportunities": sorted([O["Deal B"], O["Deal C"]]),
        "companies": [C["Umbrella"]],
    }


def test_a_filter_value_the_field_type_refuses_is_bad_user_input_with_the_engines_message(rgql):
    # when
    error = rgql.error('{ opportunities(filter: {closeDate: {gt: "soon"}}) { totalCount } }')
    # then
    message = "'filter' invalid. Value for 'closeDate': expected an ISO 8601 date-time such as \"2024-01-31T09:30:00Z\", got \"soon\""
    assert (error["message"], error["path"], error["extensions"]) == (message, ["opportunities"], user_error(message))


def test_an_actor_source_that_is_no_source_is_bad_user_input_naming_the_sources(rgql):
    # when: inline and as a variable (a String, as in Twenty), both refused by the query engine, as REST is
    inline = rgql.error('{ people(filter: {createdBy: {source: {eq: "NOPE"}}}) { totalCount } }')
    variable = rgql.error(
        "query($s: [String]) { people(filter: {updatedBy: {source: {in: $s}}}) { totalCount } }", {"s": ["API", "NOPE"]}
    )
    # then
    sources = "EMAIL, CALENDAR, WORKFLOW, AGENT, API, IMPORT, MANUAL, SYSTEM, WEBHOOK"
    message = f"'filter' invalid. Value for 'createdBy.source': expected one of {sources}, got \"NOPE\""
    assert (inline["message"], inline["path"], inline["extensions"]) == (message, ["people"], user_error(message))
    message = f"'filter' invalid. Value for 'updatedBy.source': expected one of {sources}, got \"NOPE\""
    assert (variable["message"], variable["path"], variable["extensions"]) == (message, ["people"], user_error(message))


def test_an_unknown_filter_field_is_refused_before_execution(rgql):
    status, body = rgql('{ people(filter: {nickname: {eq: "x"}}) { totalCount } }')
    assert status == 400
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("Field 'nickname' is not defined by type 'PersonFilterInput'. Did you mean 'name'?", "BAD_USER_INPUT")
    ]


def test_selecting_an_unknown_field_is_refused_before_execution(rgql):
    status, body = rgql("{ people { edges { node { nickname } } } }")
    assert status == 400
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("Cannot query field 'nickname' on type 'Person'. Did you mean 'name'?", "BAD_USER_INPUT")
    ]


# --- orderBy ----------------------------------------------------------------------------------------


def ordered(gql: GraphQL, plural: str, order_by: list[dict[str, Any]]) -> list[str]:
    """Identifying names of every record in ``order_by`` order."""
    key = "name { firstName }" if plural == "people" else "name"
    query = f"query($o: [{PLURAL_TYPES[plural]}OrderByInput]) {{ {plural}(orderBy: $o) {{ edges {{ node {{ {key} }} }} }} }}"
    connection = gql.data(query, {"o": order_by})[plural]
    return firsts(connection) if plural == "people" else edge_names(connection)


@pytest.mark.parametrize(
    "plural, order_by, expected",
    [
        pytest.param(
            "people",
            [{"name": {"lastName": "AscNullsFirst"}}],
            ["Edsger", "Grace", "Barbara", "Ada", "Linus", "Alan"],
            id="composite_sub_field",
        ),
        pytest.param(
            "people",
            [{"name": {"lastName": "DescNullsLast"}}],
            ["Alan", "Linus", "Ada", "Barbara", "Grace", "Edsger"],
            id="composite_sub_field-desc",
        ),
        pytest.param(
            "companies", [{"employees": "AscNullsFirst"}], ["Initech", "Acme", "Umbrella", "Globex"], id="AscNullsFirst"
        ),
        pytest.param(
            "companies", [{"employees": "AscNullsLast"}], ["Acme", "Umbrella", "Globex", "Initech"], id="AscNullsLast"
        ),
        pytest.param(
            "companies",
            [{"employees": "DescNullsFirst"}],
            ["Initech", "Globex", "Umbrella", "Acme"],
            id="DescNullsFirst",
        ),
        pytest.param(
            "companies", [{"employees": "DescNullsLast"}], ["Globex", "Umbrella", "Acme", "Initech"], id="DescNullsLast"
        ),
        pytest.param(
            "companies",
            [{"address": {"addressCity": "AscNullsFirst"}}],
            ["Initech", "Globex", "Acme", "Umbrella"],
            id="address-byte_order",
        ),
        pytest.param(
            "companies",
            [{"annualRecurringRevenue": {"amountMicros": "DescNullsLast"}}],
            ["Globex", "Umbrella", "Acme", "Initech"],
            id="currency-amountMicros",
        ),
        pytest.param(
            "people",
            [{"jobTitle": "AscNullsFirst"}, {"name": {"firstName": "DescNullsLast"}}],
            ["Alan", "Grace", "Linus", "Edsger", "Ada", "Barbara"],
            id="two_keys",
        ),
        pytest.param(
            "opportunities",
            [{"stage": "AscNullsFirst"}],
            ["Deal B", "Deal A", "Deal C"],
            id="select-by_option_position",
        ),
        pytest.param("people", [], ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Linus"], id="none-means_id_order"),
    ],
)
def test_order_by_sorts_with_the_requested_null_placement(rgql, plural, order_by, expected):
    assert ordered(rgql, plural, order_by) == expected


# --- pagination -------------------------------------------------------------------------------------

PAGE = """query($first: Int, $last: Int, $after: String, $before: String, $offset: Int) {
  people(orderBy: [{name: {firstName: AscNullsFirst}}], first: $first, last: $last, after: $after, before: $before,
         offset: $offset) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name { firstName } } }
  }
}"""


def page(gql: GraphQL, **arguments: Any) -> dict[str, Any]:
    """One page of people by first name."""
    return gql.data(PAGE, arguments)["people"]


def page_info(connection: dict[str, Any], has_next: bool, has_previous: bool) -> dict[str, Any]:
    """The exact ``pageInfo`` of a non-empty page: its first and last edge cursors."""
    return {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": connection["edges"][0]["cursor"],
        "endCursor": connection["edges"][-1]["cursor"],
    }


def test_paging_forward_with_first_and_after_walks_every_record_once(rgql):
    # when
    one = page(rgql, first=2)
    two = page(rgql, first=2, after=one["pageInfo"]["endCursor"])
    three = page(rgql, first=2, after=two["pageInfo"]["endCursor"])
    # then
    assert [firsts(p) for p in (one, two, three)] == [["Ada", "Alan"], ["Barbara", "Edsger"], ["Grace", "Linus"]]
    # Each flag speaks for the direction being paged (api-reference 1.5), as REST's pageInfo.
    assert [p["pageInfo"] for p in (one, two, three)] == [
        page_info(one, True, False),
        page_info(two, True, False),
        page_info(three, False, False),
    ]
    assert [p["totalCount"] for p in (one, two, three)] == [6, 6, 6]


def test_paging_backward_with_last_and_before_walks_every_record_once_in_normal_order(rgql):
    # when
    one = page(rgql, last=2)
    two = page(rgql, last=2, before=one["pageInfo"]["startCursor"])
    three = page(rgql, last=2, before=two["pageInfo"]["startCursor"])
    # then
    assert [firsts(p) for p in (one, two, three)] == [["Grace", "Linus"], ["Barbara", "Edsger"], ["Ada", "Alan"]]
    assert [p["pageInfo"] for p in (one, two, three)] == [
        page_info(one, False, True),
        page_info(two, False, True),
        page_info(three, False, False),
    ]


def test_paging_backward_from_a_cursor_with_last_and_before(rgql):
    # given: the cursor of the last person
    cursor = page(rgql, first=6)["pageInfo"]["endCursor"]
    # when
    one = page(rgql, last=2, before=cursor)
    two = page(rgql, last=2, before=one["pageInfo"]["startCursor"])
    three = page(rgql, last=2, before=two["pageInfo"]["startCursor"])
    # then: records in normal order; hasPreviousPage speaks for the backward direction
    assert [firsts(p) for p in (one, two, three)] == [["Edsger", "Grace"], ["Alan", "Barbara"], ["Ada"]]
    assert [p["pageInfo"] for p in (one, two, three)] == [
        page_info(one, False, True),
        page_info(two, False, True),
        page_info(three, False, False),
    ]


def test_every_edge_cursor_resumes_right_after_its_record(rgql):
    # given
    everyone = page(rgql, first=6)
    # when
    resumed = [firsts(page(rgql, first=1, after=edge["cursor"])) for edge in everyone["edges"]]
    # then
    assert resumed == [["Alan"], ["Barbara"], ["Edsger"], ["Grace"], ["Linus"], []]


def test_edge_cursors_asked_through_a_fragment_or_an_alias_are_the_cursors_of_their_records(rgql):
    # given: the cursors asked plainly
    plainly = [edge["cursor"] for edge in page(rgql, first=3)["edges"]]
    # when: asked through a fragment on the edge, under an alias, beside edges that do not ask
    data = rgql.data(
        "{ people(first: 3, orderBy: [{name: {firstName: AscNullsFirst}}]) { "
        "edges { node { id } } items: edges { ...Mark } } } fragment Mark on PersonEdge { c: cursor }"
    )
    # then
    assert [edge["c"] for edge in data["people"]["items"]] == plainly
    assert len(plainly) == 3 and len(set(plainly)) == 3


def test_an_empty_page_has_null_cursors(rgql):
    assert rgql.data(
        '{ people(filter: {city: {eq: "Atlantis"}}) { totalCount pageInfo '
        "{ hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } }"
    ) == {"people": {"totalCount": 0, "pageInfo": EMPTY_PAGE_INFO, "edges": []}}


def test_offset_skips_records_in_the_direction_of_paging(rgql):
    # when: Twenty's newer findMany argument
    skipped = page(rgql, first=2, offset=1)
    after_cursor = page(rgql, first=2, offset=2, after=page(rgql, first=1)["pageInfo"]["endCursor"])
    from_end = page(rgql, last=2, offset=1)
    # then
    assert (firsts(skipped), skipped["pageInfo"]["hasNextPage"], skipped["totalCount"]) == (
        ["Alan", "Barbara"],
        True,
        6,
    )
    assert firsts(after_cursor) == ["Edsger", "Grace"]
    assert firsts(from_end) == ["Edsger", "Grace"]
    assert firsts(page(rgql, first=2, offset=5)) == ["Linus"]
    assert page(rgql, first=2, offset=5)["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("offset", [-1, 9_999])
def test_an_offset_out_of_range_is_refused_saying_what_to_do(rgql, offset):
    error = rgql.error(PAGE, {"first": 2, "offset": offset})
    assert error["extensions"] == user_error(
        "'offset' must be an integer from 0 to 9998 with this page size; page further with cursors (after/before)"
    )


def test_after_and_before_together_are_refused(rgql):
    # given
    cursors = [edge["cursor"] for edge in page(rgql, first=3)["edges"]]
    # when: the page between two cursors is no connection argument pair we take (REST refuses it too)
    error = rgql.error(PAGE, {"first": 3, "after": cursors[0], "before": cursors[2]})
    # then
    assert error["extensions"] == user_error("Use either 'after' or 'before', not both")


def test_first_and_last_together_are_refused(rgql):
    error = rgql.error("{ people(first: 1, last: 1) { totalCount } }")
    assert error["extensions"] == user_error("Use either 'first' or 'last', not both")


def test_a_cursor_that_was_not_issued_is_refused(rgql):
    error = rgql.error('{ people(after: "bm90IGEgY3Vyc29y") { totalCount } }')
    assert error["extensions"] == user_error(
        "Invalid cursor 'bm90IGEgY3Vyc29y': use a startCursor or endCursor returned with this same order_by"
    )


# --- aggregates ---------------------------------------------------------------------------------------


def test_aggregate_fields_are_computed_over_every_matching_record(rgql):
    # when
    people = rgql.data(
        "{ people { totalCount countEmptyJobTitle countNotEmptyJobTitle countUniqueValuesJobTitle "
        "percentageEmptyJobTitle percentageNotEmptyJobTitle countEmptyEmails countNotEmptyCompanyId "
        "countEmptyName } }"
    )["people"]
    companies = rgql.data(
        "{ companies { totalCount minEmployees maxEmployees avgEmployees sumEmployees "
        "countEmptyEmployees percentageEmptyEmployees countTrueIdealCustomerProfile "
        "countFalseIdealCustomerProfile minAnnualRecurringRevenueAmountMicros "
        "maxAnnualRecurringRevenueAmountMicros avgAnnualRecurringRevenueAmountMicros "
        "sumAnnualRecurringRevenueAmountMicros countEmptyAnnualRecurringRevenue countEmptyTags } }"
    )["companies"]
    # then: Ghost (soft-deleted) is not counted
    assert people == {
        "totalCount": 6,
        "countEmptyJobTitle": 1,
        "countNotEmptyJobTitle": 5,
        "countUniqueValuesJobTitle": 3,
        "percentageEmptyJobTitle": 1 / 6,
        "percentageNotEmptyJobTitle": 5 / 6,
        "countEmptyEmails": 1,
        "countNotEmptyCompanyId": 5,
        "countEmptyName": 0,
    }
    assert companies == {
        "totalCount": 4,
        "minEmployees": 10.0,
        "maxEmployees": 200.0,
        "avgEmployees": pytest.approx(260 / 3),
        "sumEmployees": 260.0,
        "countEmptyEmployees": 1,
        "percentageEmptyEmployees": 0.25,
        "countTrueIdealCustomerProfile": 2,
        "countFalseIdealCustomerProfile": 2,
        "minAnnualRecurringRevenueAmountMicros": 1000000.0,
        "maxAnnualRecurringRevenueAmountMicros": 5000000.0,
        "avgAnnualRecurringRevenueAmountMicros": 3000000.0,
        "sumAnnualRecurringRevenueAmountMicros": 9000000.0,
        "countEmptyAnnualRecurringRevenue": 1,
        "countEmptyTags": 1,
    }


def test_a_composites_unique_values_count_its_sub_fields_together_and_an_empty_array_is_empty(gql, api):
    # given: two names sharing a first name, one repeated; tags empty as null and as []
    for first, last, tags in [("Ada", "Zedq", None), ("Ada", "Appleq", []), ("Ada", "Appleq", ["B2B"])]:
        assert api.post("/rest/people", {"name": {"firstName": first, "lastName": last}})[0] == 201
        assert api.post("/rest/companies", {"name": last, "tags": tags})[0] == 201
    names = '["Zedq", "Appleq"]'
    query = (
        f"{{ people(filter: {{name: {{lastName: {{in: {names}}}}}}}) {{ countUniqueValuesName }} "
        f"companies(filter: {{name: {{in: {names}}}}}) {{ countEmptyTags countNotEmptyTags countUniqueValuesTags }} }}"
    )
    # when
    data = gql.data(query)
    groups = api.get(
        "/rest/companies/groupBy",
        group_by='[{"name": true}]',
        aggregate='["countEmptyTags"]',
        filter="name[in]:[Zedq,Appleq]",
    )[1]
    # then
    assert data == {
        "people": {"countUniqueValuesName": 2},
        "companies": {"countEmptyTags": 2, "countNotEmptyTags": 1, "countUniqueValuesTags": 1},
    }
    assert [(g["groupByDimensionValues"], g["countEmptyTags"]) for g in groups] == [
        (["Appleq"], 1),
        (["Zedq"], 1),
    ]


def test_aggregates_follow_the_filter_and_ignore_the_page(rgql):
    assert rgql.data(
        "{ companies(filter: {idealCustomerProfile: {eq: true}}, first: 1) "
        "{ totalCount sumEmployees edges { node { name } } } }"
    ) == {"companies": {"totalCount": 2, "sumEmployees": 60.0, "edges": [{"node": {"name": "Acme"}}]}}


def test_aggregates_of_datetime_fields_are_instants(rgql):
    assert rgql.data("{ opportunities { minCloseDate maxCloseDate countEmptyCloseDate } }") == {
        "opportunities": {
            "minCloseDate": "2023-06-01T00:00:00.000Z",
            "maxCloseDate": "2024-03-01T00:00:00.000Z",
            "countEmptyCloseDate": 1,
        }
    }


def test_min_and_max_of_timestamps_are_shown_as_records_show_them(rgql, reader):
    # given
    created = sorted(c["createdAt"] for c in reader.get("/rest/companies")[1]["data"]["companies"])
    # when
    data = rgql.data("{ companies { minCreatedAt maxCreatedAt } }")
    groups = reader.get(
        "/rest/companies/groupBy", group_by='[{"idealCustomerProfile": true}]', aggregate='["minCreatedAt"]'
    )
    # then: milliseconds and Z, not Python's isoformat
    assert data == {"companies": {"minCreatedAt": created[0], "maxCreatedAt": created[-1]}}
    assert sorted(g["minCreatedAt"] for g in groups[1]) == sorted(
        min(
            c["createdAt"]
            for c in reader.get("/rest/companies", filter=f"idealCustomerProfile[eq]:{flag}")[1]["data"]["companies"]
        )
        for flag in ("true", "false")
    )


def test_group_by_a_boolean_gives_booleans_on_both_apis(rgql, reader):
    # when
    rest = reader.get("/rest/companies/groupBy", group_by='[{"idealCustomerProfile": true}]')
    graphql = rgql.data(
        "{ companiesGroupBy(groupBy: [{idealCustomerProfile: true}]) { groupByDimensionValues totalCount } }"
    )
    # then: booleans, not SQLite's 0 and 1
    expected = sorted(
        [{"groupByDimensionValues": [True], "totalCount": 2}, {"groupByDimensionValues": [False], "totalCount": 2}],
        key=str,
    )
    assert (rest[0], sorted(rest[1], key=str)) == (200, expected)
    assert sorted(graphql["companiesGroupBy"], key=str) == expected


@pytest.mark.parametrize(
    ("granularity", "periods"),
    [
        ("DAY", ["2023-06-01", "2024-03-01"]),
        ("MONTH", ["2023-06-01", "2024-03-01"]),
        ("QUARTER", ["2023-04-01", "2024-01-01"]),
        ("YEAR", ["2023-01-01", "2024-01-01"]),
    ],
)
def test_a_datetime_field_grouped_by_a_period_gives_its_first_instant_on_both_apis(rgql, reader, granularity, periods):
    # when
    rest = reader.get(
        "/rest/opportunities/groupBy",
        group_by=f'[{{"closeDate": {{"granularity": "{granularity}"}}}}]',
        order_by="closeDate[AscNullsLast]",
    )
    graphql = rgql.data(
        f"{{ opportunitiesGroupBy(groupBy: [{{closeDate: {{granularity: {granularity}}}}}], "
        'orderBy: [{closeDate: "AscNullsLast"}]) { groupByDimensionValues totalCount } }'
    )
    # then: as createdAt's groups show theirs (not "2024-03", Deal C's null last)
    expected = [
        *({"groupByDimensionValues": [f"{day}T00:00:00.000Z"], "totalCount": 1} for day in periods),
        {"groupByDimensionValues": [None], "totalCount": 1},
    ]
    assert rest == (200, expected)
    assert graphql["opportunitiesGroupBy"] == expected


@pytest.mark.parametrize(
    ("rest_order", "graphql_order", "cities"),
    [
        (None, None, ["", "London", "Arlington"]),
        ("city[AscNullsFirst]", [{"city": "AscNullsFirst"}], ["", "Arlington", "London"]),
        ("city[DescNullsLast]", [{"city": "DescNullsLast"}], ["London", "Arlington", ""]),
        ("totalCount[AscNullsFirst]", [{"aggregate": {"totalCount": "AscNullsFirst"}}], ["Arlington", "London", ""]),
    ],
    ids=["largest_first_by_default", "by_field_ascending", "by_field_descending", "by_aggregate"],
)
def test_groups_are_ordered_by_their_field_or_an_aggregate_on_both_apis(
    rgql, reader, rest_order, graphql_order, cities
):
    # when
    query = "query($o: [RawJSON!]) { peopleGroupBy(groupBy: [{city: true}], orderBy: $o) { groupByDimensionValues } }"
    graphql = rgql.data(query, {"o": graphql_order})["peopleGroupBy"]
    rest = reader.get(
        "/rest/people/groupBy", group_by='[{"city": true}]', **({"order_by": rest_order} if rest_order else {})
    )
    # then
    assert [g["groupByDimensionValues"][0] for g in graphql] == cities
    assert (rest[0], [g["groupByDimensionValues"][0] for g in rest[1]]) == (200, cities)


def test_groups_ordered_by_something_else_are_refused_naming_what_they_sort_on(reader):
    answer = reader.get("/rest/people/groupBy", group_by='[{"city": true}]', order_by="jobTitle")
    assert answer == (
        400,
        {
            "statusCode": 400,
            "error": "BadRequestException",
            "messages": [
                "'order_by' invalid. Groups sort on their group_by fields and aggregates: city, totalCount; got 'jobTitle'"
            ],
        },
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("groupBy: []", "'groupBy' invalid. Expected a non-empty JSON array such as [{\"stage\": true}]"),
        ("groupBy: [{city: true}], limit: -1", "'limit' must not be negative"),
    ],
)
def test_group_by_refusals_name_graphqls_arguments(rgql, arguments, message):
    error = rgql.error(f"{{ peopleGroupBy({arguments}) {{ totalCount }} }}")
    assert (error["message"], error["extensions"]["code"]) == (message, "BAD_USER_INPUT")


def test_aggregates_over_no_records_are_zero_counts_and_null_values(rgql):
    assert rgql.data(
        '{ companies(filter: {name: {eq: "Nobody"}}) { totalCount countEmptyName percentageEmptyName sumEmployees } }'
    ) == {"companies": {"totalCount": 0, "countEmptyName": 0, "percentageEmptyName": 0.0, "sumEmployees": None}}


# --- relations ------------------------------------------------------------------------------------------


def test_people_come_with_their_company(rgql):
    # when
    people = rgql.data(
        "{ people(orderBy: [{name: {firstName: AscNullsFirst}}]) "
        "{ edges { node { name { firstName } companyId company { id name } } } } }"
    )["people"]
    # then
    assert [(n["name"]["firstName"], n["companyId"], n["company"]) for n in nodes(people)] == [
        ("Ada", C["Acme"], {"id": C["Acme"], "name": "Acme"}),
        ("Alan", C["Acme"], {"id": C["Acme"], "name": "Acme"}),
        ("Barbara", C["Globex"], {"id": C["Globex"], "name": "Globex"}),
        ("Edsger", None, None),
        ("Grace", C["Globex"], {"id": C["Globex"], "name": "Globex"}),
        ("Linus", C["Acme"], {"id": C["Acme"], "name": "Acme"}),
    ]


def test_a_company_comes_with_its_live_people_as_a_connection(rgql):
    # when
    company = rgql.data(
        f'{{ company(filter: {{id: {{eq: "{C["Acme"]}"}}}}) {{ name people '
        "{ totalCount edges { node { id name { firstName } } } } } }"
    )["company"]
    # then: id order by default; Ghost is soft-deleted
    assert company == {
        "name": "Acme",
        "people": {
            "totalCount": 3,
            "edges": [
                {"node": {"id": P["Ada"], "name": {"firstName": "Ada"}}},
                {"node": {"id": P["Alan"], "name": {"firstName": "Alan"}}},
                {"node": {"id": P["Linus"], "name": {"firstName": "Linus"}}},
            ],
        },
    }


NESTED = """query($first: Int, $last: Int, $after: String, $before: String, $filter: PersonFilterInput,
                  $orderBy: [PersonOrderByInput]) {
  companies(orderBy: [{name: AscNullsFirst}]) { edges { node { name
    people(first: $first, last: $last, after: $after, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name { firstName } } }
    }
  } } }
}"""


def nested(gql: GraphQL, **arguments: Any) -> dict[str, dict[str, Any]]:
    """``people`` connection of each company, by company name."""
    companies = gql.data(NESTED, arguments)["companies"]
    return {node["name"]: node["people"] for node in nodes(companies)}


def test_nested_connections_take_filter_order_and_first_per_parent(rgql):
    # when
    found = nested(
        rgql, first=2, filter={"jobTitle": {"neq": "Admiral"}}, orderBy=[{"name": {"firstName": "DescNullsLast"}}]
    )
    # then
    assert {name: (firsts(c), c["totalCount"], c["pageInfo"]["hasNextPage"]) for name, c in found.items()} == {
        "Acme": (["Linus", "Alan"], 3, True),
        "Globex": (["Barbara"], 1, False),
        "Initech": ([], 0, False),
        "Umbrella": ([], 0, False),
    }


def test_a_nested_connection_pages_forward_with_after_exactly_like_the_root_connection(rgql):
    # given
    first_page = nested(rgql, first=2, orderBy=BY_FIRST_NAME)["Acme"]
    cursor = first_page["pageInfo"]["endCursor"]
    # when
    second_page = nested(rgql, first=2, after=cursor, orderBy=BY_FIRST_NAME)["Acme"]
    root = rgql.data(
        """query($after: String) { people(filter: {companyId: {eq: "%s"}}, first: 2, after: $after,
        orderBy: [{name: {firstName: AscNullsFirst}}]) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor
        endCursor } edges { cursor node { name { firstName } } } } }"""
        % C["Acme"],
        {"after": cursor},
    )["people"]
    # then
    assert firsts(first_page) == ["Ada", "Alan"] and firsts(second_page) == ["Linus"]
    assert second_page == root


def test_a_nested_connection_pages_backward_with_last_and_before_exactly_like_the_root_connection(rgql):
    # given
    last_page = nested(rgql, last=2, orderBy=BY_FIRST_NAME)["Acme"]
    cursor = last_page["pageInfo"]["startCursor"]
    # when
    previous_page = nested(rgql, last=2, before=cursor, orderBy=BY_FIRST_NAME)["Acme"]
    root = rgql.data(
        """query($before: String) { people(filter: {companyId: {eq: "%s"}}, last: 2, before: $before,
        orderBy: [{name: {firstName: AscNullsFirst}}]) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor
        endCursor } edges { cursor node { name { firstName } } } } }"""
        % C["Acme"],
        {"before": cursor},
    )["people"]
    # then
    assert firsts(last_page) == ["Alan", "Linus"] and firsts(previous_page) == ["Ada"]
    assert previous_page == root


def test_aggregates_of_a_nested_connection_are_per_parent_and_zero_for_a_parent_without_children(rgql):
    # when
    companies = rgql.data(
        "{ companies(orderBy: [{name: AscNullsFirst}]) { edges { node { name people "
        "{ totalCount countEmptyJobTitle percentageEmptyJobTitle } } } } }"
    )["companies"]
    # then
    assert {n["name"]: n["people"] for n in nodes(companies)} == {
        "Acme": {"totalCount": 3, "countEmptyJobTitle": 1, "percentageEmptyJobTitle": 1 / 3},
        "Globex": {"totalCount": 2, "countEmptyJobTitle": 0, "percentageEmptyJobTitle": 0.0},
        "Initech": {"totalCount": 0, "countEmptyJobTitle": 0, "percentageEmptyJobTitle": 0.0},
        "Umbrella": {"totalCount": 0, "countEmptyJobTitle": 0, "percentageEmptyJobTitle": 0.0},
    }


def test_relations_nest_three_levels_deep(rgql):
    # when: person -> company -> people -> company
    person = rgql.data(
        f'{{ person(filter: {{id: {{eq: "{P["Ada"]}"}}}}) {{ name {{ firstName }} company {{ name '
        "people(orderBy: [{name: {firstName: DescNullsLast}}]) { edges { node { name { firstName } "
        "company { name } } } } } } }"
    )["person"]
    # then
    assert person == {
        "name": {"firstName": "Ada"},
        "company": {
            "name": "Acme",
            "people": {
                "edges": [
                    {"node": {"name": {"firstName": "Linus"}, "company": {"name": "Acme"}}},
                    {"node": {"name": {"firstName": "Alan"}, "company": {"name": "Acme"}}},
                    {"node": {"name": {"firstName": "Ada"}, "company": {"name": "Acme"}}},
                ]
            },
        },
    }


def test_an_opportunity_comes_with_its_company_its_point_of_contact_and_their_relations(rgql):
    # when
    opportunity = rgql.data(
        f'{{ opportunity(filter: {{id: {{eq: "{O["Deal A"]}"}}}}) {{ name stage '
        "amount { amountMicros currencyCode } company { name opportunities { totalCount } } "
        "pointOfContact { name { lastName } pointOfContactForOpportunities "
        "{ edges { node { name } } } } } }"
    )["opportunity"]
    # then
    assert opportunity == {
        "name": "Deal A",
        "stage": "MEETING",
        "amount": {"amountMicros": 9000000, "currencyCode": "USD"},
        "company": {"name": "Acme", "opportunities": {"totalCount": 2}},
        "pointOfContact": {
            "name": {"lastName": "Lovelace"},
            "pointOfContactForOpportunities": {"edges": [{"node": {"name": "Deal A"}}]},
        },
    }


def test_the_same_relation_selected_twice_under_aliases_keeps_each_selection(rgql):
    # when
    company = rgql.data(
        f'{{ company(filter: {{id: {{eq: "{C["Acme"]}"}}}}) {{ '
        'engineers: people(filter: {jobTitle: {eq: "Engineer"}}) { totalCount } '
        "everyone: people { totalCount } } }"
    )["company"]
    # then
    assert company == {"engineers": {"totalCount": 2}, "everyone": {"totalCount": 3}}


def test_aliased_edges_and_relations_inside_fragments_are_loaded(rgql):
    # when
    found = rgql.data("""{ people(first: 2, orderBy: [{name: {firstName: AscNullsFirst}}]) { items: edges { ...Row } } }
        fragment Row on PersonEdge { entry: node { __typename ... on Person { first: name { firstName }
          employer: company { label: name } lost: company @include(if: false) { name } } } }""")
    # then
    assert found == {
        "people": {
            "items": [
                {"entry": {"__typename": "Person", "first": {"firstName": "Ada"}, "employer": {"label": "Acme"}}},
                {"entry": {"__typename": "Person", "first": {"firstName": "Alan"}, "employer": {"label": "Acme"}}},
            ]
        }
    }


def test_a_nested_connection_refuses_a_cursor_that_was_not_issued_as_the_root_does(rgql):
    error = rgql.error('{ companies { edges { node { people(after: "bm90IGEgY3Vyc29y") { totalCount } } } } }')
    assert error["extensions"] == user_error(
        "Invalid cursor 'bm90IGEgY3Vyc29y': use a startCursor or endCursor returned with this same order_by"
    )


def test_find_one_without_a_match_is_not_found(rgql):
    error = rgql.error(f'{{ person(filter: {{id: {{eq: "{MISSING_ID}"}}}}) {{ id }} }}')
    assert (error["path"], error["extensions"]) == (["person"], user_error("Record not found in people", "NOT_FOUND"))
