"""Workspace settings (api-reference 15): ``currentWorkspace`` / ``updateWorkspace`` on ``/metadata`` and
``GET`` / ``PATCH /rest/metadata/workspace``."""

from __future__ import annotations

from typing import Any

import pytest

from apikeys_app.models import ApiKey
from metadata_app.models import Workspace
from tests.metadata.helpers import INSTANT

WORKSPACE = (
    "id displayName logo createdAt updatedAt activationStatus metadataVersion trashRetentionDays "
    "eventLogRetentionDays defaultRoleId defaultRole { label } workspaceUrls { customUrl subdomainUrl }"
)


def error(*messages: str) -> tuple[int, dict[str, Any]]:
    """A REST 400."""
    return 400, {"statusCode": 400, "error": "BadRequestException", "messages": list(messages)}


@pytest.fixture
def meta(roles):
    """``/metadata`` with an Admin key."""
    return roles.meta(roles.standard("Admin"))


def test_current_workspace_shows_every_setting(meta, workspace):
    # when
    data = meta.data("{ currentWorkspace { %s } }" % WORKSPACE)

    # then
    assert data == {
        "currentWorkspace": {
            "id": str(workspace.pk),
            "displayName": "Acme",
            "logo": None,
            "createdAt": INSTANT,
            "updatedAt": INSTANT,
            "activationStatus": "ACTIVE",
            "metadataVersion": float(workspace.metadata_version),
            "trashRetentionDays": 14.0,
            "eventLogRetentionDays": 90.0,
            "defaultRoleId": str(workspace.default_role_id),
            "defaultRole": {"label": "Admin"},
            "workspaceUrls": {"customUrl": None, "subdomainUrl": "http://testserver/"},
        }
    }


def test_rest_reads_the_same_settings(api, workspace):
    assert api.get("/rest/metadata/workspace") == (
        200,
        {
            "data": {
                "currentWorkspace": {
                    "id": str(workspace.pk),
                    "displayName": "Acme",
                    "logo": None,
                    "createdAt": INSTANT,
                    "updatedAt": INSTANT,
                    "activationStatus": "ACTIVE",
                    "metadataVersion": workspace.metadata_version,
                    "trashRetentionDays": 14,
                    "eventLogRetentionDays": 90,
                    "defaultRoleId": str(workspace.default_role_id),
                    "workspaceUrls": {"customUrl": None, "subdomainUrl": "http://testserver/"},
                }
            }
        },
    )


def test_update_workspace_changes_the_settings_given(meta, roles, workspace):
    # given
    member = roles.standard("Member")

    # when
    data = meta.data(
        'mutation ($r: UUID!) { updateWorkspace(data: {displayName: "Acme Inc", logo: "https://acme.com/logo.png", '
        "trashRetentionDays: 30, eventLogRetentionDays: 7, defaultRoleId: $r, subdomain: null}) "
        "{ displayName logo trashRetentionDays eventLogRetentionDays defaultRole { label } } }",
        {"r": str(member.pk)},
    )

    # then
    assert data == {
        "updateWorkspace": {
            "displayName": "Acme Inc",
            "logo": "https://acme.com/logo.png",
            "trashRetentionDays": 30.0,
            "eventLogRetentionDays": 7.0,
            "defaultRole": {"label": "Member"},
        }
    }
    stored = Workspace.objects.get(pk=workspace.pk)
    assert (stored.display_name, stored.trash_retention_days, stored.event_log_retention_days) == ("Acme Inc", 30, 7)
    assert stored.default_role_id == member.pk


def test_rest_patch_answers_in_the_legacy_envelope(api):
    status, body = api.patch("/rest/metadata/workspace", {"trashRetentionDays": 0, "logo": None})
    assert status == 200
    assert list(body["data"]) == ["updateWorkspace"]
    assert (body["data"]["updateWorkspace"]["trashRetentionDays"], body["data"]["updateWorkspace"]["logo"]) == (0, None)


def test_keys_created_without_a_role_get_the_new_default_role(api, roles):
    # given
    member = roles.standard("Member")
    assert api.patch("/rest/metadata/workspace", {"defaultRoleId": str(member.pk)})[0] == 200

    # when
    status, body = api.post("/rest/metadata/apiKeys", {"name": "later"})

    # then
    assert (status, body["data"]["roleId"]) == (201, str(member.pk))
    assert ApiKey.objects.get(name="test key").role.label == "Admin"  # existing keys keep theirs


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        ({"trashRetentionDays": -1}, ["trashRetentionDays must be a whole number of days from 0 to 3650"]),
        ({"trashRetentionDays": 3651}, ["trashRetentionDays must be a whole number of days from 0 to 3650"]),
        ({"trashRetentionDays": 1.5}, ["trashRetentionDays must be a whole number of days from 0 to 3650"]),
        ({"trashRetentionDays": True}, ["trashRetentionDays must be a whole number of days from 0 to 3650"]),
        ({"eventLogRetentionDays": 0}, ["eventLogRetentionDays must be a whole number of days from 1 to 3650"]),
        ({"displayName": ""}, ["displayName must be a non-empty string of at most 255 characters"]),
        ({"displayName": "x" * 256}, ["displayName must be a non-empty string of at most 255 characters"]),
        ({"logo": 5}, ["logo must be a URL string of at most 2048 characters, or null"]),
        ({"defaultRoleId": None}, ["defaultRoleId must be the id of a role"]),
        (
            {"subdomain": "acme", "allowImpersonation": True, "inviteHash": None},
            [
                "Workspace setting 'allowImpersonation' is not supported",
                "Workspace setting 'subdomain' is not supported",
            ],
        ),
        (
            {"color": "red"},
            [
                "Unknown properties color; allowed: defaultRoleId, displayName, eventLogRetentionDays, logo, trashRetentionDays"
            ],
        ),
    ],
)
def test_refused_settings_change_nothing(api, workspace, body, messages):
    assert api.patch("/rest/metadata/workspace", body) == error(*messages)
    assert Workspace.objects.get(pk=workspace.pk).trash_retention_days == 14


def test_graphql_refuses_unsupported_settings_by_name(meta):
    status, body = meta.post('mutation { updateWorkspace(data: {customDomain: "crm.acme.com"}) { id } }')
    message = "Workspace setting 'customDomain' is not supported"
    assert status == 200
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_graphql_refuses_a_number_of_days_too_large_for_any_integer(meta, workspace):
    # when: 1e400 reads as an infinite float
    status, body = meta.post("mutation { updateWorkspace(data: {eventLogRetentionDays: 1e400}) { id } }")
    # then
    assert status == 200
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("eventLogRetentionDays must be a whole number of days from 1 to 3650", "BAD_USER_INPUT")
    ]
