"""Record writes and data-model changes of one workspace do not overlap (``metadata_app.services.locking``).

A write is checked against the data model its key read; a change checks the existing records
and backfills them. Either the change waits for a write in progress (and its checks and backfill
see that write), or the write waits for the change and, finding a newer model than the one it
was checked against, answers 409 with nothing written.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.db.models import F

from metadata_app.models import Workspace
from metadata_app.services.workspaces import create_workspace
from tests.core.conftest import client_for
from tests.core.helpers import first_value
from tests.metadata.helpers import create_field, object_id
from tests.statements import sent
from webhooks_app.models import Event

CHANGED = (
    "The workspace's data model changed while this request was being handled; nothing was written. "
    "Send the request again."
)
CONFLICT = {"statusCode": 409, "error": "ConflictException", "messages": [CHANGED]}


def is_hold(sql: str) -> bool:
    """Whether ``sql`` holds a write's data model (alone, or with the write's first rows on PostgreSQL)."""
    return "SELECT metadata_version FROM metadata_app_workspace" in sql


@contextmanager
def model_changed_before_the_write(workspace: Workspace) -> Iterator[None]:
    """Bump the workspace's metadata version just before a write holds its model, as a change
    committed by another process after this request read its key would have."""

    def bump_first(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        if is_hold(sql):
            Workspace.objects.filter(pk=workspace.pk).update(metadata_version=F("metadata_version") + 1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(bump_first):
        yield


def live_people(api) -> list[str]:
    """Names (first names) of the workspace's live people, in id order."""
    status, body = api.get("/rest/people", order_by="id", limit=200)
    assert status == 200, body
    return [person["name"]["firstName"] for person in body["data"]["people"]]


# --- a write prepared under an older model (both databases) -----------------------------------------


def test_a_create_prepared_under_an_older_model_answers_409_and_writes_nothing(api, workspace):
    # given
    before = live_people(api)
    events = Event.objects.count()
    # when
    with model_changed_before_the_write(workspace):
        response = api.client.post(
            "/rest/people", data={"name": {"firstName": "Late"}}, content_type="application/json", **api.headers()
        )
    # then
    assert (response.status_code, response.json(), response["Retry-After"]) == (409, CONFLICT, "1")
    assert live_people(api) == before
    assert Event.objects.count() == events
    # and the same request sent again is written
    status, body = api.post("/rest/people", {"name": {"firstName": "Late"}})
    assert (status, first_value(body)["name"]["firstName"]) == (201, "Late")
    assert live_people(api) == [*before, "Late"]


def test_an_update_and_a_delete_prepared_under_an_older_model_answer_409(api, workspace):
    # given
    status, body = api.post("/rest/people", {"name": {"firstName": "Ada"}})
    assert status == 201, body
    person = first_value(body)["id"]
    # when
    with model_changed_before_the_write(workspace):
        updated = api.patch(f"/rest/people/{person}", {"name": {"firstName": "Grace"}})
        deleted = api.delete(f"/rest/people/{person}", soft_delete="true")
    # then
    assert updated == (409, CONFLICT)
    assert deleted == (409, CONFLICT)
    assert live_people(api) == ["Ada"]


def test_graphql_answers_the_same_conflict(api, workspace):
    # given
    mutation = 'mutation { createPerson(data: {name: {firstName: "Late"}}) { id } }'
    # when
    with model_changed_before_the_write(workspace):
        status, body = api.post("/graphql", {"query": mutation})
    # then
    assert status == 200
    assert body == {
        "errors": [
            {
                "message": CHANGED,
                "locations": [{"line": 1, "column": 12}],
                "path": ["createPerson"],
                "extensions": {"code": "CONFLICT", "userFriendlyMessage": CHANGED, "messages": [CHANGED]},
            }
        ],
        "data": None,
    }
    assert live_people(api) == []


