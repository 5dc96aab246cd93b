"""The trash purge as a periodic job of the task worker (``core_app.tasks``): kept scheduled by the
worker, it destroys expired trash through the record service, so receivers get ``destroyed`` events,
and queues its next run."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core_app.tasks import ensure_trash_purge_scheduled, purge_trash
from tests.seeding import make_client, other_workspace, seeded_workspaces, store_records, workspace  # noqa: F401
from webhooks_app import worker as worker_module
from webhooks_app.worker import ResilientWorker

seeded_workspace_ids = seeded_workspaces("module")

try:  # Django 6 ships the Tasks API; on Django 5.2 the django-tasks backport provides it.
    from django.tasks import TaskResultStatus
except ImportError:
    from django_tasks import TaskResultStatus


def purge_jobs(status: str) -> list[DBTaskResult]:
    """Purge jobs in ``status``, oldest first."""
    return list(DBTaskResult.objects.filter(task_path=purge_trash.module_path, status=status).order_by("enqueued_at"))


def test_the_job_destroys_expired_trash_with_webhooks_and_queues_its_next_run(
    api, workspace, hooks, receiver, run_worker, settings
):
    # given: a webhook on destructions, a person trashed 20 days ago, and no purge queued yet
    settings.TRASH_PURGE_INTERVAL = 3600
    hooks.create(receiver.url(), ["person.destroyed"])
    [ada] = store_records(
        workspace, "person", {"name": {"firstName": "Ada", "lastName": ""}}, deleted_at=timezone.now() - timedelta(20)
    )
    assert ensure_trash_purge_scheduled(force=True) is True

    # when: the worker runs the purge, then the delivery it queued
    run_worker()

    # then
    [request] = receiver.at("/hook")
    body = json.loads(request.body)
    assert (body["eventName"], body["record"]["id"]) == ("person.destroyed", ada.id)
    [done] = purge_jobs(TaskResultStatus.SUCCESSFUL)
    assert done.return_value == "destroyed 1 records in 1 workspaces"
    [next_run] = purge_jobs(TaskResultStatus.READY)
    assert done.started_at + timedelta(hours=1) <= next_run.run_after <= done.finished_at + timedelta(hours=1)
    assert ensure_trash_purge_scheduled(force=True) is False  # one is waiting: nothing more is queued


def test_the_worker_keeps_the_purge_scheduled(db, monkeypatch, settings):
    # given: no purge queued, a worker in batch mode (connection housekeeping off in a test transaction)
    settings.TRASH_PURGE_INTERVAL = 86400
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    monkeypatch.setattr("core_app.tasks._next_check", 0.0)

    def run() -> None:
        ResilientWorker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="trash-test",
            excluded_queue_names=[],
        ).run()

    # when: a first run finds the queue empty and schedules the purge; the next one runs it
    run()
    queued = purge_jobs(TaskResultStatus.READY)
    monkeypatch.setattr("core_app.tasks._next_check", 0.0)
    run()

    # then
    assert len(queued) == 1
    assert [job.return_value for job in purge_jobs(TaskResultStatus.SUCCESSFUL)] == [
        "destroyed 0 records in 0 workspaces"
    ]
    [next_run] = purge_jobs(TaskResultStatus.READY)
    assert next_run.run_after > timezone.now() + timedelta(hours=23)


def test_no_schedule_when_the_interval_is_zero(db, settings):
    # given
    settings.TRASH_PURGE_INTERVAL = 0

    # then
    assert ensure_trash_purge_scheduled(force=True) is False
    assert purge_jobs(TaskResultStatus.READY) == []
