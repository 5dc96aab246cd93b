"""Conditional requests on records (README, "Conditional requests"): a strong ETag per record version, 304 for
``If-None-Match``, 412 for ``If-Match`` on a changed record with nothing written, checked with the
rows locked inside the write's transaction."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection

from apikeys_app.services import create_api_key
from metadata_app.services.workspaces import create_workspace
from tests.guards.conftest import Caller, stored

pytestmark = pytest.mark.django_db

ETAG = re.compile(r'^"[A-Za-z0-9_-]{22}"$')


def company(caller, name: str) -> dict:
    status, _, body = caller.call("POST", "/rest/companies", {"name": name})
    assert status == 201
    return next(iter(body["data"].values()))


def etag_of(caller, record_id: str) -> str:
    status, response, _ = caller.call("GET", f"/rest/companies/{record_id}")
    assert status == 200
    return response["ETag"]


def changed(record_id: str) -> dict:
    return {
        "statusCode": 412,
        "error": "PreconditionFailedException",
        "messages": [
            f"Record {record_id} has changed since its ETag was read (If-Match does not match); read it again"
        ],
    }


def name_of(record_id: str) -> str | None:
    row = stored().filter(id=record_id).values_list("data__name", flat=True).first()
    return row


def test_a_record_has_a_strong_etag_that_changes_with_every_write(caller):
    # given
    acme = company(caller, "Acme")
    before = etag_of(caller, acme["id"])
    # when
    status, response, _ = caller.call("PATCH", f"/rest/companies/{acme['id']}", {"employees": 5})
    # then
    assert status == 200 and ETAG.match(before)
    assert etag_of(caller, acme["id"]) == response["ETag"] != before
    assert etag_of(caller, acme["id"]) == response["ETag"]


def test_create_update_restore_and_soft_delete_answer_with_the_new_etag(caller):
    status, created, body = caller.call("POST", "/rest/companies", {"name": "Acme"})
    record_id = next(iter(body["data"].values()))["id"]
    assert status == 201
    assert created["ETag"] == etag_of(caller, record_id)
    deleted = caller.call("DELETE", f"/rest/companies/{record_id}?soft_delete=true")[1]
    restored = caller.call("PATCH", f"/rest/restore/companies/{record_id}")[1]
    assert len({created["ETag"], deleted["ETag"], restored["ETag"]}) == 3
    assert restored["ETag"] == etag_of(caller, record_id)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("{tag}", 304, id="current"),
        pytest.param('"stale", {tag}', 304, id="in_a_list"),
        pytest.param("W/{tag}", 304, id="weak_comparison"),
        pytest.param("*", 304, id="any"),
        pytest.param('"stale"', 200, id="stale"),
    ],
)
def test_if_none_match_answers_304_without_a_body(caller, header, expected):
    # given
    acme = company(caller, "Acme")
    tag = etag_of(caller, acme["id"])
    # when
    status, response, body = caller.call(
        "GET", f"/rest/companies/{acme['id']}", None, {"If-None-Match": header.format(tag=tag)}
    )
    # then
    assert (status, response["ETag"]) == (expected, tag)
    assert (body is None) == (expected == 304)


def test_reads_at_depth_carry_no_etag_and_ignore_if_none_match(caller):
    acme = company(caller, "Acme")
    tag = etag_of(caller, acme["id"])
    status, response, _ = caller.call("GET", f"/rest/companies/{acme['id']}?depth=1", None, {"If-None-Match": tag})
    assert (status, response.get("ETag")) == (200, None)


def test_a_data_model_change_changes_the_etag(caller):
    acme = company(caller, "Acme")
    before = etag_of(caller, acme["id"])
    objects = caller.call("GET", "/rest/metadata/objects")[2]["data"]["objects"]
    company_id = next(o["id"] for o in objects if o["nameSingular"] == "company")
    field = {"objectMetadataId": company_id, "type": "TEXT", "name": "motto", "label": "Motto"}
    assert caller.call("POST", "/rest/metadata/fields", field)[0] == 201
    assert etag_of(caller, acme["id"]) != before


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        pytest.param("PATCH", "", {"name": "Changed"}, id="patch"),
        pytest.param("PUT", "", {"name": "Changed"}, id="put"),
        pytest.param("DELETE", "", None, id="destroy"),
        pytest.param("DELETE", "?soft_delete=true", None, id="soft_delete"),
    ],
)
def test_if_match_with_a_stale_etag_is_a_412_and_writes_nothing(caller, method, suffix, body):
    # given: the record changed after its ETag was read
    acme = company(caller, "Acme")
    stale = etag_of(caller, acme["id"])
    caller.call("PATCH", f"/rest/companies/{acme['id']}", {"name": "Acme Inc"})
    # when
    status, _, answer = caller.call(method, f"/rest/companies/{acme['id']}{suffix}", body, {"If-Match": stale})
    # then
    assert (status, answer) == (412, changed(acme["id"]))
    assert stored().filter(id=acme["id"], deleted_at__isnull=True).values_list("data__name", flat=True)[0] == "Acme Inc"


@pytest.mark.parametrize(
    ("method", "suffix", "body", "status"),
    [
        pytest.param("PATCH", "", {"name": "Changed"}, 200, id="patch"),
        pytest.param("PUT", "", {"name": "Changed"}, 200, id="put"),
        pytest.param("DELETE", "", None, 200, id="destroy"),
        pytest.param("DELETE", "?soft_delete=true", None, 200, id="soft_delete"),
    ],
)
def test_if_match_with_the_current_etag_writes(caller, method, suffix, body, status):
    acme = company(caller, "Acme")
    tag = etag_of(caller, acme["id"])
    assert caller.call(method, f"/rest/companies/{acme['id']}{suffix}", body, {"If-Match": tag})[0] == status


def test_restore_with_if_match(caller):
    acme = company(caller, "Acme")
    deleted = caller.call("DELETE", f"/rest/companies/{acme['id']}?soft_delete=true")[1]["ETag"]
    stale = caller.call("PATCH", f"/rest/restore/companies/{acme['id']}", None, {"If-Match": '"stale"'})
    assert (stale[0], stale[2]) == (412, changed(acme["id"]))
    assert caller.call("PATCH", f"/rest/restore/companies/{acme['id']}", None, {"If-Match": deleted})[0] == 200


def test_if_match_any_needs_only_the_record_and_a_missing_record_is_a_404(caller):
    acme = company(caller, "Acme")
    assert caller.call("PATCH", f"/rest/companies/{acme['id']}", {"name": "B"}, {"If-Match": "*"})[0] == 200
    missing = "/rest/companies/0b9e0d8c-2f1a-4c53-9b8e-3d7f6a5c4b21"
    assert caller.call("PATCH", missing, {"name": "B"}, {"If-Match": '"x"'})[0] == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", "/rest/companies", {"name": "A"}, id="create"),
        pytest.param("POST", "/rest/batch/companies", [{"name": "A"}], id="batch"),
        pytest.param("PATCH", "/rest/companies/merge", {"ids": []}, id="merge"),
    ],
)
def test_if_match_on_a_create_or_a_merge_is_a_400(caller, method, path, body):
    status, _, answer = caller.call(method, path, body, {"If-Match": '"x"'})
    assert (status, answer["messages"]) == (
        400,
        [
            "If-Match applies to existing records: send it with PATCH, PUT or DELETE on /rest/{plural}/{id}, "
            "with PATCH /rest/restore/{plural}/{id}, or with a route by filter"
        ],
    )
    assert stored().count() == 0


def test_a_malformed_if_match_is_a_400(caller):
    acme = company(caller, "Acme")
    status, _, answer = caller.call("PATCH", f"/rest/companies/{acme['id']}", {"name": "B"}, {"If-Match": "abc"})
    assert (status, answer["messages"]) == (
        400,
        ["If-Match must be * or a comma-separated list of ETags such as \"abc\" (got 'abc')"],
    )


def test_a_weak_etag_never_matches_if_match(caller):
    acme = company(caller, "Acme")
    tag = etag_of(caller, acme["id"])
    assert caller.call("PATCH", f"/rest/companies/{acme['id']}", {"name": "B"}, {"If-Match": f"W/{tag}"})[0] == 412


# --- routes by filter: one ETag per record -------------------------------------------------------


def test_an_update_by_filter_with_every_current_etag_writes(caller):
    a, b = company(caller, "A"), company(caller, "B")
    tags = f"{etag_of(caller, a['id'])}, {etag_of(caller, b['id'])}"
    status, _, _ = caller.call(
        "PATCH", "/rest/companies?filter=employees[is]:NULL", {"employees": 3}, {"If-Match": tags}
    )
    assert status == 200
    assert sorted(stored().values_list("data__employees", flat=True)) == [3, 3]


def test_an_update_by_filter_with_one_stale_etag_is_a_412_and_writes_nothing(caller):
    # given
    a, b = company(caller, "A"), company(caller, "B")
    tags = f"{etag_of(caller, a['id'])}, {etag_of(caller, b['id'])}"
    caller.call("PATCH", f"/rest/companies/{b['id']}", {"name": "B2"})
    # when
    status, _, answer = caller.call(
        "PATCH", "/rest/companies?filter=employees[is]:NULL", {"employees": 3}, {"If-Match": tags}
    )
    # then
    assert (status, answer) == (412, changed(b["id"]))
    assert sorted(stored().values_list("data__employees", flat=True), key=str) == [None, None]


def test_a_record_missing_from_the_list_fails_the_bulk_write(caller):
    a, _b = company(caller, "A"), company(caller, "B")
    status, _, _ = caller.call(
        "DELETE", "/rest/companies?filter=employees[is]:NULL", None, {"If-Match": etag_of(caller, a["id"])}
    )
    assert status == 412
    assert stored().count() == 2


# --- concurrency (PostgreSQL): no race between the check and the write ----------------------------
# These tests commit (transaction=True) and the database is flushed after each: keep them last.

WRITERS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_with_the_same_etag_let_exactly_one_write():
    # given
    _, token = create_api_key(create_workspace("Race"), {"name": "race key"})
    acme = company(Caller(token), "Acme")
    tag = etag_of(Caller(token), acme["id"])
    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = [0] * WRITERS

    def write(n: int) -> None:
        try:
            caller = Caller(token)
            barrier.wait(timeout=10)
            statuses[n] = caller.call(
                "PATCH", f"/rest/companies/{acme['id']}", {"name": f"Writer {n}"}, {"If-Match": tag}
            )[0]
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
    winner = statuses.index(200)
    assert name_of(acme["id"]) == f"Writer {winner}"
