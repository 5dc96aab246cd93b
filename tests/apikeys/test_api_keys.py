"""API keys: ``/rest/metadata/apiKeys``, Bearer authentication, management commands and admin."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from apikeys_app.models import ApiKey
from metadata_app.models import ObjectMetadata, Workspace
from tests.metadata.helpers import INSTANT, UUID, error
from tests.seeding import fast_client

KEYS = "/rest/metadata/apiKeys"
MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
TOKEN = re.compile(r"crm_[0-9a-f]{16}_[A-Za-z0-9_-]{40}")


def new_key(api, **body):
    """Create a key through the API; return its API shape (with the token)."""
    status, answer = api.post(KEYS, {"name": "CI", **body})
    assert status == 201, answer
    return answer["data"]


# --- create, read -------------------------------------------------------------------------------


def test_create_returns_201_with_the_token_once(api, workspace):
    # when
    status, body = api.post(KEYS, {"name": "Zapier", "expiresAt": "2031-06-01T12:00:00Z"})
    # then
    assert status == 201
    key = body["data"]
    assert key == {
        "id": UUID,
        "name": "Zapier",
        "expiresAt": "2031-06-01T12:00:00.000Z",
        "revokedAt": None,
        "lastUsedAt": None,
        "tokenLast4": key["token"][-4:],
        "roleId": str(workspace.default_role_id),
        "createdAt": INSTANT,
        "updatedAt": INSTANT,
        "token": key["token"],
    }
    assert TOKEN.fullmatch(key["token"])
    assert fast_client(key["token"]).get("/rest/metadata/objects")[0] == 200


def test_create_takes_twentys_revoked_at(api):
    # when: Twenty's CreateApiKeyInput carries revokedAt, null from its own clients
    status, body = api.post(KEYS, {"name": "Kept", "expiresAt": "2031-06-01T12:00:00Z", "revokedAt": None})
    revoked_status, revoked = api.post(KEYS, {"name": "Gone", "revokedAt": "2030-01-01T00:00:00Z"})
    # then
    assert (status, body["data"]["revokedAt"]) == (201, None)
    assert fast_client(body["data"]["token"]).get("/rest/metadata/objects")[0] == 200
    assert (revoked_status, revoked["data"]["revokedAt"]) == (201, INSTANT)
    assert fast_client(revoked["data"]["token"]).get("/rest/metadata/objects")[0] == 401


def test_create_takes_revoked_at_on_metadata_graphql(api):
    # when
    status, body = api.post(
        "/metadata",
        {
            "query": 'mutation { createApiKey(input: {name: "g2", expiresAt: "2031-01-01T00:00:00Z", '
            "revokedAt: null}) { name revokedAt } }"
        },
    )
    # then
    assert (status, body) == (200, {"data": {"createApiKey": {"name": "g2", "revokedAt": None}}})


class TestDeprecatedAlias:
    """``/rest/apiKeys``: Twenty's deprecated alias, raw answers with Deprecation and Link (api-reference 0, 3.2, 5)."""

    def call(self, api, method: str, path: str, body=None):
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
        response = getattr(api.client, method.lower())(path, **kwargs, **api.headers())
        return response.status_code, json.loads(response.content), response["Deprecation"], response["Link"]

    def test_list_and_get_are_raw(self, api):
        key = new_key(api, name="Zapier")
        del key["token"]
        listed = self.call(api, "GET", "/rest/apiKeys")
        assert listed[0] == 200
        assert [k for k in listed[1] if k["id"] == key["id"]] == [key]
        assert listed[2:] == ("@1786320000", '</rest/metadata/apiKeys>; rel="successor-version"')
        assert self.call(api, "GET", f"/rest/apiKeys/{key['id']}") == (
            200,
            key,
            "@1786320000",
            f'</rest/metadata/apiKeys/{key["id"]}>; rel="successor-version"',
        )

    def test_create_update_and_delete_are_raw(self, api):
        status, created, *_ = self.call(api, "POST", "/rest/apiKeys", {"name": "Raw"})
        assert (status, created["name"], TOKEN.fullmatch(created["token"]) is not None) == (201, "Raw", True)
        status, renamed, *_ = self.call(api, "PATCH", f"/rest/apiKeys/{created['id']}", {"name": "Renamed"})
        assert (status, renamed["name"]) == (200, "Renamed")
        status, deleted, *_ = self.call(api, "DELETE", f"/rest/apiKeys/{created['id']}")
        assert (status, deleted["id"]) == (200, created["id"])
        assert api.get(f"{KEYS}/{created['id']}")[0] == 404

    def test_errors_keep_their_shape(self, api):
        assert self.call(api, "GET", f"/rest/apiKeys/{MISSING_ID}")[:2] == (
            404,
            error(404, f"API key {MISSING_ID} not found"),
        )


