"""Object and field mutations: the services' rules and messages, identical to the REST answers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_metadata.helpers import error_of, field_id, object_id

CREATE_OBJECT = """
mutation ($input: CreateOneObjectInput!) {
  createOneObject(input: $input) { id nameSingular namePlural labelSingular labelPlural description isCustom isActive fieldsList { name type } }
}
"""
UPDATE_OBJECT = "mutation ($input: UpdateOneObjectInput!) { updateOneObject(input: $input) { id labelSingular description isActive } }"
DELETE_OBJECT = "mutation ($input: DeleteOneObjectInput!) { deleteOneObject(input: $input) { id nameSingular fieldsList { name } } }"
CREATE_FIELD = """
mutation ($input: CreateOneFieldMetadataInput!) {
  createOneField(input: $input) {
    id type name label isCustom isNullable defaultValue objectMetadataId
    relation {
      type sourceObjectMetadata { nameSingular } targetObjectMetadata { nameSingular }
      sourceFieldMetadata { name } targetFieldMetadata { id name }
    }
  }
}
"""
UPDATE_FIELD = (
    "mutation ($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { id name label description } }"
)
DELETE_FIELD = "mutation ($input: DeleteOneFieldInput!) { deleteOneField(input: $input) { id name relation { type targetFieldMetadata { name } } } }"


def object_body(singular: str, plural: str, **extra: Any) -> dict[str, Any]:
    """A create-object input."""
    return {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": singular.title(),
        "labelPlural": plural.title(),
        **extra,
    }


def rest_message(api, method: str, path: str, body: Any) -> str:
    """The one message of a REST 400."""
    status, answer = getattr(api, method)(path, body)
    assert status == 400, answer
    assert len(answer["messages"]) == 1, answer
    return answer["messages"][0]


def bad_user_input(gql, query: str, variables: dict[str, Any], path: str) -> str:
    """The message of a GraphQL BAD_USER_INPUT error at ``path`` (asserting its shape)."""
    status, body = gql.post(query, variables)
    assert status == 200 and body["data"] is None, body
    error = error_of(body)
    assert error == {
        "message": error["message"],
        "path": [path],
        "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": error["message"]},
    }
    return error["message"]


def create_object(gql, singular: str = "rocket", plural: str = "rockets") -> dict[str, Any]:
    """Create a custom object through GraphQL."""
    return gql.data(CREATE_OBJECT, {"input": {"object": object_body(singular, plural)}})["createOneObject"]


@pytest.mark.parametrize(
    ("singular", "plural", "expected"),
    [
        pytest.param("Rocket Ship", "rocketShips", "Rocket Ship", id="invalid_name"),
        pytest.param("event", "events", 'The name "event" is not available', id="reserved_word"),
        pytest.param(
            "rocket",
            "rocket",
            "The singular and plural name cannot be the same for an object",
            id="singular_equals_plural",
        ),
        pytest.param("person", "persons", '"person"', id="name_taken"),
    ],
)
def test_create_object_refusals_match_rest(api, gql, singular, plural, expected):
    # given
    body = object_body(singular, plural)
    # when
    rest = rest_message(api, "post", "/rest/metadata/objects", body)
    graphql = bad_user_input(gql, CREATE_OBJECT, {"input": {"object": body}}, "createOneObject")
    # then
    assert graphql == rest
    assert expected in graphql


def test_create_object_answers_the_object_with_its_default_fields(api, gql):
    # when
    created = create_object(gql)
    # then
    assert {
        k: created[k]
        for k in ("nameSingular", "namePlural", "labelSingular", "labelPlural", "description", "isCustom", "isActive")
    } == {
        "nameSingular": "rocket",
        "namePlural": "rockets",
        "labelSingular": "Rocket",
        "labelPlural": "Rockets",
        "description": None,
        "isCustom": True,
        "isActive": True,
    }
    assert sorted((f["name"], f["type"]) for f in created["fieldsList"]) == [
        ("attachments", "RELATION"),
        ("createdAt", "DATE_TIME"),
        ("createdBy", "ACTOR"),
        ("deletedAt", "DATE_TIME"),
        ("id", "UUID"),
        ("name", "TEXT"),
        ("noteTargets", "RELATION"),
        ("position", "POSITION"),
        ("taskTargets", "RELATION"),
        ("timelineActivities", "RELATION"),
        ("updatedAt", "DATE_TIME"),
        ("updatedBy", "ACTOR"),
    ]
    status, rest = api.get(f"/rest/metadata/objects/{created['id']}")
    assert status == 200 and rest["data"]["object"]["nameSingular"] == "rocket"


def test_update_object_applies_only_the_keys_sent(api, gql):
    # given
    rocket = create_object(gql)["id"]
    gql.data(UPDATE_OBJECT, {"input": {"id": rocket, "update": {"description": "Goes up"}}})
    # when
    updated = gql.data(
        UPDATE_OBJECT, {"input": {"id": rocket, "update": {"labelSingular": "Spaceship", "isActive": False}}}
    )
    # then
    assert updated["updateOneObject"] == {
        "id": rocket,
        "labelSingular": "Spaceship",
        "description": "Goes up",
        "isActive": False,
    }
    status, rest = api.get(f"/rest/metadata/objects/{rocket}")
    assert (status, rest["data"]["object"]["labelSingular"], rest["data"]["object"]["isActive"]) == (
        200,
        "Spaceship",
        False,
    )


def test_update_object_null_clears_a_value(gql):
    # given
    rocket = create_object(gql)["id"]
    gql.data(UPDATE_OBJECT, {"input": {"id": rocket, "update": {"description": "Goes up"}}})
    # when
    updated = gql.data(UPDATE_OBJECT, {"input": {"id": rocket, "update": {"description": None}}})
    # then
    assert updated["updateOneObject"]["description"] is None


def test_update_object_refusal_matches_rest(api, gql, workspace):
    # given
    person = object_id(workspace, "person")
    update = {"nameSingular": "human", "namePlural": "humans"}
    # when
    rest = rest_message(api, "patch", f"/rest/metadata/objects/{person}", update)
    graphql = bad_user_input(gql, UPDATE_OBJECT, {"input": {"id": person, "update": update}}, "updateOneObject")
    # then
    assert graphql == rest == 'Standard object "person" cannot be renamed'


SET_LABEL_IDENTIFIER = (
    "mutation ($input: UpdateOneObjectInput!) { updateOneObject(input: $input) { labelIdentifierFieldMetadataId } }"
)


def test_label_identifier_of_a_type_other_than_text_full_name_or_uuid_is_refused_as_in_rest(api, gql, workspace):
    # given: a NUMBER and a FULL_NAME field on a custom object
    rocket = create_object(gql)["id"]
    serial = gql.data(CREATE_FIELD, {"input": {"field": field_input(rocket, "serial", "NUMBER")}})["createOneField"]
    pilot = gql.data(CREATE_FIELD, {"input": {"field": field_input(rocket, "pilot", "FULL_NAME")}})["createOneField"]
    # when
    refused = bad_user_input(
        gql,
        SET_LABEL_IDENTIFIER,
        {"input": {"id": rocket, "update": {"labelIdentifierFieldMetadataId": serial["id"]}}},
        "updateOneObject",
    )
    rest = rest_message(
        api, "patch", f"/rest/metadata/objects/{rocket}", {"labelIdentifierFieldMetadataId": serial["id"]}
    )
    accepted = gql.data(
        SET_LABEL_IDENTIFIER, {"input": {"id": rocket, "update": {"labelIdentifierFieldMetadataId": pilot["id"]}}}
    )
    # then
    assert (
        refused
        == rest
        == ("A NUMBER field cannot name records (labelIdentifierFieldMetadataId): use a TEXT, FULL_NAME or UUID field")
    )
    assert accepted == {"updateOneObject": {"labelIdentifierFieldMetadataId": pilot["id"]}}


def test_delete_object_answers_it_as_it_was_and_it_is_gone(gql):
    # given
    created = create_object(gql)
    gql.data(UPDATE_OBJECT, {"input": {"id": created["id"], "update": {"isActive": False}}})
    # when
    deleted = gql.data(DELETE_OBJECT, {"input": {"id": created["id"]}})["deleteOneObject"]
    # then
    assert deleted["id"] == created["id"] and deleted["nameSingular"] == "rocket"
    assert sorted(f["name"] for f in deleted["fieldsList"]) == sorted(f["name"] for f in created["fieldsList"])
    _status, body = gql.post("query ($id: UUID!) { object(id: $id) { id } }", {"id": created["id"]})
    assert error_of(body)["extensions"]["code"] == "NOT_FOUND"


def test_delete_active_object_refusal_matches_rest(api, gql):
    # given
    rocket = create_object(gql)["id"]
    # when
    status, rest = api.delete(f"/rest/metadata/objects/{rocket}")
    graphql = bad_user_input(gql, DELETE_OBJECT, {"input": {"id": rocket}}, "deleteOneObject")
    # then
    assert (status, graphql) == (400, rest["messages"][0])
    assert graphql == 'Active object "rocket" cannot be deleted; deactivate it first (isActive: false)'
    assert gql.data("query ($id: UUID!) { object(id: $id) { isActive } }", {"id": rocket}) == {
        "object": {"isActive": True}
    }


def test_delete_standard_object_refusal_matches_rest(api, gql, workspace):
    # given
    company = object_id(workspace, "company")
    # when
    status, rest = api.delete(f"/rest/metadata/objects/{company}")
    graphql = bad_user_input(gql, DELETE_OBJECT, {"input": {"id": company}}, "deleteOneObject")
    # then
    assert status == 400 and graphql == rest["messages"][0]
    assert graphql.startswith('Standard object "company" cannot be deleted')


def field_input(object_metadata_id: str, name: str, type: str = "TEXT", **extra: Any) -> dict[str, Any]:
    """A create-field input."""
    return {"objectMetadataId": object_metadata_id, "type": type, "name": name, "label": name.title(), **extra}


@pytest.mark.parametrize(
    ("name", "extra", "expected"),
    [
        pytest.param("name", {}, 'Field "name" already exists on object "company"', id="duplicate_field"),
        pytest.param("Bad Name", {}, "Bad Name", id="invalid_name"),
        pytest.param("tagline", {"defaultValue": 42}, "defaultValue", id="bad_default"),
    ],
)
def test_create_field_refusals_match_rest(api, gql, workspace, name, extra, expected):
    # given
    body = field_input(object_id(workspace, "company"), name, **extra)
    # when
    rest = rest_message(api, "post", "/rest/metadata/fields", body)
    graphql = bad_user_input(gql, CREATE_FIELD, {"input": {"field": body}}, "createOneField")
    # then
    assert graphql == rest
    assert expected in graphql


def test_create_field_with_a_default_value_reads_as_rest(api, gql, workspace):
    # given
    company = object_id(workspace, "company")
    # when
    created = gql.data(
        CREATE_FIELD, {"input": {"field": field_input(company, "tagline", defaultValue="'Hello'", isNullable=False)}}
    )
    # then
    field = created["createOneField"]
    status, rest = api.get(f"/rest/metadata/fields/{field['id']}")
    assert status == 200
    assert field == {
        "id": field["id"],
        "type": "TEXT",
        "name": "tagline",
        "label": "Tagline",
        "isCustom": True,
        "isNullable": False,
        "defaultValue": rest["data"]["field"]["defaultValue"],
        "objectMetadataId": company,
        "relation": None,
    }
    assert field["defaultValue"] == "'Hello'"


def test_create_relation_field_creates_both_sides(gql, workspace):
    # given
    rocket = create_object(gql)["id"]
    company = object_id(workspace, "company")
    payload = {
        "targetObjectMetadataId": company,
        "targetFieldLabel": "Rockets",
        "targetFieldIcon": "IconRocket",
        "type": "MANY_TO_ONE",
    }
    # when
    created = gql.data(
        CREATE_FIELD, {"input": {"field": field_input(rocket, "maker", "RELATION", relationCreationPayload=payload)}}
    )
    # then
    field = created["createOneField"]
    counterpart = field["relation"]["targetFieldMetadata"]
    assert field["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {"nameSingular": "rocket"},
        "targetObjectMetadata": {"nameSingular": "company"},
        "sourceFieldMetadata": {"name": "maker"},
        "targetFieldMetadata": {"id": counterpart["id"], "name": "rockets"},
    }
    back = gql.data(
        "query ($id: UUID!) { field(id: $id) { name relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { name } } } }",
        {"id": counterpart["id"]},
    )
    assert back["field"] == {
        "name": "rockets",
        "relation": {
            "type": "ONE_TO_MANY",
            "targetObjectMetadata": {"nameSingular": "rocket"},
            "targetFieldMetadata": {"name": "maker"},
        },
    }


def test_relation_payload_refusal_matches_rest(api, gql):
    # given
    rocket = create_object(gql)["id"]
    payload = {"targetObjectMetadataId": rocket, "targetFieldLabel": "X", "type": "ONE_TO_ONE"}
    body = field_input(rocket, "maker", "RELATION", relationCreationPayload=payload)
    # when
    rest = rest_message(api, "post", "/rest/metadata/fields", body)
    graphql = bad_user_input(gql, CREATE_FIELD, {"input": {"field": body}}, "createOneField")
    # then
    assert graphql == rest == "relationCreationPayload.type must be MANY_TO_ONE or ONE_TO_MANY"


UNIQUE_TYPES = "UUID, TEXT, PHONES, EMAILS, DATE_TIME, DATE, NUMBER, NUMERIC, LINKS, RATING, SELECT"


@pytest.mark.parametrize("type_name", ["BOOLEAN", "RAW_JSON", "ARRAY", "FULL_NAME"])
def test_unique_field_of_a_type_without_comparable_values_is_refused_as_in_rest(api, gql, workspace, type_name):
    # given
    company = object_id(workspace, "company")
    plain = gql.data(CREATE_FIELD, {"input": {"field": field_input(company, "plain", type_name)}})["createOneField"]
    body = field_input(company, "gadget", type_name, isUnique=True)
    # when
    created = bad_user_input(gql, CREATE_FIELD, {"input": {"field": body}}, "createOneField")
    updated = bad_user_input(
        gql, UPDATE_FIELD, {"input": {"id": plain["id"], "update": {"isUnique": True}}}, "updateOneField"
    )
    rest = rest_message(api, "post", "/rest/metadata/fields", body)
    # then
    message = f"Field type {type_name} cannot be unique; isUnique is for fields of type {UNIQUE_TYPES}"
    assert created == updated == rest == message


def test_unique_field_of_a_type_with_comparable_values_is_created_and_made_unique(gql, workspace):
    # given
    company = object_id(workspace, "company")
    code = gql.data(CREATE_FIELD, {"input": {"field": field_input(company, "code", "NUMBER")}})["createOneField"]
    # when
    created = gql.data(
        "mutation ($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { type isUnique } }",
        {"input": {"field": field_input(company, "website", "LINKS", isUnique=True)}},
    )
    updated = gql.data(
        "mutation ($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { type isUnique } }",
        {"input": {"id": code["id"], "update": {"isUnique": True}}},
    )
    # then
    assert created == {"createOneField": {"type": "LINKS", "isUnique": True}}
    assert updated == {"updateOneField": {"type": "NUMBER", "isUnique": True}}


def test_update_field_and_its_refusal_match_rest(api, gql, workspace):
    # given
    tagline = gql.data(CREATE_FIELD, {"input": {"field": field_input(object_id(workspace, "company"), "tagline")}})[
        "createOneField"
    ]["id"]
    standard = field_id(workspace, "company", "name")
    # when
    updated = gql.data(
        UPDATE_FIELD, {"input": {"id": tagline, "update": {"label": "Motto", "description": "Said often"}}}
    )
    rest = rest_message(api, "patch", f"/rest/metadata/fields/{standard}", {"name": "title"})
    graphql = bad_user_input(
        gql, UPDATE_FIELD, {"input": {"id": standard, "update": {"name": "title"}}}, "updateOneField"
    )
    # then
    assert updated["updateOneField"] == {
        "id": tagline,
        "name": "tagline",
        "label": "Motto",
        "description": "Said often",
    }
    assert graphql == rest == 'Standard field "name" cannot be renamed'


def test_delete_relation_field_answers_it_as_it_was(gql, workspace):
    # given
    rocket = create_object(gql)["id"]
    payload = {
        "targetObjectMetadataId": object_id(workspace, "company"),
        "targetFieldLabel": "Rockets",
        "type": "MANY_TO_ONE",
    }
    maker = gql.data(
        CREATE_FIELD, {"input": {"field": field_input(rocket, "maker", "RELATION", relationCreationPayload=payload)}}
    )
    maker_id = maker["createOneField"]["id"]
    counterpart = maker["createOneField"]["relation"]["targetFieldMetadata"]["id"]
    gql.data(UPDATE_FIELD, {"input": {"id": maker_id, "update": {"isActive": False}}})
    # when
    deleted = gql.data(DELETE_FIELD, {"input": {"id": maker_id}})
    # then
    assert deleted["deleteOneField"] == {
        "id": maker_id,
        "name": "maker",
        "relation": {"type": "MANY_TO_ONE", "targetFieldMetadata": {"name": "rockets"}},
    }
    for gone in (maker_id, counterpart):
        _status, body = gql.post("query ($id: UUID!) { field(id: $id) { id } }", {"id": gone})
        assert error_of(body)["extensions"]["code"] == "NOT_FOUND"


def test_delete_active_field_refusal_matches_rest(api, gql, workspace):
    # given
    code = gql.data(CREATE_FIELD, {"input": {"field": field_input(object_id(workspace, "person"), "code")}})
    code_id = code["createOneField"]["id"]
    # when
    status, rest = api.delete(f"/rest/metadata/fields/{code_id}")
    graphql = bad_user_input(gql, DELETE_FIELD, {"input": {"id": code_id}}, "deleteOneField")
    # then
    assert (status, graphql) == (400, rest["messages"][0])
    assert graphql == 'Active field "code" cannot be deleted; deactivate it first (isActive: false)'
    assert gql.data("query ($id: UUID!) { field(id: $id) { isActive } }", {"id": code_id}) == {
        "field": {"isActive": True}
    }


def test_delete_standard_field_refusal_matches_rest(api, gql, workspace):
    # given
    standard = field_id(workspace, "company", "name")
    # when
    status, rest = api.delete(f"/rest/metadata/fields/{standard}")
    graphql = bad_user_input(gql, DELETE_FIELD, {"input": {"id": standard}}, "deleteOneField")
    # then
    assert status == 400 and graphql == rest["messages"][0]
    assert graphql.startswith('Standard field "name" cannot be deleted')
