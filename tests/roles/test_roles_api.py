"""Roles on ``/metadata`` and ``GET /rest/metadata/roles`` (api-reference 14.1, 14.2), and the settings
permission flags every metadata route checks (14.3)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from apikeys_app.models import ApiKey
from metadata_app.registry import schema_registry
from roles_app import services
from roles_app.errors import PERMISSION_DENIED
from roles_app.models import Role
from tests.metadata.helpers import UUID, deactivate_and_delete

FORBIDDEN = {
    "code": "FORBIDDEN",
    "subCode": "PERMISSION_DENIED",
    "userFriendlyMessage": "User does not have permission.",
}
ROLE = (
    "id label description icon isEditable canBeAssignedToUsers canBeAssignedToAgents canBeAssignedToApiKeys "
    "canUpdateAllSettings canAccessAllTools canReadAllObjectRecords canUpdateAllObjectRecords "
    "canSoftDeleteAllObjectRecords canDestroyAllObjectRecords permissionFlags { flag } "
    "objectPermissions { objectMetadataId canReadObjectRecords canUpdateObjectRecords restrictedFields } "
    "fieldPermissions { fieldMetadataId canReadFieldValue canUpdateFieldValue } apiKeys { name } "
    "workspaceMembers { id } agents { id } rowLevelPermissionPredicates"
)
CREATE_ROLE = "mutation ($input: CreateRoleInput!) { createOneRole(createRoleInput: $input) { id label } }"
UPSERT_OBJECTS = (
    "mutation ($role: UUID!, $items: [ObjectPermissionInput!]!) { upsertObjectPermissions("
    "upsertObjectPermissionsInput: {roleId: $role, objectPermissions: $items}) "
    "{ objectMetadataId canReadObjectRecords canUpdateObjectRecords canSoftDeleteObjectRecords "
    "canDestroyObjectRecords restrictedFields } }"
)
UPSERT_FIELDS = (
    "mutation ($role: UUID!, $items: [FieldPermissionInput!]!) { upsertFieldPermissions("
    "upsertFieldPermissionsInput: {roleId: $role, fieldPermissions: $items}) "
    "{ objectMetadataId fieldMetadataId canReadFieldValue canUpdateFieldValue } }"
)
UPSERT_FLAGS = (
    "mutation ($role: UUID!, $keys: [String!]!) { upsertPermissionFlags("
    "upsertPermissionFlagsInput: {roleId: $role, permissionFlagKeys: $keys}) { flag } }"
)


def ids_of(workspace) -> Any:
    """The workspace's snapshot (object and field ids by name)."""
    return schema_registry.current(workspace.pk)


def user_error(message: str) -> dict[str, Any]:
    """``extensions`` of a refused input."""
    return {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}


