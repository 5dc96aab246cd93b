"""The webhook admin: create through the service (secret shown once), health marker, delivery log
inline, redelivery and soft deletion."""

from __future__ import annotations

import re

from django_tasks_db.models import DBTaskResult

from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401
from tests.webhooks.conftest import created
from webhooks_app.models import Delivery, Webhook

seeded_workspace_ids = seeded_workspaces("module")

INLINE = {
    "deliveries-TOTAL_FORMS": "0",
    "deliveries-INITIAL_FORMS": "0",
    "deliveries-MIN_NUM_FORMS": "0",
    "deliveries-MAX_NUM_FORMS": "0",
}


def test_adding_a_webhook_goes_through_the_service_and_shows_the_secret_once(admin_client, workspace):
    # when
    response = admin_client.post(
        "/admin/webhooks_app/webhook/add/",
        {
            "workspace": str(workspace.pk),
            "target_url": "https://hooks.example.com/a",
            "description": "",
            "operations_text": "person.created, *.deleted",
            "new_secret": "",
            **INLINE,
        },
        follow=True,
    )

    # then
    webhook = Webhook.objects.get()
    assert (webhook.workspace_id, webhook.operations) == (workspace.pk, ["person.created", "*.deleted"])
    assert re.fullmatch(r"[0-9a-f]{64}", webhook.secret)
    assert f"shown once, copy it now): {webhook.secret}" in response.content.decode()


def test_an_invalid_webhook_is_refused_with_the_services_message(admin_client, workspace):
    # when
    response = admin_client.post(
        "/admin/webhooks_app/webhook/add/",
        {
            "workspace": str(workspace.pk),
            "target_url": "ftp://hooks.example.com",
            "operations_text": "person.create",
            **INLINE,
        },
    )

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "Invalid URL scheme. Only HTTP and HTTPS are allowed." in page
    assert "Invalid operation &#x27;person.create&#x27;" in page
    assert not Webhook.objects.exists()


def test_the_change_page_shows_the_failing_marker_and_the_delivery_log(
    admin_client, api, hooks, receiver, run_worker, settings
):
    # given
    settings.WEBHOOKS_MAX_ATTEMPTS, settings.WEBHOOKS_FAILING_AFTER = 2, 2
    hook = hooks.create(receiver.url())
    receiver.script("/hook", 500, 500)
    created(api.post("/rest/people", {"name": {"firstName": "Ada"}}))
    run_worker()

    # when
    listing = admin_client.get("/admin/webhooks_app/webhook/?failing=yes").content.decode()
    page = admin_client.get(f"/admin/webhooks_app/webhook/{hook['id']}/change/").content.decode()
    delivery = Delivery.objects.get()
    delivery_page = admin_client.get(f"/admin/webhooks_app/delivery/{delivery.pk}/change/").content.decode()

    # then
    assert receiver.url() in listing and 'alt="True"' in listing
    assert "person.created" in page and "FAILED" in page and "Recent deliveries" in page
    assert "&quot;answered&quot;:500" in delivery_page or '{"answered":500}' in delivery_page


def test_redeliver_action_queues_the_delivery_again(admin_client, api, hooks, receiver, run_worker):
    # given
    hooks.create(receiver.url())
    created(api.post("/rest/people", {"name": {"firstName": "Ada"}}))
    run_worker()
    delivery = Delivery.objects.get()

    # when
    admin_client.post("/admin/webhooks_app/delivery/", {"action": "redeliver", "_selected_action": [str(delivery.pk)]})
    run_worker()

    # then
    assert len(receiver.at("/hook")) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("SUCCEEDED", 2)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_deleting_in_the_admin_is_a_soft_delete(admin_client, hooks):
    # given
    hook = hooks.create("https://hooks.example.com/a")

    # when
    admin_client.post(f"/admin/webhooks_app/webhook/{hook['id']}/delete/", {"post": "yes"})

    # then
    assert Webhook.objects.get().deleted_at is not None


def test_editing_a_webhook_keeps_its_secret_unless_a_new_one_is_typed(admin_client, hooks):
    # given
    hook = hooks.create("https://hooks.example.com/a", secret="kept")
    path = f"/admin/webhooks_app/webhook/{hook['id']}/change/"

    # when
    admin_client.post(
        path,
        {
            "target_url": "https://hooks.example.com/b",
            "description": "",
            "operations_text": "company.*",
            "new_secret": "",
            **INLINE,
        },
    )
    edited = Webhook.objects.get()
    admin_client.post(
        path,
        {
            "target_url": "https://hooks.example.com/b",
            "description": "",
            "operations_text": "company.*",
            "new_secret": "rotated",
            **INLINE,
        },
    )

    # then
    assert (edited.target_url, edited.operations, edited.secret) == (
        "https://hooks.example.com/b",
        ["company.*"],
        "kept",
    )
    assert Webhook.objects.get().secret == "rotated"
