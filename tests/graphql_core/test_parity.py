"""THE PARITY SUITE (docs/architecture.md, "The one path every request takes"): the same scenarios through REST and GraphQL find identical
records and identical messages.

Every scenario runs twice on the data set of ``dataset.py`` (one workspace, fixed ids): once through
REST and once through GraphQL, each inside its own rolled-back savepoint, so both start from the
same records and a write through one API cannot leak into the other's run. Records are compared
as whole dicts: GraphQL selects every field REST returns (``helpers.PERSON``...), and writes leave
out only the timestamps of the moment of writing. Errors compare REST's ``messages`` with
GraphQL's ``extensions.messages``, and the HTTP status with ``extensions.code``. Each scenario
also checks what it found, so that two empty answers cannot pass for parity.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction

from tests.conftest import ApiClient
from tests.graphql_core.dataset import MISSING_ID, C, O, P
from tests.graphql_core.helpers import (
    COMPANY,
    OPPORTUNITY,
    PERSON,
    WRITE_SKIP,
    GraphQL,
    flatten,
    nodes,
    project,
    selection_of,
)

CODES = {400: "BAD_USER_INPUT", 404: "NOT_FOUND"}
FIELDS = {"people": PERSON, "companies": f"{COMPANY} tags", "opportunities": OPPORTUNITY}
TYPES = {"people": "Person", "companies": "Company", "opportunities": "Opportunity"}
SINGULAR = {"people": "person", "companies": "company", "opportunities": "opportunity"}
NEW_ID = "e0000000-0000-4000-8000-000000000001"


@contextmanager
def rolled_back():
    """A savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def both(rest: ApiClient, gql: GraphQL, rest_run: Callable[[ApiClient], Any], gql_run: Callable[[GraphQL], Any]):
    """Run the REST and the GraphQL version of a scenario from the same starting state."""
    with rolled_back():
        rest_result = rest_run(rest)
    with rolled_back():
        gql_result = gql_run(gql)
    return rest_result, gql_result


def names(records: list[dict[str, Any]]) -> list[str]:
    """First names of people, names of anything else."""
    return [r["name"]["firstName"] if isinstance(r["name"], dict) else r["name"] for r in records]


# --- reads --------------------------------------------------------------------------------------------


def rest_list(plural: str, **params: Any) -> Callable[[ApiClient], dict[str, Any]]:
    """``GET /rest/{plural}?...`` as ``{records, totalCount, pageInfo}``."""

    def run(api: ApiClient) -> dict[str, Any]:
        status, body = api.get(f"/rest/{plural}", **params)
        assert status == 200, body
        return {"records": body["data"][plural], "totalCount": body["totalCount"], "pageInfo": body["pageInfo"]}

    return run


def gql_list(plural: str, **arguments: Any) -> Callable[[GraphQL], dict[str, Any]]:
    """``{plural}(...)`` as ``{records, totalCount, pageInfo}`` (arguments passed as variables)."""

    def run(gql: GraphQL) -> dict[str, Any]:
        kinds = {
            "filter": f"{TYPES[plural]}FilterInput",
            "orderBy": f"[{TYPES[plural]}OrderByInput]",
            "first": "Int",
            "last": "Int",
            "after": "String",
            "before": "String",
        }
        declared = ", ".join(f"${k}: {kinds[k]}" for k in arguments)
        passed = ", ".join(f"{k}: ${k}" for k in arguments)
        query = (
            f"query{f'({declared})' if declared else ''} {{ {plural}{f'({passed})' if passed else ''} {{ totalCount "
            f"pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ node {{ {FIELDS[plural]} }} }} }} }}"
        )
        connection = gql.data(query, arguments)[plural]
        return {
            "records": nodes(connection),
            "totalCount": connection["totalCount"],
            "pageInfo": connection["pageInfo"],
        }

    return run


def read(
    plural: str,
    rest_filter: str | None,
    gql_filter: dict | None,
    expected: list[str],
    id: str,
    order_by: str | None = None,
    gql_order: list | None = None,
):
    """A find-many scenario: the same filter (and order) written for each API."""
    params = {k: v for k, v in (("filter", rest_filter), ("order_by", order_by)) if v is not None}
    arguments = {k: v for k, v in (("filter", gql_filter), ("orderBy", gql_order)) if v is not None}
    return pytest.param(rest_list(plural, **params), gql_list(plural, **arguments), expected, id=id)


