"""Field-level rights and unreadable objects (api-reference 14.3), in every path that reads or writes.

The role of these tests, ``restricted``, may do everything with people and opportunities, but:

- it may not read ``person.jobTitle`` (so nor write it);
- it may not write ``person.city``;
- it may not read companies at all, so relations to companies (``person.company``,
  ``opportunity.company``, their join ids) are left out too.
"""

from __future__ import annotations

from typing import Any

import pytest

from roles_app.errors import PERMISSION_DENIED
from tests.core.helpers import first_value

ALL = ("read", "update", "soft_delete", "destroy")
NOTHING = dict.fromkeys(ALL, False)
FORBIDDEN = {
    "code": "FORBIDDEN",
    "subCode": "PERMISSION_DENIED",
    "userFriendlyMessage": "User does not have permission.",
}
#: Keys of a person the Admin key reads and ``restricted`` does not.
HIDDEN_PERSON_KEYS = {"jobTitle", "companyId", "company"}


def forbidden(*what: str) -> tuple[int, dict[str, Any]]:
    """REST's refusal of each of ``what``."""
    return 403, {
        "statusCode": 403,
        "error": "PermissionsException",
        "messages": [f"{PERMISSION_DENIED} to {w}" for w in what],
    }


def schema_refusal(*names: str) -> tuple[int, dict[str, Any]]:
    """GraphQL's refusal of an operation naming what the role's schema leaves out."""
    quoted = ", ".join(f"'{name}'" for name in names)
    return 200, {"errors": [{"message": f"{PERMISSION_DENIED} to read {quoted}", "extensions": FORBIDDEN}]}


def service_refusal(body: dict[str, Any], *what: str) -> tuple[str, dict[str, Any]]:
    """``(message, extensions)`` of the one error a resolver raised."""
    [error] = body["errors"]
    return error["message"], error["extensions"]


def expected_service_refusal(*what: str) -> tuple[str, dict[str, Any]]:
    """The same, expected."""
    messages = [f"{PERMISSION_DENIED} to {w}" for w in what]
    return "; ".join(messages), {**FORBIDDEN, "messages": messages}


@pytest.fixture
def restricted(roles):
    """The role described in the module's docstring."""
    return roles.make(
        "restricted",
        ALL,
        objects={"companies": NOTHING},
        fields={
            ("people", "jobTitle"): {"canReadFieldValue": False},
            ("people", "city"): {"canUpdateFieldValue": False},
        },
    )


@pytest.fixture
def data(records) -> dict[str, Any]:
    """A company, Ada (CTO in Paris) working there, and an opportunity of the company with Ada as contact."""
    acme = records.company("Acme")
    ada = records.person("Ada", "Lovelace", jobTitle="CTO", city="Paris", companyId=acme["id"])
    deal = records.opportunity("Deal", companyId=acme["id"], pointOfContactId=ada["id"])
    return {"acme": acme, "ada": ada, "deal": deal}


