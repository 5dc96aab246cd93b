"""The untouched worker loop against really committed transactions (``transaction=True``).

Workspaces are created per test here: each test ends by emptying every table.
"""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from webhooks_app.models import Delivery, Event

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_stopped_midway_and_restarted_delivers_every_event_once(api, hooks, receiver, run_worker):
    # given: twelve committed changes, and a receiver that fails a few calls on the way
    hook = hooks.create(receiver.url())
    receiver.script("/hook", 200, 500, 200, 503)
    status, _ = api.post("/rest/batch/people", [{"name": {"firstName": f"P{n}"}} for n in range(12)])
    assert status == 201

    # when: the first worker stops after 5 jobs; a second one takes over
    run_worker(max_tasks=5)
    first_run = len(receiver.at("/hook"))
    run_worker()

    # then
    assert first_run == 5
    requests = receiver.at("/hook")
    delivered = [r.headers["X-Twenty-Webhook-Event-Id"] for r in requests if r.status == 200]
    assert sorted(delivered) == sorted(str(pk) for pk in Event.objects.values_list("id", flat=True))
    assert len(requests) == 14 and len(set(delivered)) == 12
    assert set(Delivery.objects.values_list("status", flat=True)) == {"SUCCEEDED"}
    assert len(hooks.deliveries(hook["id"])) == 12
    assert not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


def test_a_rolled_back_batch_emits_nothing_and_a_committed_one_everything(api, hooks, receiver, run_worker):
    # given
    hooks.create(receiver.url())

    # when
    refused, _ = api.post(
        "/rest/batch/people", [{"name": {"firstName": "Fine"}}, {"name": {"firstName": "Bad"}, "age": "x"}]
    )
    run_worker()
    nothing = list(receiver.requests)
    accepted, _ = api.post("/rest/batch/people", [{"name": {"firstName": "One"}}, {"name": {"firstName": "Two"}}])
    run_worker()

    # then
    assert (refused, nothing) == (400, [])
    assert accepted == 201
    assert sorted(r.json()["record"]["name"]["firstName"] for r in receiver.requests) == ["One", "Two"]
    assert Event.objects.count() == 2