# --- overlapping for real (PostgreSQL) ----------------------------------------------------------------
# These tests commit (transaction=True) and the database is flushed after each.


@pytest.fixture
def committed(transactional_db):
    """A fresh committed workspace (the seeded ones do not survive a flush), its client and token."""
    from apikeys_app.services import create_api_key

    workspace = create_workspace("Overlap")
    _, token = create_api_key(workspace, {"name": "test key"})
    return workspace, client_for(token), token


class PausedWrite(threading.Thread):
    """A request (``call(client)``) that stops once it holds its data model, until released."""

    def __init__(self, token: str, call: Callable[[Any], Any]) -> None:
        super().__init__(daemon=True)
        self.token, self.call = token, call
        self.holding, self.release = threading.Event(), threading.Event()
        self.answer: Any = None

    def pause_after_hold(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if is_hold(sql):
            self.holding.set()
            self.release.wait(timeout=30)
        return result

    def run(self) -> None:
        try:
            with connection.execute_wrapper(self.pause_after_hold):
                self.answer = self.call(client_for(self.token))
        finally:
            connection.close()


class Background(threading.Thread):
    """A request (``call(client)``) run on a connection of its own."""

    def __init__(self, token: str, call: Callable[[Any], Any]) -> None:
        super().__init__(daemon=True)
        self.token, self.call = token, call
        self.answer: Any = None

    def run(self) -> None:
        try:
            self.answer = self.call(client_for(self.token))
        finally:
            connection.close()


def change_during(token: str, write: Callable[[Any], Any], change: Callable[[Any], Any]) -> tuple[Any, Any, bool]:
    """Start ``write``, start ``change`` while the write holds its model, then let the write finish.

    Returns both answers and whether the change was still waiting when the write was released.
    """
    paused = PausedWrite(token, write)
    paused.start()
    assert paused.holding.wait(timeout=30), "the write never held its data model"
    changing = Background(token, change)
    changing.start()
    changing.join(timeout=1.0)
    waited = changing.is_alive()
    paused.release.set()
    paused.join(timeout=30)
    changing.join(timeout=30)
    return paused.answer, changing.answer, waited


def badge_changed_while_grace_is_written(committed, grace: str, patch: dict, **field: Any):
    """Ada holds badge "B-1"; Grace (badge ``grace``) is being written while ``patch`` changes the field.

    Returns the client, the write's and the change's answers, and whether the change waited.
    """
    workspace, api, token = committed
    badge = create_field(api, object_id(workspace, "person"), "badge", **field)["id"]
    assert api.post("/rest/people", {"name": {"firstName": "Ada"}, "badge": "B-1"})[0] == 201
    written, changed, waited = change_during(
        token,
        lambda client: client.post("/rest/people", {"name": {"firstName": "Grace"}, "badge": grace}),
        lambda client: client.patch(f"/rest/metadata/fields/{badge}", patch),
    )
    return api, written, changed, waited


def first_names(api, **params: Any) -> tuple[int, list[str]]:
    """(status, first names) of a list of people."""
    status, body = api.get("/rest/people", **params)
    return status, [p["name"]["firstName"] for p in body["data"]["people"]]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_making_a_field_unique_waits_for_a_write_in_progress_and_sees_its_value(committed):
    # when: a second "B-1" is being written while the field is made unique
    api, written, changed, waited = badge_changed_while_grace_is_written(committed, "B-1", {"isUnique": True})
    # then: the change waited, saw both values and refused; both people are there
    assert waited is True
    assert written[0] == 201, written
    assert changed == (
        400,
        {
            "statusCode": 400,
            "error": "BadRequestException",
            "messages": [
                'Cannot make field "badge" unique: 2 records share 1 value with another record. '
                "Make their values distinct first."
            ],
        },
    )
    assert first_names(api, filter="badge[eq]:B-1", order_by="name.firstName") == (200, ["Ada", "Grace"])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_indexing_a_field_waits_for_a_write_in_progress_and_indexes_its_record(committed):
    # when: a person is being written while the field (not indexed) becomes indexed
    api, written, changed, waited = badge_changed_while_grace_is_written(
        committed, "B-2", {"isIndexed": True}, isIndexed=False
    )
    # then: the change waited, and its index holds the new record too
    assert waited is True
    assert (written[0], changed[0]) == (201, 200), (written, changed)
    assert first_names(api, filter="badge[eq]:B-2") == (200, ["Grace"])
    assert first_names(api, order_by="badge", fields="name") == (200, ["Ada", "Grace"])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_write_waits_for_a_change_in_progress_then_answers_409(committed):
    # given: another session is changing the data model (its workspace row locked and version bumped)
    workspace, api, token = committed
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"]
    ) as other:
        other.execute(
            "UPDATE metadata_app_workspace SET metadata_version = metadata_version + 1 WHERE id = %s", [workspace.pk]
        )
        # when
        write = Background(token, lambda client: client.post("/rest/people", {"name": {"firstName": "Ada"}}))
        write.start()
        write.join(timeout=1.0)
        waited = write.is_alive()
        other.commit()
    write.join(timeout=30)
    # then
    assert waited is True
    assert write.answer == (409, CONFLICT)
    assert live_people(api) == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_change_waits_only_for_the_writes_in_progress_and_later_writes_queue_behind_it(committed):
    # given: a write holds the data model; a change of it starts and waits
    workspace, api, token = committed
    badge = create_field(api, object_id(workspace, "person"), "badge")["id"]
    paused = PausedWrite(token, lambda client: client.post("/rest/people", {"name": {"firstName": "Ada"}}))
    paused.start()
    assert paused.holding.wait(timeout=30)
    change = Background(token, lambda client: client.patch(f"/rest/metadata/fields/{badge}", {"isIndexed": False}))
    change.start()
    change.join(timeout=0.5)
    # when: another write comes while the change waits
    later = Background(token, lambda client: client.post("/rest/people", {"name": {"firstName": "Grace"}}))
    later.start()
    later.join(timeout=1.0)
    queued = later.is_alive()
    paused.release.set()
    for thread in (paused, change, later):
        thread.join(timeout=30)
    # then: the later write waited behind the change (it did not keep the change waiting), and
    # found the model changed
    assert queued is True
    assert (paused.answer[0], change.answer[0]) == (201, 200), (paused.answer, change.answer)
    assert later.answer == (409, CONFLICT)
    assert first_names(api, order_by="name.firstName") == (200, ["Ada"])


