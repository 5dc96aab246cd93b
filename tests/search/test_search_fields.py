"""``isSearchable`` on objects and fields (api-reference §13.2) through both metadata APIs, the
index following every data-model change, roles, and the rebuild command."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from core_app.models import SearchToken
from roles_app.errors import PERMISSION_DENIED
from tests.core.helpers import bad_request, create_custom_object, create_field, object_id_of
from tests.graphql_core.helpers import GraphQL
from tests.graphql_metadata.helpers import GraphQLClient
from tests.roles.conftest import Roles

FIELDS = "/rest/metadata/fields"
OBJECTS = "/rest/metadata/objects"


def found(api, text: str, **params: Any) -> list[str]:
    """Ids ``GET /rest/search`` finds for ``text``."""
    status, body = api.get("/rest/search", search_input=text, **params)
    assert status == 200, body
    return [h["recordId"] for h in body["data"]["search"]]


def field_of(api, object_name: str, name: str) -> dict[str, Any]:
    """A field as ``GET /rest/metadata/fields`` returns it."""
    status, body = api.get(FIELDS, limit="1000")
    assert status == 200
    object_id = object_id_of(api, object_name)
    return next(f for f in body["data"]["fields"] if f["objectMetadataId"] == object_id and f["name"] == name)


def objects_searchable(api) -> dict[str, bool]:
    """``isSearchable`` of every object by name."""
    status, body = api.get(OBJECTS)
    assert status == 200
    return {o["nameSingular"]: o["isSearchable"] for o in body["data"]["objects"]}


def test_defaults_are_twentys_lists(api):
    searchable = {
        name: field_of(api, "person", name)["isSearchable"] for name in ("name", "emails", "phones", "jobTitle", "city")
    }
    assert searchable == {"name": True, "emails": True, "phones": True, "jobTitle": True, "city": False}
    assert [field_of(api, "company", n)["isSearchable"] for n in ("name", "domainName", "address")] == [
        True,
        True,
        False,
    ]
    assert objects_searchable(api) == {
        "attachment": False,
        "company": True,
        "note": True,
        "noteTarget": False,
        "opportunity": True,
        "person": True,
        "task": True,
        "taskTarget": False,
        "timelineActivity": False,
        "workspaceMember": False,
    }


def test_marking_a_field_searchable_indexes_existing_records_and_unmarking_drops_them(api, records):
    paris = records.person("Marie", "Curie", city="Paris")["id"]
    city = field_of(api, "person", "city")
    assert found(api, "paris") == []
    status, body = api.patch(f"{FIELDS}/{city['id']}", {"isSearchable": True})
    assert (status, body["data"]["updateOneField"]["isSearchable"]) == (200, True)
    assert found(api, "paris") == [paris]
    gql = GraphQLClient(api.token)
    updated = gql.data(
        "mutation($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { name isSearchable } }",
        {"input": {"id": city["id"], "update": {"isSearchable": False}}},
    )
    assert updated == {"updateOneField": {"name": "city", "isSearchable": False}}
    assert found(api, "paris") == []
    # Deactivating a search field takes its tokens away too; reactivating brings them back.
    job = field_of(api, "person", "jobTitle")
    curie = records.person("Pierre", "Curie", jobTitle="Physicist")["id"]
    assert found(api, "physicist") == [curie]
    assert api.patch(f"{FIELDS}/{job['id']}", {"isActive": False})[0] == 200
    assert found(api, "physicist") == []
    assert api.patch(f"{FIELDS}/{job['id']}", {"isActive": True})[0] == 200
    assert found(api, "physicist") == [curie]


def test_only_text_like_types_may_be_searchable(api):
    person = object_id_of(api, "person")
    body = {"objectMetadataId": person, "type": "NUMBER", "name": "score", "label": "Score", "isSearchable": True}
    status, answer = api.post(FIELDS, body)
    assert (status, answer["messages"]) == (400, ["Field type NUMBER cannot be searchable"])
    employees = field_of(api, "company", "employees")
    status, answer = api.patch(f"{FIELDS}/{employees['id']}", {"isSearchable": True})
    assert (status, answer["messages"]) == (400, ["Field type NUMBER cannot be searchable"])
    gql = GraphQLClient(api.token)
    status, answer = gql.post(
        "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { name } }",
        {"input": {"field": body}},
    )
    assert answer["errors"][0]["message"] == "Field type NUMBER cannot be searchable"


def test_custom_objects_are_searched_by_their_label_identifier_and_marked_fields(api, records):
    rocket = create_custom_object(api, "rocket", "rockets")
    assert objects_searchable(api)["rocket"] is True
    saturn = records.create("rockets", {"name": "Saturn V"})["id"]
    assert found(api, "saturn") == [saturn]
    create_field(api, rocket, "codename", "TEXT", isSearchable=True)
    apollo = records.create("rockets", {"name": "Apollo", "codename": "Moonshot"})["id"]
    status, body = api.get("/rest/search", search_input="moon")
    assert status == 200
    assert body["data"]["search"] == [
        {
            "recordId": apollo,
            "objectNameSingular": "rocket",
            "label": "Apollo",
            "imageUrl": "",
            "tsRankCD": 1,
            "tsRank": 0,
        }
    ]
    # The object's searchVector filter reads the same index.
    status, body = api.get("/rest/rockets", filter="searchVector[search]:moonshot")
    assert (status, [r["id"] for r in body["data"]["rockets"]]) == (200, [apollo])


def test_an_object_no_longer_searchable_is_skipped_until_marked_again(api, records):
    acme = records.company("Acme")["id"]
    company = object_id_of(api, "company")
    status, body = api.patch(f"{OBJECTS}/{company}", {"isSearchable": False})
    assert (status, body["data"]["updateOneObject"]["isSearchable"]) == (200, False)
    assert found(api, "acme") == []
    assert SearchToken.objects.filter(object_id=company).count() == 0
    gql = GraphQLClient(api.token)
    updated = gql.data(
        "mutation($input: UpdateOneObjectInput!) { updateOneObject(input: $input) { nameSingular isSearchable } }",
        {"input": {"id": company, "update": {"isSearchable": True}}},
    )
    assert updated == {"updateOneObject": {"nameSingular": "company", "isSearchable": True}}
    assert found(api, "acme") == [acme]


def test_the_rebuild_command_gives_the_same_index(api, records, workspace):
    ada = records.person("Ada", "Lovelace", "ada@analytical.org")["id"]
    rows = sorted(SearchToken.objects.filter(workspace_id=workspace.pk).values_list("record_id", "token", "document"))
    SearchToken.objects.filter(workspace_id=workspace.pk).delete()
    assert found(api, "ada") == []
    call_command("rebuild_search_index", str(workspace.pk), stdout=open("/dev/null", "w"))
    rebuilt = sorted(
        SearchToken.objects.filter(workspace_id=workspace.pk).values_list("record_id", "token", "document")
    )
    assert rebuilt == rows
    assert found(api, "ada") == [ada]
    assert [t for r, t, d in rows if t] == ["ada", "ada", "analytical", "lovelace", "org"]
    assert [d for r, t, d in rows if not t] == ["ada analytical org", "ada lovelace"]


@pytest.fixture
def reader(workspace):
    """A key whose role reads everything but companies and people's emails."""
    roles = Roles(workspace)
    role = roles.make(
        "reader",
        rights=("read",),
        objects={"companies": {"read": False}},
        fields={("people", "emails"): {"canReadFieldValue": False}},
    )
    return roles.rest(role)