READS = [
    read("people", "jobTitle[eq]:Engineer", {"jobTitle": {"eq": "Engineer"}}, ["Ada", "Edsger", "Linus"], "filter-eq"),
    read(
        "people",
        "jobTitle[neq]:Engineer",
        {"jobTitle": {"neq": "Engineer"}},
        ["Alan", "Grace", "Barbara"],
        "filter-neq",
    ),
    read(
        "people",
        "name.firstName[in]:[Ada,Grace]",
        {"name": {"firstName": {"in": ["Ada", "Grace"]}}},
        ["Ada", "Grace"],
        "filter-in-composite_sub_field",
    ),
    read("people", "companyId[is]:NULL", {"companyId": {"is": "NULL"}}, ["Edsger"], "filter-is-null"),
    read(
        "people",
        f"companyId[eq]:{C['Globex']}",
        {"companyId": {"eq": C["Globex"]}},
        ["Grace", "Barbara"],
        "filter-eq-join_id",
    ),
    read("companies", "employees[gt]:10", {"employees": {"gt": 10}}, ["Globex", "Umbrella"], "filter-gt"),
    read("companies", "employees[gte]:50", {"employees": {"gte": 50}}, ["Globex", "Umbrella"], "filter-gte"),
    read("companies", "employees[lt]:50", {"employees": {"lt": 50}}, ["Acme"], "filter-lt"),
    read("companies", "employees[lte]:50", {"employees": {"lte": 50}}, ["Acme", "Umbrella"], "filter-lte"),
    read(
        "companies",
        "annualRecurringRevenue.amountMicros[gte]:3000000",
        {"annualRecurringRevenue": {"amountMicros": {"gte": 3000000}}},
        ["Globex", "Umbrella"],
        "filter-gte-currency",
    ),
    read(
        "people",
        "name.lastName[startsWith]:L",
        {"name": {"lastName": {"startsWith": "L"}}},
        ["Ada", "Barbara"],
        "filter-startsWith",
    ),
    read(
        "people",
        "emails.primaryEmail[endsWith]:@acme.com",
        {"emails": {"primaryEmail": {"endsWith": "@acme.com"}}},
        ["Ada", "Alan"],
        "filter-endsWith",
    ),
    read(
        "people",
        "name.lastName[like]:%o%",
        {"name": {"lastName": {"like": "%o%"}}},
        ["Ada", "Grace", "Barbara", "Linus"],
        "filter-like",
    ),
    read(
        "people", "name.firstName[ilike]:a%", {"name": {"firstName": {"ilike": "a%"}}}, ["Ada", "Alan"], "filter-ilike"
    ),
    read(
        "companies",
        "tags[containsAny]:[B2B]",
        {"tags": {"containsAny": ["B2B"]}},
        ["Acme", "Globex"],
        "filter-containsAny",
    ),
    read(
        "opportunities",
        "stage[in]:[NEW,CUSTOMER]",
        {"stage": {"in": ["NEW", "CUSTOMER"]}},
        ["Deal B", "Deal C"],
        "filter-in-select",
    ),
    read(
        "people",
        "and(jobTitle[eq]:Engineer,companyId[eq]:" + C["Acme"] + ")",
        {"and": [{"jobTitle": {"eq": "Engineer"}}, {"companyId": {"eq": C["Acme"]}}]},
        ["Ada", "Linus"],
        "filter-and",
    ),
    read(
        "people",
        "or(city[eq]:London,name.firstName[eq]:Grace)",
        {"or": [{"city": {"eq": "London"}}, {"name": {"firstName": {"eq": "Grace"}}}]},
        ["Ada", "Alan", "Grace"],
        "filter-or",
    ),
    read(
        "people",
        "not(jobTitle[eq]:Engineer)",
        {"not": {"jobTitle": {"eq": "Engineer"}}},
        ["Alan", "Grace", "Barbara"],
        "filter-not",
    ),
    read("people", "deletedAt[is]:NOT_NULL", {"deletedAt": {"is": "NOT_NULL"}}, ["Ghost"], "filter-trash"),
    read("people", None, None, ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Linus"], "order-default"),
    read(
        "people",
        None,
        None,
        ["Alan", "Linus", "Ada", "Barbara", "Grace", "Edsger"],
        "order-composite_desc",
        order_by="name.lastName[DescNullsLast]",
        gql_order=[{"name": {"lastName": "DescNullsLast"}}],
    ),
    read(
        "companies",
        None,
        None,
        ["Acme", "Umbrella", "Globex", "Initech"],
        "order-nulls_last",
        order_by="employees[AscNullsLast]",
        gql_order=[{"employees": "AscNullsLast"}],
    ),
    read(
        "companies",
        None,
        None,
        ["Initech", "Globex", "Umbrella", "Acme"],
        "order-desc_nulls_first",
        order_by="employees[DescNullsFirst]",
        gql_order=[{"employees": "DescNullsFirst"}],
    ),
    read(
        "people",
        None,
        None,
        ["Alan", "Grace", "Linus", "Edsger", "Ada", "Barbara"],
        "order-two_keys",
        order_by="jobTitle[AscNullsFirst],name.firstName[DescNullsLast]",
        gql_order=[{"jobTitle": "AscNullsFirst"}, {"name": {"firstName": "DescNullsLast"}}],
    ),
    read(
        "opportunities",
        None,
        None,
        ["Deal B", "Deal A", "Deal C"],
        "order-select_by_option_position",
        order_by="stage",
        gql_order=[{"stage": "AscNullsFirst"}],
    ),
]


@pytest.mark.parametrize("rest_run, gql_run, expected", READS)
def test_find_many_finds_identical_records_total_and_page_info(reader, rgql, rest_run, gql_run, expected):
    # when
    rest, graphql = both(reader, rgql, rest_run, gql_run)
    # then
    assert names(rest["records"]) == expected
    assert graphql == rest


# --- pagination: both ways, cursors interchangeable ---------------------------------------------------

BY_NAME = {"order_by": "name.firstName"}
GQL_BY_NAME = [{"name": {"firstName": "AscNullsFirst"}}]


def test_paging_forward_gives_identical_pages_and_cursors(reader, rgql):
    # when
    rest_1 = rest_list("people", limit="2", **BY_NAME)(reader)
    gql_1 = gql_list("people", first=2, orderBy=GQL_BY_NAME)(rgql)
    rest_2 = rest_list("people", limit="2", starting_after=rest_1["pageInfo"]["endCursor"], **BY_NAME)(reader)
    gql_2 = gql_list("people", first=2, after=gql_1["pageInfo"]["endCursor"], orderBy=GQL_BY_NAME)(rgql)
    # then
    assert (names(rest_1["records"]), names(rest_2["records"])) == (["Ada", "Alan"], ["Barbara", "Edsger"])
    assert (gql_1, gql_2) == (rest_1, rest_2)


def test_search_vector_selected_reads_identically(reader, rgql):
    # when: searchVector selected beside other fields, in name order
    rest = rest_list("people", fields="id,name,searchVector", **BY_NAME)(reader)
    query = "{ people(orderBy: [{name: {firstName: AscNullsFirst}}]) { edges { node { id name { firstName lastName } searchVector } } } }"
    graphql = nodes(rgql.data(query)["people"])
    # then
    assert [(r["name"]["firstName"], r["searchVector"]) for r in rest["records"]] == [
        ("Ada", "ada lovelace ada acme com engineer"),
        ("Alan", "alan turing alan acme com"),
        ("Barbara", "barbara liskov barbara mit edu professor"),
        ("Edsger", "edsger dijkstra engineer"),
        ("Grace", "grace hopper grace navy mil admiral"),
        ("Linus", "linus torvalds linus linux org engineer"),
    ]
    assert graphql == rest["records"]


def test_paging_backward_gives_identical_pages_and_cursors(reader, rgql):
    # given: the cursor of the last person
    cursor = rest_list("people", limit="6", **BY_NAME)(reader)["pageInfo"]["endCursor"]
    # when
    rest_1 = rest_list("people", limit="2", ending_before=cursor, **BY_NAME)(reader)
    gql_1 = gql_list("people", last=2, before=cursor, orderBy=GQL_BY_NAME)(rgql)
    rest_2 = rest_list("people", limit="2", ending_before=rest_1["pageInfo"]["startCursor"], **BY_NAME)(reader)
    gql_2 = gql_list("people", last=2, before=gql_1["pageInfo"]["startCursor"], orderBy=GQL_BY_NAME)(rgql)
    # then
    assert (names(rest_1["records"]), names(rest_2["records"])) == (["Edsger", "Grace"], ["Alan", "Barbara"])
    assert (rest_1["pageInfo"]["hasPreviousPage"], rest_2["pageInfo"]["hasPreviousPage"]) == (True, True)
    assert (gql_1, gql_2) == (rest_1, rest_2)


def test_page_size_default_and_cap_follow_the_same_settings(reader, rgql, settings):
    # given
    settings.QUERY_DEFAULT_LIMIT = 1
    settings.QUERY_MAX_LIMIT = 2
    # when
    rest_default, rest_capped = rest_list("people")(reader), rest_list("people", limit="5")(reader)
    gql_default, gql_capped = gql_list("people")(rgql), gql_list("people", first=5)(rgql)
    # then
    assert (names(rest_default["records"]), names(rest_capped["records"])) == (["Ada"], ["Ada", "Alan"])
    assert (gql_default, gql_capped) == (rest_default, rest_capped)


def test_a_rest_cursor_works_as_graphql_after_and_before(reader, rgql):
    # given
    rest_page = rest_list("people", limit="3", **BY_NAME)(reader)
    # when
    after = gql_list("people", first=2, after=rest_page["pageInfo"]["endCursor"], orderBy=GQL_BY_NAME)(rgql)
    before = gql_list("people", last=1, before=rest_page["pageInfo"]["endCursor"], orderBy=GQL_BY_NAME)(rgql)
    # then
    assert after == rest_list("people", limit="2", starting_after=rest_page["pageInfo"]["endCursor"], **BY_NAME)(reader)
    assert (names(after["records"]), names(before["records"])) == (["Edsger", "Grace"], ["Alan"])


def test_a_graphql_cursor_works_as_rest_starting_after_and_ending_before(reader, rgql):
    # given
    gql_page = gql_list("people", first=3, orderBy=GQL_BY_NAME)(rgql)
    cursor = gql_page["pageInfo"]["endCursor"]
    # when
    after = rest_list("people", limit="2", starting_after=cursor, **BY_NAME)(reader)
    before = rest_list("people", limit="1", ending_before=cursor, **BY_NAME)(reader)
    # then
    assert after == gql_list("people", first=2, after=cursor, orderBy=GQL_BY_NAME)(rgql)
    assert (names(after["records"]), names(before["records"])) == (["Edsger", "Grace"], ["Alan"])


def test_a_nested_connection_cursor_works_as_a_rest_cursor(reader, rgql):
    # given: the people of Acme, by first name, read as a nested connection
    company = rgql.data(
        '{ company(filter: {id: {eq: "%s"}}) { people(first: 1, orderBy: [{name: {firstName: '
        "AscNullsFirst}}]) { pageInfo { endCursor } } } }" % C["Acme"]
    )["company"]
    # when
    after = rest_list(
        "people",
        starting_after=company["people"]["pageInfo"]["endCursor"],
        filter=f"companyId[eq]:{C['Acme']}",
        **BY_NAME,
    )(reader)
    # then
    assert names(after["records"]) == ["Alan", "Linus"]


# --- depth / nesting -----------------------------------------------------------------------------------


def nesting(reader: ApiClient, rgql: GraphQL, path: str, root: str, filter: str | None = None):
    """REST ``{path}?depth=1`` and the GraphQL query selecting exactly the same keys and relations."""
    status, deep = reader.get(path, depth="1")
    assert status == 200, deep
    status, shallow = reader.get(path)
    assert status == 200, shallow
    deep_value, shallow_value = next(iter(deep["data"].values())), next(iter(shallow["data"].values()))
    one = isinstance(deep_value, dict)
    sample, sample_shallow = (deep_value, shallow_value) if one else (deep_value[0], shallow_value[0])
    relations = set(sample) - set(sample_shallow)
    selection = selection_of(sample, relations)
    arguments = f"(filter: {filter})" if filter else ""
    query = (
        f"{{ {root}{arguments} {{ {selection} }} }}"
        if one
        else f"{{ {root} {{ edges {{ node {{ {selection} }} }} }} }}"
    )
    graphql = flatten(rgql.data(query)[root])
    return deep_value, graphql, relations


def test_people_at_depth_one_equal_people_with_their_relations_selected(reader, rgql):
    # when
    rest, graphql, relations = nesting(reader, rgql, "/rest/people", "people")
    # then
    assert relations == {
        "company",
        "pointOfContactForOpportunities",
        "noteTargets",
        "taskTargets",
        "attachments",
        "timelineActivities",
    }
    assert [(p["name"]["firstName"], p["company"] and p["company"]["name"]) for p in rest] == [
        ("Ada", "Acme"),
        ("Alan", "Acme"),
        ("Grace", "Globex"),
        ("Edsger", None),
        ("Barbara", "Globex"),
        ("Linus", "Acme"),
    ]
    assert graphql == rest


def test_an_opportunity_at_depth_one_equals_the_opportunity_with_its_relations_selected(reader, rgql):
    # when
    rest, graphql, relations = nesting(
        reader, rgql, f"/rest/opportunities/{O['Deal A']}", "opportunity", filter='{id: {eq: "%s"}}' % O["Deal A"]
    )
    # then
    assert {"company", "pointOfContact"} <= relations
    assert (rest["company"]["name"], rest["pointOfContact"]["name"]["firstName"]) == ("Acme", "Ada")
    assert graphql == rest


def test_a_company_at_depth_one_equals_the_company_with_its_people_selected(reader, rgql):
    # when
    rest, graphql, relations = nesting(
        reader, rgql, f"/rest/companies/{C['Acme']}", "company", filter='{id: {eq: "%s"}}' % C["Acme"]
    )
    # then
    assert {"people", "opportunities"} <= relations
    assert sorted(p["name"]["firstName"] for p in rest["people"]) == ["Ada", "Alan", "Linus"]
    assert graphql == rest


# --- writes ---------------------------------------------------------------------------------------------


def everything(api: ApiClient) -> dict[str, list[dict[str, Any]]]:
    """Every person (live and trashed) and opportunity, without write timestamps; ``deletedAt`` as a flag."""
    state = {}
    for plural in ("people", "opportunities"):
        status, body = api.get(f"/rest/{plural}", filter="or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)", limit="200")
        assert status == 200, body
        state[plural] = [
            {**project(r, WRITE_SKIP), "deleted": r["deletedAt"] is not None} for r in body["data"][plural]
        ]
    return state


def rest_write(method: str, path: str, body: Any = None, **params: Any) -> Callable[[ApiClient], Any]:
    """A REST write: its records (or ids) without write timestamps, and the state after it."""

    def run(api: ApiClient) -> Any:
        status, answer = api.request(method, path, body, **params)
        assert status in (200, 201), answer
        (value,) = answer["data"].values()
        return strip(value), everything(api)

    return run


def gql_write(mutation: str, variables: dict[str, Any], selection: str = PERSON) -> Callable[[GraphQL], Any]:
    """A GraphQL mutation: its records without write timestamps, and the state after it (read through REST)."""

    def run(gql: GraphQL) -> Any:
        data = gql.data(mutation.replace("SELECTION", selection), variables)
        (value,) = data.values()
        return strip(value), everything(gql.api)

    return run


def strip(value: Any) -> Any:
    """Records without write timestamps (a list of them, or one)."""
    if isinstance(value, list):
        return [strip(item) for item in value]
    return project(value, WRITE_SKIP)


def ids_only(run: Callable[[GraphQL], Any]) -> Callable[[GraphQL], Any]:
    """REST answers deletes with ids only: keep only the ids of the GraphQL answer."""

    def wrapped(gql: GraphQL) -> Any:
        value, state = run(gql)
        return ([{"id": r["id"]} for r in value] if isinstance(value, list) else {"id": value["id"]}), state

    return wrapped


NEW_PERSON = {
    "id": NEW_ID,
    "name": {"firstName": "Margaret", "lastName": "Hamilton"},
    "emails": {"primaryEmail": "margaret@nasa.gov", "additionalEmails": ["mh@mit.edu"]},
    "jobTitle": "Director",
    "companyId": C["Initech"],
    "phones": {"primaryPhoneNumber": "+1 555 0100"},
}
UPSERT = [
    {"emails": {"primaryEmail": "ada@acme.com"}, "jobTitle": "Countess", "city": "Paris"},
    NEW_PERSON,
]


def write(rest_run, gql_run, check, id: str):
    return pytest.param(rest_run, gql_run, check, id=id)


WRITES = [
    write(
        rest_write("POST", "/rest/people", NEW_PERSON),
        gql_write(
            "mutation($data: PersonCreateInput!) { createPerson(data: $data) { SELECTION } }", {"data": NEW_PERSON}
        ),
        lambda value: (value["id"], value["jobTitle"], value["companyId"]) == (NEW_ID, "Director", C["Initech"]),
        "create_one",
    ),
    write(
        rest_write("POST", "/rest/batch/people", UPSERT, upsert="true"),
        gql_write(
            "mutation($data: [PersonCreateInput!]!) { createPeople(data: $data, upsert: true) { SELECTION } }",
            {"data": UPSERT},
        ),
        lambda value: [(r["id"], r["jobTitle"]) for r in value] == [(P["Ada"], "Countess"), (NEW_ID, "Director")],
        "batch_create_with_upsert",
    ),
    write(
        rest_write("PATCH", f"/rest/people/{P['Ada']}", {"jobTitle": "Countess", "name": {"lastName": "Byron"}}),
        gql_write(
            "mutation($id: UUID!, $data: PersonUpdateInput!) { updatePerson(id: $id, data: $data) { SELECTION } }",
            {"id": P["Ada"], "data": {"jobTitle": "Countess", "name": {"lastName": "Byron"}}},
        ),
        lambda value: value["name"] == {"firstName": "Ada", "lastName": "Byron"},
        "update_one",
    ),
    write(
        rest_write("PATCH", "/rest/people", {"city": "Cambridge"}, filter="jobTitle[eq]:Engineer"),
        gql_write(
            'mutation($data: PersonUpdateInput!) { updatePeople(filter: {jobTitle: {eq: "Engineer"}}, '
            "data: $data) { SELECTION } }",
            {"data": {"city": "Cambridge"}},
        ),
        lambda value: sorted(names(value)) == ["Ada", "Edsger", "Linus"],
        "update_many",
    ),
    write(
        rest_write("DELETE", f"/rest/people/{P['Ada']}", soft_delete="true"),
        ids_only(gql_write("mutation($id: UUID!) { deletePerson(id: $id) { SELECTION } }", {"id": P["Ada"]})),
        lambda value: value == {"id": P["Ada"]},
        "soft_delete_one",
    ),
    write(
        rest_write("DELETE", "/rest/people", filter="city[eq]:London", soft_delete="true"),
        ids_only(gql_write('mutation { deletePeople(filter: {city: {eq: "London"}}) { SELECTION } }', {})),
        lambda value: sorted(r["id"] for r in value) == [P["Ada"], P["Alan"]],
        "soft_delete_many",
    ),
    write(
        rest_write("PATCH", f"/rest/restore/people/{P['Ghost']}"),
        gql_write("mutation($id: UUID!) { restorePerson(id: $id) { SELECTION } }", {"id": P["Ghost"]}),
        lambda value: value["name"]["firstName"] == "Ghost",
        "restore_one",
    ),
    write(
        rest_write("PATCH", "/rest/restore/people", filter="name.lastName[eq]:Writer"),
        gql_write('mutation { restorePeople(filter: {name: {lastName: {eq: "Writer"}}}) { SELECTION } }', {}),
        lambda value: names(value) == ["Ghost"],
        "restore_many",
    ),
    write(
        rest_write("DELETE", f"/rest/people/{P['Ada']}"),
        ids_only(gql_write("mutation($id: UUID!) { destroyPerson(id: $id) { SELECTION } }", {"id": P["Ada"]})),
        lambda value: value == {"id": P["Ada"]},
        "destroy_one-unlinks_the_opportunity",
    ),
    write(
        rest_write("DELETE", "/rest/people", filter="emails.primaryEmail[endsWith]:@acme.com"),
        ids_only(
            gql_write(
                'mutation { destroyPeople(filter: {emails: {primaryEmail: {endsWith: "@acme.com"}}}) { SELECTION } }',
                {},
            )
        ),
        lambda value: sorted(r["id"] for r in value) == [P["Ada"], P["Alan"]],
        "destroy_many",
    ),
    write(
        rest_write(
            "PATCH", "/rest/people/merge", {"ids": [P["Ada"], P["Alan"]], "conflictPriorityIndex": 1, "dryRun": False}
        ),
        gql_write(
            'mutation { mergePeople(ids: ["%s", "%s"], conflictPriorityIndex: 1, dryRun: false) { SELECTION } }'
            % (P["Ada"], P["Alan"]),
            {},
        ),
        lambda value: (value["id"], value["jobTitle"]) == (P["Alan"], "Engineer"),
        "merge",
    ),
    write(
        rest_write(
            "PATCH", "/rest/people/merge", {"ids": [P["Ada"], P["Alan"]], "conflictPriorityIndex": 0, "dryRun": True}
        ),
        gql_write(
            'mutation { mergePeople(ids: ["%s", "%s"], conflictPriorityIndex: 0, dryRun: true) { SELECTION } }'
            % (P["Ada"], P["Alan"]),
            {},
        ),
        lambda value: value["emails"]["additionalEmails"] == ["alan@acme.com"],
        "merge-dry_run",
    ),
]


@pytest.mark.parametrize("rest_run, gql_run, check", WRITES)
def test_writes_return_identical_records_and_leave_identical_state(reader, rgql, rest_run, gql_run, check):
    # when
    (rest_value, rest_state), (gql_value, gql_state) = both(reader, rgql, rest_run, gql_run)
    # then
    assert check(rest_value)
    assert gql_value == rest_value
    assert gql_state == rest_state


# --- errors ----------------------------------------------------------------------------------------------


def rest_error(method: str, path: str, body: Any = None, **params: Any) -> Callable[[ApiClient], Any]:
    """A refused REST request as ``(code, messages)``."""

    def run(api: ApiClient) -> Any:
        status, answer = api.request(method, path, body, **params)
        return CODES.get(status, status), answer.get("messages")

    return run


def gql_error(query: str, variables: dict[str, Any] | None = None) -> Callable[[GraphQL], Any]:
    """A refused GraphQL request as ``(extensions.code, extensions.messages)``."""

    def run(gql: GraphQL) -> Any:
        status, body = gql(query, variables)
        assert status == 200 and len(body["errors"]) == 1, body
        extensions = body["errors"][0]["extensions"]
        assert extensions["userFriendlyMessage"] == "; ".join(extensions["messages"])
        return extensions["code"], extensions.get("messages")

    return run


def error(rest_run, gql_run, expected, id: str):
    return pytest.param(rest_run, gql_run, expected, id=id)


ERRORS = [
    error(
        rest_error("POST", "/rest/people", {"emails": {"primaryEmail": "ada-at-acme"}}),
        gql_error('mutation { createPerson(data: {emails: {primaryEmail: "ada-at-acme"}}) { id } }'),
        (
            "BAD_USER_INPUT",
            ["Invalid value for field 'emails.primaryEmail': expected an email address, got \"ada-at-acme\""],
        ),
        "invalid_email",
    ),
    error(
        rest_error("POST", "/rest/people", {"emails": {"primaryEmail": "ada@acme.com"}}),
        gql_error('mutation { createPerson(data: {emails: {primaryEmail: "ada@acme.com"}}) { id } }'),
        (
            "BAD_USER_INPUT",
            [
                f"Duplicate value for unique field 'emails.primaryEmail': 'ada@acme.com' is already used by "
                f"record {P['Ada']}"
            ],
        ),
        "duplicate_unique_value",
    ),
    error(
        rest_error("POST", "/rest/batch/people", [{"companyId": MISSING_ID}, {"emails": {"primaryEmail": "x"}}]),
        gql_error(
            f'mutation {{ createPeople(data: [{{companyId: "{MISSING_ID}"}}, {{emails: {{primaryEmail: "x"}}}}]) {{ id }} }}'
        ),
        (
            "BAD_USER_INPUT",
            ["Record 1: Invalid value for field 'emails.primaryEmail': expected an email address, got \"x\""],
        ),
        "batch-every_invalid_record",
    ),
    error(
        rest_error("POST", "/rest/people", {"companyId": MISSING_ID}),
        gql_error(f'mutation {{ createPerson(data: {{companyId: "{MISSING_ID}"}}) {{ id }} }}'),
        ("BAD_USER_INPUT", [f"Field 'companyId': no company record has id '{MISSING_ID}'"]),
        "unknown_join_id",
    ),
    error(
        rest_error("POST", "/rest/batch/people", [{"name": {"firstName": str(i)}} for i in range(61)]),
        gql_error(
            "mutation($data: [PersonCreateInput!]!) { createPeople(data: $data) { id } }",
            {"data": [{"name": {"firstName": str(i)}} for i in range(61)]},
        ),
        ("BAD_USER_INPUT", ["Too many records: at most 60 per request, got 61"]),
        "batch_limit",
    ),
    error(
        rest_error("PATCH", f"/rest/people/{MISSING_ID}", {"city": "Paris"}),
        gql_error(f'mutation {{ updatePerson(id: "{MISSING_ID}", data: {{city: "Paris"}}) {{ id }} }}'),
        ("NOT_FOUND", [f"Record {MISSING_ID} not found in people"]),
        "update_unknown_id",
    ),
    error(
        rest_error("PATCH", "/rest/people/abc", {"city": "Paris"}),
        gql_error('mutation { updatePerson(id: "abc", data: {city: "Paris"}) { id } }'),
        ("BAD_USER_INPUT", ["'abc' is not a valid UUID"]),
        "update_id_not_a_uuid",
    ),
    error(
        rest_error("DELETE", "/rest/people/abc"),
        gql_error('mutation { destroyPerson(id: "abc") { id } }'),
        ("BAD_USER_INPUT", ["'abc' is not a valid UUID"]),
        "destroy_id_not_a_uuid",
    ),
    error(
        rest_error("DELETE", f"/rest/people/{P['Ghost']}", soft_delete="true"),
        gql_error(f'mutation {{ deletePerson(id: "{P["Ghost"]}") {{ id }} }}'),
        ("NOT_FOUND", [f"Record {P['Ghost']} not found in people"]),
        "soft_delete_trashed",
    ),
    error(
        rest_error("PATCH", f"/rest/restore/people/{MISSING_ID}"),
        gql_error(f'mutation {{ restorePerson(id: "{MISSING_ID}") {{ id }} }}'),
        ("NOT_FOUND", [f"Record {MISSING_ID} not found in people"]),
        "restore_unknown_id",
    ),
    error(
        rest_error("DELETE", f"/rest/people/{MISSING_ID}"),
        gql_error(f'mutation {{ destroyPerson(id: "{MISSING_ID}") {{ id }} }}'),
        ("NOT_FOUND", [f"Record {MISSING_ID} not found in people"]),
        "destroy_unknown_id",
    ),
    error(
        rest_error("DELETE", "/rest/people", soft_delete="true"),
        gql_error("mutation { deletePeople(filter: {}) { id } }"),
        (
            "BAD_USER_INPUT",
            [
                "Filters are mandatory for bulk delete operations. Please provide at least one filter to "
                "prevent accidental deletion of all records."
            ],
        ),
        "mass_delete_without_filter",
    ),
    error(
        rest_error("GET", "/rest/opportunities", filter="closeDate[gt]:soon"),
        gql_error('{ opportunities(filter: {closeDate: {gt: "soon"}}) { totalCount } }'),
        (
            "BAD_USER_INPUT",
            [
                "'filter' invalid. Value for 'closeDate': expected an ISO 8601 date-time such as "
                '"2024-01-31T09:30:00Z", got "soon"'
            ],
        ),
        "filter_value",
    ),
    error(
        rest_error("GET", "/rest/people", filter="createdBy.source[eq]:NOPE"),
        gql_error('{ people(filter: {createdBy: {source: {eq: "NOPE"}}}) { totalCount } }'),
        (
            "BAD_USER_INPUT",
            [
                "'filter' invalid. Value for 'createdBy.source': expected one of EMAIL, CALENDAR, WORKFLOW, AGENT, "
                'API, IMPORT, MANUAL, SYSTEM, WEBHOOK, got "NOPE"'
            ],
        ),
        "filter_actor_source",
    ),
    error(
        rest_error("GET", "/rest/companies", filter="updatedBy.source[in]:[API,NOPE]"),
        gql_error('{ companies(filter: {updatedBy: {source: {in: ["API", "NOPE"]}}}) { totalCount } }'),
        (
            "BAD_USER_INPUT",
            [
                "'filter' invalid. Value for 'updatedBy.source': expected one of EMAIL, CALENDAR, WORKFLOW, AGENT, "
                'API, IMPORT, MANUAL, SYSTEM, WEBHOOK, got "NOPE"'
            ],
        ),
        "filter_actor_source_in",
    ),
    error(
        rest_error("GET", "/rest/people", filter="id[in]:[nope]"),
        gql_error('{ people(filter: {id: {in: ["nope"]}}) { totalCount } }'),
        ("BAD_USER_INPUT", ["'filter' invalid. Value for 'id': expected a UUID, got \"nope\""]),
        "filter_uuid",
    ),
    error(
        rest_error("GET", "/rest/people", starting_after="bm9wZQ"),
        gql_error('{ people(after: "bm9wZQ") { totalCount } }'),
        (
            "BAD_USER_INPUT",
            ["Invalid cursor 'bm9wZQ': use a startCursor or endCursor returned with this same order_by"],
        ),
        "cursor",
    ),
    error(
        rest_error("PATCH", "/rest/people/merge", {"ids": [P["Ada"], MISSING_ID], "conflictPriorityIndex": 0}),
        gql_error(
            f'mutation {{ mergePeople(ids: ["{P["Ada"]}", "{MISSING_ID}"], conflictPriorityIndex: 0) {{ id }} }}'
        ),
        ("NOT_FOUND", [f"Record {MISSING_ID} not found in people"]),
        "merge_unknown_id",
    ),
    error(
        rest_error("PATCH", "/rest/people/merge", {"ids": [P["Ada"], P["Alan"]], "conflictPriorityIndex": 2}),
        gql_error(f'mutation {{ mergePeople(ids: ["{P["Ada"]}", "{P["Alan"]}"], conflictPriorityIndex: 2) {{ id }} }}'),
        ("BAD_USER_INPUT", ["'conflictPriorityIndex' must be an integer from 0 to 1"]),
        "merge_priority",
    ),
]


@pytest.mark.parametrize("rest_run, gql_run, expected", ERRORS)
def test_refusals_carry_identical_messages(reader, rgql, rest_run, gql_run, expected):
    # when
    rest, graphql = both(reader, rgql, rest_run, gql_run)
    # then
    assert rest == expected
    assert graphql == rest