def test_the_token_is_never_shown_again_nor_stored(api, workspace):
    # given
    key = new_key(api)
    secret = key["token"].split("_", 2)[2]
    # when
    one = api.get(f"{KEYS}/{key['id']}")[1]["data"]
    listed = next(k for k in api.get(KEYS)[1]["data"] if k["id"] == key["id"])
    # then
    assert one == listed == {k: v for k, v in key.items() if k != "token"}
    row = ApiKey.objects.get(pk=key["id"])
    stored = [str(getattr(row, field.attname)) for field in ApiKey._meta.concrete_fields]
    assert [value for value in stored if secret in value] == []
    assert len(row.digest) == 64 and row.key_id == key["token"].split("_")[1]


def test_expiry_given_with_an_offset_is_answered_in_utc(api):
    key = new_key(api, expiresAt="2030-01-01T00:00:00+02:00")
    assert key["expiresAt"] == "2029-12-31T22:00:00.000Z"
    assert api.get(f"{KEYS}/{key['id']}")[1]["data"]["expiresAt"] == "2029-12-31T22:00:00.000Z"


def test_list_returns_data_page_info_and_total_count(api, workspace):
    # given: the fixture's key plus two more
    ids = sorted(
        [str(pk) for pk in ApiKey.objects.filter(workspace=workspace).values_list("pk", flat=True)]
        + [new_key(api)["id"], new_key(api)["id"]]
    )
    # when
    status, body = api.get(KEYS)
    page = api.get(KEYS, limit=2, starting_after=ids[0])[1]
    # then
    assert status == 200
    assert [k["id"] for k in body["data"]] == ids
    assert body["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[2],
    }
    assert body["totalCount"] == 3
    assert [k["id"] for k in page["data"]] == ids[1:3]
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": ids[1],
        "endCursor": ids[2],
    }


@pytest.mark.parametrize(
    "params, message",
    [
        ({"limit": "x"}, "limit 'x' is invalid. Should be an integer"),
        ({"starting_after": "x"}, "Invalid cursor: x"),
        (
            {"starting_after": MISSING_ID, "ending_before": MISSING_ID},
            "Only one of 'endingBefore' and 'startingAfter' may be provided",
        ),
    ],
    ids=["limit", "cursor", "both-cursors"],
)
def test_list_with_invalid_paging_is_400(api, params, message):
    assert api.get(KEYS, **params) == (400, error(400, message))


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "name is required: a non-empty string of at most 200 characters"),
        ({"name": "  "}, "name is required: a non-empty string of at most 200 characters"),
        ({"name": "x" * 201}, "name is required: a non-empty string of at most 200 characters"),
        ({"name": "CI", "expiresAt": "2020-01-01T00:00:00Z"}, "expiresAt must be in the future"),
        (
            {"name": "CI", "expiresAt": "next week"},
            "expiresAt must be an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z",
        ),
        ({"name": "CI", "scopes": ["all"]}, "Unknown properties scopes; allowed: expiresAt, name, revokedAt, roleId"),
    ],
    ids=["no-name", "blank-name", "long-name", "past-expiry", "bad-expiry", "unknown-property"],
)
def test_create_with_invalid_input_is_400(api, body, message):
    assert api.post(KEYS, body) == (400, error(400, message))