def test_a_merge_holds_its_data_model_before_it_locks_its_records(api, workspace):
    # given
    ids = [first_value(api.post("/rest/people", {"name": {"firstName": name}})[1])["id"] for name in ("Ada", "Bo")]
    # when
    with sent() as statements:
        status, body = api.patch("/rest/people/merge", {"ids": ids, "conflictPriorityIndex": 0})
    # then
    assert status == 200, body
    hold = next(i for i, (sql, _) in enumerate(statements) if is_hold(sql))
    first_read = next(i for i, (sql, _) in enumerate(statements) if "FROM core_app_record" in sql)
    if connection.vendor != "postgresql":
        assert hold < first_read  # before the records are read
        return
    # On PostgreSQL the hold is the gate of the read that locks the records: a one-time filter
    # over the scan, evaluated before the scan returns (and LockRows locks) its first row.
    assert hold == first_read
    sql, params = statements[hold]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        explained = cursor.fetchone()[0]
    lock_rows = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    gate = next(node for node in lock_rows["Plans"] if node["Parent Relationship"] == "Outer")
    scan = gate["Plans"][0]
    assert (lock_rows["Node Type"], gate["Node Type"], "One-Time Filter" in gate, scan["Relation Name"]) == (
        "LockRows",
        "Result",
        True,
        "core_app_record",
    )
