"""Settings → API & Webhooks: staff only, and every change visible through the public API at once."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.seeding import fast_client
from webhooks_app.models import Webhook
from webhooks_app.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


@pytest.fixture
def receiver(settings):
    """A webhook target on 127.0.0.1 answering 204, recording what it got."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def page(staff_client, workspace, path: str = "/settings/api"):
    """GET a settings page of ``workspace``."""
    return staff_client.get(path, {"workspace": str(workspace.pk)})


def post(staff_client, workspace, path: str, **fields):
    """POST a settings form of ``workspace``."""
    return staff_client.post(path, {"workspace": str(workspace.pk), **fields})


def create_webhook(staff_client, workspace, url: str, operations: str = "*.*"):
    """Create a webhook through the page; return the page's answer."""
    response = post(
        staff_client, workspace, "/settings/api/webhooks", target_url=url, operations=operations, description=""
    )
    assert response.status_code == 200, response.content
    return response


# -- access ---------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_admin_login(client, workspace):
    # when
    response = client.get("/settings/api")

    # then
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/settings/api")


def test_users_who_are_not_staff_are_sent_to_the_admin_login(client, workspace, django_user_model):
    # given
    client.force_login(django_user_model.objects.create_user("bob", "bob@example.com", "pw-bob-123"))

    # when
    response = client.post("/settings/api/keys", {"workspace": str(workspace.pk), "name": "sneaky"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/settings/api/keys")


def test_staff_see_the_keys_and_webhooks_of_the_chosen_workspace(staff_client, workspace, api):
    # when
    response = page(staff_client, workspace)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>API &amp; Webhooks</h1>" in html
    assert "<td>test key</td>" in html
    assert f"crm_…{api.token[-4:]}" in html
    assert "No webhook yet." in html


# -- API keys -------------------------------------------------------------------------------------


def test_a_created_key_is_shown_once_and_works(staff_client, workspace, api):
    # when
    response = post(staff_client, workspace, "/settings/api/keys", name="Zapier", expires_at="2099-01-31")

    # then
    assert response.status_code == 200
    token = re.search(r'<code id="token-value">(crm_[^<]+)</code>', response.content.decode())[1]
    assert fast_client(token).get("/rest/metadata/apiKeys")[0] == 200
    _status, keys = api.get("/rest/metadata/apiKeys")
    assert [(k["name"], k["expiresAt"]) for k in keys["data"] if k["name"] == "Zapier"] == [
        ("Zapier", "2099-01-31T00:00:00.000Z")
    ]
    assert token not in page(staff_client, workspace).content.decode()


def test_a_key_name_is_required(staff_client, workspace):
    # when
    response = post(staff_client, workspace, "/settings/api/keys", name="  ")

    # then
    assert response.status_code == 400
    assert "name is required: a non-empty string of at most 200 characters" in response.content.decode()


def test_a_revoked_key_stops_working(staff_client, workspace, api):
    # given
    _status, keys = api.get("/rest/metadata/apiKeys")
    key_id = keys["data"][0]["id"]

    # when
    response = post(staff_client, workspace, f"/settings/api/keys/{key_id}/revoke")

    # then
    assert response.status_code == 302
    assert api.get("/rest/metadata/apiKeys") == (
        401,
        {"statusCode": 401, "error": "UnauthorizedException", "messages": ["This API key has been revoked."]},
    )


# -- webhooks -------------------------------------------------------------------------------------


def test_a_created_webhook_shows_its_secret_once_and_is_in_the_api(staff_client, workspace, api):
    # when
    response = create_webhook(staff_client, workspace, "https://hooks.example.com/crm", "company.created, person.*")

    # then
    secret = re.search(r'<code id="secret-value">([0-9a-f]{64})</code>', response.content.decode())[1]
    _status, body = api.get("/rest/metadata/webhooks")
    assert [(w["targetUrl"], w["operations"]) for w in body["data"]] == [
        ("https://hooks.example.com/crm", ["company.created", "person.*"])
    ]
    assert secret not in page(staff_client, workspace).content.decode()


def test_a_webhook_with_a_bad_url_is_refused_with_the_api_message(staff_client, workspace):
    # when
    response = post(
        staff_client, workspace, "/settings/api/webhooks", target_url="ftp://example.com/x", operations="*.*"
    )

    # then
    assert response.status_code == 400
    assert "Invalid URL scheme. Only HTTP and HTTPS are allowed." in response.content.decode()


def test_a_webhook_is_edited_and_deleted(staff_client, workspace, api):
    # given
    create_webhook(staff_client, workspace, "https://hooks.example.com/a")
    webhook_id = api.get("/rest/metadata/webhooks")[1]["data"][0]["id"]

    # when
    edited = post(
        staff_client,
        workspace,
        f"/settings/api/webhooks/{webhook_id}",
        target_url="https://hooks.example.com/b",
        operations="opportunity.updated",
        description="CRM sync",
    )

    # then
    assert edited.status_code == 302
    _status, body = api.get(f"/rest/metadata/webhooks/{webhook_id}")
    assert (body["data"]["targetUrl"], body["data"]["operations"], body["data"]["description"]) == (
        "https://hooks.example.com/b",
        ["opportunity.updated"],
        "CRM sync",
    )

    # when
    deleted = post(staff_client, workspace, f"/settings/api/webhooks/{webhook_id}/delete")

    # then
    assert deleted.status_code == 302
    assert api.get(f"/rest/metadata/webhooks/{webhook_id}")[0] == 404


def test_a_test_event_is_signed_and_its_answer_shown(staff_client, workspace, api, receiver):
    # given
    url, received = receiver
    create_webhook(staff_client, workspace, url)
    webhook = api.get("/rest/metadata/webhooks")[1]["data"][0]

    # when
    response = post(staff_client, workspace, f"/settings/api/webhooks/{webhook['id']}/test")

    # then
    assert response.status_code == 200
    assert re.search(r"Test event: the receiver answered 204 in \d+ ms\.", response.content.decode())
    headers, body = received[0]
    payload = json.loads(body)
    assert (payload["eventName"], payload["webhookId"], payload["targetUrl"]) == ("webhook.test", webhook["id"], url)
    stored = Webhook.objects.get(pk=webhook["id"])
    assert verify(body, stored.secret, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER])


def test_the_delivery_log_lists_record_events(staff_client, workspace, api):
    # given
    create_webhook(staff_client, workspace, "https://hooks.example.com/log", "company.created")
    webhook_id = api.get("/rest/metadata/webhooks")[1]["data"][0]["id"]
    assert api.post("/rest/companies", {"name": "Hooli"})[0] == 201

    # when
    response = page(staff_client, workspace, f"/settings/api/webhooks/{webhook_id}")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="mono">company.created</span>' in html
    assert '<span class="pill PENDING">pending</span>' in html


def test_filter_and_fields_are_edited_and_events_replayed_from_the_page(staff_client, workspace, api):
    # given: a webhook and two company creations
    create_webhook(staff_client, workspace, "https://hooks.example.com/replay", "company.*")
    webhook_id = api.get("/rest/metadata/webhooks")[1]["data"][0]["id"]
    for name in ("Hooli", "Pied Piper"):
        assert api.post("/rest/companies", {"name": name})[0] == 201

    # when
    edited = post(
        staff_client,
        workspace,
        f"/settings/api/webhooks/{webhook_id}",
        target_url="https://hooks.example.com/replay",
        operations="company.*",
        filter="name[startsWith]:H",
        fields="name, employees",
    )
    replayed = post(staff_client, workspace, f"/settings/api/webhooks/{webhook_id}/replay", since="2020-01-01T00:00:00")
    after_replay = page(staff_client, workspace, f"/settings/api/webhooks/{webhook_id}").content.decode()
    refused = post(staff_client, workspace, f"/settings/api/webhooks/{webhook_id}/replay", since="", until="")
    bad_filter = post(
        staff_client,
        workspace,
        f"/settings/api/webhooks/{webhook_id}",
        target_url="https://hooks.example.com/replay",
        operations="company.*",
        filter="name[eq]:",
    )

    # then
    assert edited.status_code == 302
    hook = api.get(f"/rest/metadata/webhooks/{webhook_id}")[1]["data"]
    assert (hook["filter"], hook["fields"]) == ("name[startsWith]:H", ["name", "employees"])
    assert replayed.status_code == 302
    # the filter came after the creations: only the events delivered before it are replayed
    assert "2 events queued again." in after_replay
    assert refused.status_code == 400
    assert "Give the range to replay" in refused.content.decode()
    assert bad_filter.status_code == 400
    _, record_api = api.get("/rest/companies", filter="name[eq]:")
    assert record_api["messages"][0].replace("'", "&#x27;") in bad_filter.content.decode()
