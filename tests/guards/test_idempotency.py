"""Idempotency keys (README, "Idempotency keys"): a repeat is replayed byte for byte, another request with the
same key is a 422, a repeat while the first runs is a 409, nothing is stored for a refused request,
and a crash before the commit leaves nothing behind."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from apikeys_app.services import create_api_key
from core_app.signals import records_changed
from guards_app import tasks
from guards_app.models import IdempotencyKey, RateBucket
from metadata_app.services.workspaces import create_workspace
from tests.guards.conftest import Caller, stored

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "7f2c9a4e-create-acme"}


def names() -> list[str]:
    return sorted(stored().values_list("data__name", flat=True))


def replayed(response) -> str | None:
    return response.get("Idempotent-Replayed")


def test_a_repeated_create_is_replayed_byte_for_byte_and_writes_once(caller):
    # given
    first = caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    # when
    second = caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    # then
    assert (first[0], second[0]) == (201, 201)
    assert second[1].content == first[1].content
    assert (replayed(first[1]), replayed(second[1])) == (None, "true")
    assert second[1]["Content-Type"] == "application/json"
    assert second[1]["ETag"] == first[1]["ETag"]
    assert names() == ["Acme"]


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(caller):
    caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    status, _, body = caller.call("POST", "/rest/companies", {"name": "Globex"}, KEY)
    assert (status, body) == (
        422,
        {
            "statusCode": 422,
            "error": "UnprocessableEntityException",
            "messages": [
                "Idempotency-Key '7f2c9a4e-create-acme' was already used for a different request; "
                "use a new key for a new request"
            ],
        },
    )
    assert names() == ["Acme"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", "/rest/companies?upsert=true", {"name": "Acme"}, id="other_query_string"),
        pytest.param("POST", "/rest/opportunities", {"name": "Acme"}, id="other_path"),
        pytest.param("POST", "/rest/batch/companies", [{"name": "Acme"}], id="other_route"),
    ],
)
def test_the_same_key_on_another_route_is_a_422(caller, method, path, body):
    caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    assert caller.call(method, path, body, KEY)[0] == 422


def test_the_same_key_sent_with_another_api_key_is_a_422(caller, workspace):
    caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    other = Caller(create_api_key(workspace, {"name": "second key"})[1])
    assert other.call("POST", "/rest/companies", {"name": "Acme"}, KEY)[0] == 422


def test_keys_are_kept_per_workspace(caller, other_workspace):
    # given
    caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    other = Caller(create_api_key(other_workspace, {"name": "other key"})[1])
    # when
    status, response, _ = other.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    # then
    assert (status, replayed(response)) == (201, None)
    assert stored().filter(workspace_id=other_workspace.pk).count() == 1


def test_a_request_refused_before_writing_stores_nothing(caller):
    # given
    status, _, body = caller.call("POST", "/rest/companies", {"employees": "many"}, KEY)
    assert (status, body["error"]) == (400, "BadRequestException")
    # when: the corrected request, with the same key
    status, response, _ = caller.call("POST", "/rest/companies", {"name": "Acme", "employees": 5}, KEY)
    # then
    assert (status, replayed(response)) == (201, None)
    assert IdempotencyKey.objects.count() == 1


def test_a_404_stores_nothing(caller):
    missing = "/rest/companies/0b9e0d8c-2f1a-4c53-9b8e-3d7f6a5c4b21"
    assert caller.call("PATCH", missing, {"name": "X"}, KEY)[0] == 404
    assert IdempotencyKey.objects.count() == 0


def test_a_crash_before_the_commit_leaves_nothing_and_the_retry_writes_once(caller):
    # given: the first attempt dies after the record was written, before the commit
    crashes = []

    def crash_once(sender, **kwargs):
        if not crashes:
            crashes.append(True)
            raise RuntimeError("the process died here")

    records_changed.connect(crash_once)
    try:
        crashed = caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
        assert (crashed[0], names(), IdempotencyKey.objects.count()) == (500, [], 0)
        # when
        status, response, _ = caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
        again = caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    finally:
        records_changed.disconnect(crash_once)
    # then
    assert (status, replayed(response), again[0], replayed(again[1])) == (201, None, 201, "true")
    assert names() == ["Acme"]


def company(caller, name: str) -> dict:
    status, _, body = caller.call("POST", "/rest/companies", {"name": name})
    assert status == 201
    return next(iter(body["data"].values()))


@pytest.mark.parametrize(
    ("method", "route", "body", "expected"),
    [
        pytest.param("POST", "/rest/batch/companies", [{"name": "B1"}, {"name": "B2"}], ["A", "B1", "B2"], id="batch"),
        pytest.param("POST", "/rest/companies?upsert=true", {"name": "U"}, ["A", "U"], id="upsert"),
        pytest.param("PATCH", "/rest/companies/{id}", {"name": "A2"}, ["A2"], id="update_one"),
        pytest.param("PUT", "/rest/companies/{id}", {"name": "A2"}, ["A2"], id="put_one"),
        pytest.param("PATCH", '/rest/companies?filter=name[eq]:"A"', {"name": "A3"}, ["A3"], id="update_many"),
        pytest.param("DELETE", "/rest/companies/{id}", None, [], id="destroy_one"),
        pytest.param("DELETE", "/rest/companies/{id}?soft_delete=true", None, ["A"], id="soft_delete_one"),
        pytest.param("DELETE", '/rest/companies?filter=name[eq]:"A"', None, [], id="destroy_many"),
    ],
)
def test_every_write_route_is_replayed(caller, method, route, body, expected):
    # given
    record = company(caller, "A")
    path = route.replace("{id}", record["id"])
    # when
    first = caller.call(method, path, body, KEY)
    second = caller.call(method, path, body, KEY)
    # then
    assert first[0] in (200, 201)
    assert (second[0], second[1].content, replayed(second[1])) == (first[0], first[1].content, "true")
    assert names() == expected


def test_restore_and_merge_are_replayed(caller):
    # given
    a, b = company(caller, "A"), company(caller, "B")
    caller.call("DELETE", f"/rest/companies/{a['id']}?soft_delete=true")
    # when
    restores = [
        caller.call("PATCH", f"/rest/restore/companies/{a['id']}", None, {"Idempotency-Key": "r"}) for _ in "12"
    ]
    merge = {"ids": [a["id"], b["id"]], "conflictPriorityIndex": 0}
    merges = [caller.call("PATCH", "/rest/companies/merge", merge, {"Idempotency-Key": "m"}) for _ in "12"]
    # then
    assert [(s, replayed(r)) for s, r, _ in restores] == [(200, None), (200, "true")]
    assert [(s, replayed(r)) for s, r, _ in merges] == [(200, None), (200, "true")]
    assert restores[1][1].content == restores[0][1].content and merges[1][1].content == merges[0][1].content
    assert stored().filter(deleted_at__isnull=True).count() == 1


def test_reads_and_duplicates_ignore_the_key(caller):
    assert caller.call("POST", "/rest/companies/duplicates", {"data": [{"name": "A"}]}, KEY)[0] == 200
    assert caller.call("GET", "/rest/companies", None, KEY)[0] == 200
    assert IdempotencyKey.objects.count() == 0


def test_an_expired_key_runs_the_request_again(caller, settings):
    settings.IDEMPOTENCY_KEY_TTL = 0
    caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    status, response, _ = caller.call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    assert (status, replayed(response)) == (201, None)
    assert names() == ["Acme", "Acme"]
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("x" * 256, "x" * 256, id="too_long"),
        pytest.param("", "", id="empty"),
        pytest.param('""', '""', id="empty_quoted"),
    ],
)
def test_an_unusable_key_is_a_400(caller, raw, message):
    status, _, body = caller.call("POST", "/rest/companies", {"name": "Acme"}, {"Idempotency-Key": raw})
    assert (status, body["messages"]) == (
        400,
        [f"Idempotency-Key must be 1 to 255 printable ASCII characters, e.g. a UUID (got {message!r})"],
    )
    assert names() == []


def test_a_quoted_key_is_the_same_key(caller):
    caller.call("POST", "/rest/companies", {"name": "Acme"}, {"Idempotency-Key": "abc"})
    status, response, _ = caller.call("POST", "/rest/companies", {"name": "Acme"}, {"Idempotency-Key": '"abc"'})
    assert (status, replayed(response)) == (201, "true")


# --- GraphQL ------------------------------------------------------------------------------------

CREATE = 'mutation { createCompany(data: {name: "Acme"}) { id name } }'


def test_a_repeated_graphql_mutation_is_replayed(caller):
    first = caller.graphql(CREATE, headers=KEY)
    second = caller.graphql(CREATE, headers=KEY)
    assert (first[0], second[0], replayed(second[1])) == (200, 200, "true")
    assert second[1].content == first[1].content
    assert names() == ["Acme"]


def test_a_graphql_mutation_whose_every_field_failed_stores_nothing(caller):
    bad = 'mutation { createPerson(data: {companyId: "0b9e0d8c-2f1a-4c53-9b8e-3d7f6a5c4b21"}) { id } }'
    status, _, body = caller.graphql(bad, headers=KEY)
    assert (status, body["data"]) == (200, None)
    assert IdempotencyKey.objects.count() == 0
    assert caller.graphql(CREATE, headers=KEY)[2]["data"]["createCompany"]["name"] == "Acme"


def test_a_graphql_mutation_with_another_document_and_the_same_key_is_a_422(caller):
    caller.graphql(CREATE, headers=KEY)
    status, _, body = caller.graphql(CREATE.replace("Acme", "Globex"), headers=KEY)
    assert status == 422
    assert body["errors"][0]["extensions"]["code"] == "UNPROCESSABLE_CONTENT"
    assert names() == ["Acme"]


def test_graphql_queries_ignore_the_key(caller):
    caller.graphql("{ companies { totalCount } }", headers=KEY)
    assert IdempotencyKey.objects.count() == 0


# --- purge on the task worker --------------------------------------------------------------------


def test_storing_a_key_queues_the_purge_and_the_purge_deletes_expired_keys(caller, settings, monkeypatch):
    # given: no bucket left by servers of other tests
    RateBucket.objects.all().delete()
    monkeypatch.setattr(tasks, "_next_check", 0.0)
    settings.IDEMPOTENCY_KEY_TTL = 0
    caller.call("POST", "/rest/companies", {"name": "Old"}, {"Idempotency-Key": "old"})
    settings.IDEMPOTENCY_KEY_TTL = 3600
    caller.call("POST", "/rest/companies", {"name": "New"}, {"Idempotency-Key": "new"})
    queued = DBTaskResult.objects.filter(task_path="guards_app.tasks.purge_guards")
    assert queued.count() == 1
    # when: the worker runs the job
    deleted = tasks.purge_guards.call()
    # then
    assert deleted == {"idempotency_keys": 1, "buckets": 0}
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert queued.filter(status="READY").count() == 1


def test_the_purge_command_reports_what_it_deleted(caller, settings, capsys):
    RateBucket.objects.all().delete()  # none left by servers of other tests
    settings.IDEMPOTENCY_KEY_TTL = 0
    caller.call("POST", "/rest/companies", {"name": "Old"}, {"Idempotency-Key": "old"})
    call_command("purge_guards")
    assert capsys.readouterr().out == "Deleted 1 idempotency keys and 0 buckets\n"


# --- concurrency (PostgreSQL): a repeat while the first runs is a 409 -----------------------------
# These tests commit (transaction=True) and the database is flushed after each: keep them last.


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_repeat_while_the_first_request_runs_is_a_409():
    # given: the first request holds inside its write until released
    _, token = create_api_key(create_workspace("Race"), {"name": "race key"})
    inside, release = threading.Event(), threading.Event()
    answers: dict[str, tuple] = {}

    def hold(sender, **kwargs):
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(timeout=20)

    def first() -> None:
        try:
            answers["first"] = Caller(token).call("POST", "/rest/companies", {"name": "Acme"}, KEY)
        finally:
            connection.close()

    records_changed.connect(hold)
    try:
        thread = threading.Thread(target=first, name="first")
        thread.start()
        assert inside.wait(timeout=20)
        # when
        status, response, body = Caller(token).call("POST", "/rest/companies", {"name": "Acme"}, KEY)
        release.set()
        thread.join(timeout=20)
    finally:
        release.set()
        records_changed.disconnect(hold)
    # then
    assert (status, body, response["Retry-After"]) == (
        409,
        {
            "statusCode": 409,
            "error": "ConflictException",
            "messages": [
                "A request with Idempotency-Key '7f2c9a4e-create-acme' is still being processed; "
                "retry once it has finished"
            ],
        },
        "1",
    )
    assert answers["first"][0] == 201
    after = Caller(token).call("POST", "/rest/companies", {"name": "Acme"}, KEY)
    assert (after[0], after[1].content, replayed(after[1])) == (201, answers["first"][1].content, "true")
    assert names() == ["Acme"]
