"""Who may import and export: workspaces sealed (404 for another's job), roles' rights (403)."""

from __future__ import annotations

import json

import pytest

from tests.roles.conftest import Roles
from tests.seeding import fast_client
from tests.transfers.conftest import Transfers
from transfers_app.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(workspace) -> Roles:
    return Roles(workspace)


def queued_job(transfer: Transfers) -> str:
    """The id of a job queued by ``transfer``'s key."""
    status, body, _ = transfer.post_file("people", "First\r\nAda\r\n", mapping={"First": "name.firstName"})
    assert status == 202, body
    return body["data"]["id"]


@pytest.mark.parametrize("suffix", ["", "/errors", "/errors?format=csv"])
def test_another_workspaces_key_cannot_see_a_job(transfer, other_transfer, suffix):
    # given
    job_id = queued_job(transfer)

    # when
    response = other_transfer.api.client.get(f"/rest/imports/{job_id}{suffix}", **other_transfer.api.headers())

    # then
    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "error": "NotFoundException",
        "messages": [f"Import job {job_id} not found"],
    }


def test_a_job_id_that_is_not_a_uuid_is_not_found(transfer):
    status, body = transfer.api.get("/rest/imports/not-a-uuid")
    assert (status, body["messages"]) == (404, ["Import job not-a-uuid not found"])


def test_routes_need_a_key(anonymous_client):
    assert (
        anonymous_client.post("/rest/imports/people", data=b"First\nAda\n", content_type="text/csv").status_code == 401
    )
    assert anonymous_client.get("/rest/exports/people").status_code == 401


@pytest.fixture
def anonymous_client():
    return fast_client(None).client


def test_an_import_needs_the_right_to_create_and_update(roles):
    # given: a role that reads people but may not write them
    reader = Transfers(roles.rest(roles.make("Reader", rights=("read",))))

    # when
    status, body, _ = reader.post_file("people", "First\r\nAda\r\n", mapping={"First": "name.firstName"})

    # then
    assert (status, body["statusCode"]) == (403, 403)
    assert body["messages"] == ["Entity performing the request does not have permission to create or update people"]
    assert ImportJob.objects.count() == 0


def test_an_import_of_a_field_the_role_may_not_write_is_refused(roles):
    # given
    role = roles.make(
        "No titles", rights=("read", "update"), fields={("people", "jobTitle"): {"canUpdateFieldValue": False}}
    )
    writer = Transfers(roles.rest(role))

    # when
    status, _body, _ = writer.post_file("people", "Title\r\nBoss\r\n", mapping={"Title": "jobTitle"})

    # then
    assert status == 403
    assert ImportJob.objects.count() == 0


def test_an_import_may_not_link_by_a_field_the_role_cannot_read(roles):
    # given: a role that writes people and reads companies, but not their domain
    role = roles.make(
        "No domains", rights=("read", "update"), fields={("companies", "domainName"): {"canReadFieldValue": False}}
    )
    writer = Transfers(roles.rest(role))
    # when
    status, body, _ = writer.post_file(
        "people", "First,Domain\r\nAda,https://acme.com\r\n",
        mapping={"First": "name.firstName", "Domain": "company.domainName.primaryLinkUrl"},
    )  # fmt: skip
    # then: as a filter on it is refused
    assert (status, body["messages"]) == (
        403,
        ["Entity performing the request does not have permission to read field 'domainName' of company"],
    )
    assert ImportJob.objects.count() == 0


def test_an_export_needs_the_right_to_read(roles):
    # given
    blind = Transfers(roles.rest(roles.make("Blind", rights=("read",), objects={"people": {"read": False}})))

    # when
    status, content, _ = blind.export("people")

    # then
    assert (status, json.loads(content)["messages"]) == (
        403,
        ["Entity performing the request does not have permission to read people"],
    )


def test_an_export_leaves_out_the_fields_the_role_cannot_read(roles, records):
    # given
    records.person("Ada", "Lovelace", jobTitle="Countess")
    role = roles.make("No titles", rights=("read",), fields={("people", "jobTitle"): {"canReadFieldValue": False}})

    # when
    status, content, _ = Transfers(roles.rest(role)).export("people", format="ndjson")

    # then
    [person] = [json.loads(line) for line in content.decode().splitlines()]
    assert status == 200
    assert "jobTitle" not in person
    assert person["name"] == {"firstName": "Ada", "lastName": "Lovelace"}


def test_a_job_runs_with_its_keys_role_as_it_is_when_the_job_runs(roles, run_worker):
    # given: the role loses the right to write people after the job was queued
    role = roles.make("Writer", rights=("read", "update"))
    writer = Transfers(roles.rest(role))
    job_id = queued_job(writer)
    from roles_app import services

    services.update_role(roles.workspace, role.pk, {"canUpdateAllObjectRecords": False})

    # when
    run_worker()

    # then
    job = writer.job(job_id)
    assert job["status"] == "FAILED"
    assert job["error"] == "Entity performing the request does not have permission to create or update people"
    assert job["counts"] == {"created": 0, "updated": 0, "failed": 0}
