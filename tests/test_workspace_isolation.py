"""A key of workspace A sees nothing of workspace B, on every metadata and API-key route."""

from __future__ import annotations

import pytest

from apikeys_app.models import ApiKey
from apikeys_app.services import create_api_key
from metadata_app.models import FieldMetadata, ObjectMetadata
from tests.metadata.helpers import create_field, create_object, error, field_id, object_id
from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401  (fixtures)

seeded_workspace_ids = seeded_workspaces("module")

MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
#: A valid update body per resource, so only ownership can make the request fail.
UPDATES = {"objects": {"labelSingular": "Mine now"}, "fields": {"label": "Mine now"}, "apiKeys": {"name": "Mine now"}}


def other_ids(other_workspace) -> dict[str, tuple[str, str]]:
    """One id of workspace B per resource, with the 404 message A gets for it."""
    key, _ = create_api_key(other_workspace, {"name": "B's key"})
    ids = {
        "objects": object_id(other_workspace, "person"),
        "fields": field_id(other_workspace, "person", "city"),
        "apiKeys": str(key.pk),
    }
    names = {"objects": "Object", "fields": "Field", "apiKeys": "API key"}
    return {resource: (pk, f"{names[resource]} {pk} not found") for resource, pk in ids.items()}


@pytest.mark.parametrize("resource", ["objects", "fields", "apiKeys"])
@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_ids_of_another_workspace_are_404_on_every_route(api, other_workspace, resource, method):
    # given
    pk, message = other_ids(other_workspace)[resource]
    body = UPDATES[resource] if method in ("patch", "put") else None
    # when
    status, answer = api.request(method.upper(), f"/rest/metadata/{resource}/{pk}", body)
    # then
    assert (status, answer) == (404, error(404, message))


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_keys_of_another_workspace_are_404_on_the_deprecated_alias(api, other_workspace, method):
    # given
    pk, message = other_ids(other_workspace)["apiKeys"]
    # when
    status, answer = api.request(method.upper(), f"/rest/apiKeys/{pk}", UPDATES["apiKeys"] if method != "get" else None)
    listed = api.get("/rest/apiKeys")[1]
    # then
    assert (status, answer) == (404, error(404, message))
    assert pk not in [k["id"] for k in listed] and len(listed) == 1
    assert ApiKey.objects.get(pk=pk).name == "B's key"


def test_another_workspaces_rows_are_unchanged_after_attempts(api, other_workspace):
    # given
    ids = other_ids(other_workspace)
    # when
    for resource, (pk, _) in ids.items():
        api.patch(f"/rest/metadata/{resource}/{pk}", UPDATES[resource])
        api.delete(f"/rest/metadata/{resource}/{pk}")
    # then
    assert ObjectMetadata.objects.get(pk=ids["objects"][0]).label_singular == "Person"
    assert FieldMetadata.objects.get(pk=ids["fields"][0]).label == "City"
    key = ApiKey.objects.get(pk=ids["apiKeys"][0])
    assert (key.name, key.deleted_at, key.revoked_at) == ("B's key", None, None)


def test_a_custom_object_of_another_workspace_is_invisible(api, other_api, workspace, other_workspace):
    # given: B has a custom object with a custom field
    rocket = create_object(other_api)
    code = create_field(other_api, rocket["id"], "code")
    # then
    assert api.get(f"/rest/metadata/objects/{rocket['id']}") == (404, error(404, f"Object {rocket['id']} not found"))
    assert api.delete(f"/rest/metadata/fields/{code['id']}") == (404, error(404, f"Field {code['id']} not found"))
    assert "rocket" not in [o["nameSingular"] for o in api.get("/rest/metadata/objects")[1]["data"]["objects"]]
    # and A may use the same names
    assert create_object(api)["nameSingular"] == "rocket"


def test_lists_show_only_the_callers_workspace(api, other_api, workspace, other_workspace):
    # given
    create_object(other_api)
    create_api_key(other_workspace, {"name": "B's key"})
    # when
    objects = api.get("/rest/metadata/objects")[1]
    fields = api.get("/rest/metadata/fields")[1]
    keys = api.get("/rest/metadata/apiKeys")[1]
    # then
    own = ObjectMetadata.objects.filter(workspace=workspace)
    assert {o["id"] for o in objects["data"]["objects"]} == {str(pk) for pk in own.values_list("pk", flat=True)}
    assert objects["totalCount"] == 10
    own_fields = FieldMetadata.objects.filter(workspace=workspace).values_list("pk", flat=True)
    assert {f["id"] for f in fields["data"]["fields"]} == {str(pk) for pk in own_fields}
    assert fields["totalCount"] == len(own_fields)
    own_keys = ApiKey.objects.filter(workspace=workspace).values_list("pk", flat=True)
    assert [k["id"] for k in keys["data"]] == [str(pk) for pk in own_keys]
    assert keys["totalCount"] == 1


def test_a_field_cannot_be_created_on_another_workspaces_object(api, other_workspace):
    # given
    theirs = object_id(other_workspace, "person")
    # when
    status, body = api.post(
        "/rest/metadata/fields", {"objectMetadataId": theirs, "type": "TEXT", "name": "spy", "label": "Spy"}
    )
    # then: the same answer as for an id that exists nowhere
    assert (status, body) == (400, error(400, f"Object {theirs} not found (objectMetadataId)"))
    missing = api.post(
        "/rest/metadata/fields", {"objectMetadataId": MISSING_ID, "type": "TEXT", "name": "spy", "label": "Spy"}
    )
    assert missing == (400, error(400, f"Object {MISSING_ID} not found (objectMetadataId)"))
    assert not FieldMetadata.objects.filter(name="spy").exists()


def test_a_relation_cannot_target_another_workspaces_object(api, workspace, other_workspace):
    # given
    theirs = object_id(other_workspace, "company")
    # when
    status, body = api.post(
        "/rest/metadata/fields",
        {
            "objectMetadataId": object_id(workspace, "person"),
            "type": "RELATION",
            "name": "spy",
            "label": "Spy",
            "relationCreationPayload": {
                "targetObjectMetadataId": theirs,
                "targetFieldLabel": "Spies",
                "type": "MANY_TO_ONE",
            },
        },
    )
    # then
    assert (status, body) == (
        400,
        error(400, f"Target object {theirs} not found (relationCreationPayload.targetObjectMetadataId)"),
    )
    assert not FieldMetadata.objects.filter(name__in=["spy", "spies"]).exists()


def test_a_label_identifier_cannot_be_another_workspaces_field(api, workspace, other_workspace):
    status, body = api.patch(
        f"/rest/metadata/objects/{object_id(workspace, 'company')}",
        {
            "labelIdentifierFieldMetadataId": field_id(other_workspace, "company", "name"),
        },
    )
    assert (status, body) == (
        400,
        error(400, "labelIdentifierFieldMetadataId must be the id of an active field of this object"),
    )


def test_each_key_sees_its_own_workspace(api, other_api, workspace, other_workspace):
    mine = {o["id"] for o in api.get("/rest/metadata/objects")[1]["data"]["objects"]}
    theirs = {o["id"] for o in other_api.get("/rest/metadata/objects")[1]["data"]["objects"]}
    assert mine.isdisjoint(theirs)
    assert object_id(other_workspace, "person") in theirs and object_id(workspace, "person") in mine