def without(record: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    """``record`` without ``keys``."""
    return {key: value for key, value in record.items() if key not in keys}


# -- reading --------------------------------------------------------------------------------------


def test_rest_leaves_out_unreadable_fields_and_relations_at_every_depth(api, roles, restricted, data):
    # given
    client = roles.rest(restricted)
    mine = first_value(api.get("/rest/people", depth="1")[1])[0]

    # when
    status, body = client.get("/rest/people", depth="1")

    # then: the person without jobTitle, nor company; the opportunity without its company either
    [theirs] = first_value(body)
    expected = without(mine, HIDDEN_PERSON_KEYS)
    expected["pointOfContactForOpportunities"] = [
        without(o, {"companyId"}) for o in mine["pointOfContactForOpportunities"]
    ]
    # the person's activities (api-reference §16) without their link to the companies the role does not read
    expected["timelineActivities"] = [without(a, {"targetCompanyId"}) for a in mine["timelineActivities"]]
    assert status == 200
    assert theirs == expected
    assert client.get(f"/rest/people/{data['ada']['id']}")[1] == {
        "data": {"person": without(first_value(api.get(f"/rest/people/{data['ada']['id']}")[1]), HIDDEN_PERSON_KEYS)}
    }


def test_rest_fields_parameter_refuses_unreadable_fields(roles, restricted, data):
    assert roles.rest(restricted).get("/rest/people", fields="id,jobTitle,companyId") == (
        400,
        {
            "statusCode": 400,
            "error": "BadRequestException",
            "messages": ["'fields' parameter invalid. Unknown or unreadable fields on 'person': jobTitle, companyId"],
        },
    )


@pytest.mark.parametrize(
    ("params", "refused"),
    [
        pytest.param({"filter": "jobTitle[eq]:CTO"}, ("read field 'jobTitle' of person",), id="filter"),
        pytest.param(
            {"filter": "or(city[eq]:Paris,not(jobTitle[is]:NULL))"},
            ("read field 'jobTitle' of person",),
            id="nested_filter",
        ),
        pytest.param({"filter": "companyId[is]:NOT_NULL"}, ("read field 'companyId' of person",), id="join_id"),
        pytest.param({"order_by": "city,jobTitle[DescNullsLast]"}, ("read field 'jobTitle' of person",), id="order_by"),
        # api-reference §11.3: a relation path is checked on each object it crosses
        pytest.param({"filter": "company.name[eq]:Acme"}, ("read field 'company' of person",), id="relation_filter"),
        pytest.param(
            {"filter": "pointOfContactForOpportunities._some.pointOfContact.jobTitle[eq]:CTO"},
            ("read field 'jobTitle' of person",),
            id="two_hops_back_to_a_hidden_field",
        ),
        pytest.param({"order_by": "company.name"}, ("read field 'company' of person",), id="relation_order"),
    ],
)
def test_rest_filter_and_order_on_unreadable_fields_are_403(roles, restricted, data, params, refused):
    assert roles.rest(restricted).get("/rest/people", **params) == forbidden(*refused)


def test_rest_group_by_and_aggregates_on_unreadable_fields_are_403(roles, restricted, data):
    client = roles.rest(restricted)
    assert client.get("/rest/people/groupBy", group_by='[{"jobTitle": true}]') == forbidden(
        "read field 'jobTitle' of person"
    )
    assert client.get(
        "/rest/people/groupBy", group_by='[{"city": true}]', aggregate='["countEmptyJobTitle"]'
    ) == forbidden("read field 'countEmptyJobTitle' of person")
    status, groups = client.get("/rest/people/groupBy", group_by='[{"city": true}]', include_records_sample="true")
    assert status == 200
    assert [set(record) & HIDDEN_PERSON_KEYS for group in groups for record in group["records"]] == [set()]


def test_rest_duplicates_compare_only_what_the_role_reads(roles, restricted, data):
    client = roles.rest(restricted)
    assert client.post("/rest/people/duplicates", {"data": [{"jobTitle": "CTO"}]}) == forbidden(
        "read field 'jobTitle' of person"
    )
    status, body = client.post("/rest/people/duplicates", {"ids": [data["ada"]["id"]]})
    assert (status, body["data"][0]["totalCount"]) == (200, 0)


def test_graphql_schema_shows_only_what_the_role_reads(roles, restricted):
    # when
    gql = roles.gql(restricted)
    data = gql.data(
        """{ person: __type(name: "Person") { fields { name } }
             filter: __type(name: "PersonFilterInput") { inputFields { name } }
             order: __type(name: "PersonOrderByInput") { inputFields { name } }
             create: __type(name: "PersonCreateInput") { inputFields { name } }
             connection: __type(name: "PersonConnection") { fields { name } }
             company: __type(name: "Company") { name }
             query: __type(name: "Query") { fields { name } } }"""
    )

    # then
    person = {f["name"] for f in data["person"]["fields"]}
    assert {"id", "name", "city"} <= person and not person & (HIDDEN_PERSON_KEYS | {"searchVector"})
    assert not {f["name"] for f in data["filter"]["inputFields"]} & {"jobTitle", "companyId"}
    assert "jobTitle" not in {f["name"] for f in data["order"]["inputFields"]}
    assert "city" in {f["name"] for f in data["create"]["inputFields"]}  # readable: written at the risk of a 403
    assert "jobTitle" not in {f["name"] for f in data["create"]["inputFields"]}
    assert not {f["name"] for f in data["connection"]["fields"]} & {"countEmptyJobTitle", "minJobTitle"}
    assert data["company"] is None
    assert not {f["name"] for f in data["query"]["fields"]} & {"companies", "company", "companiesGroupBy"}


def test_graphql_reads_leave_out_nothing_the_role_may_read(api, roles, restricted, data):
    # given
    query = "{ people { edges { node { id name { firstName } city pointOfContactForOpportunities { edges { node { id name } } } } } } }"

    # then
    assert roles.gql(restricted).data(query) == api_graphql(api).data(query)


def api_graphql(api):
    """The Admin key's ``/graphql`` client."""
    from tests.graphql_core.helpers import GraphQL

    return GraphQL(api)


@pytest.mark.parametrize(
    ("query", "variables", "names"),
    [
        pytest.param("{ people { edges { node { id jobTitle } } } }", None, ("Person.jobTitle",), id="selection"),
        pytest.param(
            '{ people(filter: {jobTitle: {eq: "CTO"}}) { totalCount } }',
            None,
            ("PersonFilterInput.jobTitle",),
            id="filter",
        ),
        pytest.param(
            "query ($f: PersonFilterInput) { people(filter: $f) { totalCount } }",
            {"f": {"or": [{"city": {"eq": "Paris"}}, {"jobTitle": {"eq": "CTO"}}]}},
            ("PersonFilterInput.jobTitle",),
            id="filter_in_variables",
        ),
        pytest.param(
            "{ people(orderBy: [{jobTitle: AscNullsFirst}]) { totalCount } }",
            None,
            ("PersonOrderByInput.jobTitle",),
            id="order_by",
        ),
        pytest.param(
            "{ people { countEmptyJobTitle } }", None, ("PersonConnection.countEmptyJobTitle",), id="aggregate"
        ),
        pytest.param(
            "{ people { edges { node { company { name } } } } }",
            None,
            ("Person.company",),
            id="relation_to_unreadable_object",
        ),
        pytest.param(
            "{ opportunities { edges { node { companyId } } } }", None, ("Opportunity.companyId",), id="join_id"
        ),
        pytest.param("{ companies { totalCount } }", None, ("Query.companies",), id="unreadable_object"),
        pytest.param(
            'mutation { createPerson(data: {jobTitle: "CEO"}) { id } }',
            None,
            ("PersonCreateInput.jobTitle",),
            id="write_input",
        ),
    ],
)
def test_graphql_naming_what_the_role_cannot_read_is_forbidden(roles, restricted, data, query, variables, names):
    assert roles.gql(restricted)(query, variables) == schema_refusal(*names)


def test_graphql_group_by_on_an_unreadable_field_is_forbidden(roles, restricted, data):
    status, body = roles.gql(restricted)("{ peopleGroupBy(groupBy: [{jobTitle: true}]) { totalCount } }")
    assert status == 200
    assert service_refusal(body) == expected_service_refusal("read field 'jobTitle' of person")


def test_a_query_that_does_not_fit_the_whole_schema_either_is_an_ordinary_validation_error(roles, restricted):
    status, body = roles.gql(restricted)("{ people { edges { node { zzz } } } }")
    assert status == 400
    assert body["errors"][0]["message"] == "Cannot query field 'zzz' on type 'Person'."


# -- writing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "refused"),
    [
        pytest.param(
            lambda c, ids: c.post("/rest/people", {"name": {"firstName": "Bo"}, "city": "Rome"}), ("city",), id="create"
        ),
        pytest.param(
            lambda c, ids: c.post("/rest/batch/people", [{"city": "Rome"}, {"jobTitle": "CEO", "city": "Oslo"}]),
            ("city", "jobTitle"),
            id="batch",
        ),
        pytest.param(
            lambda c, ids: c.post("/rest/people", {"id": ids["ada"], "city": "Rome"}, upsert="true"),
            ("city",),
            id="upsert",
        ),
        pytest.param(
            lambda c, ids: c.patch(f"/rest/people/{ids['ada']}", {"jobTitle": "CEO"}), ("jobTitle",), id="update_one"
        ),
        pytest.param(
            lambda c, ids: c.patch("/rest/people", {"city": "Rome"}, filter="city[eq]:Paris"),
            ("city",),
            id="update_many",
        ),
        pytest.param(
            lambda c, ids: c.patch(f"/rest/people/{ids['ada']}", {"companyId": None}), ("companyId",), id="join_id"
        ),
    ],
)
def test_rest_writes_of_fields_the_role_may_not_write_are_403_naming_them(api, roles, restricted, data, call, refused):
    # given
    ids = {"ada": data["ada"]["id"]}
    before = api.get("/rest/people")

    # when
    answer = call(roles.rest(restricted), ids)

    # then
    assert answer == forbidden(*(f"update field '{name}' of person" for name in refused))
    assert api.get("/rest/people") == before


