"""The trash purge as a periodic job of the task worker (Django's Tasks API, database backend).

Django's Tasks API has no schedule of its own, so the job keeps one: every run first queues the
next run ``TRASH_PURGE_INTERVAL`` seconds later (one day by default), then purges
(``core_app.services.trash``). A run that crashes has already queued its successor. Every task
worker (``manage.py webhook_worker``) calls :func:`ensure_trash_purge_scheduled` now and then,
which queues a run at once when none is waiting or running: the first run after a deployment,
or after the queue was emptied by hand. Should two chains ever exist (two workers starting at
the same moment), a run that finds another one waiting queues no successor, so they merge again;
a purge running twice at once is harmless (each claims its records with row locks).

``TRASH_PURGE_INTERVAL`` 0 turns the schedule off; ``manage.py purge_trash`` purges by hand.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core_app.services.trash import purge_expired_trash

try:  # Django 6 ships the Tasks API; on Django 5.2 the django-tasks backport provides it.
    from django.tasks import TaskContext, TaskResultStatus, task
except ImportError:
    from django_tasks import TaskContext, TaskResultStatus, task

__all__ = ["ensure_trash_purge_scheduled", "purge_interval", "purge_trash", "schedule_purge"]

logger = logging.getLogger(__name__)

#: Seconds between two checks of one worker process that a purge is scheduled.
CHECK_EVERY = 60.0
#: A run "running" for longer than this is taken for dead (its worker was killed).
STALE_AFTER = timedelta(hours=6)

_next_check = 0.0


def purge_interval() -> float:
    """``TRASH_PURGE_INTERVAL``: seconds between two purges (0: no schedule), read at call time."""
    return float(getattr(settings, "TRASH_PURGE_INTERVAL", 86400))


def queue_name() -> str:
    """The queue of the purge: the one the task workers serve (``WEBHOOKS_QUEUE_NAME``, ``default``)."""
    return str(getattr(settings, "WEBHOOKS_QUEUE_NAME", "default"))


def pending_runs(exclude: str | None = None):  # -> QuerySet[DBTaskResult]
    """Purge runs waiting, or running and not taken for dead."""
    runs = DBTaskResult.objects.filter(task_path=purge_trash.module_path).filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - STALE_AFTER)
    )
    return runs.exclude(pk=exclude) if exclude is not None else runs


def schedule_purge(delay: float = 0.0) -> str:
    """Queue a purge run ``delay`` seconds from now; return its job id."""
    run_after = timezone.now() + timedelta(seconds=delay) if delay else None
    return str(purge_trash.using(queue_name=queue_name(), run_after=run_after).enqueue().id)


@task(takes_context=True)
def purge_trash(context: TaskContext) -> str:
    """Queue the next run, then destroy every workspace's records trashed longer ago than its retention."""
    interval = purge_interval()
    if interval and not pending_runs(exclude=context.task_result.id).filter(status=TaskResultStatus.READY).exists():
        schedule_purge(interval)
    report = purge_expired_trash()
    summary = f"destroyed {report.total} records in {len(report.destroyed)} workspaces"
    if report.failures:
        summary += f"; failed: {'; '.join(report.failures)}"
    logger.info("Trash purge: %s", summary)
    return summary


def ensure_trash_purge_scheduled(force: bool = False) -> bool:
    """Queue a purge now when none is waiting or running; True when one was queued.

    Checked at most every ``CHECK_EVERY`` seconds per process (one query), unless ``force``.
    """
    global _next_check
    if not purge_interval() or (not force and time.monotonic() < _next_check):
        return False
    _next_check = time.monotonic() + CHECK_EVERY
    if pending_runs().exists():
        return False
    schedule_purge()
    logger.info("Trash purge scheduled (none was waiting)")
    return True
