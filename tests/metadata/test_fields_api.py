"""``/rest/metadata/fields[/{id}]``: envelopes, pagination, errors, relations, standard fields."""

from __future__ import annotations

import pytest

from metadata_app.models import FieldMetadata
from metadata_app.registry import schema_registry
from tests.metadata.helpers import (
    INSTANT,
    UUID,
    create_field,
    create_object,
    deactivate_and_delete,
    error,
    field_id,
    object_id,
)

FIELDS = "/rest/metadata/fields"
MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
CREATABLE = (
    "UUID, TEXT, PHONES, EMAILS, DATE_TIME, DATE, BOOLEAN, NUMBER, NUMERIC, LINKS, CURRENCY, FULL_NAME, RATING, "
    "SELECT, MULTI_SELECT, RELATION, ADDRESS, RAW_JSON, RICH_TEXT, RICH_TEXT_V2, ARRAY"
)


def sorted_field_ids(workspace) -> list[str]:
    """Ids of the workspace's fields in the API's list order (by id)."""
    return sorted(str(pk) for pk in FieldMetadata.objects.filter(workspace=workspace).values_list("pk", flat=True))


def relation_payload(target_id: str, label: str, type: str = "MANY_TO_ONE", **extra) -> dict:
    return {"targetObjectMetadataId": target_id, "targetFieldLabel": label, "type": type, **extra}


# --- list ---------------------------------------------------------------------------------------


def test_list_returns_every_field_of_the_workspace_in_the_legacy_envelope(api, workspace):
    # given
    ids = sorted_field_ids(workspace)
    # when
    status, body = api.get(FIELDS)
    # then
    assert status == 200
    assert set(body) == {"data", "pageInfo", "totalCount"} and list(body["data"]) == ["fields"]
    assert [f["id"] for f in body["data"]["fields"]] == ids
    assert body["totalCount"] == len(ids)
    assert body["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[-1],
    }


def test_list_pages_forward_and_backward(api, workspace):
    # given
    ids = sorted_field_ids(workspace)
    # when
    first = api.get(FIELDS, limit=5)[1]
    second = api.get(FIELDS, limit=5, starting_after=ids[4])[1]
    back = api.get(FIELDS, limit=5, ending_before=ids[5])[1]
    # then
    assert [f["id"] for f in first["data"]["fields"]] == ids[0:5]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[4],
    }
    assert [f["id"] for f in second["data"]["fields"]] == ids[5:10]
    assert second["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": ids[5],
        "endCursor": ids[9],
    }
    assert [f["id"] for f in back["data"]["fields"]] == ids[0:5]
    assert back["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[4],
    }
    assert first["totalCount"] == second["totalCount"] == back["totalCount"] == len(ids)


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"starting_after": MISSING_ID, "ending_before": MISSING_ID},
            "Only one of 'endingBefore' and 'startingAfter' may be provided",
        ),
        ({"starting_after": "12"}, "Invalid cursor: 12"),
        ({"ending_before": "zz"}, "Invalid cursor: zz"),
        ({"limit": "ten"}, "limit 'ten' is invalid. Should be an integer"),
        ({"limit": "-5"}, "limit '-5' is invalid. Should be an integer"),
    ],
    ids=["both-cursors", "bad-starting-after", "bad-ending-before", "word-limit", "negative-limit"],
)
def test_list_with_invalid_paging_is_400(api, params, message):
    status, body = api.get(FIELDS, **params)
    assert (status, body) == (400, error(400, message))


# --- one ----------------------------------------------------------------------------------------