def test_create_with_an_id_in_the_path_is_400(api):
    assert api.post(f"{KEYS}/{MISSING_ID}", {"name": "CI"}) == (
        400,
        error(400, "Remove the id from the path to create an API key: POST /rest/metadata/apiKeys"),
    )


def test_create_with_malformed_json_is_400(api):
    assert api.post(KEYS, raw="{name") == (
        400,
        error(400, "Invalid JSON body: unexpected character, expected a string key: line 1 column 2 (char 1)"),
    )


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_unknown_key_id_is_404_and_bad_id_400(api, method):
    assert getattr(api, method)(f"{KEYS}/{MISSING_ID}") == (404, error(404, f"API key {MISSING_ID} not found"))
    assert getattr(api, method)(f"{KEYS}/nope") == (400, error(400, "'nope' is not a valid UUID"))


@pytest.mark.parametrize("verb", ["patch", "delete"])
def test_update_or_delete_without_an_id_is_400(api, verb):
    action = "update" if verb == "patch" else "delete"
    assert getattr(api, verb)(KEYS) == (
        400,
        error(
            400,
            f"{action} apiKey query invalid. Id missing. eg: /rest/metadata/apiKeys/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56",
        ),
    )


# --- update, revoke, expire, delete -------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_patch_renames_and_changes_expiry(api, method):
    key = new_key(api)
    status, body = getattr(api, method)(f"{KEYS}/{key['id']}", {"name": "Renamed", "expiresAt": "2032-02-02T00:00:00Z"})
    assert status == 200
    assert (body["data"]["name"], body["data"]["expiresAt"], body["data"]["revokedAt"]) == (
        "Renamed",
        "2032-02-02T00:00:00.000Z",
        None,
    )
    assert "token" not in body["data"]


def test_patch_can_remove_the_expiry(api):
    key = new_key(api, expiresAt="2031-01-01T00:00:00Z")
    status, body = api.patch(f"{KEYS}/{key['id']}", {"expiresAt": None})
    assert (status, body["data"]["expiresAt"]) == (200, None)


def test_revoked_key_gets_401(api):
    # given
    key = new_key(api)
    # when
    status, body = api.patch(f"{KEYS}/{key['id']}", {"revokedAt": "2024-01-01T00:00:00Z"})
    # then
    assert (status, body["data"]["revokedAt"]) == (200, INSTANT)
    assert fast_client(key["token"]).get("/rest/metadata/objects") == (
        401,
        error(401, "This API key has been revoked."),
    )


def test_revocation_is_final(api):
    key = new_key(api)
    api.patch(f"{KEYS}/{key['id']}", {"revokedAt": "2024-01-01T00:00:00Z"})
    assert api.patch(f"{KEYS}/{key['id']}", {"revokedAt": None}) == (
        400,
        error(400, "A revoked API key cannot be reinstated; create a new key"),
    )