def test_graphql_writes_of_fields_the_role_may_not_write_are_forbidden(api, roles, restricted, data):
    # given
    before = api.get("/rest/people")

    # when
    status, body = roles.gql(restricted)(
        'mutation ($id: UUID!) { updatePerson(id: $id, data: {city: "Rome"}) { id } }', {"id": data["ada"]["id"]}
    )

    # then
    assert status == 200
    assert service_refusal(body) == expected_service_refusal("update field 'city' of person")
    assert api.get("/rest/people") == before


def test_writes_of_other_fields_go_through_and_answer_without_hidden_ones(roles, restricted, data):
    status, body = roles.rest(restricted).patch(f"/rest/people/{data['ada']['id']}", {"name": {"firstName": "Augusta"}})
    assert status == 200
    person = body["data"]["updatePerson"]
    assert person["name"]["firstName"] == "Augusta" and not set(person) & HIDDEN_PERSON_KEYS


def test_a_merge_that_would_change_a_field_the_role_may_not_write_is_403(api, roles, restricted, records):
    # given: the kept record has no city; the merged one's city would fill it
    kept = records.person("Ada", city="")
    other = records.person("Ada", city="Paris")

    # when
    answer = roles.rest(restricted).patch("/rest/people/merge", {"ids": [kept["id"], other["id"]], "dryRun": True})

    # then
    assert answer == forbidden("update field 'city' of person")