def test_get_one_returns_the_field_with_options_and_quoted_default(api, workspace):
    # given
    stage_id = field_id(workspace, "opportunity", "stage")
    # when
    status, body = api.get(f"{FIELDS}/{stage_id}")
    # then
    assert status == 200
    assert body == {
        "data": {
            "field": {
                "id": stage_id,
                "type": "SELECT",
                "name": "stage",
                "label": "Stage",
                "description": None,
                "icon": None,
                "isCustom": False,
                "isActive": True,
                "isSystem": False,
                "isNullable": False,
                "isUnique": False,
                "isIndexed": False,
                "isSearchable": False,
                "isLabelSyncedWithName": False,
                "defaultValue": "'NEW'",
                "options": [
                    {
                        "id": "00000000-0000-4000-8000-000000000000",
                        "label": "New",
                        "value": "NEW",
                        "color": "red",
                        "position": 0,
                    },
                    {
                        "id": "00000000-0000-4000-8000-000000000001",
                        "label": "Screening",
                        "value": "SCREENING",
                        "color": "purple",
                        "position": 1,
                    },
                    {
                        "id": "00000000-0000-4000-8000-000000000002",
                        "label": "Meeting",
                        "value": "MEETING",
                        "color": "sky",
                        "position": 2,
                    },
                    {
                        "id": "00000000-0000-4000-8000-000000000003",
                        "label": "Proposal",
                        "value": "PROPOSAL",
                        "color": "turquoise",
                        "position": 3,
                    },
                    {
                        "id": "00000000-0000-4000-8000-000000000004",
                        "label": "Customer",
                        "value": "CUSTOMER",
                        "color": "yellow",
                        "position": 4,
                    },
                ],
                "settings": None,
                "objectMetadataId": object_id(workspace, "opportunity"),
                "relation": None,
                "createdAt": INSTANT,
                "updatedAt": INSTANT,
            }
        }
    }


def test_get_one_relation_field_describes_both_sides(api, workspace):
    # given
    company_id = field_id(workspace, "person", "company")
    people_id = field_id(workspace, "company", "people")
    # when
    status, body = api.get(f"{FIELDS}/{company_id}")
    # then
    assert status == 200
    field = body["data"]["field"]
    assert (field["type"], field["settings"]) == (
        "RELATION",
        {"relationType": "MANY_TO_ONE", "onDelete": "SET_NULL", "joinColumnName": "companyId"},
    )
    assert field["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {
            "id": object_id(workspace, "person"),
            "nameSingular": "person",
            "namePlural": "people",
        },
        "targetObjectMetadata": {
            "id": object_id(workspace, "company"),
            "nameSingular": "company",
            "namePlural": "companies",
        },
        "sourceFieldMetadata": {"id": company_id, "name": "company"},
        "targetFieldMetadata": {"id": people_id, "name": "people"},
    }


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_unknown_field_id_returns_404(api, method):
    status, body = getattr(api, method)(f"{FIELDS}/{MISSING_ID}")
    assert (status, body) == (404, error(404, f"Field {MISSING_ID} not found"))


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_field_id_that_is_not_a_uuid_returns_400(api, method):
    status, body = getattr(api, method)(f"{FIELDS}/123")
    assert (status, body) == (400, error(400, "'123' is not a valid UUID"))


# --- create -------------------------------------------------------------------------------------


def test_create_returns_201_with_the_create_one_field_envelope(api, workspace):
    # given
    person = object_id(workspace, "person")
    # when
    status, body = api.post(
        FIELDS,
        {
            "objectMetadataId": person,
            "type": "TEXT",
            "name": "nickname",
            "label": "Nickname",
            "description": "What friends say",
            "icon": "IconUser",
            "defaultValue": "'Bob'",
        },
    )
    # then
    assert status == 201
    assert body == {
        "data": {
            "createOneField": {
                "id": field_id(workspace, "person", "nickname"),
                "type": "TEXT",
                "name": "nickname",
                "label": "Nickname",
                "description": "What friends say",
                "icon": "IconUser",
                "isCustom": True,
                "isActive": True,
                "isSystem": False,
                "isNullable": True,
                "isUnique": False,
                "isIndexed": False,
                "isSearchable": False,
                "isLabelSyncedWithName": False,
                "defaultValue": "'Bob'",
                "options": None,
                "settings": None,
                "objectMetadataId": person,
                "relation": None,
                "createdAt": INSTANT,
                "updatedAt": INSTANT,
            }
        }
    }
    assert FieldMetadata.objects.get(workspace=workspace, name="nickname").default_value == "Bob"


