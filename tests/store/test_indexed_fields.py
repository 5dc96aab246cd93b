"""``isIndexed`` through both metadata APIs, and what the store keeps for it.

The index path holds exactly one row per live record and indexed value: rows appear when a field
is marked (or a record created or restored) and disappear when it is unmarked or deleted (or a
record trashed or destroyed). Unfiltered counts come from counters that every write keeps exact.
"""

from __future__ import annotations

import pytest

from core_app.models import RecordIndex, UniqueValue
from core_app.store.slots import slot_id
from tests.core.helpers import create_custom_object, create_field, object_id_of
from tests.graphql_metadata.helpers import GraphQLClient
from tests.metadata.helpers import deactivate_and_delete

pytestmark = pytest.mark.django_db

FIELDS = "/rest/metadata/fields"


def index_rows(workspace, field_id: str, sub: str | None = None) -> list[tuple[str, str | None]]:
    """``(record id, key)`` of the index rows of a field (or of one of its sub-fields), by record id."""
    rows = RecordIndex.objects.filter(workspace_id=workspace.pk, slot=slot_id(field_id, sub))
    return sorted((str(record), key) for record, key in rows.values_list("record_id", "key"))


def field_of(api, object_name: str, name: str) -> dict:
    """A field of the caller's workspace, as ``GET /rest/metadata/fields`` returns it."""
    status, body = api.get(FIELDS, limit="1000")
    assert status == 200
    object_id = object_id_of(api, object_name)
    return next(f for f in body["data"]["fields"] if f["objectMetadataId"] == object_id and f["name"] == name)


def test_standard_fields_come_indexed_as_twenty_indexes_them(api):
    indexed = {
        name: field_of(api, "person", name)["isIndexed"]
        for name in ("name", "emails", "company", "createdAt", "position", "deletedAt", "city", "jobTitle")
    }
    assert indexed == {
        "name": True,  # label identifier
        "emails": True,  # unique
        "company": True,  # relation join column
        "createdAt": True,
        "position": True,
        "deletedAt": True,
        "city": False,
        "jobTitle": False,
    }


def test_marking_a_field_indexed_keys_every_live_record_and_unmarking_drops_them(api, records, workspace):
    # given
    ada, bob = records.person("Ada", city="Paris"), records.person("Bob")
    trashed = records.person("Cy", city="Rome")
    api.delete(f"/rest/people/{trashed['id']}", soft_delete="true")
    city = field_of(api, "person", "city")
    # when
    status, body = api.patch(f"{FIELDS}/{city['id']}", {"isIndexed": True})
    # then: one row per live record (the trashed one has none); "" is a value, not a missing one
    assert (status, body["data"]["updateOneField"]["isIndexed"]) == (200, True)
    assert index_rows(workspace, city["id"]) == sorted([(ada["id"], "Paris"), (bob["id"], "")])
    # when
    status, body = api.patch(f"{FIELDS}/{city['id']}", {"isIndexed": False})
    # then
    assert (status, body["data"]["updateOneField"]["isIndexed"]) == (200, False)
    assert index_rows(workspace, city["id"]) == []


def test_a_unique_field_stays_indexed_whatever_is_asked(api):
    emails = field_of(api, "person", "emails")
    status, body = api.patch(f"{FIELDS}/{emails['id']}", {"isIndexed": False})
    assert (status, body["data"]["updateOneField"]["isIndexed"]) == (200, True)


def test_a_new_field_can_be_created_indexed_through_rest_and_graphql(api, records, workspace):
    # given
    rocket = create_custom_object(api, "rocket", "rockets")
    saturn = records.create("rockets", {"name": "Saturn"})
    gql = GraphQLClient(api.token)
    # when
    thrust = create_field(api, rocket, "thrust", "NUMBER", isIndexed=True)
    created = gql.data(
        "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { name isIndexed } }",
        {
            "input": {
                "field": {
                    "objectMetadataId": rocket,
                    "type": "TEXT",
                    "name": "maker",
                    "label": "Maker",
                    "isIndexed": True,
                }
            }
        },
    )
    updated = gql.data(
        "mutation($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { name isIndexed } }",
        {"input": {"id": thrust["id"], "update": {"isIndexed": False}}},
    )
    # then
    assert thrust["isIndexed"] is True
    assert created["createOneField"] == {"name": "maker", "isIndexed": True}
    assert updated["updateOneField"] == {"name": "thrust", "isIndexed": False}
    maker = field_of(api, "rocket", "maker")
    assert index_rows(workspace, maker["id"]) == [(saturn["id"], None)]
    assert index_rows(workspace, thrust["id"]) == []


