"""``/rest/metadata/objects[/{id}]``: envelopes, pagination, errors, standard and custom objects."""

from __future__ import annotations

import pytest

from core_app.models import Record
from metadata_app.models import FieldMetadata, ObjectMetadata
from tests.metadata.helpers import (
    INSTANT,
    STANDARD_NAMES,
    create_field,
    create_object,
    deactivate_and_delete,
    error,
    field_id,
    object_id,
)
from tests.seeding import store_records

OBJECTS = "/rest/metadata/objects"
FIELDS = "/rest/metadata/fields"
MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"


def sorted_object_ids(workspace) -> list[str]:
    """Ids of the workspace's objects in the API's list order (by id)."""
    return sorted(str(pk) for pk in ObjectMetadata.objects.filter(workspace=workspace).values_list("pk", flat=True))


def fields_by_name(api_object: dict) -> dict[str, dict]:
    """The ``fields`` of an API object, by name."""
    return {f["name"]: f for f in api_object["fields"]}


# --- list ---------------------------------------------------------------------------------------


def test_list_returns_legacy_envelope_with_every_object_and_its_fields(api, workspace):
    # given
    ids = sorted_object_ids(workspace)
    # when
    status, body = api.get(OBJECTS)
    # then
    assert status == 200
    assert set(body) == {"data", "pageInfo", "totalCount"}
    assert list(body["data"]) == ["objects"]
    assert [o["id"] for o in body["data"]["objects"]] == ids
    assert sorted(o["nameSingular"] for o in body["data"]["objects"]) == STANDARD_NAMES
    assert body["totalCount"] == 10
    assert body["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[-1],
    }
    person = next(o for o in body["data"]["objects"] if o["nameSingular"] == "person")
    expected = set(FieldMetadata.objects.filter(object_id=person["id"]).values_list("name", flat=True))
    assert set(fields_by_name(person)) == expected


def test_list_pages_forward_with_limit_and_starting_after(api, workspace):
    # given
    ids = sorted_object_ids(workspace)
    # when
    first = api.get(OBJECTS, limit=3)
    second = api.get(OBJECTS, limit=3, starting_after=ids[2])
    last = api.get(OBJECTS, limit=3, starting_after=ids[6])
    # then
    assert first[0] == second[0] == last[0] == 200
    assert [o["id"] for o in first[1]["data"]["objects"]] == ids[0:3]
    assert first[1]["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[2],
    }
    assert [o["id"] for o in second[1]["data"]["objects"]] == ids[3:6]
    assert second[1]["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": ids[3],
        "endCursor": ids[5],
    }
    assert [o["id"] for o in last[1]["data"]["objects"]] == ids[7:10]
    assert last[1]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": ids[7],
        "endCursor": ids[9],
    }
    assert first[1]["totalCount"] == second[1]["totalCount"] == last[1]["totalCount"] == 10


def test_list_pages_backward_with_ending_before(api, workspace):
    # given
    ids = sorted_object_ids(workspace)
    # when
    middle = api.get(OBJECTS, limit=2, ending_before=ids[3])
    start = api.get(OBJECTS, limit=2, ending_before=ids[2])
    # then
    assert [o["id"] for o in middle[1]["data"]["objects"]] == ids[1:3]
    assert middle[1]["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": ids[1],
        "endCursor": ids[2],
    }
    assert [o["id"] for o in start[1]["data"]["objects"]] == ids[0:2]
    assert start[1]["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[1],
    }


