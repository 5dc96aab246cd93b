"""``searchVector`` as a value (api-reference §13.2): read only when selected, read-only, role-aware.

A searchable object's records have a ``searchVector``: their search tokens (lower-cased, accents
removed, split on non-alphanumerics) field by field, in the object's field order, joined by single
spaces; "" for a record without search text. REST returns it when ``fields`` names it (lists and a
record alone), GraphQL when a selection does; no default answer carries it, and it costs no query.
A body that writes it is a 400; GraphQL's input types have no such field.
"""

from __future__ import annotations

from typing import Any

import pytest

from core_app.models import SearchToken
from roles_app.errors import PERMISSION_DENIED
from tests.core.helpers import bad_request, create_custom_object, create_field, first_value
from tests.graphql_core.helpers import GraphQL, nodes
from tests.roles.conftest import Roles

READ_ONLY = "Field 'searchVector' is read-only: it is computed from the search fields"
#: Ada's search text: name, emails, jobTitle, phones (the person's search fields in field order).
ADA_VECTOR = "ada lovelace ada lovelace analytical org mathematicienne 33 612345678"


@pytest.fixture
def gql(api) -> GraphQL:
    """``POST /graphql`` with the ``api`` key."""
    return GraphQL(api)


@pytest.fixture
def data(records) -> dict[str, Any]:
    """Ada (every search field of a person filled, an accent in her job title), a person without any
    search text, and a company."""
    ada = records.person(
        "Ada",
        "Lovelace",
        "Ada.Lovelace@Analytical.org",
        jobTitle="Mathématicienne",
        city="London",
        phones={"primaryPhoneNumber": "612345678", "primaryPhoneCallingCode": "+33"},
    )
    blank = records.person("", "")
    acme = records.company("Acme Corp", "https://acme.example")
    return {"ada": ada, "blank": blank, "acme": acme}


def documents(workspace_id: Any, record_id: str) -> list[str]:
    """The document rows the search index holds for a record (its search fields' texts)."""
    rows = SearchToken.objects.filter(workspace_id=workspace_id, record_id=record_id, token="")
    return sorted(document or "" for document in rows.values_list("document", flat=True))


# -- reading ----------------------------------------------------------------------------------------


def test_rest_fields_selects_search_vector_on_a_list_and_on_a_record(api, data):
    # when
    status, listed = api.get("/rest/people", fields="id,searchVector", order_by="createdAt")
    _, one = api.get(f"/rest/people/{data['ada']['id']}", fields="searchVector")
    _, company = api.get(f"/rest/companies/{data['acme']['id']}", fields="name,searchVector")
    # then
    assert status == 200
    assert listed["data"]["people"] == [
        {"id": data["ada"]["id"], "searchVector": ADA_VECTOR},
        {"id": data["blank"]["id"], "searchVector": ""},
    ]
    assert one == {"data": {"person": {"id": data["ada"]["id"], "searchVector": ADA_VECTOR}}}
    assert company["data"]["company"] == {
        "id": data["acme"]["id"],
        "name": "Acme Corp",
        "searchVector": "acme corp https acme example",
    }


def test_search_vector_is_the_index_documents_joined(api, workspace, data):
    # given
    _, one = api.get(f"/rest/people/{data['ada']['id']}", fields="searchVector")
    # then: the very texts the search index holds, in the object's field order (name, emails, jobTitle, phones)
    in_field_order = ["ada lovelace", "ada lovelace analytical org", "mathematicienne", "33 612345678"]
    assert documents(workspace.pk, data["ada"]["id"]) == sorted(in_field_order)
    assert one["data"]["person"]["searchVector"] == " ".join(in_field_order) == ADA_VECTOR


