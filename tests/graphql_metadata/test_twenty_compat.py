"""What Twenty's own clients send to ``/metadata``: Twenty's input scalars, its whole field-type enum,
its reserved field names (api-reference §3.5, §3.6, §17)."""

from __future__ import annotations

import pytest

from metadata_app.models import FieldMetadata
from tests.graphql_metadata.helpers import error_of, field_id, object_id
from tests.graphql_metadata.test_mutations import CREATE_FIELD, UPDATE_FIELD, bad_user_input, field_input, rest_message

CREATE_WITH_UUID_VARIABLE = """
mutation CreateOneFieldMetadataItem($objectId: UUID!) {
  createOneField(input: {field: {objectMetadataId: $objectId, type: TEXT, name: "nickname", label: "Nickname"}}) {
    name type objectMetadataId
  }
}
"""
SET_IDENTIFIERS = """
mutation UpdateOneObjectMetadataItem($id: UUID!, $labelId: UUID, $imageId: UUID) {
  updateOneObject(input: {id: $id, update: {
    labelIdentifierFieldMetadataId: $labelId, imageIdentifierFieldMetadataId: $imageId
  }}) { labelIdentifierFieldMetadataId imageIdentifierFieldMetadataId }
}
"""


def input_field_types(gql, type_name: str) -> dict[str, str]:
    """``{field name: type}`` of an input type, as introspection shows it (``UUID!``, ``String``)."""

    def shown(t: dict) -> str:
        return f"{shown(t['ofType'])}!" if t["kind"] == "NON_NULL" else t["name"]

    query = '{ __type(name: "%s") { inputFields { name type { kind name ofType { kind name } } } } }' % type_name
    fields = gql.data(query)["__type"]["inputFields"]
    return {f["name"]: shown(f["type"]) for f in fields}


def test_id_inputs_are_typed_uuid_as_in_twenty(gql):
    # when / then
    assert input_field_types(gql, "CreateFieldInput")["objectMetadataId"] == "UUID!"
    update = input_field_types(gql, "UpdateObjectPayload")
    assert (update["labelIdentifierFieldMetadataId"], update["imageIdentifierFieldMetadataId"]) == ("UUID", "UUID")
    for name in (
        "UpdateOneObjectInput",
        "DeleteOneObjectInput",
        "UpdateOneFieldMetadataInput",
        "DeleteOneFieldInput",
        "UpdateWebhookInput",
        "UpdateApiKeyInput",
        "RevokeApiKeyInput",
        "GetApiKeyInput",
    ):
        assert input_field_types(gql, name)["id"] == "UUID!", name


def test_create_field_accepts_an_object_id_declared_uuid(gql, workspace):
    # when
    data = gql.data(CREATE_WITH_UUID_VARIABLE, {"objectId": object_id(workspace, "company")})
    # then
    assert data == {
        "createOneField": {"name": "nickname", "type": "TEXT", "objectMetadataId": object_id(workspace, "company")}
    }


def test_update_object_accepts_identifier_ids_declared_uuid(gql, workspace):
    # given
    company = object_id(workspace, "company")
    name, logo = field_id(workspace, "company", "name"), field_id(workspace, "company", "domainName")
    # when
    data = gql.data(SET_IDENTIFIERS, {"id": company, "labelId": name, "imageId": logo})
    # then
    assert data == {"updateOneObject": {"labelIdentifierFieldMetadataId": name, "imageIdentifierFieldMetadataId": logo}}


def test_an_object_id_that_is_no_uuid_is_refused_by_the_scalar(gql):
    # when
    status, body = gql.post(CREATE_WITH_UUID_VARIABLE, {"objectId": "company"})
    # then
    message = 'Variable \'$objectId\' got invalid value "company"; UUID cannot represent value: "company"'
    assert status == 400
    assert error_of(body) == {
        "message": message,
        "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message},
    }


@pytest.mark.parametrize("type_name", ["FILES", "MORPH_RELATION", "TS_VECTOR"])
def test_a_type_we_do_not_offer_is_refused_naming_it(api, gql, workspace, type_name):
    # given
    body = field_input(object_id(workspace, "company"), "documents", type=type_name)
    # when
    rest = rest_message(api, "post", "/rest/metadata/fields", body)
    graphql = bad_user_input(gql, CREATE_FIELD, {"input": {"field": body}}, "createOneField")
    # then
    assert rest == graphql == f"Field type {type_name} is not supported"
    assert not FieldMetadata.objects.filter(workspace=workspace, name="documents").exists()


@pytest.mark.parametrize(
    "name", ["relation", "relations", "address", "addresses", "type", "object", "event", "currency", "index"]
)
def test_a_reserved_word_is_refused_as_a_custom_field_name(api, gql, workspace, name):
    # given
    body = field_input(object_id(workspace, "person"), name)
    # when
    rest = rest_message(api, "post", "/rest/metadata/fields", body)
    graphql = bad_user_input(gql, CREATE_FIELD, {"input": {"field": body}}, "createOneField")
    # then
    assert rest == graphql == f'The name "{name}" is not available'
    assert not FieldMetadata.objects.filter(workspace=workspace, object__name_singular="person", name=name).exists()


def test_renaming_a_custom_field_to_a_reserved_word_is_refused(api, gql, workspace):
    # given
    created = gql.data(CREATE_FIELD, {"input": {"field": field_input(object_id(workspace, "person"), "kind")}})
    field = created["createOneField"]["id"]
    # when
    rest = rest_message(api, "patch", f"/rest/metadata/fields/{field}", {"name": "type"})
    graphql = bad_user_input(gql, UPDATE_FIELD, {"input": {"id": field, "update": {"name": "type"}}}, "updateOneField")
    # then
    assert rest == graphql == 'The name "type" is not available'
    assert FieldMetadata.objects.get(pk=field).name == "kind"


def test_the_inverse_of_a_relation_may_not_take_a_reserved_name(api, workspace):
    # given
    body = field_input(
        object_id(workspace, "person"),
        "mentor",
        type="RELATION",
        relationCreationPayload={
            "targetObjectMetadataId": object_id(workspace, "company"),
            "targetFieldLabel": "Relations",
            "targetFieldIcon": "IconUsers",
            "type": "MANY_TO_ONE",
        },
    )
    # when
    message = rest_message(api, "post", "/rest/metadata/fields", body)
    # then
    assert message == 'The name "relations" is not available'
    assert not FieldMetadata.objects.filter(workspace=workspace, name__in=("mentor", "relations")).exists()


def test_standard_fields_keep_their_reserved_names(gql, workspace):
    # when
    company = gql.data(
        "query ($id: UUID!) { object(id: $id) { fieldsList { name type } } }", {"id": object_id(workspace, "company")}
    )
    # then
    assert {"name": "address", "type": "ADDRESS"} in company["object"]["fieldsList"]
