"""A key cannot widen itself or another key beyond its own role, and another workspace's roles are
invisible and cannot be assigned."""

from __future__ import annotations

from typing import Any

import pytest

from apikeys_app.models import ApiKey
from metadata_app.registry import schema_registry
from roles_app.errors import PERMISSION_DENIED
from roles_app.models import Role
from roles_app.services import seed_standard_roles
from tests.graphql_metadata.helpers import GraphQLClient
from tests.seeding import fast_client

FORBIDDEN = {
    "code": "FORBIDDEN",
    "subCode": "PERMISSION_DENIED",
    "userFriendlyMessage": "User does not have permission.",
}
GRANT = f"{PERMISSION_DENIED} to grant rights its own role does not hold: "


def refusal(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Message and extensions (without ``messages``) of the one error."""
    [error] = body["errors"]
    return error["message"], {k: v for k, v in error["extensions"].items() if k != "messages"}


@pytest.fixture
def manager(roles):
    """A role that reads records and manages roles and keys, and a ``/metadata`` client holding it."""
    role = roles.make("manager", ("read",), flags=("ROLES", "API_KEYS_AND_WEBHOOKS"))
    return role, roles.meta(role)


def test_a_role_cannot_widen_itself(manager, workspace):
    # given
    role, client = manager
    people = schema_registry.current(workspace.pk).by_plural["people"].id

    # when
    status, body = client.post(
        "mutation ($r: UUID!, $o: UUID!) { upsertObjectPermissions(upsertObjectPermissionsInput: "
        "{roleId: $r, objectPermissions: [{objectMetadataId: $o, canUpdateObjectRecords: true}]}) { objectMetadataId } }",
        {"r": str(role.pk), "o": people},
    )

    # then
    assert (status, refusal(body)) == (200, (GRANT + "create or update records of 'person'", FORBIDDEN))
    assert Role.objects.get(pk=role.pk).object_permissions.count() == 0


def test_a_role_cannot_take_a_flag_it_lacks(manager):
    role, client = manager
    _status, body = client.post(
        'mutation ($r: UUID!) { upsertPermissionFlags(upsertPermissionFlagsInput: {roleId: $r, permissionFlagKeys: ["ROLES", "API_KEYS_AND_WEBHOOKS", "WORKSPACE"]}) { flag } }',
        {"r": str(role.pk)},
    )
    assert refusal(body) == (GRANT + "the WORKSPACE permission", FORBIDDEN)


def test_a_role_may_narrow_itself(manager, workspace):
    role, client = manager
    people = schema_registry.current(workspace.pk).by_plural["people"]
    client.data(
        "mutation ($r: UUID!, $o: UUID!, $f: UUID!) { upsertFieldPermissions(upsertFieldPermissionsInput: "
        "{roleId: $r, fieldPermissions: [{objectMetadataId: $o, fieldMetadataId: $f, canReadFieldValue: false}]}) { fieldMetadataId } }",
        {"r": str(role.pk), "o": people.id, "f": people.field("city").id},
    )
    assert Role.objects.get(pk=role.pk).field_permissions.count() == 1


def test_a_key_cannot_hand_out_a_role_wider_than_its_own(manager, roles, workspace):
    # given
    role, client = manager
    admin = roles.standard("Admin")
    own_key = ApiKey.objects.filter(role=role).get()

    # when: a new key with Admin, a new key with the default role (Admin), itself promoted to Admin
    attempts = [
        client.post(
            'mutation ($r: UUID!) { createApiKey(input: {name: "wide", roleId: $r}) { id } }', {"r": str(admin.pk)}
        ),
        client.post('mutation { createApiKey(input: {name: "default"}) { id } }'),
        client.post(
            "mutation ($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
            {"k": str(own_key.pk), "r": str(admin.pk)},
        ),
    ]

    # then
    messages = [refusal(body)[0] for _status, body in attempts]
    assert all(message.startswith(GRANT + "canUpdateAllSettings; ") for message in messages), messages
    assert ApiKey.objects.get(pk=own_key.pk).role_id == role.pk
    assert not ApiKey.objects.filter(name__in=["wide", "default"]).exists()


def test_a_key_may_hand_out_its_own_role_or_a_narrower_one(manager, roles):
    role, client = manager
    narrower = roles.make("narrower")
    for role_id in (role.pk, narrower.pk):
        client.data(
            'mutation ($r: UUID!) { createApiKey(input: {name: "ok", roleId: $r}) { id } }', {"r": str(role_id)}
        )
    assert ApiKey.objects.filter(name="ok").count() == 2


def test_a_key_cannot_widen_others_by_deleting_their_role(manager, roles):
    # given: a narrow role held by a key; the default role is Admin
    _role, client = manager
    narrow = roles.make("narrow")
    roles.token(narrow, "narrow key")

    # when
    _status, body = client.post("mutation ($r: UUID!) { deleteOneRole(roleId: $r) }", {"r": str(narrow.pk)})

    # then
    assert refusal(body)[0].startswith(GRANT)
    assert ApiKey.objects.get(name="narrow key").role_id == narrow.pk


def test_rest_patch_of_a_key_cannot_widen_it(roles):
    # given
    role = roles.make("keys only", ("read",), flags=("API_KEYS_AND_WEBHOOKS",))
    client = roles.rest(role, "self")
    key = ApiKey.objects.get(name="self")

    # when
    status, body = client.patch(f"/rest/metadata/apiKeys/{key.pk}", {"roleId": str(roles.standard("Member").pk)})

    # then
    assert status == 403 and body["messages"][0].startswith(GRANT + "create or update records of ")
    assert ApiKey.objects.get(pk=key.pk).role_id == role.pk


# -- other workspaces ------------------------------------------------------------------------------


@pytest.fixture
def theirs(other_workspace) -> Role:
    """The other workspace's Member role."""
    if not Role.objects.filter(workspace=other_workspace).exists():
        seed_standard_roles(other_workspace)
    return Role.objects.get(workspace=other_workspace, label="Member")


def test_another_workspaces_roles_are_invisible(api, roles, theirs):
    mine = roles.meta(roles.standard("Admin"))
    assert [role["label"] for role in mine.data("{ getRoles { label } }")["getRoles"]] == ["Admin", "Member"]
    assert theirs.pk not in {r["id"] for r in api.get("/rest/metadata/roles")[1]["data"]}
    assert api.get(f"/rest/metadata/roles/{theirs.pk}") == (
        404,
        {
            "statusCode": 404,
            "error": "NotFoundException",
            "messages": [f"Role with id {theirs.pk} not found in workspace"],
        },
    )


def test_another_workspaces_roles_cannot_be_assigned_or_changed(api, roles, theirs, workspace):
    # given
    mine = roles.meta(roles.standard("Admin"))
    key = ApiKey.objects.get(name="test key")
    people = schema_registry.current(workspace.pk).by_plural["people"].id
    not_found = f"Role with id {theirs.pk} not found in workspace"

    # when
    create = api.post("/rest/metadata/apiKeys", {"name": "k", "roleId": str(theirs.pk)})
    patch = api.patch(f"/rest/metadata/apiKeys/{key.pk}", {"roleId": str(theirs.pk)})
    assign = mine.post(
        "mutation ($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
        {"k": str(key.pk), "r": str(theirs.pk)},
    )
    default = api.patch("/rest/metadata/workspace", {"defaultRoleId": str(theirs.pk)})
    change = mine.post(
        "mutation ($r: UUID!, $o: UUID!) { upsertObjectPermissions(upsertObjectPermissionsInput: "
        "{roleId: $r, objectPermissions: [{objectMetadataId: $o, canReadObjectRecords: false}]}) { objectMetadataId } }",
        {"r": str(theirs.pk), "o": people},
    )

    # then
    bad = (400, {"statusCode": 400, "error": "BadRequestException", "messages": [not_found]})
    assert (create, patch, default) == (bad, bad, bad)
    assert refusal(assign[1]) == (not_found, {"code": "BAD_USER_INPUT", "userFriendlyMessage": not_found})
    assert refusal(change[1]) == (not_found, {"code": "NOT_FOUND", "userFriendlyMessage": not_found})
    assert theirs.object_permissions.count() == 0


def test_another_workspaces_objects_cannot_be_given_rights(roles, other_workspace):
    # given
    mine = roles.meta(roles.standard("Admin"))
    role = roles.make("custom", ("read",))
    their_people = schema_registry.current(other_workspace.pk).by_plural["people"].id

    # when
    _status, body = mine.post(
        "mutation ($r: UUID!, $o: UUID!) { upsertObjectPermissions(upsertObjectPermissionsInput: "
        "{roleId: $r, objectPermissions: [{objectMetadataId: $o, canReadObjectRecords: false}]}) { objectMetadataId } }",
        {"r": str(role.pk), "o": their_people},
    )

    # then
    assert refusal(body) == (
        "Object metadata not found",
        {"code": "BAD_USER_INPUT", "userFriendlyMessage": "Object metadata not found"},
    )


def test_a_key_of_another_workspace_sees_nothing_through_a_role_of_this_one(other_api, records):
    # given: the other workspace's key is an Admin there
    records.person("Ada")

    # then
    assert other_api.get("/rest/people")[1]["data"]["people"] == []
    assert other_api.get("/rest/metadata/roles")[1]["totalCount"] == 2


def test_unknown_keys_answer_401_before_any_permission(db):
    assert fast_client("crm_0123456789abcdef_" + "x" * 40).get("/rest/metadata/roles")[0] == 401
    assert GraphQLClient(None).post("{ getRoles { id } }")[1]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_key_cannot_mint_a_token_for_a_wider_key(manager, roles):
    # given: an Admin key, and a key managing keys with a narrower role
    _role, client = manager
    roles.token(roles.standard("Admin"), "admin key")
    admin_key = ApiKey.objects.get(name="admin key")

    # when
    _status, body = client.post(
        'mutation ($k: UUID!) { generateApiKeyToken(apiKeyId: $k, expiresAt: "2099-01-01T00:00:00Z") { token } }',
        {"k": str(admin_key.pk)},
    )

    # then
    assert refusal(body)[0].startswith(GRANT + "canUpdateAllSettings; ")
    assert ApiKey.objects.get(pk=admin_key.pk).digest == admin_key.digest


def test_only_a_role_reading_everything_may_point_webhooks_at_records(roles):
    # given: both manage webhooks; one cannot read people's cities
    partial = roles.make(
        "partial",
        ("read",),
        flags=("API_KEYS_AND_WEBHOOKS",),
        fields={("people", "city"): {"canReadFieldValue": False}},
    )
    whole = roles.make("whole", ("read",), flags=("API_KEYS_AND_WEBHOOKS",))
    hook = {"targetUrl": "https://example.com/hook", "operations": ["person.*"]}

    # when
    refused = roles.rest(partial).post("/rest/metadata/webhooks", hook)
    graphql = roles.meta(partial).post(
        'mutation { createWebhook(input: {targetUrl: "https://example.com/hook", operations: ["*.*"]}) { id } }'
    )
    accepted = roles.rest(whole).post("/rest/metadata/webhooks", hook)

    # then
    message = f"{PERMISSION_DENIED} to point webhooks at records: its role cannot read every record and field"
    assert refused == (403, {"statusCode": 403, "error": "PermissionsException", "messages": [message]})
    assert refusal(graphql[1]) == (message, FORBIDDEN)
    assert accepted[0] == 201
    assert roles.rest(partial).get("/rest/metadata/webhooks")[1]["totalCount"] == 1  # reading them is fine