def test_list_with_limit_zero_returns_an_empty_page_and_the_total(api):
    status, body = api.get(OBJECTS, limit=0)
    assert status == 200
    assert body == {
        "data": {"objects": []},
        "pageInfo": {"hasNextPage": True, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "totalCount": 10,
    }


def test_list_accepts_a_limit_above_the_maximum(api):
    # the maximum (1000) is applied silently, never refused
    status, body = api.get(OBJECTS, limit=100000)
    assert status == 200
    assert (len(body["data"]["objects"]), body["pageInfo"]["hasNextPage"]) == (10, False)


def test_list_with_both_cursors_is_400(api, workspace):
    ids = sorted_object_ids(workspace)
    status, body = api.get(OBJECTS, starting_after=ids[0], ending_before=ids[1])
    assert (status, body) == (400, error(400, "Only one of 'endingBefore' and 'startingAfter' may be provided"))


@pytest.mark.parametrize("param", ["starting_after", "ending_before"])
def test_list_with_a_cursor_that_is_not_an_id_is_400(api, param):
    status, body = api.get(OBJECTS, **{param: "abc"})
    assert (status, body) == (400, error(400, "Invalid cursor: abc"))


@pytest.mark.parametrize(
    "limit", ["abc", "-1", "1.5", "+5", " 5", "٣"], ids=["word", "negative", "decimal", "plus", "space", "arabic-digit"]
)
def test_list_with_an_invalid_limit_is_400(api, limit):
    status, body = api.get(OBJECTS, limit=limit)
    assert (status, body) == (400, error(400, f"limit '{limit}' is invalid. Should be an integer"))


# --- one ----------------------------------------------------------------------------------------


def test_get_one_returns_the_object_with_its_fields(api, workspace):
    # given
    company_id = object_id(workspace, "company")
    name_id = field_id(workspace, "company", "name")
    # when
    status, body = api.get(f"{OBJECTS}/{company_id}")
    # then
    assert status == 200
    assert list(body) == ["data"] and list(body["data"]) == ["object"]
    company = body["data"]["object"]
    assert {k: v for k, v in company.items() if k != "fields"} == {
        "id": company_id,
        "nameSingular": "company",
        "namePlural": "companies",
        "labelSingular": "Company",
        "labelPlural": "Companies",
        "description": None,
        "icon": "IconBuildingSkyscraper",
        "isCustom": False,
        "isRemote": False,
        "isActive": True,
        "isSystem": False,
        "isSearchable": True,
        "isLabelSyncedWithName": False,
        "labelIdentifierFieldMetadataId": name_id,
        "imageIdentifierFieldMetadataId": None,
        "duplicateCriteria": [["name"], ["domainName.primaryLinkUrl"]],
        "createdAt": INSTANT,
        "updatedAt": INSTANT,
    }
    assert fields_by_name(company)["domainName"] == {
        "id": field_id(workspace, "company", "domainName"),
        "type": "LINKS",
        "name": "domainName",
        "label": "Domain name",
        "description": None,
        "icon": None,
        "isCustom": False,
        "isActive": True,
        "isSystem": False,
        "isNullable": True,
        "isUnique": True,
        "isIndexed": True,
        "isSearchable": True,
        "isLabelSyncedWithName": False,
        "defaultValue": None,
        "options": None,
        "settings": None,
        "objectMetadataId": company_id,
        "relation": None,
        "createdAt": INSTANT,
        "updatedAt": INSTANT,
    }
    assert set(fields_by_name(company)) == set(
        FieldMetadata.objects.filter(object_id=company_id).values_list("name", flat=True)
    )


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_unknown_object_id_returns_404(api, method):
    status, body = getattr(api, method)(f"{OBJECTS}/{MISSING_ID}")
    assert (status, body) == (404, error(404, f"Object {MISSING_ID} not found"))


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_object_id_that_is_not_a_uuid_returns_400(api, method):
    status, body = getattr(api, method)(f"{OBJECTS}/not-a-uuid")
    assert (status, body) == (400, error(400, "'not-a-uuid' is not a valid UUID"))


# --- create -------------------------------------------------------------------------------------


def test_create_returns_201_with_the_create_one_object_envelope(api, workspace):
    # when
    status, body = api.post(
        OBJECTS,
        {
            "nameSingular": "rocket",
            "namePlural": "rockets",
            "labelSingular": "Rocket",
            "labelPlural": "Rockets",
            "description": "Things that fly",
            "icon": "IconRocket",
        },
    )
    # then
    assert status == 201
    assert list(body) == ["data"] and list(body["data"]) == ["createOneObject"]
    rocket = body["data"]["createOneObject"]
    name_id = field_id(workspace, "rocket", "name")
    assert {k: v for k, v in rocket.items() if k != "fields"} == {
        "id": object_id(workspace, "rocket"),
        "nameSingular": "rocket",
        "namePlural": "rockets",
        "labelSingular": "Rocket",
        "labelPlural": "Rockets",
        "description": "Things that fly",
        "icon": "IconRocket",
        "isCustom": True,
        "isRemote": False,
        "isActive": True,
        "isSystem": False,
        "isSearchable": True,
        "isLabelSyncedWithName": False,
        "labelIdentifierFieldMetadataId": name_id,
        "imageIdentifierFieldMetadataId": None,
        "duplicateCriteria": [["name"]],
        "createdAt": INSTANT,
        "updatedAt": INSTANT,
    }


def test_create_gives_the_default_fields_with_name_as_label_identifier(api, workspace):
    # when
    rocket = create_object(api)
    # then: (type, isSystem, isCustom, isNullable) per field
    shapes = {f["name"]: (f["type"], f["isSystem"], f["isCustom"], f["isNullable"]) for f in rocket["fields"]}
    assert shapes == {
        "id": ("UUID", True, False, False),
        "name": ("TEXT", False, False, True),
        "createdAt": ("DATE_TIME", True, False, False),
        "updatedAt": ("DATE_TIME", True, False, False),
        "deletedAt": ("DATE_TIME", True, False, True),
        "createdBy": ("ACTOR", True, False, False),
        "updatedBy": ("ACTOR", True, False, False),
        "position": ("POSITION", True, False, False),
        "noteTargets": ("RELATION", False, True, True),
        "taskTargets": ("RELATION", False, True, True),
        "attachments": ("RELATION", False, True, True),
        "timelineActivities": ("RELATION", True, False, True),
    }
    fields = fields_by_name(rocket)
    assert rocket["labelIdentifierFieldMetadataId"] == fields["name"]["id"]
    assert fields["name"]["defaultValue"] == "''"


@pytest.mark.parametrize("target", ["noteTarget", "taskTarget"])
def test_create_links_the_new_object_from_note_and_task_targets(api, workspace, target):
    # when
    rocket = create_object(api)
    # then
    target_id = object_id(workspace, target)
    _status, body = api.get(f"{OBJECTS}/{target_id}")
    many = fields_by_name(body["data"]["object"])["rocket"]
    one = fields_by_name(rocket)[f"{target}s"]
    assert many["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {"id": target_id, "nameSingular": target, "namePlural": f"{target}s"},
        "targetObjectMetadata": {"id": rocket["id"], "nameSingular": "rocket", "namePlural": "rockets"},
        "sourceFieldMetadata": {"id": many["id"], "name": "rocket"},
        "targetFieldMetadata": {"id": one["id"], "name": f"{target}s"},
    }
    assert one["relation"] == {
        "type": "ONE_TO_MANY",
        "sourceObjectMetadata": {"id": rocket["id"], "nameSingular": "rocket", "namePlural": "rockets"},
        "targetObjectMetadata": {"id": target_id, "nameSingular": target, "namePlural": f"{target}s"},
        "sourceFieldMetadata": {"id": one["id"], "name": f"{target}s"},
        "targetFieldMetadata": {"id": many["id"], "name": "rocket"},
    }


def test_create_with_an_id_in_the_path_is_400(api, workspace):
    status, body = api.post(f"{OBJECTS}/{object_id(workspace, 'person')}", {"nameSingular": "rocket"})
    assert (status, body) == (
        400,
        error(400, "create object query invalid. Remove the id from the path: POST /rest/metadata/objects"),
    )


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{bad", "Invalid JSON body: unexpected character, expected a string key: line 1 column 2 (char 1)"),
        ('{"nameSingular": "rocket",}', "Invalid JSON body: trailing comma is not allowed: line 1 column 26 (char 25)"),
    ],
    ids=["unquoted-key", "trailing-comma"],
)
def test_malformed_json_body_is_400(api, raw, message):
    status, body = api.post(OBJECTS, raw=raw)
    assert (status, body) == (400, error(400, message))