def test_expired_key_gets_401(api):
    key = new_key(api, expiresAt="2031-01-01T00:00:00Z")
    ApiKey.objects.filter(pk=key["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert fast_client(key["token"]).get("/rest/metadata/objects") == (401, error(401, "This API key has expired."))


def test_deleted_key_gets_401_and_disappears(api):
    # given
    key = new_key(api)
    # when
    status, body = api.delete(f"{KEYS}/{key['id']}")
    # then
    assert (status, body["data"]["id"], body["data"]["revokedAt"]) == (200, key["id"], INSTANT)
    assert fast_client(key["token"]).get("/rest/metadata/objects") == (401, error(401, "Unknown API key."))
    assert api.get(f"{KEYS}/{key['id']}") == (404, error(404, f"API key {key['id']} not found"))
    assert key["id"] not in [k["id"] for k in api.get(KEYS)[1]["data"]]


def test_last_used_at_is_set_by_a_request(api):
    # given
    key = new_key(api)
    assert ApiKey.objects.get(pk=key["id"]).last_used_at is None
    # when
    fast_client(key["token"]).get("/rest/metadata/objects")
    # then
    used = ApiKey.objects.get(pk=key["id"]).last_used_at
    assert used is not None and timezone.now() - used < timedelta(seconds=10)
    assert api.get(f"{KEYS}/{key['id']}")[1]["data"]["lastUsedAt"] == INSTANT


def test_last_used_at_is_written_at_most_once_a_minute(api):
    key = new_key(api)
    client = fast_client(key["token"])
    client.get("/rest/metadata/objects")
    first = ApiKey.objects.get(pk=key["id"]).last_used_at
    client.get("/rest/metadata/objects")
    assert ApiKey.objects.get(pk=key["id"]).last_used_at == first


# --- the Authorization header -------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, message",
    [
        (None, "Missing Authorization header. Send 'Authorization: Bearer <API key>'."),
        ("Basic dXNlcjpwYXNz", "Malformed Authorization header. Expected 'Bearer <API key>'."),
        ("Bearer", "Malformed Authorization header. Expected 'Bearer <API key>'."),
        ("Bearer    ", "Malformed Authorization header. Expected 'Bearer <API key>'."),
        ("Bearer garbage", "Malformed API key. Keys look like 'crm_<16 hex characters>_<secret>'."),
        ("Bearer crm_short_secret", "Malformed API key. Keys look like 'crm_<16 hex characters>_<secret>'."),
        ("Bearer crm_0123456789abcdef_secret", "Unknown API key."),
    ],
    ids=["missing", "basic", "bearer-only", "bearer-blank", "garbage", "short-key-id", "unknown-key-id"],
)
def test_bad_authorization_header_is_401_saying_why(workspace, header, message):
    client = fast_client(None).client
    response = client.get("/rest/metadata/objects", **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert (response.status_code, response.json()) == (401, error(401, message))
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_right_key_id_with_a_wrong_secret_is_401(api):
    key = new_key(api)
    forged = key["token"][:-4] + ("aaaa" if not key["token"].endswith("aaaa") else "bbbb")
    assert fast_client(forged).get("/rest/metadata/objects") == (401, error(401, "Unknown API key."))


def test_scheme_is_case_insensitive(api):
    key = new_key(api)
    response = fast_client(None).client.get("/rest/metadata/objects", HTTP_AUTHORIZATION=f"bearer {key['token']}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/rest/metadata/objects"),
        ("post", "/rest/metadata/objects"),
        ("get", f"/rest/metadata/fields/{MISSING_ID}"),
        ("patch", f"/rest/metadata/fields/{MISSING_ID}"),
        ("delete", f"/rest/metadata/objects/{MISSING_ID}"),
        ("get", KEYS),
        ("post", KEYS),
        ("get", "/rest/metadata/relations"),
    ],
)
def test_every_metadata_route_needs_a_key(anonymous, method, path):
    assert getattr(anonymous, method)(path) == (
        401,
        error(401, "Missing Authorization header. Send 'Authorization: Bearer <API key>'."),
    )


# --- management commands ------------------------------------------------------------------------


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_create_workspace_command_prints_the_id_and_seeds_it(db):
    output = run("create_workspace", "  Initech ")
    workspace = Workspace.objects.get(display_name="Initech")
    assert output == f"{workspace.pk}\tInitech\n"
    assert ObjectMetadata.objects.filter(workspace=workspace).count() == 10


def test_create_workspace_command_refuses_a_blank_name(db):
    with pytest.raises(CommandError) as raised:
        run("create_workspace", "  ")
    assert str(raised.value) == "displayName is required"


def test_list_workspaces_command_prints_one_line_per_workspace(workspace, other_workspace):
    lines = run("list_workspaces").splitlines()
    expected = [
        f"{w.pk}\t{w.display_name}\tversion {w.metadata_version}\t10 objects"
        for w in Workspace.objects.order_by("created_at")
    ]
    assert lines == expected
    assert {line.split("\t")[1] for line in lines} >= {"Acme", "Globex"}