def test_create_select_field_completes_its_options(api, workspace):
    field = create_field(
        api,
        object_id(workspace, "task"),
        "priority",
        type="SELECT",
        defaultValue="LOW",
        options=[
            {"label": "Low", "value": "LOW"},
            {"label": "High", "value": "HIGH", "color": "red"},
        ],
    )
    assert field["options"] == [
        {"id": UUID, "label": "Low", "value": "LOW", "color": "green", "position": 0},
        {"id": UUID, "label": "High", "value": "HIGH", "color": "red", "position": 1},
    ]
    assert field["defaultValue"] == "'LOW'"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"type": "SELECT"}, "fields of type SELECT need a non-empty array of options"),
        (
            {"type": "SELECT", "options": [{"label": "In progress", "value": "in progress"}]},
            'option value "in progress" is invalid: use UPPER_SNAKE_CASE letters and digits, e.g. "IN_PROGRESS"',
        ),
        (
            {"type": "SELECT", "options": [{"label": "A", "value": "A"}, {"label": "B", "value": "A"}]},
            'option value "A" is used twice',
        ),
        ({"type": "MULTI_SELECT", "options": [{"value": "A"}]}, 'option "A" needs a non-empty label'),
        ({"type": "TEXT", "options": [{"label": "A", "value": "A"}]}, "fields of type TEXT take no options"),
        ({"type": "NUMBER", "settings": {"dataType": "double"}}, "settings.dataType must be one of float, int, bigint"),
        ({"type": "NUMBER", "settings": {"decimals": 11}}, "settings.decimals must be an integer from 0 to 10"),
        ({"type": "TEXT", "settings": "wide"}, "settings must be an object"),
        (
            {"type": "SELECT", "options": [{"label": "A", "value": "A", "position": "zz"}]},
            'option "A" has an invalid position "zz": expected a number',
        ),
        (
            {"type": "SELECT", "options": [{"label": "A", "value": "A", "color": "gren"}]},
            'option "A" needs a color among amber, blue, bronze, brown, crimson, cyan, gold, grass, gray, green, '
            'iris, jade, lime, mint, orange, pink, plum, purple, red, ruby, sky, tomato, turquoise, violet, yellow; got "gren"',
        ),
        (
            {"type": "MULTI_SELECT", "options": [{"label": "A", "value": "A", "id": {"x": 1}}]},
            'option "A" needs a string id (a UUID), got an object',
        ),
        (
            {
                "type": "SELECT",
                "options": [
                    {"label": "A", "value": "A", "id": "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"},
                    {"label": "B", "value": "B", "id": "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"},
                ],
            },
            'option id "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56" is used twice',
        ),
        (
            {"type": "RATING", "options": [{"label": "Good", "value": "GOOD"}]},
            "RATING options take the values RATING_1, RATING_2, RATING_3, RATING_4, RATING_5; got 'GOOD'",
        ),
    ],
    ids=[
        "select-without-options",
        "bad-option-value",
        "duplicate-option",
        "option-without-label",
        "options-on-text",
        "bad-number-data-type",
        "bad-decimals",
        "settings-not-object",
        "option-position-not-number",
        "option-color-unknown",
        "option-id-not-string",
        "option-id-twice",
        "rating-option-value",
    ],
)
def test_create_with_invalid_options_or_settings_is_400(api, workspace, body, message):
    status, answer = api.post(
        FIELDS, {"objectMetadataId": object_id(workspace, "task"), "name": "priority", "label": "Priority", **body}
    )
    assert (status, answer) == (400, error(400, message))


@pytest.mark.parametrize(
    "type_name", ["FOO", "ACTOR", "POSITION", None], ids=["unknown", "actor", "position", "missing"]
)
def test_create_with_a_type_clients_cannot_create_is_400(api, workspace, type_name):
    status, body = api.post(
        FIELDS,
        {"objectMetadataId": object_id(workspace, "person"), "type": type_name, "name": "thing", "label": "Thing"},
    )
    message = (
        f"type is required: one of {CREATABLE}"
        if type_name is None
        else (f"type {type_name!r} is invalid; expected one of {CREATABLE}")
    )
    assert (status, body) == (400, error(400, message))


