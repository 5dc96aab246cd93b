"""Filters and sorts through relations (api-reference §11), REST and GraphQL side by side.

Every read runs through both APIs on the data set of ``dataset.py`` and must find the same records
in the same order (the parity rule of ``test_parity.py``). Acme has Ada, Alan and Linus (and the
trashed Ghost), Globex has Grace and Barbara, Initech and Umbrella have nobody, Edsger has no
company. People in id order: Ada, Alan, Grace, Edsger, Barbara, Linus.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.graphql_core.dataset import C, O, P
from tests.graphql_core.helpers import user_error
from tests.graphql_core.test_parity import gql_list, names, read, rest_list


def graphql_only(plural: str, gql_filter: dict, expected: list[str], id: str):
    """A scenario only GraphQL can write (conditions grouped on one related record, ``{}``)."""
    return pytest.param(None, gql_list(plural, filter=gql_filter), expected, id=id)


READS = [
    # to-one, Twenty's shape
    read(
        "people", "company.name[eq]:Acme", {"company": {"name": {"eq": "Acme"}}}, ["Ada", "Alan", "Linus"], "to-one-eq"
    ),
    read(
        "people",
        'company.name[ilike]:"%GLOB%"',
        {"company": {"name": {"ilike": "%GLOB%"}}},
        ["Grace", "Barbara"],
        "to-one-ilike",
    ),
    read(
        "people",
        "company.address.addressCity[eq]:Paris",
        {"company": {"address": {"addressCity": {"eq": "Paris"}}}},
        ["Ada", "Alan", "Linus"],
        "to-one-composite_sub_field",
    ),
    read(
        "people",
        "company.employees[is]:NULL",
        {"company": {"employees": {"is": "NULL"}}},
        ["Edsger"],
        "to-one-is_null-matches_no_company",
    ),
    read(
        "people",
        "company.employees[is]:NOT_NULL",
        {"company": {"employees": {"is": "NOT_NULL"}}},
        ["Ada", "Alan", "Grace", "Barbara", "Linus"],
        "to-one-is_not_null",
    ),
    read(
        "people",
        "not(company.employees[gt]:100)",
        {"not": {"company": {"employees": {"gt": 100}}}},
        ["Ada", "Alan", "Linus"],
        "to-one-not-never_matches_a_missing_value",
    ),
    read(
        "people",
        "or(company.name[eq]:Acme,company.employees[gt]:100)",
        {"company": {"or": [{"name": {"eq": "Acme"}}, {"employees": {"gt": 100}}]}},
        ["Ada", "Alan", "Grace", "Barbara", "Linus"],
        "to-one-or_inside",
    ),
    read(
        "people",
        "or(company.name[eq]:Globex,jobTitle[eq]:Engineer)",
        {"or": [{"company": {"name": {"eq": "Globex"}}}, {"jobTitle": {"eq": "Engineer"}}]},
        ["Ada", "Grace", "Edsger", "Barbara", "Linus"],
        "to-one-or_with_own_field",
    ),
    read(
        "people",
        f"company.id[eq]:{C['Globex']}",
        {"company": {"id": {"eq": C["Globex"]}}},
        ["Grace", "Barbara"],
        "to-one-id",
    ),
    # to-many with quantifiers (ours)
    read(
        "companies", "people.jobTitle[eq]:Engineer", {"people": {"jobTitle": {"eq": "Engineer"}}}, ["Acme"], "some-bare"
    ),
    read(
        "companies",
        "people._some.jobTitle[eq]:Admiral",
        {"people": {"_some": {"jobTitle": {"eq": "Admiral"}}}},
        ["Globex"],
        "some-explicit",
    ),
    read(
        "companies",
        "people._none.jobTitle[eq]:Engineer",
        {"people": {"_none": {"jobTitle": {"eq": "Engineer"}}}},
        ["Globex", "Initech", "Umbrella"],
        "none",
    ),
    read(
        "companies",
        "people._every.city[eq]:London",
        {"people": {"_every": {"city": {"eq": "London"}}}},
        ["Initech", "Umbrella"],
        "every-true_without_people",
    ),
    read(
        "companies",
        "people._every.emails.primaryEmail[ilike]:%.%",
        {"people": {"_every": {"emails": {"primaryEmail": {"ilike": "%.%"}}}}},
        ["Acme", "Globex", "Initech", "Umbrella"],
        "every-composite",
    ),
    read(
        "companies",
        "people._every.name.lastName[neq]:Hopper",
        {"people": {"_every": {"name": {"lastName": {"neq": "Hopper"}}}}},
        ["Acme", "Initech", "Umbrella"],
        "every-indexed_field",
    ),
    read(
        "companies",
        "people._some.id[is]:NOT_NULL",
        {"people": {"_some": {"id": {"is": "NOT_NULL"}}}},
        ["Acme", "Globex"],
        "some-has_people",
    ),
    read(
        "companies",
        "people._none.id[is]:NOT_NULL",
        {"people": {"_none": {}}},
        ["Initech", "Umbrella"],
        "none-has_no_people",
    ),
    graphql_only("companies", {"people": {}}, ["Acme", "Globex"], "graphql-empty_object_has_people"),
    read(
        "companies",
        "not(people.jobTitle[eq]:Engineer)",
        {"not": {"people": {"jobTitle": {"eq": "Engineer"}}}},
        ["Globex", "Initech", "Umbrella"],
        "not_some_is_none",
    ),
    read(
        "companies",
        "not(people._every.city[eq]:London)",
        {"not": {"people": {"_every": {"city": {"eq": "London"}}}}},
        ["Acme", "Globex"],
        "not_every",
    ),
    read(
        "companies",
        "people.emails.primaryEmail[eq]:ghost@acme.com",
        {"people": {"emails": {"primaryEmail": {"eq": "ghost@acme.com"}}}},
        [],
        "trashed_related_records_count_as_absent",
    ),
    # each REST leaf is quantified on its own; GraphQL groups conditions on one related record
    read(
        "companies",
        "and(people.jobTitle[eq]:Professor,people.city[eq]:Arlington)",
        {"and": [{"people": {"jobTitle": {"eq": "Professor"}}}, {"people": {"city": {"eq": "Arlington"}}}]},
        ["Globex"],
        "separate_leaves-separate_people",
    ),
    graphql_only(
        "companies",
        {"people": {"jobTitle": {"eq": "Professor"}, "city": {"eq": "Arlington"}}},
        [],
        "graphql-one_group-one_person",
    ),
    graphql_only(
        "companies",
        {
            "people": {
                "_some": {"jobTitle": {"eq": "Engineer"}, "city": {"eq": "London"}},
                "_none": {"jobTitle": {"eq": "CEO"}},
            }
        },
        ["Acme"],
        "graphql-quantifiers_beside",
    ),
    # two hops
    read(
        "opportunities",
        "company.people.jobTitle[eq]:Admiral",
        {"company": {"people": {"jobTitle": {"eq": "Admiral"}}}},
        ["Deal C"],
        "two_hops-to_one_then_to_many",
    ),
    read(
        "people",
        "pointOfContactForOpportunities.company.name[eq]:Globex",
        {"pointOfContactForOpportunities": {"company": {"name": {"eq": "Globex"}}}},
        ["Grace"],
        "two_hops-to_many_then_to_one",
    ),
    # trashed records (deletedAt named) read the join column itself
    read(
        "people",
        "and(deletedAt[is]:NOT_NULL,company.name[eq]:Acme)",
        {"deletedAt": {"is": "NOT_NULL"}, "company": {"name": {"eq": "Acme"}}},
        ["Ghost"],
        "trash-through_the_join_column",
    ),
    # the join column still filters as before
    read("people", "companyId[is]:NULL", {"companyId": {"is": "NULL"}}, ["Edsger"], "join_column"),
]


@pytest.mark.parametrize(("rest_run", "gql_run", "expected"), READS)
def test_relation_filters_find_the_same_records_through_rest_and_graphql(reader, rgql, rest_run, gql_run, expected):
    # when
    gql_result = gql_run(rgql)
    rest_result = rest_run(reader) if rest_run is not None else None
    # then
    assert names(gql_result["records"]) == expected
    assert gql_result["totalCount"] == len(expected)
    if rest_result is not None:
        assert rest_result == gql_result


ORDERS = {
    "AscNullsLast": ["Ada", "Alan", "Linus", "Grace", "Barbara", "Edsger"],
    "AscNullsFirst": ["Edsger", "Ada", "Alan", "Linus", "Grace", "Barbara"],
    "DescNullsFirst": ["Edsger", "Grace", "Barbara", "Ada", "Alan", "Linus"],
    "DescNullsLast": ["Grace", "Barbara", "Ada", "Alan", "Linus", "Edsger"],
}


@pytest.mark.parametrize("direction", list(ORDERS))
def test_order_by_a_to_one_relation_field_on_both_apis(reader, rgql, direction):
    # when
    rest = rest_list("people", order_by=f"company.name[{direction}]")(reader)
    gql = gql_list("people", orderBy=[{"company": {"name": direction}}])(rgql)
    # then: ties (same company) by id, no company where the nulls go
    assert names(rest["records"]) == ORDERS[direction]
    assert rest == gql


def walk(first_page, next_page, previous_page) -> tuple[list[str], list[str]]:
    """Names met walking forward page by page from ``first_page``, and backward from its last page."""
    forward, page = [], first_page()
    forward += names(page["records"])
    while page["pageInfo"]["hasNextPage"]:
        page = next_page(page["pageInfo"]["endCursor"])
        forward += names(page["records"])
    backward = names(page["records"])
    more = len(backward) < len(forward)  # the last page came forward: ask backward from it once at least
    while more:
        page = previous_page(page["pageInfo"]["startCursor"])
        backward = names(page["records"]) + backward
        more = page["pageInfo"]["hasPreviousPage"]
    return forward, backward


SORTS = [pytest.param(f"company.name[{d}]", [{"company": {"name": d}}], id=f"company.name-{d}") for d in ORDERS] + [
    pytest.param(
        "company.employees[DescNullsLast],jobTitle[AscNullsFirst]",
        [{"company": {"employees": "DescNullsLast"}}, {"jobTitle": "AscNullsFirst"}],
        id="two_keys",
    ),
    pytest.param(
        "company.address.addressCity[AscNullsLast]",
        [{"company": {"address": {"addressCity": "AscNullsLast"}}}],
        id="composite_sub_field",
    ),
    pytest.param("companyId[DescNullsFirst]", [{"companyId": "DescNullsFirst"}], id="join_column"),
]


@pytest.mark.parametrize("limit", [1, 2, 4])
@pytest.mark.parametrize(("order", "gql_order"), SORTS)
def test_keyset_walk_through_a_relation_order_sees_every_record_once_both_ways(reader, rgql, order, gql_order, limit):
    # given: the whole order in one page, the same through both APIs
    everyone = rest_list("people", order_by=order, limit=60)(reader)
    assert everyone == gql_list("people", orderBy=gql_order, first=60)(rgql)
    expected = names(everyone["records"])
    assert sorted(expected) == ["Ada", "Alan", "Barbara", "Edsger", "Grace", "Linus"]
    # when: REST walks forward then back; GraphQL likewise (cursors of one API work in the other)
    rest = walk(
        lambda: rest_list("people", order_by=order, limit=limit)(reader),
        lambda cursor: rest_list("people", order_by=order, limit=limit, starting_after=cursor)(reader),
        lambda cursor: rest_list("people", order_by=order, limit=limit, ending_before=cursor)(reader),
    )
    gql = walk(
        lambda: gql_list("people", orderBy=gql_order, first=limit)(rgql),
        lambda cursor: gql_list("people", orderBy=gql_order, first=limit, after=cursor)(rgql),
        lambda cursor: gql_list("people", orderBy=gql_order, last=limit, before=cursor)(rgql),
    )
    # then
    assert rest == (expected, expected)
    assert gql == (expected, expected)


ID_ORDER_FILTERS = [
    pytest.param(
        "people",
        "company.name[ilike]:%e%",
        {"company": {"name": {"ilike": "%e%"}}},
        ["Ada", "Alan", "Grace", "Barbara", "Linus"],
        id="to_one",
    ),
    pytest.param(
        "companies",
        "people._some.name.firstName[is]:NOT_NULL",
        {"people": {"_some": {"name": {"firstName": {"is": "NOT_NULL"}}}}},
        ["Acme", "Globex"],
        id="some",
    ),
]


@pytest.mark.parametrize(("plural", "rest_filter", "gql_filter", "expected"), ID_ORDER_FILTERS)
def test_a_relation_filter_pages_in_id_order_with_its_count_on_every_page(
    reader, rgql, plural, rest_filter, gql_filter, expected
):
    # given: the page and its count come from one statement (planner.fetch_page)
    counts: list[int] = []

    def counted(page):
        counts.append(page["totalCount"])
        return page

    # when: both APIs walk one record at a time, forward then back
    rest = walk(
        lambda: counted(rest_list(plural, filter=rest_filter, limit=1)(reader)),
        lambda cursor: counted(rest_list(plural, filter=rest_filter, limit=1, starting_after=cursor)(reader)),
        lambda cursor: counted(rest_list(plural, filter=rest_filter, limit=1, ending_before=cursor)(reader)),
    )
    gql = walk(
        lambda: counted(gql_list(plural, filter=gql_filter, first=1)(rgql)),
        lambda cursor: counted(gql_list(plural, filter=gql_filter, first=1, after=cursor)(rgql)),
        lambda cursor: counted(gql_list(plural, filter=gql_filter, last=1, before=cursor)(rgql)),
    )
    whole = rest_list(plural, filter=rest_filter, limit=60)(reader)
    beyond = rest_list(plural, filter=rest_filter, limit=60, starting_after=whole["pageInfo"]["endCursor"])(reader)
    # then: every page counts every match, the empty page after the last one included
    assert rest == (expected, expected)
    assert gql == (expected, expected)
    assert counts == [len(expected)] * (4 * len(expected) - 2)
    assert (beyond["records"], beyond["totalCount"], beyond["pageInfo"]["hasNextPage"]) == ([], len(expected), False)


def test_join_column_order_puts_records_without_a_company_where_asked(reader, rgql):
    # when
    rest = rest_list("people", order_by="companyId[AscNullsFirst]")(reader)
    gql = gql_list("people", orderBy=[{"companyId": "AscNullsFirst"}])(rgql)
    # then
    assert names(rest["records"]) == ["Edsger", "Ada", "Alan", "Linus", "Grace", "Barbara"]
    assert rest == gql


def test_a_trashed_related_record_counts_as_absent_in_filters_and_order(reader, rgql):
    # given: Globex in the trash (rolled back with the test)
    status, body = reader.delete(f"/rest/companies/{C['Globex']}", soft_delete="true")
    assert status == 200, body
    # when
    missing = rest_list("people", filter="company.name[is]:NULL")(reader)
    ordered = rest_list("people", order_by="company.name[AscNullsLast]")(reader)
    gql = gql_list("people", orderBy=[{"company": {"name": "AscNullsLast"}}])(rgql)
    # then
    assert names(missing["records"]) == ["Grace", "Edsger", "Barbara"]
    assert names(ordered["records"]) == ["Ada", "Alan", "Linus", "Grace", "Edsger", "Barbara"]
    assert ordered == gql


def test_ties_across_related_records_and_cut_keys_keep_one_order_on_every_page(reader, rgql):
    # given: Umbrella renamed "Acme" (two companies, one name) with Edsger in it, Globex renamed to a
    # long name that shares its first 200 characters with Initech's new name (rolled back with the test)
    for company, body in (
        (C["Umbrella"], {"name": "Acme"}),
        (C["Globex"], {"name": "X" * 250 + "b"}),
        (C["Initech"], {"name": "X" * 250 + "a"}),
    ):
        status, answer = reader.patch(f"/rest/companies/{company}", body)
        assert status == 200, answer
    for person, company in ((P["Edsger"], C["Umbrella"]), (P["Barbara"], C["Initech"])):
        status, answer = reader.patch(f"/rest/people/{person}", {"companyId": company})
        assert status == 200, answer
    expected = {
        # Acme's people of both companies by id, then the long names by whole value
        "AscNullsLast": ["Ada", "Alan", "Edsger", "Linus", "Barbara", "Grace"],
        "DescNullsLast": ["Grace", "Barbara", "Ada", "Alan", "Edsger", "Linus"],
    }
    for direction, order in expected.items():
        for limit in (1, 2, 4):
            # when
            forward, backward = walk(
                lambda d=direction, n=limit: rest_list("people", order_by=f"company.name[{d}]", limit=n)(reader),
                lambda c, d=direction, n=limit: rest_list(
                    "people", order_by=f"company.name[{d}]", limit=n, starting_after=c
                )(reader),
                lambda c, d=direction, n=limit: gql_list(
                    "people", orderBy=[{"company": {"name": d}}], last=n, before=c
                )(rgql),
            )
            # then
            assert (forward, backward) == (order, order), (direction, limit)


def test_nested_connections_filter_and_sort_through_relations_too(rgql):
    # when
    data = rgql.data(
        """{ companies(filter: {people: {}}) { edges { node { name
             people(filter: {company: {employees: {lt: 100}}},
                    orderBy: [{company: {name: AscNullsFirst}}, {name: {firstName: DescNullsLast}}]) {
               totalCount edges { node { name { firstName } } } } } } } }"""
    )
    # then: Acme's people (Globex has 200 employees), by first name descending
    found = {
        edge["node"]["name"]: [person["node"]["name"]["firstName"] for person in edge["node"]["people"]["edges"]]
        for edge in data["companies"]["edges"]
    }
    assert found == {"Acme": ["Linus", "Alan", "Ada"], "Globex": []}


# --- messages (§11.3's table) -----------------------------------------------------------------------

TOO_DEEP = "Relation filter nesting deeper than 2 hops is not supported"

REST_ERRORS = [
    pytest.param(
        "people", "company.foo[eq]:x", 'Object company doesn\'t have any "foo" field.', id="unknown_on_target"
    ),
    pytest.param(
        "people", "company[eq]:x", 'Cannot filter by relation field "company": use "companyId" instead', id="to_one"
    ),
    pytest.param(
        "companies",
        "people[is]:NULL",
        'Cannot filter by relation field "people": use people._some.id[is]:NOT_NULL or people._none.id[is]:NOT_NULL',
        id="to_many",
    ),
    pytest.param(
        "people",
        "company._none.name[eq]:x",
        "'_none' only applies to a one-to-many relation ('company' is many-to-one)",
        id="quantifier_after_to_one",
    ),
    pytest.param("opportunities", "pointOfContact.company.people.city[eq]:x", TOO_DEEP, id="three_hops"),
]


@pytest.mark.parametrize(("plural", "filter", "message"), REST_ERRORS)
def test_rest_relation_errors_are_400s_with_the_contracts_messages(reader, plural, filter, message):
    # when
    status, body = reader.get(f"/rest/{plural}", filter=filter)
    # then
    assert (status, body) == (400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]})


@pytest.mark.parametrize(
    ("plural", "type_name", "filter", "message"),
    [
        pytest.param(
            "people",
            "Person",
            {"company": {"_none": {"name": {"eq": "x"}}}},
            "'_none' only applies to a one-to-many relation ('company' is many-to-one)",
            id="quantifier_after_to_one",
        ),
        pytest.param(
            "opportunities",
            "Opportunity",
            {"pointOfContact": {"company": {"people": {"city": {"eq": "x"}}}}},
            TOO_DEEP,
            id="three_hops",
        ),
        pytest.param(
            "people",
            "Person",
            {"_every": {"city": {"eq": "x"}}},
            "'_every' only applies to a one-to-many relation (it starts the path)",
            id="quantifier_at_the_root",
        ),
    ],
)
def test_graphql_relation_errors_are_bad_user_input_with_the_same_messages(rgql, plural, type_name, filter, message):
    # when
    error = rgql.error(
        f"query($f: {type_name}FilterInput) {{ {plural}(filter: $f) {{ edges {{ node {{ id }} }} }} }}", {"f": filter}
    )
    # then
    assert error["message"] == message
    assert error["extensions"] == user_error(message)


def test_rest_order_by_a_one_to_many_relation_is_a_400(reader):
    # when
    status, body = reader.get("/rest/companies", order_by="people.name.firstName")
    # then
    message = "'order_by' invalid: 'people' is a one-to-many relation and cannot be sorted on"
    assert (status, body) == (400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]})


def test_graphql_relation_order_names_one_key_per_object(rgql):
    # when
    error = rgql.error(
        "{ people(orderBy: [{company: {name: AscNullsLast, employees: DescNullsFirst}}]) { edges { node { id } } } }"
    )
    # then
    message = "Please provide nested field criteria one by one in orderBy array"
    assert (error["message"], error["extensions"]) == (message, user_error(message))


def test_depth_follows_the_setting(reader, settings):
    # given
    settings.MAX_RELATION_FILTER_DEPTH = 1
    # when
    status, body = reader.get("/rest/opportunities", filter="company.people.jobTitle[eq]:Admiral")
    # then
    assert (status, body["messages"]) == (400, ["Relation filter nesting deeper than 1 hops is not supported"])


def test_graphql_one_to_many_order_is_no_input_field(rgql):
    # when
    error = rgql.error("{ companies(orderBy: [{people: {name: AscNullsFirst}}]) { edges { node { id } } } }")
    # then
    assert error["message"] == "Field 'people' is not defined by type 'CompanyOrderByInput'."
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# --- queries: a constant number, whatever the page size ------------------------------------------


def queries_of(run) -> int:
    """How many SQL queries ``run`` makes (after one warm-up run)."""
    run()
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("plural", "params", "extra", "pg_extra"),
    [
        # the page and its count in one statement: the id set is read once (as many as a plain list,
        # whose page reads the object's counter)
        pytest.param("people", {"filter": "company.name[ilike]:%e%"}, (0, 0), None, id="to_one_filter"),
        pytest.param("companies", {"filter": "people._some.jobTitle[eq]:Engineer"}, (0, 0), None, id="some_filter"),
        # the filter's count, then the page
        pytest.param("companies", {"filter": "people._every.city[eq]:London"}, (1, 1), None, id="every_filter"),
        # unfiltered, counted by the page's statement as a plain list is: the page of one is full after
        # the records with a value; the page of 60 reads the others too (from the index: a bounded
        # count of them, then the page's ids)
        pytest.param("people", {"order_by": "company.name[AscNullsLast]"}, (0, 0), (0, 2), id="relation_order"),
        # the filter's count; no record without a value passes the filter: both pages read both segments
        pytest.param(
            "people",
            {"filter": "company.employees[gte]:10", "order_by": "company.name[DescNullsFirst]"},
            (1, 1),
            (2, 2),
            id="both",
        ),
    ],
)
def test_relation_filters_and_sorts_add_a_constant_number_of_queries(reader, plural, params, extra, pg_extra):
    # when: one record per page, then every record on one page
    small = queries_of(lambda: rest_list(plural, limit=1, **params)(reader))
    large = queries_of(lambda: rest_list(plural, limit=60, **params)(reader))
    plain = queries_of(lambda: rest_list(plural, limit=60)(reader))
    # then: the relation is joined inside the page and count queries; a relation order first on
    # PostgreSQL reads the records without a value in a second statement when the page has room
    if connection.vendor == "postgresql" and pg_extra is not None:
        extra = pg_extra
    assert (small - plain, large - plain) == extra


def test_graphql_relation_filter_and_order_queries_do_not_grow_with_the_page(rgql):
    # given
    query = (
        "query($n: Int) { people(first: $n, filter: {company: {employees: {gte: 10}}}, "
        "orderBy: [{company: {name: AscNullsLast}}]) { totalCount edges { node { id company { name } } } } }"
    )
    # when
    small = queries_of(lambda: rgql.data(query, {"n": 1}))
    large = queries_of(lambda: rgql.data(query, {"n": 60}))
    # then: totalCount is selected, so the matches are counted first and the page of 60 knows that
    # the records with a value are all of them (no statement for the records without one)
    assert large - small == 0
    assert [e["node"]["company"]["name"] for e in rgql.data(query, {"n": 60})["people"]["edges"]] == [
        "Acme", "Acme", "Acme", "Globex", "Globex",
    ]  # fmt: skip


# --- workspaces are sealed -------------------------------------------------------------------------


def test_a_relation_filter_never_matches_another_workspaces_records(reader, other_api):
    # given: the other workspace reuses Acme's id for its company "Other", with a person "Eve" in it
    status, body = other_api.post("/rest/companies", {"id": C["Acme"], "name": "Other", "employees": 7})
    assert status == 201, body
    status, body = other_api.post(
        "/rest/people", {"id": P["Ada"], "name": {"firstName": "Eve"}, "companyId": C["Acme"], "jobTitle": "Engineer"}
    )
    assert status == 201, body
    # when
    mine = rest_list("people", filter="company.name[eq]:Other")(reader)
    theirs = rest_list("people", filter="company.name[eq]:Acme")(other_api)
    their_own = rest_list("people", filter="company.name[eq]:Other", order_by="company.name")(other_api)
    their_companies = rest_list("companies", filter="people.jobTitle[eq]:Engineer")(other_api)
    my_companies = rest_list("companies", filter="people.name.firstName[eq]:Eve")(reader)
    # then
    assert (mine["records"], mine["totalCount"]) == ([], 0)
    assert (theirs["records"], theirs["totalCount"]) == ([], 0)
    assert names(their_own["records"]) == ["Eve"]
    assert names(their_companies["records"]) == ["Other"]
    assert my_companies["records"] == []


def test_relation_filters_work_in_mass_updates_too(reader):
    # when: update every Globex person through the relation (rolled back with the test)
    status, body = reader.patch("/rest/people", {"city": "Geneva"}, filter="company.name[eq]:Globex")
    # then
    assert status == 200, body
    found = rest_list("people", filter="city[eq]:Geneva")(reader)
    assert names(found["records"]) == ["Grace", "Barbara"]


def test_opportunities_filter_through_two_to_one_relations(reader):
    # when
    found = rest_list("opportunities", filter="pointOfContact.company.name[eq]:Acme", order_by="pointOfContact.city")(
        reader
    )
    # then
    assert [r["id"] for r in found["records"]] == [O["Deal A"], O["Deal B"]]
