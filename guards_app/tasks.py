"""Housekeeping on the task worker: expired idempotency keys and idle rate-limit buckets go.

:func:`purge_guards` runs on the worker (``manage.py webhook_worker`` runs every queued job) and
queues its next run ``GUARDS_PURGE_INTERVAL`` seconds later, so one chain of jobs keeps going;
:func:`ensure_purge_scheduled` starts the chain again when no run is queued (checked at most once
per interval per process, when an idempotency key is stored). ``manage.py purge_guards`` does the
same by hand.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guards_app import buckets, conf
from guards_app.models import IdempotencyKey, RateBucket

try:  # Django 6 ships the Tasks API; on Django 5.2 the django-tasks backport provides it.
    from django.tasks import TaskResultStatus, task
except ImportError:
    from django_tasks import TaskResultStatus, task

__all__ = ["ensure_purge_scheduled", "purge", "purge_guards"]

#: Rows deleted per statement: short statements, no long lock on the table.
BATCH = 1000
_next_check = 0.0


def purge() -> dict[str, int]:
    """Delete expired idempotency keys (in batches, each filtered by workspace) and full buckets."""
    now = timezone.now()
    keys = 0
    while True:
        expired = list(IdempotencyKey.objects.filter(expires_at__lte=now).values_list("workspace_id", "key")[:BATCH])
        if not expired:
            break
        by_workspace: dict[Any, list[str]] = {}
        for workspace_id, key in expired:
            by_workspace.setdefault(workspace_id, []).append(key)
        for workspace_id, names in by_workspace.items():
            keys += IdempotencyKey.objects.filter(
                workspace_id=workspace_id, key__in=names, expires_at__lte=now
            ).delete()[0]
    # A bucket that has refilled completely is the same as no bucket.
    now_ms = buckets.now_ms()
    full, _ = RateBucket.objects.filter(tokens__gte=F("capacity") - (now_ms - F("stamp")) * F("rate")).delete()
    return {"idempotency_keys": keys, "buckets": full}


def task_path() -> str:
    return f"{purge_guards.func.__module__}.{purge_guards.func.__qualname__}"


def queued() -> bool:
    """Whether a purge is queued and not yet run."""
    return DBTaskResult.objects.filter(task_path=task_path(), status=TaskResultStatus.READY).exists()


def schedule(after: float) -> None:
    """Queue the next purge ``after`` seconds from now (in the current transaction)."""
    purge_guards.using(run_after=timezone.now() + timedelta(seconds=after)).enqueue()


def ensure_purge_scheduled() -> None:
    """Queue a purge unless one is; asked at most once per ``GUARDS_PURGE_INTERVAL`` per process."""
    global _next_check
    if time.monotonic() < _next_check:
        return
    _next_check = time.monotonic() + conf.purge_interval()
    if not queued():
        schedule(conf.purge_interval())


@task()
def purge_guards() -> dict[str, int]:
    """Purge, then queue the next run (unless another process queued one meanwhile)."""
    deleted = purge()
    if not queued():
        schedule(conf.purge_interval())
    return deleted
