"""``currentWorkspace`` and workspace isolation: another workspace's ids are NOT_FOUND."""

from __future__ import annotations

import pytest

from apikeys_app.services import create_api_key
from tests.graphql_metadata.helpers import error_of, field_id, object_id


def test_current_workspace_is_the_keys_workspace(gql, other_gql, workspace, other_workspace):
    # when
    mine = gql.data("{ currentWorkspace { id displayName } }")
    theirs = other_gql.data("{ currentWorkspace { id displayName } }")
    # then
    assert mine == {"currentWorkspace": {"id": str(workspace.pk), "displayName": "Acme"}}
    assert theirs == {"currentWorkspace": {"id": str(other_workspace.pk), "displayName": "Globex"}}


def test_lists_show_only_the_callers_workspace(gql, workspace, other_workspace):
    # given
    theirs = object_id(other_workspace, "person")
    # when
    data = gql.data(
        "query ($o: UUID!) { objects(paging: {first: 100}) { totalCount edges { node { id } } } "
        "fields(filter: {objectMetadataId: {eq: $o}}) { totalCount } }",
        {"o": theirs},
    )
    # then
    assert data["objects"]["totalCount"] == 10
    assert theirs not in {e["node"]["id"] for e in data["objects"]["edges"]}
    assert data["fields"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("query", "variables", "path", "message"),
    [
        pytest.param(
            "query ($id: UUID!) { object(id: $id) { id } }", "object", "object", "Object {id} not found", id="object"
        ),
        pytest.param(
            "query ($id: UUID!) { field(id: $id) { id } }", "field", "field", "Field {id} not found", id="field"
        ),
        pytest.param(
            "query ($id: UUID!) { apiKey(input: {id: $id}) { id } }",
            "apiKey",
            "apiKey",
            "API key {id} not found",
            id="api_key",
        ),
        pytest.param(
            'mutation ($id: UUID!) { updateOneObject(input: {id: $id, update: {labelSingular: "X"}}) { id } }',
            "object",
            "updateOneObject",
            "Object {id} not found",
            id="update_object",
        ),
        pytest.param(
            "mutation ($id: UUID!) { deleteOneField(input: {id: $id}) { id } }",
            "field",
            "deleteOneField",
            "Field {id} not found",
            id="delete_field",
        ),
        pytest.param(
            "mutation ($id: UUID!) { revokeApiKey(input: {id: $id}) { id } }",
            "apiKey",
            "revokeApiKey",
            "API key {id} not found",
            id="revoke_api_key",
        ),
        pytest.param(
            'mutation ($id: UUID!) { generateApiKeyToken(apiKeyId: $id, expiresAt: "2099-01-01T00:00:00Z") { token } }',
            "apiKey",
            "generateApiKeyToken",
            "API key {id} not found",
            id="generate_token",
        ),
    ],
)
def test_another_workspaces_ids_are_not_found(gql, other_workspace, query, variables, path, message):
    # given
    ids = {
        "object": object_id(other_workspace, "person"),
        "field": field_id(other_workspace, "person", "jobTitle"),
        "apiKey": str(create_api_key(other_workspace, {"name": "theirs"})[0].pk),
    }
    target = ids[variables]
    # when
    status, body = gql.post(query, {"id": target})
    # then
    expected = message.format(id=target)
    assert status == 200 and body["data"] in (None, {path: None})
    assert error_of(body) == {
        "message": expected,
        "path": [path],
        "extensions": {"code": "NOT_FOUND", "userFriendlyMessage": expected},
    }


def test_a_field_on_another_workspaces_object_is_refused_as_in_rest(api, gql, other_workspace):
    # given
    body = {
        "objectMetadataId": object_id(other_workspace, "person"),
        "type": "TEXT",
        "name": "nickname",
        "label": "Nickname",
    }
    # when
    status, rest = api.post("/rest/metadata/fields", body)
    answer_status, answer = gql.post(
        "mutation ($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { id } }",
        {"input": {"field": body}},
    )
    # then
    assert status == 400 and answer_status == 200
    assert error_of(answer)["message"] == rest["messages"][0]
    assert error_of(answer)["extensions"]["code"] == "BAD_USER_INPUT"