@pytest.mark.parametrize(
    "object_metadata_id, message",
    [
        (None, "objectMetadataId is required"),
        ("person", "'person' is not a valid UUID (objectMetadataId)"),
        (MISSING_ID, f"Object {MISSING_ID} not found (objectMetadataId)"),
    ],
    ids=["missing", "not-a-uuid", "unknown"],
)
def test_create_needs_an_object_of_the_workspace(api, object_metadata_id, message):
    body = {"type": "TEXT", "name": "thing", "label": "Thing"}
    if object_metadata_id is not None:
        body["objectMetadataId"] = object_metadata_id
    status, answer = api.post(FIELDS, body)
    assert (status, answer) == (400, error(400, message))


def test_create_with_an_id_in_the_path_is_400(api, workspace):
    status, body = api.post(f"{FIELDS}/{MISSING_ID}", {"name": "thing"})
    assert (status, body) == (
        400,
        error(400, "create field query invalid. Remove the id from the path: POST /rest/metadata/fields"),
    )


def test_create_with_malformed_json_is_400(api):
    status, body = api.post(FIELDS, raw='{"name": }')
    assert (status, body) == (
        400,
        error(400, "Invalid JSON body: unexpected character, expected a JSON value: line 1 column 10 (char 9)"),
    )


def test_create_with_an_unknown_property_is_400(api, workspace):
    status, body = api.post(
        FIELDS,
        {
            "objectMetadataId": object_id(workspace, "person"),
            "type": "TEXT",
            "name": "thing",
            "label": "Thing",
            "width": 3,
        },
    )
    assert (status, body) == (
        400,
        error(
            400,
            "Unknown property 'width' in field input; allowed: defaultValue, description, icon, isActive, "
            "isIndexed, isLabelSyncedWithName, isNullable, isSearchable, isUnique, label, name, objectMetadataId, options, "
            "relationCreationPayload, settings, type",
        ),
    )


def test_relation_creation_payload_on_a_non_relation_field_is_400(api, workspace):
    status, body = api.post(
        FIELDS,
        {
            "objectMetadataId": object_id(workspace, "person"),
            "type": "TEXT",
            "name": "thing",
            "label": "Thing",
            "relationCreationPayload": relation_payload(object_id(workspace, "company"), "Things"),
        },
    )
    assert (status, body) == (400, error(400, "relationCreationPayload is only for fields of type RELATION"))


UNIQUE_TYPES = "UUID, TEXT, PHONES, EMAILS, DATE_TIME, DATE, NUMBER, NUMERIC, LINKS, RATING, SELECT"
OPTIONS = [{"label": "Low", "value": "LOW"}, {"label": "High", "value": "HIGH"}]


def cannot_be_unique(type_name: str) -> tuple[int, dict]:
    """The 400 of ``isUnique: true`` on a field of ``type_name``."""
    return 400, error(400, f"Field type {type_name} cannot be unique; isUnique is for fields of type {UNIQUE_TYPES}")


@pytest.mark.parametrize(
    "type_name, extra",
    [
        pytest.param("BOOLEAN", {}, id="boolean"),
        pytest.param("RAW_JSON", {}, id="raw_json"),
        pytest.param("RICH_TEXT", {}, id="rich_text"),
        pytest.param("ARRAY", {}, id="array"),
        pytest.param("MULTI_SELECT", {"options": OPTIONS}, id="multi_select"),
        pytest.param("FULL_NAME", {}, id="full_name"),
        pytest.param("CURRENCY", {}, id="currency"),
        pytest.param("ADDRESS", {}, id="address"),
        pytest.param("RICH_TEXT_V2", {}, id="rich_text_v2"),
        pytest.param("RELATION", {"relationCreationPayload": relation_payload(MISSING_ID, "Gadgets")}, id="relation"),
    ],
)
def test_create_unique_field_of_a_type_without_comparable_values_is_400(api, workspace, type_name, extra):
    # given
    person = object_id(workspace, "person")
    # when
    status, body = api.post(
        FIELDS,
        {"objectMetadataId": person, "type": type_name, "name": "gadget", "label": "Gadget", "isUnique": True, **extra},
    )
    # then
    assert (status, body) == cannot_be_unique(type_name)
    assert not FieldMetadata.objects.filter(workspace=workspace, name="gadget").exists()