# -- documents ------------------------------------------------------------------------------------


def test_openapi_document_lists_only_what_the_role_may_use(api, roles, restricted):
    # when
    status, doc = roles.rest(restricted).get("/rest/open-api/core")
    _status, whole = api.get("/rest/open-api/core")

    # then
    schemas = doc["components"]["schemas"]
    assert status == 200
    assert not [path for path in doc["paths"] if "compan" in path]
    assert sorted(p for p in whole["paths"] if "compan" not in p) == sorted(doc["paths"])
    # searchVector is made of the search fields, jobTitle among them: hidden with it
    assert set(whole["components"]["schemas"]["Person"]["properties"]) - set(
        schemas["Person"]["properties"]
    ) == HIDDEN_PERSON_KEYS | {"searchVector"}
    assert {"city", "jobTitle", "companyId"} & set(schemas["Person_Create"]["properties"]) == set()
    assert "companyId" not in schemas["Opportunity_Update"]["properties"]
    assert "Company" not in schemas
    assert "webhooks" not in doc and "person.created" in whole["webhooks"]  # payloads: for keys managing webhooks
    assert doc["components"]["responses"]["Forbidden"]["description"].startswith(
        "The API key's role does not allow this"
    )


def test_openapi_routes_follow_the_object_rights(roles):
    # given
    doc = roles.rest(roles.make("reader", ("read",))).get("/rest/open-api/core")[1]

    # then
    assert {method for method in doc["paths"]["/people"] if method != "parameters"} == {"get"}
    assert sorted(p for p in doc["paths"] if "people" in p) == [
        "/exports/people",
        "/people",
        "/people/duplicates",
        "/people/groupBy",
        "/people/{id}",
    ]