def test_roles_search_only_what_they_read(api, records, reader):
    ada = records.person("Ada", "Lovelace", "ada@analytical.org")["id"]
    records.company("Analytical Engines")
    rollout = records.opportunity("Ada rollout")["id"]
    # Admin finds Ada through her email and the company by name.
    assert len(found(api, "analytical")) == 2
    assert found(reader, "analytical") == []
    assert found(reader, "ada") == [ada, rollout]
    status, body = reader.get("/rest/people", filter="searchVector[search]:ada")
    assert (status, body["messages"]) == (403, [f"{PERMISSION_DENIED} to read field 'searchVector' of person"])
    status, body = reader.get("/rest/opportunities", filter="searchVector[search]:ada")
    assert (status, [o["id"] for o in body["data"]["opportunities"]]) == (200, [rollout])
    # GraphQL agrees, and naming an object the role cannot read skips it as REST does.
    query = '{ search(searchInput: "ada", limit: 10, includedObjectNameSingulars: ["company", "person"]) { edges { node { recordId } } } }'
    assert GraphQL(reader).data(query) == {"search": {"edges": [{"node": {"recordId": ada}}]}}
    assert found(reader, "ada", included_objects="company,person") == [ada]


def test_refusals_use_the_metadata_error_format(api):
    person = object_id_of(api, "person")
    body = {"objectMetadataId": person, "type": "BOOLEAN", "name": "vip", "label": "Vip", "isSearchable": True}
    assert api.post(FIELDS, body) == bad_request("Field type BOOLEAN cannot be searchable")
