"""Lost delivery jobs: the stale time in delivery timeouts, and the worker's reconnection schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401
from tests.webhooks.conftest import created
from webhooks_app import conf
from webhooks_app.models import Delivery
from webhooks_app.recovery import requeue_lost_deliveries
from webhooks_app.worker import reconnect_delay

pytestmark = pytest.mark.django_db
seeded_workspace_ids = seeded_workspaces("module")

ADA = {"name": {"firstName": "Ada", "lastName": "Lovelace"}}


@pytest.mark.parametrize(
    ("timeout", "explicit", "expected"),
    [(5, None, 15.0), (1, None, 7.0), (30, None, 65.0), (5, 60, 60.0)],
    ids=["default_timeout", "short_timeout", "long_timeout", "explicit_setting"],
)
def test_the_stale_time_is_two_delivery_timeouts_plus_five_seconds_unless_set(settings, timeout, explicit, expected):
    # given
    settings.WEBHOOKS_TIMEOUT = timeout
    settings.WEBHOOKS_STALE_AFTER = explicit

    # when / then
    assert conf.stale_after() == expected


def test_reconnection_waits_double_from_half_a_second_up_to_the_cap():
    assert [reconnect_delay(n, 30.0) for n in range(1, 10)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert reconnect_delay(10_000, 30.0) == 30.0


@pytest.mark.parametrize(
    ("running_for", "requeued"),
    [(timedelta(seconds=8), 0), (timedelta(seconds=10), 1)],
    ids=["within_stale_time", "past_stale_time"],
)
def test_a_running_job_is_lost_after_two_timeouts_plus_five_seconds(
    settings, api, hooks, receiver, running_for, requeued
):
    # given: WEBHOOKS_TIMEOUT 2 s, so the stale time is 9 s; a job claimed by a worker that died
    settings.WEBHOOKS_STALE_AFTER = None
    hooks.create(receiver.url())
    created(api.post("/rest/people", ADA))
    job = DBTaskResult.objects.ready().get_locked()
    job.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - running_for)

    # when
    count = requeue_lost_deliveries()

    # then
    delivery = Delivery.objects.get()
    assert count == requeued
    assert (delivery.task_id == job.pk) is (requeued == 0)


def test_a_retry_waiting_for_its_time_is_not_taken_for_lost(settings, api, hooks, receiver, run_worker):
    # given: a delivery whose first attempt failed; its retry is due in an hour
    settings.WEBHOOKS_RETRY_BASE_DELAY = 3600
    settings.WEBHOOKS_RETRY_JITTER = 0
    hooks.create(receiver.url())
    receiver.script("/hook", 500)
    created(api.post("/rest/people", ADA))
    run_worker()
    delivery = Delivery.objects.get()

    # when
    count = requeue_lost_deliveries(stale_after=0)

    # then
    assert count == 0
    assert (delivery.status, delivery.attempt_count, Delivery.objects.get().task_id) == ("PENDING", 1, delivery.task_id)
    assert DBTaskResult.objects.get(pk=delivery.task_id).status == "READY"