@pytest.mark.parametrize("by", ["name", "id"])
def test_create_api_key_command_prints_a_working_token(workspace, by):
    # when
    token = run(
        "create_api_key", workspace.display_name if by == "name" else str(workspace.pk), "--name", "Ops"
    ).strip()
    # then
    assert TOKEN.fullmatch(token)
    key = ApiKey.objects.get(workspace=workspace, name="Ops")
    assert key.last4 == token[-4:]
    assert fast_client(token).get("/rest/metadata/objects")[0] == 200


def test_create_api_key_command_sets_the_expiry(workspace):
    run("create_api_key", "Acme", "--expires-at", "2033-03-03T00:00:00Z")
    assert ApiKey.objects.get(workspace=workspace, name="CLI key").expires_at.isoformat() == "2033-03-03T00:00:00+00:00"


@pytest.mark.parametrize(
    "args, message",
    [
        (["Nope"], "No single workspace matches 'Nope'; see manage.py list_workspaces"),
        ([MISSING_ID], f"No single workspace matches '{MISSING_ID}'; see manage.py list_workspaces"),
        (["x" * 36], f"No single workspace matches '{'x' * 36}'; see manage.py list_workspaces"),
        (["Acme", "--expires-at", "2001-01-01T00:00:00Z"], "expiresAt must be in the future"),
    ],
    ids=["unknown-name", "unknown-id", "36-characters", "past-expiry"],
)
def test_create_api_key_command_refuses_bad_input(workspace, args, message):
    with pytest.raises(CommandError) as raised:
        run("create_api_key", *args)
    assert str(raised.value) == message


# --- admin --------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db) -> Client:
    # No password: hashing one takes a second; force_login needs none.
    user = User.objects.create_superuser("admin", "admin@example.com", None)
    client = fast_client(None).client
    client.force_login(user)
    return client


def test_admin_add_api_key_shows_the_token_once(admin_client, workspace):
    # when
    response = admin_client.post(
        "/admin/apikeys_app/apikey/add/",
        {
            "workspace": str(workspace.pk),
            "name": "Admin key",
            "expires_at_0": "2034-01-01",
            "expires_at_1": "00:00:00",
        },
        follow=True,
    )
    # then
    assert response.status_code == 200
    key = ApiKey.objects.get(workspace=workspace, name="Admin key")
    messages = [str(m) for m in response.context["messages"]]
    token = re.search(r"crm_[0-9a-f]{16}_\S+", messages[0]).group(0)
    assert messages[0] == f"Token for “Admin key” (shown once, copy it now): {token}"
    assert (key.last4, key.expires_at.isoformat()) == (token[-4:], "2034-01-01T00:00:00+00:00")
    assert fast_client(token).get("/rest/metadata/objects")[0] == 200
    # shown once: the change page does not carry it
    page = admin_client.get(f"/admin/apikeys_app/apikey/{key.pk}/change/")
    assert page.status_code == 200 and token not in page.content.decode()


def test_admin_changes_an_api_key_through_the_service(admin_client, api):
    key = new_key(api)
    response = admin_client.post(
        f"/admin/apikeys_app/apikey/{key['id']}/change/",
        {
            "name": "Renamed",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    assert response.status_code == 302
    assert api.get(f"{KEYS}/{key['id']}")[1]["data"]["name"] == "Renamed"
    assert fast_client(key["token"]).get("/rest/metadata/objects")[0] == 200


def test_admin_revoke_action_revokes(admin_client, api, workspace):
    key = new_key(api)
    response = admin_client.post(
        "/admin/apikeys_app/apikey/",
        {
            "action": "revoke",
            "_selected_action": [key["id"]],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Revoked 1 key(s)."]
    assert fast_client(key["token"]).get("/rest/metadata/objects") == (
        401,
        error(401, "This API key has been revoked."),
    )