@pytest.mark.parametrize(
    "type_name, extra",
    [
        pytest.param("UUID", {}, id="uuid"),
        pytest.param("TEXT", {}, id="text"),
        pytest.param("PHONES", {}, id="phones"),
        pytest.param("EMAILS", {}, id="emails"),
        pytest.param("DATE_TIME", {}, id="date_time"),
        pytest.param("DATE", {}, id="date"),
        pytest.param("NUMBER", {}, id="number"),
        pytest.param("NUMERIC", {}, id="numeric"),
        pytest.param("LINKS", {}, id="links"),
        pytest.param("RATING", {}, id="rating"),
        pytest.param("SELECT", {"options": OPTIONS}, id="select"),
    ],
)
def test_create_unique_field_of_a_type_with_comparable_values_is_201(api, workspace, type_name, extra):
    # when
    field = create_field(api, object_id(workspace, "person"), "badge", type_name, isUnique=True, **extra)
    # then
    assert (field["type"], field["isUnique"]) == (type_name, True)


def test_update_making_a_field_of_a_type_without_comparable_values_unique_is_400(api, workspace):
    # given: a custom BOOLEAN field, and standard fields of a composite type without a unique sub-field
    flag = create_field(api, object_id(workspace, "person"), "vip", "BOOLEAN")
    # when
    custom = api.patch(f"{FIELDS}/{flag['id']}", {"isUnique": True})
    standard = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'name')}", {"isUnique": True})
    put = api.put(f"{FIELDS}/{field_id(workspace, 'opportunity', 'amount')}", {"isUnique": True})
    relation = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'company')}", {"isUnique": True})
    unchanged = api.patch(f"{FIELDS}/{flag['id']}", {"isUnique": False, "label": "VIP"})
    # then
    assert custom == cannot_be_unique("BOOLEAN")
    assert standard == cannot_be_unique("FULL_NAME")
    assert put == cannot_be_unique("CURRENCY")
    assert relation == cannot_be_unique("RELATION")
    assert unchanged[0] == 200 and unchanged[1]["data"]["updateOneField"]["label"] == "VIP"
    assert not FieldMetadata.objects.filter(
        workspace=workspace, is_unique=True, type__in=("BOOLEAN", "FULL_NAME", "CURRENCY", "RELATION")
    ).exists()


# --- relations ----------------------------------------------------------------------------------


def test_many_to_one_relation_creates_both_sides(api, workspace):
    # given
    person, company = object_id(workspace, "person"), object_id(workspace, "company")
    # when
    status, body = api.post(
        FIELDS,
        {
            "objectMetadataId": person,
            "type": "RELATION",
            "name": "employer",
            "label": "Employer",
            "relationCreationPayload": relation_payload(company, "Staff", targetFieldIcon="IconUsers"),
        },
    )
    # then
    assert status == 201
    source = body["data"]["createOneField"]
    target_id = field_id(workspace, "company", "staff")
    assert (source["name"], source["type"], source["isCustom"], source["settings"]) == (
        "employer",
        "RELATION",
        True,
        {"relationType": "MANY_TO_ONE", "onDelete": "SET_NULL", "joinColumnName": "employerId"},
    )
    assert source["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {"id": person, "nameSingular": "person", "namePlural": "people"},
        "targetObjectMetadata": {"id": company, "nameSingular": "company", "namePlural": "companies"},
        "sourceFieldMetadata": {"id": source["id"], "name": "employer"},
        "targetFieldMetadata": {"id": target_id, "name": "staff"},
    }
    target = api.get(f"{FIELDS}/{target_id}")[1]["data"]["field"]
    assert (target["label"], target["icon"], target["settings"]) == (
        "Staff",
        "IconUsers",
        {"relationType": "ONE_TO_MANY", "onDelete": "SET_NULL"},
    )
    assert target["relation"] == {
        "type": "ONE_TO_MANY",
        "sourceObjectMetadata": {"id": company, "nameSingular": "company", "namePlural": "companies"},
        "targetObjectMetadata": {"id": person, "nameSingular": "person", "namePlural": "people"},
        "sourceFieldMetadata": {"id": target_id, "name": "staff"},
        "targetFieldMetadata": {"id": source["id"], "name": "employer"},
    }
    # the MANY_TO_ONE side owns the join name
    snapshot = schema_registry.current(workspace.pk)
    assert snapshot.by_singular["person"].by_join_name["employerId"].name == "employer"
    assert [f.name for f in snapshot.by_singular["company"].fields if f.is_many_to_one] == ["accountOwner"]


