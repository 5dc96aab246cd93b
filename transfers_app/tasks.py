"""The import job on the task worker (django-tasks' database backend, as webhook deliveries).

``run_import`` takes a job and runs at most ``IMPORT_BATCHES_PER_RUN`` batches, then queues its own
continuation: a long import never holds a worker for long, and other jobs (deliveries) run between
its runs. As with deliveries, ``ImportJob.task_id`` names the one task in charge; any other task for
the job (a requeue after a worker only seemed lost) finds it is not in charge and does nothing.

A worker killed mid-job leaves its task "running" and the job's ``heartbeat_at`` old:
:func:`requeue_stalled_imports` (run by every worker's periodic sweep) gives such a job a new task,
which resumes after the last committed row (see ``jobs.py``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from transfers_app import conf
from transfers_app.jobs import finish, run_job
from transfers_app.models import ImportJob

try:  # Django 6 ships the Tasks API; on Django 5.2 the django-tasks backport provides it.
    from django.tasks import TaskContext, task
except ImportError:
    from django_tasks import TaskContext, task

__all__ = ["enqueue_import", "requeue_stalled_imports", "run_import"]

logger = logging.getLogger(__name__)


def enqueue_import(job: ImportJob) -> UUID:
    """Queue a task for ``job`` and make it the one in charge (in the current transaction)."""
    result = run_import.using(queue_name=conf.queue_name()).enqueue(str(job.workspace_id), str(job.id))
    job.task_id = UUID(str(result.id))
    ImportJob.objects.filter(workspace_id=job.workspace_id, id=job.id).update(task_id=job.task_id)
    return job.task_id


@task(takes_context=True)
def run_import(context: TaskContext, workspace_id: str, job_id: str) -> str:
    """Run the next batches of import ``job_id``; return what happened (kept as the task's result)."""
    job = ImportJob.objects.filter(workspace_id=workspace_id, id=job_id).first()
    if job is None:
        return "skipped: no such job"
    if str(job.task_id) != str(context.task_result.id):
        return "skipped: another task is in charge"
    try:
        outcome = run_job(job, max_batches=conf.batches_per_run())
    except DatabaseError:
        raise  # an outage or a cancelled statement: the sweep requeues the job, which resumes
    except Exception:
        # A bug must not leave the job "running" for the sweep to requeue forever: it stops, saying where.
        logger.exception("Import %s stopped", job_id)
        done = ImportJob.objects.filter(workspace_id=workspace_id, id=job_id).values_list("processed_rows", flat=True)
        finish(job, ImportJob.Status.FAILED, f"Internal error after row {done.first()}; the rows before it are written")
        return "failed: internal error"
    if outcome == "paused":
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(workspace_id=workspace_id, id=job_id)
            if str(locked.task_id) == str(context.task_result.id):
                enqueue_import(locked)
    return outcome


def requeue_stalled_imports(now: Any = None) -> int:
    """Give a new task to every queued or running job without progress for ``IMPORT_STALE_AFTER`` seconds."""
    cutoff = (now or timezone.now()) - timedelta(seconds=conf.stale_after())
    stalled = (
        ImportJob.objects.filter(status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING))
        .annotate(seen=Coalesce("heartbeat_at", "created_at"))
        .filter(Q(seen__lt=cutoff))
        .values_list("workspace_id", "id")
    )
    requeued = 0
    for workspace_id, job_id in list(stalled):
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update()
                .filter(
                    workspace_id=workspace_id, id=job_id, status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
                )
                .first()
            )
            if job is None or (job.heartbeat_at or job.created_at) >= cutoff:
                continue  # finished, or progressed, since it was listed
            ImportJob.objects.filter(workspace_id=workspace_id, id=job_id).update(heartbeat_at=timezone.now())
            enqueue_import(job)
            requeued += 1
    return requeued