@pytest.mark.parametrize("raw", ["[]", '"rocket"', "null"], ids=["array", "string", "null"])
def test_create_with_a_body_that_is_not_an_object_is_400(api, raw):
    status, body = api.post(OBJECTS, raw=raw)
    assert (status, body) == (400, error(400, "object input must be a JSON object"))


def test_create_with_an_empty_body_reads_it_as_an_empty_object(api):
    status, body = api.post(OBJECTS)
    assert (status, body) == (400, error(400, "nameSingular is required and must be a string"))


def test_create_with_an_unknown_property_is_400(api):
    status, body = api.post(
        OBJECTS,
        {
            "nameSingular": "rocket",
            "namePlural": "rockets",
            "labelSingular": "Rocket",
            "labelPlural": "Rockets",
            "colour": "red",
        },
    )
    assert (status, body) == (
        400,
        error(
            400,
            "Unknown property 'colour' in object input; allowed: description, icon, isLabelSyncedWithName, "
            "isSearchable, labelPlural, labelSingular, namePlural, nameSingular",
        ),
    )


@pytest.mark.parametrize(
    "missing, message",
    [
        ("nameSingular", "nameSingular is required and must be a string"),
        ("namePlural", "namePlural is required and must be a string"),
        ("labelSingular", "labelSingular is required"),
        ("labelPlural", "labelPlural is required"),
    ],
)
def test_create_without_a_required_property_is_400(api, missing, message):
    body = {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"}
    del body[missing]
    status, answer = api.post(OBJECTS, body)
    assert (status, answer) == (400, error(400, message))


def test_create_with_labels_not_synced_with_names_is_400(api):
    status, body = api.post(
        OBJECTS,
        {
            "nameSingular": "rocket",
            "namePlural": "rockets",
            "labelSingular": "Space ship",
            "labelPlural": "Rockets",
            "isLabelSyncedWithName": True,
        },
    )
    assert (status, body) == (400, error(400, 'Name is not synced with label. Expected name: "spaceShip", got rocket'))


# --- update -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_changes_labels_and_returns_the_update_one_object_envelope(api, workspace, method):
    # given
    rocket = create_object(api)
    # when
    status, body = getattr(api, method)(
        f"{OBJECTS}/{rocket['id']}", {"labelSingular": "Space rocket", "icon": "IconStar"}
    )
    # then
    assert status == 200
    assert list(body) == ["data"] and list(body["data"]) == ["updateOneObject"]
    updated = body["data"]["updateOneObject"]
    assert (updated["id"], updated["labelSingular"], updated["icon"], updated["labelPlural"]) == (
        rocket["id"],
        "Space rocket",
        "IconStar",
        "Rockets",
    )
    assert ObjectMetadata.objects.get(pk=rocket["id"]).label_singular == "Space rocket"


def test_update_renames_a_custom_object(api, workspace):
    rocket = create_object(api)
    status, body = api.patch(f"{OBJECTS}/{rocket['id']}", {"nameSingular": "spaceship", "namePlural": "spaceships"})
    assert status == 200
    assert (body["data"]["updateOneObject"]["nameSingular"], body["data"]["updateOneObject"]["namePlural"]) == (
        "spaceship",
        "spaceships",
    )


def test_renaming_a_custom_object_renames_its_note_and_task_target_fields(api, workspace):
    # given
    rocket = create_object(api)
    links = {target: field_id(workspace, target, "rocket") for target in ("noteTarget", "taskTarget")}
    keys = {target: FieldMetadata.objects.get(pk=pk).storage_key for target, pk in links.items()}
    # when
    status, _ = api.patch(f"{OBJECTS}/{rocket['id']}", {"nameSingular": "spaceship", "namePlural": "spaceships"})
    # then
    assert status == 200
    for target, pk in links.items():
        field = FieldMetadata.objects.get(pk=pk)
        assert (field.name, field.storage_key) == ("spaceship", keys[target])
    # and the old name is free again
    assert create_object(api)["nameSingular"] == "rocket"


def test_renaming_a_custom_object_to_a_note_target_field_name_is_refused(api, workspace):
    rocket = create_object(api)
    status, body = api.patch(f"{OBJECTS}/{rocket['id']}", {"nameSingular": "position", "namePlural": "positions"})
    assert (status, body) == (
        400,
        error(400, 'The name "position" is not available: object "noteTarget" already has a field "position"'),
    )
    assert FieldMetadata.objects.filter(workspace=workspace, object__name_singular="noteTarget", name="rocket").exists()


def test_standard_object_cannot_be_renamed(api, workspace):
    status, body = api.patch(f"{OBJECTS}/{object_id(workspace, 'person')}", {"nameSingular": "human"})
    assert (status, body) == (400, error(400, 'Standard object "person" cannot be renamed'))


@pytest.mark.parametrize("verb", ["patch", "delete"])
def test_update_or_delete_without_an_id_is_400(api, verb):
    status, body = getattr(api, verb)(OBJECTS)
    action = "update" if verb == "patch" else "delete"
    assert (status, body) == (
        400,
        error(
            400,
            f"{action} object query invalid. Id missing. eg: /rest/metadata/objects/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56",
        ),
    )


def test_update_with_malformed_json_is_400(api, workspace):
    status, body = api.patch(f"{OBJECTS}/{object_id(workspace, 'person')}", raw="{")
    assert (status, body) == (400, error(400, "Invalid JSON body: unexpected end of data: line 1 column 2 (char 1)"))


def test_label_identifier_can_point_to_another_text_field(api, workspace):
    # given
    rocket = create_object(api)
    code = create_field(api, rocket["id"], "code")
    # when
    status, body = api.patch(f"{OBJECTS}/{rocket['id']}", {"labelIdentifierFieldMetadataId": code["id"]})
    # then
    assert status == 200
    assert body["data"]["updateOneObject"]["labelIdentifierFieldMetadataId"] == code["id"]


def cannot_name_records(type_name: str) -> tuple[int, dict]:
    """The 400 of a label identifier of type ``type_name``."""
    message = (
        f"A {type_name} field cannot name records (labelIdentifierFieldMetadataId): use a TEXT, FULL_NAME or UUID field"
    )
    return 400, error(400, message)


def test_label_identifier_refuses_a_boolean_field(api, workspace):
    rocket = create_object(api)
    flag = create_field(api, rocket["id"], "reusable", type="BOOLEAN")
    status, body = api.patch(f"{OBJECTS}/{rocket['id']}", {"labelIdentifierFieldMetadataId": flag["id"]})
    assert (status, body) == cannot_name_records("BOOLEAN")


@pytest.mark.parametrize(
    "type_name, extra",
    [
        pytest.param("NUMBER", {}, id="number"),
        pytest.param("EMAILS", {}, id="emails"),
        pytest.param("PHONES", {}, id="phones"),
        pytest.param("LINKS", {}, id="links"),
        pytest.param("DATE_TIME", {}, id="date_time"),
        pytest.param("DATE", {}, id="date"),
        pytest.param("SELECT", {"options": [{"label": "Low", "value": "LOW"}]}, id="select"),
    ],
)
def test_label_identifier_refuses_a_field_of_a_type_other_than_text_full_name_or_uuid(api, workspace, type_name, extra):
    # given
    rocket = create_object(api)
    field = create_field(api, rocket["id"], "serial", type=type_name, **extra)
    # when
    patched = api.patch(f"{OBJECTS}/{rocket['id']}", {"labelIdentifierFieldMetadataId": field["id"]})
    put = api.put(f"{OBJECTS}/{rocket['id']}", {"labelIdentifierFieldMetadataId": field["id"]})
    # then
    assert patched == put == cannot_name_records(type_name)
    assert api.get(f"{OBJECTS}/{rocket['id']}")[1]["data"]["object"]["labelIdentifierFieldMetadataId"] == field_id(
        workspace, "rocket", "name"
    )


@pytest.mark.parametrize("type_name, name", [("FULL_NAME", "pilot"), ("UUID", "id")])
def test_label_identifier_can_point_to_a_full_name_or_uuid_field(api, workspace, type_name, name):
    # given
    rocket = create_object(api)
    target = (
        create_field(api, rocket["id"], name, type=type_name)["id"]
        if name != "id"
        else field_id(workspace, "rocket", "id")
    )
    # when
    status, body = api.patch(f"{OBJECTS}/{rocket['id']}", {"labelIdentifierFieldMetadataId": target})
    # then
    assert status == 200, body
    assert body["data"]["updateOneObject"]["labelIdentifierFieldMetadataId"] == target


def test_every_standard_label_identifier_can_be_set_again(api, workspace):
    # given: the standard objects' label identifiers (TEXT name or title, FULL_NAME name)
    named = ObjectMetadata.objects.filter(workspace=workspace).exclude(label_identifier_field_metadata_id=None)
    assert named.count() == 8
    for obj in named:
        current = str(obj.label_identifier_field_metadata_id)
        # when
        status, body = api.patch(f"{OBJECTS}/{obj.pk}", {"labelIdentifierFieldMetadataId": current})
        # then
        assert status == 200, body
        assert body["data"]["updateOneObject"]["labelIdentifierFieldMetadataId"] == current


@pytest.mark.parametrize(
    "criteria, status, message",
    [
        ([["name"], ["emails.primaryEmail"]], 200, None),
        ([["nickname"]], 400, "duplicateCriteria names an unknown field: 'nickname'"),
        (["name"], 400, "duplicateCriteria must be an array of arrays of field names"),
    ],
    ids=["valid", "unknown-field", "not-nested"],
)
def test_duplicate_criteria_must_name_fields_of_the_object(api, workspace, criteria, status, message):
    answer_status, body = api.patch(f"{OBJECTS}/{object_id(workspace, 'person')}", {"duplicateCriteria": criteria})
    assert answer_status == status
    if message:
        assert body == error(400, message)
    else:
        assert body["data"]["updateOneObject"]["duplicateCriteria"] == criteria


# --- standard objects: deactivate, never delete -------------------------------------------------


@pytest.mark.parametrize("name", ["person", "company", "opportunity"])
def test_standard_object_cannot_be_deleted(api, workspace, name):
    status, body = api.delete(f"{OBJECTS}/{object_id(workspace, name)}")
    assert (status, body) == (
        400,
        error(400, f'Standard object "{name}" cannot be deleted; deactivate it instead (isActive: false)'),
    )
    assert ObjectMetadata.objects.filter(workspace=workspace, name_singular=name).exists()


def test_standard_object_can_be_deactivated_and_reactivated(api, workspace):
    # given
    person = object_id(workspace, "person")
    # when
    off = api.patch(f"{OBJECTS}/{person}", {"isActive": False})
    on = api.patch(f"{OBJECTS}/{person}", {"isActive": True})
    # then
    assert (off[0], off[1]["data"]["updateOneObject"]["isActive"]) == (200, False)
    assert (on[0], on[1]["data"]["updateOneObject"]["isActive"]) == (200, True)


def test_system_object_cannot_be_deactivated(api, workspace):
    status, body = api.patch(f"{OBJECTS}/{object_id(workspace, 'noteTarget')}", {"isActive": False})
    assert (status, body) == (400, error(400, 'System object "noteTarget" cannot be deactivated'))


# --- delete -------------------------------------------------------------------------------------


def test_an_active_custom_object_cannot_be_deleted_and_keeps_its_records(api, workspace):
    # given
    rocket = create_object(api)
    store_records(workspace, "rocket", {"name": "Saturn V"})
    # when
    status, body = api.delete(f"{OBJECTS}/{rocket['id']}")
    # then
    assert (status, body) == (
        400,
        error(400, 'Active object "rocket" cannot be deleted; deactivate it first (isActive: false)'),
    )
    assert [r["name"] for r in api.get("/rest/rockets")[1]["data"]["rockets"]] == ["Saturn V"]


def test_delete_custom_object_returns_it_and_removes_it(api, workspace):
    # given
    rocket = create_object(api)
    # when
    status, body = deactivate_and_delete(api, f"{OBJECTS}/{rocket['id']}")
    # then
    assert status == 200
    assert list(body) == ["data"] and list(body["data"]) == ["deleteOneObject"]
    deleted = body["data"]["deleteOneObject"]
    assert (deleted["id"], deleted["nameSingular"], deleted["isActive"]) == (rocket["id"], "rocket", False)
    assert sorted(f["name"] for f in deleted["fields"]) == sorted(f["name"] for f in rocket["fields"])
    assert api.get(f"{OBJECTS}/{rocket['id']}") == (404, error(404, f"Object {rocket['id']} not found"))
    assert not FieldMetadata.objects.filter(object_id=rocket["id"]).exists()


def test_delete_custom_object_removes_relation_fields_pointing_to_it_and_its_records(api, workspace):
    # given: a custom relation from person, the noteTarget/taskTarget links, and a record
    rocket = create_object(api)
    person = object_id(workspace, "person")
    create_field(
        api,
        person,
        "favoriteRocket",
        type="RELATION",
        relationCreationPayload={
            "targetObjectMetadataId": rocket["id"],
            "targetFieldLabel": "Fans",
            "type": "MANY_TO_ONE",
        },
    )
    store_records(workspace, "rocket", {"name": "Saturn V"})
    # when
    status, _ = deactivate_and_delete(api, f"{OBJECTS}/{rocket['id']}")
    # then
    assert status == 200
    pointing = FieldMetadata.objects.filter(workspace=workspace, relation_target_object_id=rocket["id"])
    assert list(pointing) == []
    for object_name, field_name in (("person", "favoriteRocket"), ("noteTarget", "rocket"), ("taskTarget", "rocket")):
        assert not FieldMetadata.objects.filter(
            workspace=workspace, object__name_singular=object_name, name=field_name
        ).exists()
    assert Record.objects.filter(workspace_id=workspace.pk, object_id=rocket["id"]).count() == 0


# --- unknown resources --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, query_path, resource",
    [
        ("/rest/metadata/relations", "relations", "relations"),
        (f"/rest/metadata/relations/{MISSING_ID}", f"relations/{MISSING_ID}", "relations"),
        ("/rest/metadata/object", "object", "object"),
    ],
    ids=["list", "one", "singular"],
)
def test_unknown_metadata_resource_is_400(api, path, query_path, resource):
    status, body = api.get(path)
    assert (status, body) == (
        400,
        error(
            400,
            f"Query path '{query_path}' invalid. Metadata path \"{resource}\" does not exist. Valid examples: "
            "/rest/metadata/objects or /rest/metadata/fields or /rest/metadata/webhooks or /rest/metadata/apiKeys",
        ),
    )