def only_error(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Message and extensions of the one error (``messages`` left out)."""
    [error] = body["errors"]
    extensions = {k: v for k, v in error["extensions"].items() if k != "messages"}
    return error["message"], extensions


@pytest.fixture
def admin(roles):
    """``/metadata`` with an Admin key."""
    return roles.meta(roles.standard("Admin"))


# -- the standard roles ---------------------------------------------------------------------------


def test_every_workspace_has_admin_and_member_with_admin_the_default_role(admin, api, workspace):
    # when
    data = admin.data("{ getRoles { %s } currentWorkspace { defaultRole { label } } }" % ROLE)

    # then
    every = dict.fromkeys(
        [
            "canReadAllObjectRecords",
            "canUpdateAllObjectRecords",
            "canSoftDeleteAllObjectRecords",
            "canDestroyAllObjectRecords",
        ],
        True,
    )
    common = {
        "canBeAssignedToUsers": True,
        "canBeAssignedToAgents": False,
        "canBeAssignedToApiKeys": True,
        "canAccessAllTools": False,
        **every,
        "permissionFlags": [],
        "objectPermissions": [],
        "fieldPermissions": [],
        "workspaceMembers": [],
        "agents": [],
        "rowLevelPermissionPredicates": [],
    }
    keys = [sorted(k["name"] for k in role.pop("apiKeys")) for role in data["getRoles"]]
    assert data["getRoles"] == [
        {
            "id": UUID,
            "label": "Admin",
            "description": "Admin role",
            "icon": "IconUserCog",
            "isEditable": False,
            "canUpdateAllSettings": True,
            **common,
        },
        {
            "id": UUID,
            "label": "Member",
            "description": "Member role",
            "icon": "IconUser",
            "isEditable": True,
            "canUpdateAllSettings": False,
            **common,
        },
    ]
    assert keys == [["role key", "test key"], []]  # the keys holding each role
    assert data["currentWorkspace"] == {"defaultRole": {"label": "Admin"}}


def test_a_key_created_without_a_role_holds_the_default_role(admin, workspace):
    # when
    key = admin.data('mutation { createApiKey(input: {name: "Zapier"}) { id role { label } } }')["createApiKey"]

    # then
    assert key == {"id": UUID, "role": {"label": "Admin"}}
    assert ApiKey.objects.get(pk=key["id"]).role_id == workspace.default_role_id


def test_a_read_only_role_in_one_call(admin, records):
    # given: the README's example
    role = admin.data(
        'mutation { createOneRole(createRoleInput: {label: "Read only", canReadAllObjectRecords: true}) { id } }'
    )["createOneRole"]
    key = admin.data('mutation ($r: UUID!) { createApiKey(input: {name: "BI", roleId: $r}) { id } }', {"r": role["id"]})
    token = admin.data(
        'mutation ($id: UUID!) { generateApiKeyToken(apiKeyId: $id, expiresAt: "2099-01-01T00:00:00Z") { token } }',
        {"id": key["createApiKey"]["id"]},
    )["generateApiKeyToken"]["token"]
    records.person("Ada")
    from tests.seeding import fast_client

    client = fast_client(token)

    # then
    assert client.get("/rest/people")[0] == 200
    assert client.post("/rest/people", {"name": {"firstName": "Bo"}}) == (
        403,
        {
            "statusCode": 403,
            "error": "PermissionsException",
            "messages": [f"{PERMISSION_DENIED} to create or update people"],
        },
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"label": "Member"}, "A role with this label already exists"),
        (
            {"label": "Writer", "canUpdateAllObjectRecords": True},
            "Cannot give writing permission without reading permission",
        ),
        ({"label": " "}, "label is required: a non-empty string of at most 200 characters"),
    ],
)
def test_create_role_refusals(admin, variables, message):
    status, body = admin.post(CREATE_ROLE, {"input": variables})
    assert (status, only_error(body)) == (200, (message, user_error(message)))


def test_admin_is_not_editable_nor_deletable(admin, roles):
    admin_id = str(roles.standard("Admin").pk)
    for query, variables in [
        (
            'mutation ($id: UUID!) { updateOneRole(updateRoleInput: {id: $id, update: {label: "Boss"}}) { id } }',
            {"id": admin_id},
        ),
        ("mutation ($id: UUID!) { deleteOneRole(roleId: $id) }", {"id": admin_id}),
        (UPSERT_FLAGS, {"role": admin_id, "keys": []}),
    ]:
        _status, body = admin.post(query, variables)
        assert only_error(body) == ("Role is not editable", user_error("Role is not editable"))


def test_the_default_role_cannot_be_deleted(admin, roles, workspace):
    # given
    member = roles.standard("Member")
    admin.data("mutation ($id: UUID!) { updateWorkspace(data: {defaultRoleId: $id}) { id } }", {"id": str(member.pk)})

    # when
    _status, body = admin.post("mutation ($id: UUID!) { deleteOneRole(roleId: $id) }", {"id": str(member.pk)})

    # then
    assert only_error(body) == ("Default role cannot be deleted", user_error("Default role cannot be deleted"))


def test_deleting_a_role_gives_its_keys_the_default_role(admin, roles, records):
    # given
    reader = roles.make("reader", ("read",))
    client = roles.rest(reader)
    assert client.post("/rest/people", {"name": {"firstName": "Bo"}})[0] == 403

    # when
    answer = admin.data("mutation ($id: UUID!) { deleteOneRole(roleId: $id) }", {"id": str(reader.pk)})

    # then
    assert answer == {"deleteOneRole": str(reader.pk)}
    assert not Role.objects.filter(pk=reader.pk).exists()
    assert client.post("/rest/people", {"name": {"firstName": "Bo"}})[0] == 201


def test_object_permissions(admin, roles, workspace):
    # given
    role = roles.make("custom", ("read", "update"))
    snapshot = ids_of(workspace)
    people, members = snapshot.by_plural["people"].id, snapshot.by_plural["workspaceMembers"].id

    # when
    data = admin.data(
        UPSERT_OBJECTS,
        {
            "role": str(role.pk),
            "items": [{"objectMetadataId": people, "canUpdateObjectRecords": False, "canDestroyObjectRecords": True}],
        },
    )

    # then
    assert data["upsertObjectPermissions"] == [
        {
            "objectMetadataId": people,
            "canReadObjectRecords": None,
            "canUpdateObjectRecords": False,
            "canSoftDeleteObjectRecords": None,
            "canDestroyObjectRecords": True,
            "restrictedFields": {},
        }
    ]
    for items, message in [
        (
            [{"objectMetadataId": members, "canReadObjectRecords": False}],
            "Cannot add object permission on system object",
        ),
        (
            [{"objectMetadataId": people, "canReadObjectRecords": False}],
            "Cannot give update permission to non-readable object",
        ),
        ([{"objectMetadataId": str(role.pk)}], "Object metadata not found"),
    ]:
        _status, body = admin.post(UPSERT_OBJECTS, {"role": str(role.pk), "items": items})
        assert only_error(body) == (message, user_error(message))


def test_field_permissions_only_restrict(admin, roles, workspace):
    # given
    role = roles.make("custom", ("read",))
    people = ids_of(workspace).by_plural["people"]
    city = {"objectMetadataId": people.id, "fieldMetadataId": people.field("city").id}

    # when
    restricted = admin.data(UPSERT_FIELDS, {"role": str(role.pk), "items": [{**city, "canReadFieldValue": False}]})
    cleared = admin.data(UPSERT_FIELDS, {"role": str(role.pk), "items": [{**city, "canReadFieldValue": None}]})

    # then
    assert restricted["upsertFieldPermissions"] == [{**city, "canReadFieldValue": False, "canUpdateFieldValue": None}]
    assert cleared["upsertFieldPermissions"] == []  # two nulls: the permission is gone
    identifier = {"objectMetadataId": people.id, "fieldMetadataId": people.field("id").id}
    for items, message in [
        ([{**city, "canReadFieldValue": True}], "Field permission can only introduce a restriction"),
        ([{**city, "canUpdateFieldValue": False}], "Field restriction on update only makes sense on updatable object"),
        ([{**city}], "Empty field permission not allowed"),
        (
            [{**identifier, "canReadFieldValue": False}],
            "The id of a record is always readable: 'id' cannot be restricted",
        ),
        ([{**city, "fieldMetadataId": str(uuid.uuid4()), "canReadFieldValue": False}], "Field metadata not found"),
    ]:
        _status, body = admin.post(UPSERT_FIELDS, {"role": str(role.pk), "items": items})
        assert only_error(body) == (message, user_error(message))


def test_permission_flags_are_replaced_and_checked(admin, roles):
    # given
    role = str(roles.make("custom").pk)

    # when
    first = admin.data(UPSERT_FLAGS, {"role": role, "keys": ["DATA_MODEL", "ROLES"]})
    second = admin.data(UPSERT_FLAGS, {"role": role, "keys": ["ROLES", "WORKFLOWS"]})
    _status, body = admin.post(UPSERT_FLAGS, {"role": role, "keys": ["ROLES", "NOPE"]})

    # then
    assert [f["flag"] for f in first["upsertPermissionFlags"]] == ["DATA_MODEL", "ROLES"]
    assert [f["flag"] for f in second["upsertPermissionFlags"]] == ["ROLES", "WORKFLOWS"]
    message = "Invalid permission setting (unknown value): NOPE"
    assert only_error(body) == (message, user_error(message))


def test_a_role_change_applies_from_the_next_request(admin, roles, records, workspace):
    # given
    records.person("Ada")
    role = roles.make("custom", ("read",))
    client = roles.rest(role)
    assert client.get("/rest/people")[0] == 200

    # when
    people = ids_of(workspace).by_plural["people"].id
    admin.data(
        UPSERT_OBJECTS, {"role": str(role.pk), "items": [{"objectMetadataId": people, "canReadObjectRecords": False}]}
    )

    # then
    assert client.get("/rest/people")[1]["messages"] == [f"{PERMISSION_DENIED} to read people"]


def test_assigning_a_role_to_a_key_applies_from_its_next_request(admin, roles):
    # given
    client = roles.rest(roles.standard("Admin"), name="to demote")
    key = ApiKey.objects.get(name="to demote")
    reader = roles.make("reader", ("read",))

    # when
    answer = admin.data(
        "mutation ($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
        {"k": str(key.pk), "r": str(reader.pk)},
    )

    # then
    assert answer == {"assignRoleToApiKey": True}
    assert client.post("/rest/people", {"name": {"firstName": "Bo"}})[0] == 403


def test_a_role_that_keys_may_not_hold_is_refused(admin, roles):
    role = admin.data(CREATE_ROLE, {"input": {"label": "Humans only", "canBeAssignedToApiKeys": False}})[
        "createOneRole"
    ]
    _status, body = admin.post(
        'mutation ($r: UUID!) { createApiKey(input: {name: "k", roleId: $r}) { id } }', {"r": role["id"]}
    )
    message = "Role 'Humans only' cannot be assigned to API keys"
    assert only_error(body) == (message, user_error(message))
    assert admin.data("{ getApiKeyRoles { label } }") == {"getApiKeyRoles": [{"label": "Admin"}, {"label": "Member"}]}


def test_rest_lists_roles_with_their_permissions(api, roles, workspace):
    # given
    role = roles.make("custom", ("read",), fields={("people", "city"): {"canReadFieldValue": False}})

    # when
    status, body = api.get("/rest/metadata/roles")
    one = api.get(f"/rest/metadata/roles/{role.pk}")

    # then
    assert status == 200
    assert sorted(r["label"] for r in body["data"]) == ["Admin", "Member", "custom"]
    assert body["totalCount"] == 3 and set(body["pageInfo"]) == {
        "hasNextPage",
        "hasPreviousPage",
        "startCursor",
        "endCursor",
    }
    people = ids_of(workspace).by_plural["people"]
    assert one[0] == 200
    assert one[1]["data"]["fieldPermissions"] == [
        {
            "id": UUID,
            "roleId": str(role.pk),
            "objectMetadataId": people.id,
            "fieldMetadataId": people.field("city").id,
            "canReadFieldValue": False,
            "canUpdateFieldValue": None,
        }
    ]
    assert api.get(f"/rest/metadata/roles/{people.id}") == (
        404,
        {
            "statusCode": 404,
            "error": "NotFoundException",
            "messages": [f"Role with id {people.id} not found in workspace"],
        },
    )


# -- the settings permission flags ----------------------------------------------------------------

FLAG_MESSAGES = {
    "DATA_MODEL": f"{PERMISSION_DENIED} to change the data model (the DATA_MODEL permission)",
    "API_KEYS_AND_WEBHOOKS": f"{PERMISSION_DENIED} to manage API keys and webhooks (the API_KEYS_AND_WEBHOOKS permission)",
    "ROLES": f"{PERMISSION_DENIED} to manage roles (the ROLES permission)",
    "WORKSPACE": f"{PERMISSION_DENIED} to change the workspace settings (the WORKSPACE permission)",
}
REST_ROUTES = [
    (
        "POST",
        "/rest/metadata/objects",
        {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"},
        "DATA_MODEL",
    ),
    ("GET", "/rest/metadata/apiKeys", None, "API_KEYS_AND_WEBHOOKS"),
    ("POST", "/rest/metadata/apiKeys", {"name": "k", "roleId": "<own role>"}, "API_KEYS_AND_WEBHOOKS"),
    ("GET", "/rest/metadata/webhooks", None, "API_KEYS_AND_WEBHOOKS"),
    ("GET", "/rest/webhooks", None, "API_KEYS_AND_WEBHOOKS"),
    ("GET", "/rest/metadata/roles", None, "ROLES"),
    ("PATCH", "/rest/metadata/workspace", {"displayName": "Acme Inc"}, "WORKSPACE"),
]
GRAPHQL_OPERATIONS = [
    (
        'mutation { createOneObject(input: {object: {nameSingular: "rocket", namePlural: "rockets", labelSingular: "Rocket", labelPlural: "Rockets"}}) { id } }',
        "createOneObject",
        "DATA_MODEL",
    ),
    ("{ apiKeys { id } }", "apiKeys", "API_KEYS_AND_WEBHOOKS"),
    ("{ webhooks { id } }", "webhooks", "API_KEYS_AND_WEBHOOKS"),
    ("{ getRoles { id } }", "getRoles", "ROLES"),
    ('mutation { createOneRole(createRoleInput: {label: "x"}) { id } }', "createOneRole", "ROLES"),
    ('mutation { updateWorkspace(data: {displayName: "Acme Inc"}) { id } }', "updateWorkspace", "WORKSPACE"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "flag"), REST_ROUTES, ids=[f"{m} {p}" for m, p, _b, _f in REST_ROUTES]
)
def test_rest_metadata_routes_need_their_flag(roles, method, path, body, flag):
    # given: Member has every record right and no settings permission
    without = roles.rest(roles.standard("Member"))
    role = roles.make("with flag", ("read",), flags=(flag,))
    with_flag = roles.rest(role)
    if body and body.get("roleId"):
        body = {**body, "roleId": str(role.pk)}  # a key may hand out only what its role covers

    # then
    assert without.request(method, path, body) == (
        403,
        {"statusCode": 403, "error": "PermissionsException", "messages": [FLAG_MESSAGES[flag]]},
    )
    assert with_flag.request(method, path, body)[0] in (200, 201)


@pytest.mark.parametrize(("query", "root", "flag"), GRAPHQL_OPERATIONS, ids=[r for _q, r, _f in GRAPHQL_OPERATIONS])
def test_metadata_graphql_operations_need_their_flag(roles, query, root, flag):
    # given
    without = roles.meta(roles.standard("Member"))
    with_flag = roles.meta(roles.make("with flag", ("read",), flags=(flag,)))

    # when
    status, body = without.post(query)

    # then
    assert (status, only_error(body)) == (200, (FLAG_MESSAGES[flag], FORBIDDEN))
    assert body["errors"][0]["path"] == [root]
    with_flag.data(query)


def test_reading_the_data_model_and_the_workspace_needs_no_flag(roles):
    client = roles.rest(roles.make("nothing"))
    assert [
        client.get(path)[0] for path in ("/rest/metadata/objects", "/rest/metadata/fields", "/rest/metadata/workspace")
    ] == [200, 200, 200]


def test_metadata_document_lists_only_the_routes_the_flags_open(roles):
    # when
    doc = roles.rest(roles.make("nothing")).get("/rest/open-api/metadata")[1]

    # then
    assert {path: sorted(m for m in item if m != "parameters") for path, item in doc["paths"].items()} == {
        "/metadata/objects": ["get"],
        "/metadata/objects/{id}": ["get"],
        "/metadata/fields": ["get"],
        "/metadata/fields/{id}": ["get"],
        "/metadata/workspace": ["get"],
    }
    assert [tag["name"] for tag in doc["tags"]] == ["objects", "fields", "workspace"]


def test_deleting_an_object_or_a_field_takes_its_permissions_with_it(api, roles, workspace):
    # given: a custom object with a field, both restricted for a role
    status, body = api.post(
        "/rest/metadata/objects",
        {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"},
    )
    assert status == 201, body
    rocket = body["data"]["createOneObject"]["id"]
    status, body = api.post(
        "/rest/metadata/fields", {"objectMetadataId": rocket, "type": "NUMBER", "name": "thrust", "label": "Thrust"}
    )
    assert status == 201, body
    thrust = body["data"]["createOneField"]["id"]
    role = roles.make(
        "custom",
        ("read", "update"),
        objects={"rockets": {"destroy": False}},
        fields={("rockets", "thrust"): {"canReadFieldValue": False}},
    )
    client = roles.rest(role)
    assert "thrust" not in client.get("/rest/open-api/core")[1]["components"]["schemas"]["Rocket"]["properties"]

    # when
    field_deleted = deactivate_and_delete(api, f"/rest/metadata/fields/{thrust}")[0]
    object_deleted = deactivate_and_delete(api, f"/rest/metadata/objects/{rocket}")[0]

    # then
    assert (field_deleted, object_deleted) == (200, 200)
    assert (role.field_permissions.count(), role.object_permissions.count()) == (0, 0)
    assert client.get("/rest/people")[0] == 200


def test_a_role_created_again_with_a_deleted_roles_id_does_not_inherit_its_rights(admin, roles, records, workspace):
    # given: a key read the companies under a wide role (compiled and kept by this process)
    company = records.company("Acme")
    wide = roles.make("wide", ("read", "update", "soft_delete", "destroy"))
    client = roles.rest(wide, name="holder")
    assert client.get("/rest/companies")[0] == 200
    key = ApiKey.objects.get(name="holder")
    assign = "mutation ($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }"
    admin.data(assign, {"k": str(key.pk), "r": str(roles.make("parking", ("read",)).pk)})
    admin.data("mutation ($r: UUID!) { deleteOneRole(roleId: $r) }", {"r": str(wide.pk)})
    # when: a narrower role takes the same id, and the key holds it
    admin.data(CREATE_ROLE, {"input": {"id": str(wide.pk), "label": "narrow", "canReadAllObjectRecords": True}})
    admin.data(assign, {"k": str(key.pk), "r": str(wide.pk)})
    # then: the new role's rights, not the kept compilation of the old one
    assert client.delete(f"/rest/companies/{company['id']}")[0] == 403
    assert client.get(f"/rest/companies/{company['id']}")[0] == 200


def test_a_role_id_in_use_gets_the_same_answer_whichever_workspace_holds_it(admin, other_workspace):
    # given
    elsewhere = services.create_role(other_workspace, {"label": "theirs"})
    mine = admin.data(CREATE_ROLE, {"input": {"label": "mine"}})["createOneRole"]
    # when
    answers = [
        admin.post(CREATE_ROLE, {"input": {"id": i, "label": "probe"}})[1] for i in (str(elsewhere.pk), mine["id"])
    ]
    # then
    assert [only_error(body)[0] for body in answers] == [
        f"Role id {elsewhere.pk} is not available; leave id out to get a new one",
        f"Role id {mine['id']} is not available; leave id out to get a new one",
    ]


def test_the_default_role_cannot_be_closed_to_api_keys(admin, roles, api):
    # given
    role = roles.make("default reader", ("read",))
    assert api.patch("/rest/metadata/workspace", {"defaultRoleId": str(role.pk)})[0] == 200
    # when
    _status, body = admin.post(
        "mutation ($r: UUID!) { updateOneRole(updateRoleInput: {id: $r, update: {canBeAssignedToApiKeys: false}}) { id } }",
        {"r": str(role.pk)},
    )
    # then
    message = (
        "Role 'default reader' is the workspace's default role: API keys must be able to hold it "
        "(choose another defaultRoleId first)"
    )
    assert only_error(body) == (message, user_error(message))
    assert api.post("/rest/metadata/apiKeys", {"name": "still possible"})[0] == 201
    bad = api.patch("/rest/metadata/workspace", {"defaultRoleId": "nope"})
    assert bad[1]["messages"] == ["defaultRoleId 'nope' is not a valid UUID"]


def test_the_default_role_and_its_keys_show_only_to_who_manages_roles_or_keys(roles):
    # given
    query = "{ currentWorkspace { displayName defaultRole { label apiKeys { name } } } }"
    nothing = roles.meta(roles.make("nothing"))
    keys = roles.meta(roles.make("keys", flags=("API_KEYS_AND_WEBHOOKS",)))
    # when
    _status, refused = nothing.post(query)
    allowed = keys.data(query)
    # then: the workspace itself needs no flag; its default role does
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["errors"][0]["path"] == ["currentWorkspace", "defaultRole"]
    assert nothing.data("{ currentWorkspace { displayName } }")["currentWorkspace"]["displayName"]
    assert allowed["currentWorkspace"]["defaultRole"]["label"] == "Admin"


def test_an_upsert_that_would_restore_a_trashed_record_needs_the_right_to_restore(api, roles, records):
    # given: a trashed person, and a role that reads and writes people but may not restore them
    ada = records.person("Ada", emails={"primaryEmail": "ada@trash.example"})
    assert api.delete(f"/rest/people/{ada['id']}", soft_delete="true")[0] == 200
    client = roles.rest(roles.make("writer", ("read", "update")))
    body = {"emails": {"primaryEmail": "ada@trash.example"}, "city": "Paris"}
    mutation = 'mutation { createPerson(upsert: true, data: {emails: {primaryEmail: "ada@trash.example"}}) { id } }'
    # when
    one = client.post("/rest/people", body, upsert="true")
    batch = client.post("/rest/batch/people", [body], upsert="true")
    graphql = client.post("/graphql", {"query": mutation})
    # then: refused as PATCH /rest/restore is; the record stays in the trash
    refused = f"{PERMISSION_DENIED} to soft-delete or restore people"
    assert one == batch == (403, {"statusCode": 403, "error": "PermissionsException", "messages": [refused]})
    assert graphql[1]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert api.get(f"/rest/people/{ada['id']}")[0] == 404
