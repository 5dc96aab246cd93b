"""Deleting a workspace deletes every tenant row of it, set-wise, and nothing of another workspace.

Tenant rows are removed by one statement per table (``metadata_app.signals_data.workspace_deleting``)
before Django's cascade runs, so a workspace with more events than PostgreSQL accepts parameters in
one statement (65,535) is deleted like a small one.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace
from metadata_app.services.workspaces import create_workspace
from tests.conftest import ApiClient
from transfers_app.models import ImportRowError
from webhooks_app.models import Delivery, DeliveryAttempt, Webhook

#: Every table holding rows of a workspace, and how a row names its workspace.
TENANT_TABLES = {
    "core_app_record": "workspace_id = %s",
    "core_app_recordindex": "workspace_id = %s",
    "core_app_uniquevalue": "workspace_id = %s",
    "core_app_recordcount": "workspace_id = %s",
    "core_app_searchtoken": "workspace_id = %s",
    "core_app_searchfield": "workspace_id = %s",
    "webhooks_app_event": "workspace_id = %s",
    "webhooks_app_webhook": "workspace_id = %s",
    "webhooks_app_delivery": "webhook_id IN (SELECT id FROM webhooks_app_webhook WHERE workspace_id = %s)",
    "webhooks_app_deliveryattempt": (
        "delivery_id IN (SELECT d.id FROM webhooks_app_delivery d JOIN webhooks_app_webhook w "
        "ON w.id = d.webhook_id WHERE w.workspace_id = %s)"
    ),
    "transfers_app_importjob": "workspace_id = %s",
    "transfers_app_importchunk": "workspace_id = %s",
    "transfers_app_importrowerror": "workspace_id = %s",
    "guards_app_idempotencykey": "workspace_id = %s",
    "apikeys_app_apikey": "workspace_id = %s",
    "roles_app_role": "workspace_id = %s",
    "metadata_app_objectmetadata": "workspace_id = %s",
    "metadata_app_fieldmetadata": "workspace_id = %s",
}


def tenant_rows(workspace_id: uuid.UUID) -> dict[str, int]:
    """Rows of each tenant table that belong to ``workspace_id``."""
    ws = workspace_id if connection.vendor == "postgresql" else workspace_id.hex
    counts = {}
    with connection.cursor() as cursor:
        for table, predicate in TENANT_TABLES.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {predicate}", [ws])
            counts[table] = cursor.fetchone()[0]
    return counts


def fill(workspace: Workspace) -> ApiClient:
    """Give ``workspace`` a row in every tenant table, through the API where there is one."""
    _, token = create_api_key(workspace, {"name": "doomed"})
    api = ApiClient(token)
    webhook = Webhook.objects.create(
        workspace=workspace, target_url="https://hooks.example.com/x", operations=["*.*"], secret="s"
    )
    for n in range(3):
        created = api.client.post(
            "/rest/companies",
            {"name": f"Acme {n}", "domainName": {"primaryLinkUrl": f"https://acme{n}.com"}},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"create-{n}",
            **api.headers(),
        )
        assert created.status_code == 201, created.content
    delivery = Delivery.objects.filter(webhook=webhook).earliest("id")
    DeliveryAttempt.objects.create(delivery=delivery, number=1, attempted_at=timezone.now(), duration_ms=5)
    response = api.client.post(
        "/rest/imports/companies?mapping=" + '{"Name":"name"}',
        data=b"Name\nImported\n",
        content_type="text/csv",
        **api.headers(),
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["data"]["id"]
    ImportRowError.objects.create(workspace_id=workspace.pk, job_id=job_id, row=1, seq=0, message="m")
    return api


@pytest.mark.django_db
def test_deleting_a_workspace_in_the_admin_deletes_every_tenant_row_and_nothing_else(admin_client):
    # given two workspaces with rows in every tenant table
    doomed, kept = create_workspace("Doomed"), create_workspace("Kept")
    fill(doomed)
    fill(kept)
    kept_before = tenant_rows(kept.pk)
    assert all(kept_before.values()), kept_before
    assert all(tenant_rows(doomed.pk).values())

    # when the admin's confirmation page is shown, then confirmed
    page = admin_client.get(f"/admin/metadata_app/workspace/{doomed.pk}/delete/")
    response = admin_client.post(f"/admin/metadata_app/workspace/{doomed.pk}/delete/", {"post": "yes"})

    # then the page summarised the workspace, and every row of it is gone, the other's untouched
    assert page.status_code == 200
    assert "and every record, event, delivery and import of it" in page.content.decode()
    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=doomed.pk).exists()
    assert tenant_rows(doomed.pk) == dict.fromkeys(TENANT_TABLES, 0)
    assert tenant_rows(kept.pk) == kept_before
    if connection.vendor == "postgresql":
        # The test's rollback then checks 70,000 deferred foreign keys in one statement, which on a
        # loaded machine outlasted the server's statement timeout (the command's statements did not).
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


@pytest.mark.django_db
def test_deleting_workspaces_by_queryset_deletes_every_tenant_row(admin_client):
    # given a filled workspace
    doomed, kept = create_workspace("Doomed"), create_workspace("Kept")
    fill(doomed)
    kept_before = tenant_rows(kept.pk)

    # when the admin's bulk action deletes it (a queryset delete)
    response = admin_client.post(
        "/admin/metadata_app/workspace/",
        {"action": "delete_selected", "_selected_action": [str(doomed.pk)], "post": "yes"},
    )

    # then
    assert response.status_code == 302
    assert tenant_rows(doomed.pk) == dict.fromkeys(TENANT_TABLES, 0)
    assert tenant_rows(kept.pk) == kept_before


BIG = 70_000  # more than the 65,535 parameters PostgreSQL takes in one statement


def bulk_insert(workspace: Workspace, webhook: Webhook) -> None:
    """``BIG`` records with index rows and search tokens, and ``BIG`` events with a delivery each."""
    company = workspace.objects_metadata.get(name_singular="company").pk
    field = workspace.fields_metadata.get(object_id=company, name="name").pk
    params: dict[str, Any] = {"ws": workspace.pk, "obj": company, "field": field, "hook": webhook.pk, "n": BIG}
    with connection.cursor() as cursor:
        # The deliveries' foreign keys are checked when the test's transaction ends (Django's are
        # deferred): 140,000 checks in one statement, over the server's statement timeout on a slow
        # machine. The timeout guards requests, not this set-up; the deletion under test runs before.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute(
            "INSERT INTO core_app_record (id, workspace_id, object_id, data, position, created_at, updated_at) "
            "SELECT md5('r' || g)::uuid, %(ws)s, %(obj)s, '{}'::jsonb, g, now(), now() "
            "FROM generate_series(1, %(n)s) g",
            params,
        )
        cursor.execute(
            "INSERT INTO core_app_recordindex (workspace_id, record_id, slot, key) "
            "SELECT %(ws)s, md5('r' || g)::uuid, %(field)s, 'k' || g FROM generate_series(1, %(n)s) g",
            params,
        )
        cursor.execute(
            "INSERT INTO core_app_searchtoken (workspace_id, object_id, record_id, field_id, token, document) "
            "SELECT %(ws)s, %(obj)s, md5('r' || g)::uuid, %(field)s, 't' || g, NULL FROM generate_series(1, %(n)s) g",
            params,
        )
        cursor.execute(
            "INSERT INTO webhooks_app_event (id, workspace_id, name, object_id, object_name, record_id, record, "
            "occurred_at) SELECT md5('e' || g)::uuid, %(ws)s, 'company.created', %(obj)s, 'company', "
            "md5('r' || g)::uuid, '{}', now() FROM generate_series(1, %(n)s) g",
            params,
        )
        cursor.execute(
            "INSERT INTO webhooks_app_delivery (id, webhook_id, event_id, status, attempt_count, round_attempts, "
            "created_at, updated_at) SELECT md5('d' || g)::uuid, %(hook)s, md5('e' || g)::uuid, 'SUCCEEDED', 1, 1, "
            "now(), now() FROM generate_series(1, %(n)s) g",
            params,
        )


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_workspace_with_more_rows_than_a_statement_takes_parameters_is_deleted(capsys):
    # given a workspace with 70,000 records, index rows, search tokens, events and deliveries
    doomed, kept = create_workspace("Doomed"), create_workspace("Kept")
    fill(kept)
    kept_before = tenant_rows(kept.pk)
    webhook = Webhook.objects.create(
        workspace=doomed, target_url="https://h.example.com", operations=["*.*"], secret="s"
    )
    bulk_insert(doomed, webhook)
    before = tenant_rows(doomed.pk)
    assert [before[t] for t in ("core_app_record", "webhooks_app_event", "webhooks_app_delivery")] == [BIG] * 3

    # when the management command deletes it
    call_command("delete_workspace", str(doomed.pk), "--yes")

    # then every row of it is gone, the other workspace's rows untouched
    assert capsys.readouterr().out == f"Deleted workspace Doomed ({doomed.pk}).\n"
    assert tenant_rows(doomed.pk) == dict.fromkeys(TENANT_TABLES, 0)
    assert tenant_rows(kept.pk) == kept_before