def keys_anywhere(value: Any) -> set[str]:
    """Every key of every object inside ``value`` (embedded records included)."""
    if isinstance(value, dict):
        return set(value).union(*(keys_anywhere(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_anywhere(item) for item in value))
    return set()


def test_no_default_answer_carries_search_vector(api, data):
    # given: Ada works at Acme (so that relations embed her)
    ada = data["ada"]["id"]
    api.patch(f"/rest/people/{ada}", {"companyId": data["acme"]["id"]})
    # when: every shape a record takes without a selection
    answers = [
        first_value(api.get("/rest/people")[1]),
        [first_value(api.get(f"/rest/people/{ada}")[1])],
        [first_value(api.get(f"/rest/people/{ada}", depth="1")[1])],
        first_value(api.get("/rest/companies", depth="2")[1]),
        [first_value(api.patch(f"/rest/people/{ada}", {"city": "Paris"})[1])],
        [first_value(api.post("/rest/people", {"name": {"firstName": "Alan"}})[1])],
        first_value(api.post("/rest/batch/people", [{"name": {"firstName": "Grace"}}])[1]),
        api.get("/rest/people/groupBy", group_by='[{"city": true}]', include_records_sample="true")[1][0]["records"],
    ]
    # then: each answer holds records (embedded ones at depth 1 and 2), none of them a searchVector
    assert all(records for records in answers)
    assert {"id", "name", "company", "people"} <= keys_anywhere(answers)
    assert "searchVector" not in keys_anywhere(answers)


def test_graphql_selects_search_vector_on_lists_records_relations_and_group_samples(gql, data):
    # when
    people = gql.data("{ people(orderBy: [{createdAt: AscNullsFirst}]) { edges { node { id searchVector } } } }")
    ada = gql.data('{ person(filter: {id: {eq: "%s"}}) { searchVector jobTitle } }' % data["ada"]["id"])
    groups = gql.data(
        "{ peopleGroupBy(groupBy: [{city: true}]) { groupByDimensionValues edges { node { searchVector } } } }"
    )
    # then
    assert nodes(people["people"]) == [
        {"id": data["ada"]["id"], "searchVector": ADA_VECTOR},
        {"id": data["blank"]["id"], "searchVector": ""},
    ]
    assert ada == {"person": {"searchVector": ADA_VECTOR, "jobTitle": "Mathématicienne"}}
    samples = {tuple(g["groupByDimensionValues"]): [e["node"] for e in g["edges"]] for g in groups["peopleGroupBy"]}
    assert samples == {("London",): [{"searchVector": ADA_VECTOR}], ("",): [{"searchVector": ""}]}


def test_graphql_reads_search_vector_through_relations(api, gql, data):
    # given: Ada works at Acme
    api.patch(f"/rest/people/{data['ada']['id']}", {"companyId": data["acme"]["id"]})
    # when
    found = gql.data(
        '{ company(filter: {id: {eq: "%s"}}) { searchVector people { edges { node { searchVector '
        "company { searchVector } } } } } }" % data["acme"]["id"]
    )
    # then
    assert found == {
        "company": {
            "searchVector": "acme corp https acme example",
            "people": {
                "edges": [
                    {"node": {"searchVector": ADA_VECTOR, "company": {"searchVector": "acme corp https acme example"}}}
                ]
            },
        }
    }


def test_search_vector_follows_an_update_of_a_search_field(api, gql, workspace, data):
    # given
    ada = data["ada"]["id"]
    # when: a search field changes, then a field that is not one
    api.patch(f"/rest/people/{ada}", {"jobTitle": "Comtesse de Lovelace", "emails": {"primaryEmail": None}})
    after_search_field = api.get(f"/rest/people/{ada}", fields="searchVector")[1]["data"]["person"]["searchVector"]
    api.patch(f"/rest/people/{ada}", {"city": "Paris"})
    after_city = gql.data('{ person(filter: {id: {eq: "%s"}}) { searchVector } }' % ada)["person"]["searchVector"]
    # then
    assert after_search_field == "ada lovelace comtesse de lovelace 33 612345678"
    assert after_city == after_search_field
    assert sorted(documents(workspace.pk, ada)) == ["33 612345678", "ada lovelace", "comtesse de lovelace"]


def test_search_vector_follows_the_search_fields_of_a_custom_object(api, records):
    # given: a custom object (its label identifier, name, is its search field) with a second text field
    rockets = create_custom_object(api, "rocket", "rockets")
    motto = create_field(api, rockets, "motto", "TEXT")
    rocket = records.create("rockets", {"name": "Saturn V", "motto": "Ad Astra"})
    before = api.get(f"/rest/rockets/{rocket['id']}", fields="searchVector")[1]["data"]["rocket"]["searchVector"]
    # when: motto becomes a search field
    status, _ = api.patch(f"/rest/metadata/fields/{motto['id']}", {"isSearchable": True})
    after = api.get(f"/rest/rockets/{rocket['id']}", fields="searchVector")[1]["data"]["rocket"]["searchVector"]
    # then
    assert (before, status, after) == ("saturn v", 200, "saturn v ad astra")


def test_objects_that_are_not_searchable_have_no_search_vector(api, gql, data):
    # when
    answer = api.get("/rest/noteTargets", fields="id,searchVector")
    error = gql.error("{ noteTargets { edges { node { id searchVector } } } }")
    # then
    assert answer == bad_request(
        "'fields' parameter invalid. Unknown or unreadable fields on 'noteTarget': searchVector"
    )
    assert error["message"] == "Cannot query field 'searchVector' on type 'NoteTarget'."


# -- writing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "params", "message"),
    [
        pytest.param("POST", "/rest/people", {"searchVector": "ada"}, {}, READ_ONLY, id="create"),
        pytest.param("POST", "/rest/people", {"searchVector": "ada"}, {"upsert": "true"}, READ_ONLY, id="upsert"),
        pytest.param(
            "POST",
            "/rest/batch/people",
            [{"name": {"firstName": "Alan"}}, {"searchVector": None}],
            {},
            f"Record 1: {READ_ONLY}",
            id="batch",
        ),
        pytest.param("PATCH", "/rest/people/{ada}", {"searchVector": "x"}, {}, READ_ONLY, id="update_one"),
        pytest.param(
            "PATCH", "/rest/people", {"searchVector": "x"}, {"filter": "city[eq]:London"}, READ_ONLY, id="update_many"
        ),
    ],
)
def test_rest_writes_naming_search_vector_are_refused(api, data, method, path, body, params, message):
    # when
    answer = api.request(method, path.format(ada=data["ada"]["id"]), body, **params)
    # then: refused, nothing written
    assert answer == bad_request(message)
    assert len(first_value(api.get("/rest/people")[1])) == 2
    assert first_value(api.get(f"/rest/people/{data['ada']['id']}")[1])["updatedAt"] == data["ada"]["updatedAt"]