def test_deleting_an_object_takes_the_targets_attachments_and_activities_of_its_records(api, workspace):
    # given: a rocket with a note target, a task target, an attachment and its timeline activities,
    # beside a note target of a person that stays
    rocket = create_object(api)
    saturn = api.post("/rest/rockets", {"name": "Saturn V"})[1]["data"]["createRocket"]
    ada = api.post("/rest/people", {"name": {"firstName": "Ada"}})[1]["data"]["createPerson"]
    note = api.post("/rest/notes", {"title": "Launch"})[1]["data"]["createNote"]
    task = api.post("/rest/tasks", {"title": "Fuel"})[1]["data"]["createTask"]
    for plural, body in (
        ("noteTargets", {"noteId": note["id"], "rocketId": saturn["id"]}),
        ("noteTargets", {"noteId": note["id"], "personId": ada["id"]}),
        ("taskTargets", {"taskId": task["id"], "rocketId": saturn["id"]}),
        ("attachments", {"name": "plan.pdf", "rocketId": saturn["id"]}),
    ):
        assert api.post(f"/rest/{plural}", body)[0] == 201
    assert api.get("/rest/timelineActivities", filter=f"targetRocketId[eq]:{saturn['id']}")[1]["totalCount"] > 0
    # when
    status, _ = deactivate_and_delete(api, f"{OBJECTS}/{rocket['id']}")
    # then: what pointed only at the rocket's records is gone; the note, the task and Ada's target stay
    assert status == 200
    targets = api.get("/rest/noteTargets")[1]["data"]["noteTargets"]
    assert [(t["noteId"], t["personId"]) for t in targets] == [(note["id"], ada["id"])]
    assert api.get("/rest/taskTargets")[1]["totalCount"] == 0
    assert api.get("/rest/attachments")[1]["totalCount"] == 0
    names = {a["name"] for a in api.get("/rest/timelineActivities", limit=200)[1]["data"]["timelineActivities"]}
    assert not {name for name in names if name.startswith("rocket.")}
    assert [n["id"] for n in api.get("/rest/notes")[1]["data"]["notes"]] == [note["id"]]
    assert [t["id"] for t in api.get("/rest/tasks")[1]["data"]["tasks"]] == [task["id"]]


