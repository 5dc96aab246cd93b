"""The delivery job: one attempt at one delivery, then success, a scheduled retry, or giving up.

Jobs run in ``manage.py webhook_worker`` processes (django-tasks' database backend), any number of
them on any number of machines: each claims jobs with a row lock. A job takes a delivery id
and is idempotent:

- a delivery that is no longer pending (succeeded, given up, cancelled) is left alone;
- a delivery whose ``task_id`` names another job (a manual redelivery, or a requeue after a
  lost worker) is left to that job, so one delivery never has two retry chains;
- every attempt is logged (``DeliveryAttempt``), whatever its outcome.

After a failed attempt the job queues the next one itself, with ``run_after`` set by an
exponential backoff with jitter, in the same transaction that logs the attempt: the retry
exists exactly when the failure is on record.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from webhooks_app import conf, transport
from webhooks_app.models import Delivery, DeliveryAttempt, Webhook
from webhooks_app.payload import build_body
from webhooks_app.signing import signature_headers

try:  # Django 6 ships the Tasks API; on Django 5.2 the django-tasks backport provides it.
    from django.tasks import TaskContext, task
except ImportError:
    from django_tasks import TaskContext, task

__all__ = [
    "ATTEMPT_HEADER",
    "DELIVERY_ID_HEADER",
    "EVENT_ID_HEADER",
    "deliver_webhook",
    "enqueue_delivery",
    "record_attempt",
    "retry_delay",
]

#: The event's id: the same on every attempt and every webhook, for receivers to de-duplicate.
EVENT_ID_HEADER = "X-Twenty-Webhook-Event-Id"
#: The delivery's id (one event for one webhook), as listed in the delivery log.
DELIVERY_ID_HEADER = "X-Twenty-Webhook-Delivery-Id"
#: The attempt's number, 1 for the first call.
ATTEMPT_HEADER = "X-Twenty-Webhook-Attempt"
USER_AGENT = "crm-data-platform-webhooks/1"


def enqueue_delivery(delivery_id: Any, run_after: datetime | None = None) -> UUID:
    """Queue a job for the delivery (in the current transaction); return the job's id."""
    job = deliver_webhook.using(queue_name=conf.queue_name(), run_after=run_after)
    return UUID(str(job.enqueue(str(delivery_id)).id))


def retry_delay(failed_attempts: int) -> timedelta:
    """The wait after the ``failed_attempts``-th failure of a round: exponential, with jitter."""
    base = conf.retry_base_delay() * conf.retry_factor() ** (failed_attempts - 1)
    jitter = conf.retry_jitter()
    return timedelta(seconds=base * random.uniform(1 - jitter, 1 + jitter))


def request_headers(delivery: Delivery, body: bytes) -> dict[str, str]:
    """Twenty's headers (section 6.4) plus the event id, delivery id and attempt number."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signature_headers(body, delivery.webhook.secret),
        EVENT_ID_HEADER: str(delivery.event_id),
        DELIVERY_ID_HEADER: str(delivery.pk),
        ATTEMPT_HEADER: str(delivery.attempt_count + 1),
    }


def note_webhook_health(webhook: Webhook, succeeded: bool, now: datetime) -> None:
    """Reset or extend the webhook's run of failed attempts; mark it failing past the threshold."""
    webhooks = Webhook.objects.filter(pk=webhook.pk)
    if succeeded:
        # A webhook read as healthy when the job started needs no write (the common case).
        if webhook.consecutive_failures or webhook.failing_since:
            webhooks.update(consecutive_failures=0, failing_since=None)
        return
    # One UPDATE, so concurrent workers cannot lose a count between a read and a write.
    webhooks.update(
        consecutive_failures=F("consecutive_failures") + 1,
        failing_since=Case(
            When(failing_since__isnull=True, consecutive_failures__gte=conf.failing_after() - 1, then=Value(now)),
            default=F("failing_since"),
        ),
    )


@transaction.atomic
def record_attempt(
    webhook: Webhook, delivery_id: Any, job_id: Any, attempted_at: datetime, outcome: transport.Outcome
) -> str:
    """Log an attempt and decide what follows: done, a retry after a backoff, or giving up."""
    # The row lock orders attempts of one delivery, so their numbers never collide.
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.attempt_count += 1
    delivery.round_attempts += 1
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempt_count,
        attempted_at=attempted_at,
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code,
        succeeded=outcome.succeeded,
        error=outcome.error,
        response_excerpt=outcome.response_excerpt,
    )
    delivery.last_status_code = outcome.status_code
    now = timezone.now()
    note_webhook_health(webhook, outcome.succeeded, now)
    in_charge = delivery.status == Delivery.Status.PENDING and str(delivery.task_id) == str(job_id)
    if outcome.succeeded:
        delivery.status, delivery.delivered_at = Delivery.Status.SUCCEEDED, now
        delivery.task_id = delivery.next_attempt_at = None
        result = "delivered"
    elif not in_charge:
        result = "failed; another job is in charge"
    elif delivery.round_attempts >= conf.max_attempts():
        delivery.status = Delivery.Status.FAILED
        delivery.task_id = delivery.next_attempt_at = None
        result = "failed; attempts exhausted"
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.round_attempts)
        delivery.task_id = enqueue_delivery(delivery.pk, delivery.next_attempt_at)
        result = "failed; retry queued"
    delivery.save()
    return result


@task(takes_context=True)
def deliver_webhook(context: TaskContext, delivery_id: str) -> str:
    """Make one attempt at delivery ``delivery_id``; return what happened (kept as the job's result)."""
    delivery = Delivery.objects.select_related("webhook", "event").filter(pk=delivery_id).first()
    job_id = context.task_result.id
    if delivery is None:
        return "skipped: no such delivery"
    if delivery.status != Delivery.Status.PENDING:
        return f"skipped: {delivery.status.lower()}"
    if str(delivery.task_id) != str(job_id):
        return "skipped: another job is in charge"
    if delivery.webhook.deleted_at is not None:
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CANCELLED,
            task_id=None,
            next_attempt_at=None,
        )
        return "cancelled: webhook deleted"
    body = build_body(delivery.event, delivery.webhook)
    attempted_at = timezone.now()
    # No transaction is open during the call: a slow receiver must not hold database locks.
    outcome = transport.post(delivery.webhook.target_url, body, request_headers(delivery, body))
    return record_attempt(delivery.webhook, delivery.pk, job_id, attempted_at, outcome)