@pytest.mark.parametrize(
    ("mutation", "input_type"),
    [
        pytest.param('createPerson(data: {searchVector: "x"}) { id }', "PersonCreateInput", id="create"),
        pytest.param('createPeople(data: [{searchVector: "x"}], upsert: true) { id }', "PersonCreateInput", id="batch"),
        pytest.param(
            'updatePerson(id: "{ada}", data: {searchVector: "x"}) { id }', "PersonUpdateInput", id="update_one"
        ),
    ],
)
def test_graphql_input_types_have_no_search_vector(gql, data, mutation, input_type):
    # when
    status, body = gql("mutation { " + mutation.replace("{ada}", data["ada"]["id"]) + " }")
    # then
    assert status == 400
    assert [e["message"] for e in body["errors"]] == [f"Field 'searchVector' is not defined by type '{input_type}'."]


# -- roles ------------------------------------------------------------------------------------------


def test_a_role_reads_search_vector_only_when_it_reads_every_search_field(workspace, data):
    # given: one role that may not read people's emails (a search field), one that may not read city
    roles = Roles(workspace)
    no_emails = roles.make("no emails", ("read",), fields={("people", "emails"): {"canReadFieldValue": False}})
    no_city = roles.make("no city", ("read",), fields={("people", "city"): {"canReadFieldValue": False}})
    ada = data["ada"]["id"]
    # when
    refused = roles.rest(no_emails).get(f"/rest/people/{ada}", fields="id,searchVector")
    hidden = roles.gql(no_emails)("{ people { edges { node { searchVector } } } }")
    shown = roles.rest(no_city).get(f"/rest/people/{ada}", fields="searchVector")
    shown_gql = roles.gql(no_city).data('{ person(filter: {id: {eq: "%s"}}) { searchVector } }' % ada)
    # then
    assert refused == bad_request("'fields' parameter invalid. Unknown or unreadable fields on 'person': searchVector")
    assert hidden[1]["errors"][0]["message"] == f"{PERMISSION_DENIED} to read 'Person.searchVector'"
    assert shown == (200, {"data": {"person": {"id": ada, "searchVector": ADA_VECTOR}}})
    assert shown_gql == {"person": {"searchVector": ADA_VECTOR}}
