"""Webhooks on ``/metadata`` through the webhook services: CRUD, secret shown once, isolation."""

from __future__ import annotations

from tests.graphql_metadata.helpers import error_of

HOOK = "id targetUrl operations description secret createdAt updatedAt deletedAt"
CREATE = "mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { %s } }" % HOOK
UPDATE = "mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { %s } }" % HOOK
DELETE = "mutation ($id: UUID!) { deleteWebhook(id: $id) { id deletedAt } }"
TARGET = "https://hooks.example.com/crm"


def test_create_webhook_shows_its_secret_once_and_reads_as_rest(api, gql):
    # when
    body = {"targetUrl": TARGET, "operations": ["person.created", "*.deleted"], "description": "CRM sync"}
    created = gql.data(CREATE, {"input": body})["createWebhook"]
    read = gql.data("query ($id: UUID!) { webhook(id: $id) { %s } }" % HOOK, {"id": created["id"]})["webhook"]
    # then
    assert created["secret"] and read["secret"] is None
    assert {k: v for k, v in created.items() if k != "secret"} == {k: v for k, v in read.items() if k != "secret"}
    status, rest = api.get(f"/rest/metadata/webhooks/{created['id']}")
    assert status == 200 and read == {k: rest["data"].get(k) for k in HOOK.split()}
    assert read["operations"] == ["person.created", "*.deleted"] and read["deletedAt"] is None


def test_webhooks_lists_live_webhooks_by_id(gql):
    # given
    ids = [
        gql.data(CREATE, {"input": {"targetUrl": f"{TARGET}/{n}", "operations": ["*.*"]}})["createWebhook"]["id"]
        for n in range(3)
    ]
    gql.data(DELETE, {"id": ids[1]})
    # when
    listed = gql.data("{ webhooks { id targetUrl } }")["webhooks"]
    # then
    assert [w["id"] for w in listed] == sorted([ids[0], ids[2]])


def test_update_webhook_applies_the_patch(gql):
    # given
    hook = gql.data(CREATE, {"input": {"targetUrl": TARGET, "operations": ["*.*"], "description": "old"}})[
        "createWebhook"
    ]
    # when
    updated = gql.data(UPDATE, {"input": {"id": hook["id"], "update": {"operations": ["company.updated"]}}})[
        "updateWebhook"
    ]
    # then
    assert (updated["targetUrl"], updated["operations"], updated["description"]) == (TARGET, ["company.updated"], "old")


def test_invalid_webhook_is_refused_as_in_rest(api, gql):
    # given
    body = {"targetUrl": "ftp://hooks.example.com", "operations": ["*.*"]}
    # when
    status, rest = api.post("/rest/metadata/webhooks", body)
    answer_status, answer = gql.post(CREATE, {"input": body})
    # then
    assert status == 400 and answer_status == 200
    assert (
        error_of(answer)["message"]
        == "; ".join(rest["messages"])
        == "Invalid URL scheme. Only HTTP and HTTPS are allowed."
    )
    assert error_of(answer)["extensions"]["code"] == "BAD_USER_INPUT"


def test_delete_webhook_then_it_is_not_found(gql):
    # given
    hook = gql.data(CREATE, {"input": {"targetUrl": TARGET, "operations": ["*.*"]}})["createWebhook"]
    # when
    deleted = gql.data(DELETE, {"id": hook["id"]})["deleteWebhook"]
    status, body = gql.post("query ($id: UUID!) { webhook(id: $id) { id } }", {"id": hook["id"]})
    # then
    assert deleted["id"] == hook["id"] and deleted["deletedAt"] is not None
    message = f"Webhook {hook['id']} not found"
    assert status == 200 and error_of(body) == {
        "message": message,
        "path": ["webhook"],
        "extensions": {"code": "NOT_FOUND", "userFriendlyMessage": message},
    }


def test_another_workspaces_webhook_is_not_found(gql, other_gql):
    # given
    theirs = other_gql.data(CREATE, {"input": {"targetUrl": TARGET, "operations": ["*.*"]}})["createWebhook"]["id"]
    # when
    status, body = gql.post(DELETE, {"id": theirs})
    # then
    message = f"Webhook {theirs} not found"
    assert status == 200 and error_of(body) == {
        "message": message,
        "path": ["deleteWebhook"],
        "extensions": {"code": "NOT_FOUND", "userFriendlyMessage": message},
    }
    assert [w["id"] for w in other_gql.data("{ webhooks { id } }")["webhooks"]] == [theirs]