def test_one_to_many_relation_puts_the_join_name_on_the_target(api, workspace):
    # given
    company, person = object_id(workspace, "company"), object_id(workspace, "person")
    # when
    source = create_field(
        api,
        company,
        "alumni",
        type="RELATION",
        relationCreationPayload=relation_payload(
            person,
            "Former employer",
            type="ONE_TO_MANY",
        ),
    )
    # then
    assert source["relation"]["type"] == "ONE_TO_MANY"
    assert source["relation"]["targetFieldMetadata"] == {
        "id": field_id(workspace, "person", "formerEmployer"),
        "name": "formerEmployer",
    }
    snapshot = schema_registry.current(workspace.pk)
    assert snapshot.by_singular["person"].by_join_name["formerEmployerId"].name == "formerEmployer"
    assert "alumniId" not in snapshot.by_singular["company"].by_join_name


def test_relation_target_field_name_can_be_given(api, workspace):
    source = create_field(
        api,
        object_id(workspace, "person"),
        "mentor",
        type="RELATION",
        relationCreationPayload=relation_payload(
            object_id(workspace, "person"),
            "Mentees",
            targetFieldName="protegees",
        ),
    )
    assert source["relation"]["targetFieldMetadata"]["name"] == "protegees"


@pytest.mark.parametrize(
    "payload, message",
    [
        (None, "relationCreationPayload must be a JSON object"),
        ({"targetFieldLabel": "X", "type": "MANY_TO_ONE"}, "'None' is not a valid UUID (targetObjectMetadataId)"),
        (
            {"targetObjectMetadataId": MISSING_ID, "targetFieldLabel": "X", "type": "MANY_TO_ONE"},
            f"Target object {MISSING_ID} not found (relationCreationPayload.targetObjectMetadataId)",
        ),
        (
            {"targetObjectMetadataId": "company", "targetFieldLabel": "X", "type": "ONE_TO_ONE"},
            "relationCreationPayload.type must be MANY_TO_ONE or ONE_TO_MANY",
        ),
        ({"targetObjectMetadataId": "company", "type": "MANY_TO_ONE"}, "targetFieldLabel is required"),
        (
            {
                "targetObjectMetadataId": "company",
                "targetFieldLabel": "X",
                "type": "MANY_TO_ONE",
                "onDelete": "CASCADE",
            },
            "Unknown property 'onDelete' in relationCreationPayload; allowed: targetFieldIcon, targetFieldLabel, "
            "targetFieldName, targetObjectMetadataId, type",
        ),
    ],
    ids=["missing", "no-target", "unknown-target", "bad-type", "no-label", "unknown-key"],
)
def test_relation_with_an_invalid_payload_is_400(api, workspace, payload, message):
    if payload and payload.get("targetObjectMetadataId") == "company":
        payload = {**payload, "targetObjectMetadataId": object_id(workspace, "company")}
    status, body = api.post(
        FIELDS,
        {
            "objectMetadataId": object_id(workspace, "person"),
            "type": "RELATION",
            "name": "employer",
            "label": "Employer",
            "relationCreationPayload": payload,
        },
    )
    assert (status, body) == (400, error(400, message))
    assert not FieldMetadata.objects.filter(workspace=workspace, name="employer").exists()