def test_timeline_diffs_leave_out_fields_the_role_cannot_read(api, roles, restricted, data):
    # given: one update of Ada changing a hidden field (jobTitle) and a readable one (city)
    ada = data["ada"]["id"]
    assert api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO", "city": "London"})[0] == 200
    params = {"filter": f"targetPersonId[eq]:{ada},name[eq]:person.updated"}
    [mine] = first_value(api.get("/rest/timelineActivities", **params)[1])
    assert mine["properties"]["diff"] == {
        "jobTitle": {"before": "CTO", "after": "CEO"},
        "city": {"before": "Paris", "after": "London"},
    }
    query = (
        '{ timelineActivities(filter: {targetPersonId: {eq: "%s"}, name: {eq: "person.updated"}}) '
        "{ edges { node { properties } } } }" % ada
    )

    # when: the restricted role reads it through REST, REST at depth and GraphQL
    [listed] = first_value(roles.rest(restricted).get("/rest/timelineActivities", **params)[1])
    [person] = first_value(roles.rest(restricted).get("/rest/people", depth="1")[1])
    [edge] = roles.gql(restricted).data(query)["timelineActivities"]["edges"]

    # then: the diff has only the readable field, everywhere
    visible = {"diff": {"city": {"before": "Paris", "after": "London"}}}
    assert listed["properties"] == visible
    [nested] = [a for a in person["timelineActivities"] if a["name"] == "person.updated"]
    assert nested["properties"] == visible
    assert edge["node"]["properties"] == visible


#: The refusal of a filter, order or aggregate on a timeline field holding audited values.
AUDITED = "filter, sort or aggregate on field '{}' of timelineActivity (it holds values of audited fields the role cannot read)"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"filter": 'properties[like]:"%CTO%"'}, "properties", id="filter"),
        pytest.param({"filter": "or(name[eq]:x,not(properties[is]:NULL))"}, "properties", id="nested_filter"),
        pytest.param({"filter": 'linkedRecordCachedName[like]:"%Call%"'}, "linkedRecordCachedName", id="linked_name"),
    ],
)
def test_timeline_values_cannot_be_matched_by_a_role_that_cannot_read_them_all(
    api, roles, restricted, data, params, field
):
    # given: Ada's diff holds jobTitle, which the role does not read
    ada = data["ada"]["id"]
    assert api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})[0] == 200
    # when
    refused = roles.rest(restricted).get("/rest/timelineActivities", **params)
    allowed = api.get("/rest/timelineActivities", **params)
    # then: refused, as a field the role cannot read; the Admin key filters and sorts
    assert refused == forbidden(AUDITED.format(field))
    assert allowed[0] == 200


def test_timeline_values_match_for_a_role_that_reads_them_all(api, roles, data):
    # given: a role hiding nothing of the audited objects (it may only not write a field)
    role = roles.make("writer", ALL, fields={("people", "city"): {"canUpdateFieldValue": False}})
    ada = data["ada"]["id"]
    assert api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})[0] == 200
    # when
    status, body = roles.rest(role).get("/rest/timelineActivities", filter='properties[like]:"%CEO%"')
    # then
    assert (status, [a["targetPersonId"] for a in body["data"]["timelineActivities"]]) == (200, [ada])