def test_index_rows_follow_records_through_trash_restore_update_and_destroy(api, records, workspace):
    # given
    name = field_of(api, "person", "name")
    ada = records.person("Ada", "Lovelace")

    def last_names():
        return index_rows(workspace, name["id"], "lastName")

    assert last_names() == [(ada["id"], "Lovelace")]
    # update
    api.patch(f"/rest/people/{ada['id']}", {"name": {"lastName": "King"}})
    assert last_names() == [(ada["id"], "King")]
    # trash, restore
    api.delete(f"/rest/people/{ada['id']}", soft_delete="true")
    assert last_names() == []
    api.patch(f"/rest/restore/people/{ada['id']}")
    assert last_names() == [(ada["id"], "King")]
    # destroy
    api.delete(f"/rest/people/{ada['id']}")
    assert last_names() == []
    assert RecordIndex.objects.filter(workspace_id=workspace.pk, record_id=ada["id"]).count() == 0


def test_deleting_a_field_drops_its_index_rows_and_unique_values(api, records, workspace):
    # given
    rocket = create_custom_object(api, "rocket", "rockets")
    code = create_field(api, rocket, "code", "TEXT", isUnique=True)
    records.create("rockets", {"name": "Saturn", "code": "S5"})
    assert len(index_rows(workspace, code["id"])) == 1
    # when
    assert deactivate_and_delete(api, f"{FIELDS}/{code['id']}")[0] == 200
    # then
    assert index_rows(workspace, code["id"]) == []
    assert UniqueValue.objects.filter(workspace_id=workspace.pk, field_id=code["id"]).count() == 0


def total(api, plural: str) -> int:
    """``totalCount`` of an unfiltered list (read from the counters)."""
    status, body = api.get(f"/rest/{plural}", limit="0")
    assert status == 200
    return body["totalCount"]


def counted(api, plural: str) -> int:
    """The live records of ``plural`` counted by walking them (no counter involved)."""
    status, body = api.get(f"/rest/{plural}", limit="200", filter="id[is]:NOT_NULL")
    assert status == 200
    return len(body["data"][plural])


def test_unfiltered_counts_stay_exact_through_every_write(api, records):
    # given
    acme = records.company("Acme")
    people = records.batch("people", [{"name": {"firstName": f"P{n}"}, "companyId": acme["id"]} for n in range(5)])
    assert (total(api, "people"), counted(api, "people")) == (5, 5)
    # soft delete one, destroy one, restore the first
    api.delete(f"/rest/people/{people[0]['id']}", soft_delete="true")
    api.delete(f"/rest/people/{people[1]['id']}")
    assert (total(api, "people"), counted(api, "people")) == (3, 3)
    api.patch(f"/rest/restore/people/{people[0]['id']}")
    assert (total(api, "people"), counted(api, "people")) == (4, 4)
    # mass soft delete by filter, then restore by filter
    api.delete("/rest/people", soft_delete="true", filter="name.firstName[in]:[P2,P3]")
    assert (total(api, "people"), counted(api, "people")) == (2, 2)
    api.patch("/rest/restore/people", filter="name.firstName[in]:[P2,P3]")
    assert (total(api, "people"), counted(api, "people")) == (4, 4)
    # merge two people: one destroyed
    assert api.patch("/rest/people/merge", {"ids": [people[2]["id"], people[3]["id"]]})[0] == 200
    assert (total(api, "people"), counted(api, "people")) == (3, 3)
    # upsert of an existing person changes nothing; of a new one adds one
    status, _ = api.post("/rest/people", {"id": people[4]["id"], "jobTitle": "CEO"}, upsert="true")
    assert status == 201 and total(api, "people") == 3
    # destroying the company keeps its people (the relation clears): counts unchanged
    api.delete(f"/rest/companies/{acme['id']}")
    assert (total(api, "companies"), total(api, "people"), counted(api, "people")) == (0, 3, 3)


def test_deleting_an_object_drops_its_records_and_counters(api, records, workspace):
    # given
    rocket = create_custom_object(api, "rocket", "rockets")
    records.batch("rockets", [{"name": f"R{n}"} for n in range(3)])
    assert total(api, "rockets") == 3
    # when
    assert deactivate_and_delete(api, f"/rest/metadata/objects/{rocket}")[0] == 200
    # then: a new object of the same name starts from nothing
    create_custom_object(api, "rocket", "rockets")
    assert total(api, "rockets") == 0