@pytest.mark.parametrize("side", ["source", "target"])
def test_deleting_one_side_of_a_relation_deletes_both(api, workspace, side):
    # given
    source = create_field(
        api,
        object_id(workspace, "person"),
        "employer",
        type="RELATION",
        relationCreationPayload=relation_payload(object_id(workspace, "company"), "Staff"),
    )
    target_id = source["relation"]["targetFieldMetadata"]["id"]
    deleted_id = source["id"] if side == "source" else target_id
    # when
    status, body = deactivate_and_delete(api, f"{FIELDS}/{deleted_id}")
    # then
    assert status == 200
    assert list(body["data"]) == ["deleteOneField"]
    assert body["data"]["deleteOneField"]["id"] == deleted_id
    assert body["data"]["deleteOneField"]["relation"]["type"] == ("MANY_TO_ONE" if side == "source" else "ONE_TO_MANY")
    assert not FieldMetadata.objects.filter(pk__in=[source["id"], target_id]).exists()
    assert api.get(f"{FIELDS}/{target_id}")[0] == 404


def test_deactivating_one_side_of_a_relation_deactivates_both(api, workspace):
    source = create_field(
        api,
        object_id(workspace, "person"),
        "employer",
        type="RELATION",
        relationCreationPayload=relation_payload(object_id(workspace, "company"), "Staff"),
    )
    status, body = api.patch(f"{FIELDS}/{source['id']}", {"isActive": False})
    assert (status, body["data"]["updateOneField"]["isActive"]) == (200, False)
    assert FieldMetadata.objects.get(pk=source["relation"]["targetFieldMetadata"]["id"]).is_active is False


def test_relation_refuses_default_value_on_update(api, workspace):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'company')}", {"defaultValue": None})
    assert (status, body) == (400, error(400, "isUnique, defaultValue and options do not apply to RELATION fields"))


# --- update -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_changes_a_custom_field_and_returns_the_update_one_field_envelope(api, workspace, method):
    # given
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    # when
    status, body = getattr(api, method)(
        f"{FIELDS}/{nickname['id']}",
        {
            "name": "alias",
            "label": "Alias",
            "description": "Also known as",
            "defaultValue": "'Anon'",
        },
    )
    # then
    assert status == 200
    assert list(body["data"]) == ["updateOneField"]
    updated = body["data"]["updateOneField"]
    assert (updated["id"], updated["name"], updated["label"], updated["description"], updated["defaultValue"]) == (
        nickname["id"],
        "alias",
        "Alias",
        "Also known as",
        "'Anon'",
    )


@pytest.mark.parametrize("verb", ["patch", "delete"])
def test_update_or_delete_without_an_id_is_400(api, verb):
    status, body = getattr(api, verb)(FIELDS)
    action = "update" if verb == "patch" else "delete"
    assert (status, body) == (
        400,
        error(
            400,
            f"{action} field query invalid. Id missing. eg: /rest/metadata/fields/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56",
        ),
    )


def test_update_with_malformed_json_is_400(api, workspace):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'city')}", raw="[1,")
    assert (status, body) == (400, error(400, "Invalid JSON body: unexpected end of data: line 1 column 4 (char 3)"))


@pytest.mark.parametrize("new_type", ["NUMBER", "RICH_TEXT"])
def test_changing_a_field_type_is_refused(api, workspace, new_type):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'jobTitle')}", {"type": new_type})
    assert (status, body) == (400, error(400, 'The type of field "jobTitle" cannot be changed'))


def test_update_with_an_unknown_property_is_400(api, workspace):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'city')}", {"colour": "red"})
    assert (status, body) == (
        400,
        error(
            400,
            "Unknown property 'colour' in field update; allowed: defaultValue, description, icon, isActive, "
            "isIndexed, isLabelSyncedWithName, isNullable, isSearchable, isUnique, label, name, options, settings",
        ),
    )


# --- standard and system fields -----------------------------------------------------------------


@pytest.mark.parametrize("object_name, name", [("person", "jobTitle"), ("company", "employees"), ("person", "company")])
def test_standard_field_cannot_be_deleted(api, workspace, object_name, name):
    status, body = api.delete(f"{FIELDS}/{field_id(workspace, object_name, name)}")
    assert (status, body) == (
        400,
        error(400, f'Standard field "{name}" cannot be deleted; deactivate it instead (isActive: false)'),
    )