def test_graphql_and_group_by_refuse_timeline_values_alike(api, roles, restricted, data):
    # when
    gql = roles.gql(restricted)
    _, filtered = gql('{ timelineActivities(filter: {properties: {like: "%CTO%"}}) { totalCount } }')
    aggregated = roles.rest(restricted).get(
        "/rest/timelineActivities/groupBy", group_by='[{"name": true}]', aggregate='["countEmptyProperties"]'
    )
    # then
    assert service_refusal(filtered) == expected_service_refusal(AUDITED.format("properties"))
    assert aggregated == forbidden(AUDITED.format("properties"))


def test_a_linked_notes_title_and_diff_are_hidden_from_a_role_that_cannot_read_the_title(api, roles, data):
    # given: a note linked to Ada, renamed; a role that reads everything but note titles
    role = roles.make("no titles", ALL, fields={("notes", "title"): {"canReadFieldValue": False}})
    ada = data["ada"]["id"]
    _, body = api.post("/rest/notes", {"title": "Secret plan", "bodyV2": {"markdown": "x"}})
    note = first_value(body)["id"]
    assert api.post("/rest/noteTargets", {"noteId": note, "personId": ada})[0] == 201
    assert api.patch(f"/rest/notes/{note}", {"title": "Secret plan B"})[0] == 200
    params = {"filter": f"targetPersonId[eq]:{ada},name[like]:linked-note.%", "order_by": "position"}
    # when
    mine = first_value(api.get("/rest/timelineActivities", **params)[1])
    theirs = first_value(roles.rest(role).get("/rest/timelineActivities", **params)[1])
    query = '{ timelineActivities(filter: {targetPersonId: {eq: "%s"}, name: {like: "linked-note.%%"}}, ' % ada
    edges = roles.gql(role).data(
        query + "orderBy: [{position: AscNullsFirst}]) { edges { node { linkedRecordCachedName properties } } } }"
    )
    # then: the Admin key reads the title; the role reads neither the title nor its diff
    assert [(a["linkedRecordCachedName"], a["properties"]) for a in mine] == [
        ("Secret plan", {}),
        ("Secret plan B", {"diff": {"title": {"before": "Secret plan", "after": "Secret plan B"}}}),
    ]
    assert [(a["linkedRecordCachedName"], a["properties"]) for a in theirs] == [("", {}), ("", {"diff": {}})]
    assert [e["node"] for e in edges["timelineActivities"]["edges"]] == [
        {"linkedRecordCachedName": "", "properties": {}},
        {"linkedRecordCachedName": "", "properties": {"diff": {}}},
    ]


def test_connecting_by_a_field_the_role_cannot_read_is_403_as_filtering_on_it(api, roles, acme_with_domain):
    # given: a role that reads companies but not their domain
    role = roles.make("no domains", ALL, fields={("companies", "domainName"): {"canReadFieldValue": False}})
    client = roles.rest(role)
    body = {
        "name": {"firstName": "Probe"},
        "company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://acme.com"}}}},
    }
    by_id = {"name": {"firstName": "Probe"}, "company": {"connect": {"where": {"id": acme_with_domain["id"]}}}}
    # when
    refused = client.post("/rest/people", body)
    allowed = client.post("/rest/people", by_id)
    # then: which company it links (or that none holds the domain) would tell the hidden value
    assert refused == forbidden("read field 'domainName' of company")
    assert client.get("/rest/companies", filter="domainName.primaryLinkUrl[eq]:https://acme.com") == refused
    assert allowed[0] == 201 and allowed[1]["data"]["createPerson"]["companyId"] == acme_with_domain["id"]


@pytest.fixture
def acme_with_domain(records) -> dict[str, Any]:
    """A company with a domain."""
    return records.company("Acme", domainName={"primaryLinkUrl": "https://acme.com"})
