"""Give a new job to every pending delivery whose job was lost.

A job is lost when its worker died while running it (killed, machine gone: the job stays
"running" forever), when it crashed on an unexpected error, or when its row was pruned. Jobs
are idempotent and a delivery follows only the job named in its ``task_id``, so requeueing is
always safe: at worst a receiver gets a delivery twice, with the same event id.

Every ``manage.py webhook_worker`` runs it every ``WEBHOOKS_RECOVERY_INTERVAL`` seconds
(``webhooks_app/worker.py``); ``manage.py requeue_webhook_deliveries`` runs it by hand.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from webhooks_app import conf
from webhooks_app.models import Delivery
from webhooks_app.tasks import enqueue_delivery

try:  # Django 6 ships the Tasks API; on Django 5.2 the django-tasks backport provides it.
    from django.tasks import TaskResultStatus
except ImportError:
    from django_tasks import TaskResultStatus

__all__ = ["lost_deliveries", "requeue_lost_deliveries"]


def lost_deliveries(stale_after: float | None = None) -> list[Delivery]:
    """Pending deliveries whose job is missing, finished, or running for longer than ``stale_after`` s.

    One query, which workers run every few seconds: a delivery counts as lost when no job of its
    ``task_id`` is still ready, nor running since less than ``stale_after`` seconds. Only
    deliveries due before the cutoff (or never scheduled) can be lost, since a job starts only
    once its delivery is due: retries waiting for their time (a failing receiver's backlog) are
    read from the partial index of pending deliveries and never joined to their jobs.
    """
    stale_after = conf.stale_after() if stale_after is None else stale_after
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    live_job = DBTaskResult.objects.filter(pk=OuterRef("task_id")).filter(
        Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
    )
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff))
        .exclude(Exists(live_job))
        .only("id", "task_id")
        .order_by()
    )


def requeue_lost_deliveries(stale_after: float | None = None) -> int:
    """Queue a new job for every lost delivery; return how many were requeued."""
    count = 0
    for delivery in lost_deliveries(stale_after):
        with transaction.atomic():
            # Re-checked under the lock: a job may have finished the delivery meanwhile.
            locked = (
                Delivery.objects.select_for_update()
                .filter(pk=delivery.pk, status=Delivery.Status.PENDING, task_id=delivery.task_id)
                .first()
            )
            if locked is None:
                continue
            locked.task_id = enqueue_delivery(locked.pk)
            locked.next_attempt_at = timezone.now()
            locked.save(update_fields=["task_id", "next_attempt_at", "updated_at"])
            count += 1
    return count