def test_standard_field_can_be_deactivated(api, workspace):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'jobTitle')}", {"isActive": False})
    assert (status, body["data"]["updateOneField"]["isActive"]) == (200, False)
    assert "jobTitle" not in schema_registry.current(workspace.pk).by_singular["person"].by_name


def test_standard_field_label_can_change(api, workspace):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'jobTitle')}", {"label": "Role"})
    assert (status, body["data"]["updateOneField"]["label"]) == (200, "Role")


@pytest.mark.parametrize(
    "change", [{"isActive": False}, {"isNullable": True}, {"isUnique": False}], ids=["deactivate", "nullable", "unique"]
)
def test_system_field_cannot_be_changed(api, workspace, change):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'person', 'createdAt')}", change)
    assert (status, body) == (400, error(400, 'System field "createdAt" cannot be changed'))


def test_label_identifier_field_cannot_be_deactivated(api, workspace):
    status, body = api.patch(f"{FIELDS}/{field_id(workspace, 'company', 'name')}", {"isActive": False})
    assert (status, body) == (400, error(400, 'Field "name" names the records of its object and cannot be deactivated'))


def test_custom_label_identifier_field_cannot_be_deleted(api, workspace):
    # given
    rocket = create_object(api)
    code = create_field(api, rocket["id"], "code")
    api.patch(f"/rest/metadata/objects/{rocket['id']}", {"labelIdentifierFieldMetadataId": code["id"]})
    # when
    status, body = api.delete(f"{FIELDS}/{code['id']}")
    # then
    assert (status, body) == (400, error(400, 'Field "code" names the records of its object and cannot be deleted'))


def test_delete_custom_field_returns_it_and_removes_it(api, workspace):
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    status, body = deactivate_and_delete(api, f"{FIELDS}/{nickname['id']}")
    assert status == 200
    assert body == {"data": {"deleteOneField": {**nickname, "isActive": False, "updatedAt": INSTANT}}}
    assert api.get(f"{FIELDS}/{nickname['id']}") == (404, error(404, f"Field {nickname['id']} not found"))


def test_an_active_custom_field_cannot_be_deleted_and_keeps_its_data(api, workspace):
    # given
    nickname = create_field(api, object_id(workspace, "person"), "nickname")
    ada = api.post("/rest/people", {"name": {"firstName": "Ada"}, "nickname": "Countess"})[1]["data"]["createPerson"]
    # when
    status, body = api.delete(f"{FIELDS}/{nickname['id']}")
    # then
    assert (status, body) == (
        400,
        error(400, 'Active field "nickname" cannot be deleted; deactivate it first (isActive: false)'),
    )
    assert api.get(f"/rest/people/{ada['id']}")[1]["data"]["person"]["nickname"] == "Countess"
    # and once deactivated, then active again, the value is still there
    api.patch(f"{FIELDS}/{nickname['id']}", {"isActive": False})
    api.patch(f"{FIELDS}/{nickname['id']}", {"isActive": True})
    assert api.get(f"/rest/people/{ada['id']}")[1]["data"]["person"]["nickname"] == "Countess"


def test_a_relation_created_inactive_is_inactive_on_both_sides(api, workspace):
    # when
    source = create_field(
        api,
        object_id(workspace, "person"),
        "employer",
        type="RELATION",
        isActive=False,
        relationCreationPayload=relation_payload(object_id(workspace, "company"), "Staff"),
    )
    target_id = source["relation"]["targetFieldMetadata"]["id"]
    # then
    assert source["isActive"] is False
    assert api.get(f"{FIELDS}/{target_id}")[1]["data"]["field"]["isActive"] is False
    assert deactivate_and_delete(api, f"{FIELDS}/{source['id']}")[0] == 200
    assert api.get(f"{FIELDS}/{target_id}")[0] == 404


def test_a_deactivated_standard_field_says_it_stays_deactivated(api, workspace):
    job_title = field_id(workspace, "person", "jobTitle")
    api.patch(f"{FIELDS}/{job_title}", {"isActive": False})
    assert api.delete(f"{FIELDS}/{job_title}") == (
        400,
        error(400, 'Standard field "jobTitle" cannot be deleted; it stays deactivated'),
    )