def test_duplicate_criteria_name_active_fields_and_lose_a_deleted_one(api, workspace):
    # given
    rocket = create_object(api)
    serial = create_field(api, rocket["id"], "serial")
    code = create_field(api, rocket["id"], "code")
    path = f"{OBJECTS}/{rocket['id']}"
    api.patch(path, {"duplicateCriteria": [["serial"], ["name", "code"]]})
    api.patch(f"{FIELDS}/{serial['id']}", {"isActive": False})
    # when
    refused = api.patch(path, {"duplicateCriteria": [["serial"]]})
    deactivate_and_delete(api, f"{FIELDS}/{code['id']}")
    # then
    assert refused == (400, error(400, "duplicateCriteria names an inactive field: 'serial' (activate it first)"))
    assert api.get(path)[1]["data"]["object"]["duplicateCriteria"] == [["serial"]]
    # and a criterion on the inactive field is left out of the search, not an error
    status, body = api.post("/rest/rockets/duplicates", {"data": [{"name": "Saturn V"}]})
    assert (status, [item["rocketDuplicates"] for item in body["data"]]) == (200, [[]])


def test_deleting_the_image_identifier_field_clears_it(api, workspace):
    # given
    rocket = create_object(api)
    photo = create_field(api, rocket["id"], "photo")
    api.patch(f"{OBJECTS}/{rocket['id']}", {"imageIdentifierFieldMetadataId": photo["id"]})
    # when
    deactivate_and_delete(api, f"{FIELDS}/{photo['id']}")
    # then
    assert api.get(f"{OBJECTS}/{rocket['id']}")[1]["data"]["object"]["imageIdentifierFieldMetadataId"] is None


def test_a_deactivated_standard_object_says_it_stays_deactivated(api, workspace):
    person = object_id(workspace, "person")
    api.patch(f"{OBJECTS}/{person}", {"isActive": False})
    assert api.delete(f"{OBJECTS}/{person}") == (
        400,
        error(400, 'Standard object "person" cannot be deleted; it stays deactivated'),
    )
