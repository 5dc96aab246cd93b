"""API keys on ``/metadata``: create, token once, the token works on REST, revocation, reads."""

from __future__ import annotations

from apikeys_app.models import ApiKey
from tests.conftest import ApiClient
from tests.graphql_metadata.helpers import GraphQLClient, error_of

KEY = "id name expiresAt revokedAt createdAt updatedAt"
CREATE = "mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { %s } }" % KEY
TOKEN = "mutation ($id: UUID!, $at: String!) { generateApiKeyToken(apiKeyId: $id, expiresAt: $at) { token } }"
REVOKE = "mutation ($id: UUID!) { revokeApiKey(input: {id: $id}) { id revokedAt } }"


def test_create_api_key_then_generate_a_token_that_authenticates_rest(api, gql):
    # given
    key = gql.data(CREATE, {"input": {"name": "Zapier", "expiresAt": "2099-01-01T00:00:00Z"}})["createApiKey"]
    # when
    token = gql.data(TOKEN, {"id": key["id"], "at": "2099-06-01T00:00:00.000Z"})["generateApiKeyToken"]["token"]
    status, body = ApiClient(token).get("/rest/metadata/objects")
    # then
    assert key["name"] == "Zapier" and key["revokedAt"] is None and key["expiresAt"] == "2099-01-01T00:00:00.000Z"
    assert status == 200 and body["totalCount"] == 10
    status, rest = api.get(f"/rest/metadata/apiKeys/{key['id']}")
    assert status == 200 and rest["data"]["expiresAt"] == "2099-06-01T00:00:00.000Z"
    assert rest["data"]["tokenLast4"] == token[-4:]


def test_the_token_is_shown_once_and_a_new_one_replaces_it(gql):
    # given
    key = gql.data(CREATE, {"input": {"name": "CI"}})["createApiKey"]
    first = gql.data(TOKEN, {"id": key["id"], "at": "2099-01-01T00:00:00Z"})["generateApiKeyToken"]["token"]
    # when
    second = gql.data(TOKEN, {"id": key["id"], "at": "2099-01-01T00:00:00Z"})["generateApiKeyToken"]["token"]
    # then
    assert first != second
    assert ApiClient(first).get("/rest/metadata/objects")[0] == 401
    assert ApiClient(second).get("/rest/metadata/objects")[0] == 200
    listed = gql.data("{ apiKeys { id name } }")["apiKeys"]
    assert {"id": key["id"], "name": "CI"} in listed


def test_revoke_api_key_makes_its_token_fail(gql):
    # given
    key = gql.data(CREATE, {"input": {"name": "Temp"}})["createApiKey"]
    token = gql.data(TOKEN, {"id": key["id"], "at": "2099-01-01T00:00:00Z"})["generateApiKeyToken"]["token"]
    assert GraphQLClient(token).data("{ currentWorkspace { displayName } }") == {
        "currentWorkspace": {"displayName": "Acme"}
    }
    # when
    revoked = gql.data(REVOKE, {"id": key["id"]})["revokeApiKey"]
    # then
    assert revoked["id"] == key["id"] and revoked["revokedAt"] is not None
    status, body = ApiClient(token).get("/rest/metadata/objects")
    assert (status, body["messages"]) == (401, ["This API key has been revoked."])
    status, body = GraphQLClient(token).post("{ currentWorkspace { id } }")
    assert (status, error_of(body)["extensions"]["code"]) == (200, "UNAUTHENTICATED")
    assert error_of(body)["message"] == "This API key has been revoked."


def test_token_for_a_revoked_key_is_refused_as_in_rest(api, gql):
    # given
    key = gql.data(CREATE, {"input": {"name": "Old"}})["createApiKey"]
    gql.data(REVOKE, {"id": key["id"]})
    # when
    status, body = gql.post(TOKEN, {"id": key["id"], "at": "2099-01-01T00:00:00Z"})
    # then
    assert status == 200 and body["data"] is None
    assert error_of(body) == {
        "message": "This API Key is revoked",
        "path": ["generateApiKeyToken"],
        "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": "This API Key is revoked"},
    }


def test_api_key_by_id_reads_as_rest_and_update_renames(api, gql):
    # given
    key = gql.data(CREATE, {"input": {"name": "Reports"}})["createApiKey"]
    status, rest = api.get(f"/rest/metadata/apiKeys/{key['id']}")
    # when
    read = gql.data("query ($id: UUID!) { apiKey(input: {id: $id}) { %s } }" % KEY, {"id": key["id"]})["apiKey"]
    renamed = gql.data(
        'mutation ($id: UUID!) { updateApiKey(input: {id: $id, name: "Dashboards"}) { id name } }', {"id": key["id"]}
    )["updateApiKey"]
    # then
    assert status == 200
    assert read == {k: rest["data"][k] for k in KEY.split()} == key
    assert renamed == {"id": key["id"], "name": "Dashboards"}
    assert api.get(f"/rest/metadata/apiKeys/{key['id']}")[1]["data"]["name"] == "Dashboards"


def test_api_key_type_never_carries_a_token(anonymous_gql):
    # when
    status, body = anonymous_gql.post('{ __type(name: "ApiKey") { fields { name } } }')
    # then
    assert status == 200
    assert [f["name"] for f in body["data"]["__type"]["fields"]] == [*KEY.split(), "role"]


def test_create_api_key_refusal_matches_rest(api, gql):
    # given
    body = {"name": "Late", "expiresAt": "2001-01-01T00:00:00Z"}
    # when
    status, rest = api.post("/rest/metadata/apiKeys", body)
    answer_status, answer = gql.post(CREATE, {"input": body})
    # then
    assert status == 400 and answer_status == 200
    assert error_of(answer)["message"] == rest["messages"][0] == "expiresAt must be in the future"
    assert error_of(answer)["extensions"]["code"] == "BAD_USER_INPUT"


def test_api_keys_lists_the_workspaces_keys_by_id_without_deleted_ones(api, gql, workspace):
    # given
    made = [gql.data(CREATE, {"input": {"name": f"k{n}"}})["createApiKey"]["id"] for n in range(2)]
    assert api.delete(f"/rest/metadata/apiKeys/{made[0]}")[0] == 200
    # when
    listed = gql.data("{ apiKeys { id name } }")["apiKeys"]
    # then
    live = ApiKey.objects.filter(workspace=workspace, deleted_at__isnull=True)
    expected = [str(pk) for pk in live.order_by("pk").values_list("pk", flat=True)]
    assert [k["id"] for k in listed] == expected
    assert sorted(k["name"] for k in listed) == ["k1", "test key"]
