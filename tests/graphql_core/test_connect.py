"""Writing relations with Twenty's ``connect`` / ``disconnect`` (api-reference §12), REST and GraphQL agreeing.

Part of the parity suite: every scenario runs through REST and through GraphQL from the same state
(``test_parity.both``) and must give the same records, the same state after it, the same messages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.graphql_core.dataset import MISSING_ID, C, P
from tests.graphql_core.helpers import OPPORTUNITY
from tests.graphql_core.test_parity import (
    both,
    everything,
    gql_error,
    gql_write,
    rest_error,
    rest_write,
    rolled_back,
)
from tests.statements import cost_of
from webhooks_app.models import Event

NEW_ID = "e0000000-0000-4000-8000-000000000002"
DEAL_D, DEAL_E = "e0000000-0000-4000-8000-000000000003", "e0000000-0000-4000-8000-000000000004"
CREATE_PERSON = "mutation($data: PersonCreateInput!) { createPerson(data: $data) { SELECTION } }"
CREATE_PEOPLE = "mutation($data: [PersonCreateInput!]!) { createPeople(data: $data) { SELECTION } }"
UPSERT_PEOPLE = "mutation($data: [PersonCreateInput!]!) { createPeople(data: $data, upsert: true) { SELECTION } }"
UPDATE_PERSON = "mutation($id: UUID!, $data: PersonUpdateInput!) { updatePerson(id: $id, data: $data) { SELECTION } }"
UPDATE_PEOPLE = (
    'mutation($data: PersonUpdateInput!) { updatePeople(filter: {city: {eq: "London"}}, data: $data) { SELECTION } }'
)
CREATE_OPPORTUNITIES = "mutation($data: [OpportunityCreateInput!]!) { createOpportunities(data: $data) { SELECTION } }"


def by_id(company: str) -> dict[str, Any]:
    """``{connect: {where: {id}}}`` to a company of the data set."""
    return {"connect": {"where": {"id": C[company]}}}


def by_domain(url: str) -> dict[str, Any]:
    """``{connect: {where: {domainName: {primaryLinkUrl}}}}``."""
    return {"connect": {"where": {"domainName": {"primaryLinkUrl": url}}}}


def by_email(email: str) -> dict[str, Any]:
    """``{connect: {where: {emails: {primaryEmail}}}}``."""
    return {"connect": {"where": {"emails": {"primaryEmail": email}}}}


def write(rest_run, gql_run, check, id: str):
    return pytest.param(rest_run, gql_run, check, id=id)


NEW = {"id": NEW_ID, "name": {"firstName": "Katherine", "lastName": "Johnson"}}
WRITES = [
    write(
        rest_write("POST", "/rest/people", {**NEW, "company": by_id("Globex")}),
        gql_write(CREATE_PERSON, {"data": {**NEW, "company": by_id("Globex")}}),
        lambda value: (value["id"], value["companyId"]) == (NEW_ID, C["Globex"]),
        "create_one-connect_by_id",
    ),
    write(
        rest_write("POST", "/rest/people", {**NEW, "company": by_domain("acme.com")}),
        gql_write(CREATE_PERSON, {"data": {**NEW, "company": by_domain("acme.com")}}),
        lambda value: value["companyId"] == C["Acme"],
        "create_one-connect_by_composite_unique_field",
    ),
    write(
        # §12.1: the link's case and its trailing slash do not count (acme.com is stored).
        rest_write("POST", "/rest/people", {**NEW, "company": by_domain("ACME.com/")}),
        gql_write(CREATE_PERSON, {"data": {**NEW, "company": by_domain("ACME.com/")}}),
        lambda value: value["companyId"] == C["Acme"],
        "create_one-connect_by_link_with_trailing_slash",
    ),
    write(
        rest_write("POST", "/rest/people", {**NEW, "company": {"disconnect": True}}),
        gql_write(CREATE_PERSON, {"data": {**NEW, "company": {"disconnect": True}}}),
        lambda value: value["companyId"] is None,
        "create_one-disconnect",
    ),
    write(
        rest_write(
            "POST",
            "/rest/batch/opportunities",
            [
                {
                    "id": DEAL_D,
                    "name": "Deal D",
                    "pointOfContact": by_email("GRACE@navy.mil"),
                    "company": by_id("Globex"),
                },
                {
                    "id": DEAL_E,
                    "name": "Deal E",
                    "pointOfContact": by_email("barbara@mit.edu"),
                    "company": by_id("Umbrella"),
                },
            ],
        ),
        gql_write(
            CREATE_OPPORTUNITIES,
            {
                "data": [
                    {
                        "id": DEAL_D,
                        "name": "Deal D",
                        "pointOfContact": by_email("GRACE@navy.mil"),
                        "company": by_id("Globex"),
                    },
                    {
                        "id": DEAL_E,
                        "name": "Deal E",
                        "pointOfContact": by_email("barbara@mit.edu"),
                        "company": by_id("Umbrella"),
                    },
                ]
            },
            OPPORTUNITY,
        ),
        lambda value: (
            [(r["pointOfContactId"], r["companyId"]) for r in value]
            == [(P["Grace"], C["Globex"]), (P["Barbara"], C["Umbrella"])]
        ),
        "batch_create-two_relations",
    ),
    write(
        rest_write("PATCH", f"/rest/people/{P['Ada']}", {"company": {"disconnect": True}}),
        gql_write(UPDATE_PERSON, {"id": P["Ada"], "data": {"company": {"disconnect": True}}}),
        lambda value: (value["id"], value["companyId"]) == (P["Ada"], None),
        "update_one-disconnect",
    ),
    write(
        rest_write("PATCH", f"/rest/people/{P['Ada']}", {"jobTitle": "Countess", "company": {"disconnect": False}}),
        gql_write(UPDATE_PERSON, {"id": P["Ada"], "data": {"jobTitle": "Countess", "company": {"disconnect": False}}}),
        lambda value: (value["jobTitle"], value["companyId"]) == ("Countess", C["Acme"]),
        "update_one-disconnect_false_changes_nothing",
    ),
    write(
        rest_write("PATCH", f"/rest/people/{P['Edsger']}", {"company": by_domain("globex.org")}),
        gql_write(UPDATE_PERSON, {"id": P["Edsger"], "data": {"company": by_domain("globex.org")}}),
        lambda value: value["companyId"] == C["Globex"],
        "update_one-connect",
    ),
    write(
        rest_write("PATCH", "/rest/people", {"company": by_id("Initech")}, filter="city[eq]:London"),
        gql_write(UPDATE_PEOPLE, {"data": {"company": by_id("Initech")}}),
        lambda value: (
            sorted((r["id"], r["companyId"]) for r in value) == [(P["Ada"], C["Initech"]), (P["Alan"], C["Initech"])]
        ),
        "update_many-connect",
    ),
    write(
        rest_write(
            "POST",
            "/rest/batch/people",
            [
                {"emails": {"primaryEmail": "ada@acme.com"}, "company": by_id("Umbrella")},
                {**NEW, "company": by_id("Initech")},
            ],
            upsert="true",
        ),
        gql_write(
            UPSERT_PEOPLE,
            {
                "data": [
                    {"emails": {"primaryEmail": "ada@acme.com"}, "company": by_id("Umbrella")},
                    {**NEW, "company": by_id("Initech")},
                ]
            },
        ),
        lambda value: [(r["id"], r["companyId"]) for r in value] == [(P["Ada"], C["Umbrella"]), (NEW_ID, C["Initech"])],
        "upsert-connect_then_match",
    ),
]


@pytest.mark.parametrize("rest_run, gql_run, check", WRITES)
def test_connect_and_disconnect_write_identical_records(reader, rgql, rest_run, gql_run, check):
    # when
    (rest_value, rest_state), (gql_value, gql_state) = both(reader, rgql, rest_run, gql_run)
    # then
    assert check(rest_value)
    assert gql_value == rest_value
    assert gql_state == rest_state


def error(rest_run, gql_run, expected, id: str):
    return pytest.param(rest_run, gql_run, expected, id=id)


def both_ways(method: str, path: str, mutation: str, data: Any, expected: list[str], name: str, **variables: Any):
    """The same refused input through REST and GraphQL."""
    return error(
        rest_error(method, path, data),
        gql_error(mutation, {"data": data, **variables}),
        ("BAD_USER_INPUT", expected),
        name,
    )


ERRORS = [
    both_ways(
        "POST",
        "/rest/people",
        CREATE_PERSON.replace("SELECTION", "id"),
        {"companyId": C["Acme"], "company": {"disconnect": True}},
        ["company and companyId cannot be both provided."],
        "join_column_and_relation",
    ),
    both_ways(
        "POST",
        "/rest/people",
        CREATE_PERSON.replace("SELECTION", "id"),
        {"company": {"connect": {"where": {}}}},
        ["Missing required fields: at least one unique constraint have to be fully populated for 'company'."],
        "no_unique_constraint",
    ),
    both_ways(
        "POST",
        "/rest/people",
        CREATE_PERSON.replace("SELECTION", "id"),
        {"company": {"connect": {"where": {"domainName": {}}}}},
        ["Missing required fields: at least one unique constraint have to be fully populated for 'company'."],
        "composite_without_its_unique_sub_field",
    ),
    both_ways(
        "POST",
        "/rest/people",
        CREATE_PERSON.replace("SELECTION", "id"),
        {"company": {"connect": {"where": {"id": MISSING_ID}}}},
        [f"Expected 1 record to connect to company, but found 0 for id = {MISSING_ID}"],
        "unknown_id",
    ),
    both_ways(
        "PATCH",
        f"/rest/people/{P['Ada']}",
        UPDATE_PERSON.replace("SELECTION", "id"),
        {"company": by_domain("initech.com")},
        ["Expected 1 record to connect to company, but found 0 for domainName.primaryLinkUrl = initech.com"],
        "unknown_unique_value",
        id=P["Ada"],
    ),
    both_ways(
        "PATCH",
        f"/rest/people/{P['Ada']}",
        UPDATE_PERSON.replace("SELECTION", "id"),
        {"company": {"connect": {"where": {"id": C["Globex"], "domainName": {"primaryLinkUrl": "acme.com"}}}}},
        [
            f"Expected 1 record to connect to company, but found 0 for id = {C['Globex']} and "
            "domainName.primaryLinkUrl = acme.com"
        ],
        "conditions_naming_two_records",
        id=P["Ada"],
    ),
    both_ways(
        "POST",
        "/rest/batch/opportunities",
        CREATE_OPPORTUNITIES.replace("SELECTION", "id"),
        [{"name": "Deal D", "pointOfContact": by_email("ghost@acme.com")}],
        [
            "Record 0: Expected 1 record to connect to pointOfContact, but found 0 for emails.primaryEmail = ghost@acme.com"
        ],
        "trashed_target_is_not_found",
    ),
    both_ways(
        "POST",
        "/rest/batch/people",
        CREATE_PEOPLE.replace("SELECTION", "id"),
        [{"company": by_id("Acme")}, {"company": by_domain("globex.org")}],
        ["Expected the same constraint fields to be used consistently across all operations for company."],
        "batch_mixing_constraints",
    ),
    both_ways(
        "POST",
        "/rest/batch/people",
        CREATE_PEOPLE.replace("SELECTION", "id"),
        [{"company": by_id("Acme")}, {"company": {"connect": {"where": {"id": MISSING_ID}}}}],
        [f"Record 1: Expected 1 record to connect to company, but found 0 for id = {MISSING_ID}"],
        "batch_all_or_nothing",
    ),
]


@pytest.mark.parametrize("rest_run, gql_run, expected", ERRORS)
def test_connect_refusals_carry_twenty_messages_and_write_nothing(reader, rgql, rest_run, gql_run, expected):
    # given
    before = everything(reader)
    # when
    rest, graphql = both(reader, rgql, rest_run, gql_run)
    # then
    assert rest == expected
    assert graphql == rest
    assert everything(reader) == before


def test_connect_on_a_one_to_many_side_is_not_allowed(reader, rgql):
    # when
    status, body = reader.post("/rest/companies", {"name": "Hooli", "people": by_email("ada@acme.com")})
    # then: GraphQL has no such key, as in Twenty (only MANY_TO_ONE relations get a RelationInput)
    assert (status, body["messages"]) == (400, ["Connect is not allowed for people on company"])
    inputs = rgql.data('{ __type(name: "CompanyCreateInput") { inputFields { name } } }')["__type"]["inputFields"]
    assert "people" not in {f["name"] for f in inputs}


def test_a_where_key_that_is_no_unique_field_is_named(reader):
    # when
    status, body = reader.post("/rest/people", {"company": {"connect": {"where": {"name": "Acme"}}}})
    # then
    assert (status, body["messages"]) == (400, ["Field name is not a unique constraint field for 'company'."])


def test_graphql_input_types_have_twenty_names(rgql):
    # when
    def fields(name: str) -> dict[str, str]:
        query = '{ __type(name: "%s") { inputFields { name type { name } } } }' % name
        return {f["name"]: f["type"]["name"] for f in rgql.data(query)["__type"]["inputFields"]}

    # then
    assert fields("PersonCreateInput")["company"] == "CompanyRelationInput"
    assert fields("PersonUpdateInput")["company"] == "CompanyRelationInput"
    assert fields("CompanyRelationInput") == {"connect": "CompanyConnectInput", "disconnect": "Boolean"}
    assert fields("CompanyConnectInput") == {"where": "CompanyWhereUniqueInput"}
    assert fields("CompanyWhereUniqueInput") == {"id": "UUID", "domainName": "CompanyDomainNameWhereInput"}
    assert fields("CompanyDomainNameWhereInput") == {"primaryLinkUrl": "String"}
    assert fields("PersonWhereUniqueInput") == {"id": "UUID", "emails": "PersonEmailsWhereInput"}
    assert fields("PersonEmailsWhereInput") == {"primaryEmail": "String"}


def test_webhook_events_see_a_change_of_the_join_column(reader):
    # when
    status, _ = reader.patch(f"/rest/people/{P['Edsger']}", {"company": by_id("Acme")})
    # then
    assert status == 200
    event = Event.objects.filter(record_id=P["Edsger"]).order_by("-occurred_at").first()
    assert (event.name, event.updated_fields) == ("person.updated", ["companyId"])
    assert json.loads(event.record)["companyId"] == C["Acme"]


def test_another_workspace_record_cannot_be_connected(reader, other_api):
    # when: the other workspace names a company of the data set's workspace by its id and its domain
    by_id_answer = other_api.post("/rest/people", {"company": by_id("Acme")})
    by_domain_answer = other_api.post("/rest/people", {"company": by_domain("acme.com")})
    # then
    assert by_id_answer == (400, by_id_answer[1])
    assert by_id_answer[1]["messages"] == [f"Expected 1 record to connect to company, but found 0 for id = {C['Acme']}"]
    assert by_domain_answer[1]["messages"] == [
        "Expected 1 record to connect to company, but found 0 for domainName.primaryLinkUrl = acme.com"
    ]


def test_connects_are_resolved_with_a_constant_number_of_queries(reader):
    # given: every record connects two relations, each through a unique field
    emails = ["ada@acme.com", "grace@navy.mil", "barbara@mit.edu"]
    domains = ["acme.com", "globex.org"]
    counts = {}
    for size in (1, 1, 30):  # the first request warms per-process caches (schema, key)
        body = [
            {"name": f"Deal {i}", "pointOfContact": by_email(emails[i % 3]), "company": by_domain(domains[i % 2])}
            for i in range(size)
        ]
        # when
        with rolled_back(), CaptureQueriesContext(connection) as queries:
            status, answer = reader.post("/rest/batch/opportunities", body)
        # then
        assert status == 201, answer
        created = answer["data"]["createOpportunities"]
        assert [(r["pointOfContactId"], r["companyId"]) for r in created[:2]] == [
            (P["Ada"], C["Acme"]),
            (P["Grace"], C["Globex"]),
        ][:size]
        counts[size] = cost_of(queries)
    assert counts[1] == counts[30]
    # opportunity's name is searchable: its search tokens are one more statement (api-reference §13);
    # on PostgreSQL the deals and their timeline activities share their record and index inserts;
    # the workspace has no webhook (the key's statement says so): none is read; on PostgreSQL the
    # checks of both join ids, the unique values and the positions are one statement; the hold on
    # the data model is one more on SQLite, and rides with the writes on PostgreSQL
    assert counts[1] == {"postgresql": 12, "sqlite": 17}[connection.vendor]


def test_an_update_many_connect_adds_the_same_queries_for_one_and_many_records(reader):
    # given: the cost of a connect is the cost of the same update with the join id, plus a constant
    reader.get("/rest/people", limit="1")  # warms the per-process caches
    extra = {}
    for name, filter in (("one", f"id[eq]:{P['Ada']}"), ("many", "jobTitle[neq]:nobody")):
        counts = {}
        for how, body in (("connect", {"company": by_domain("globex.org")}), ("join id", {"companyId": C["Globex"]})):
            # when
            with rolled_back(), CaptureQueriesContext(connection) as queries:
                status, answer = reader.patch("/rest/people", body, filter=filter)
            # then
            assert status == 200, answer
            assert {p["companyId"] for p in answer["data"]["updatePeople"]} == {C["Globex"]}
            counts[how] = (len(answer["data"]["updatePeople"]), cost_of(queries))
        assert counts["connect"][0] == counts["join id"][0] == (1 if name == "one" else 6)
        extra[name] = counts["connect"][1] - counts["join id"][1]
    assert extra == {"one": 2, "many": 2}  # the unique values' holders, then the live targets
