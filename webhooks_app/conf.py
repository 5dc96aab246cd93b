"""Webhook settings, read at call time (tests and deployments may change them at any moment).

=================================== ======== ==========================================================
setting                             default  meaning
=================================== ======== ==========================================================
``WEBHOOKS_ALLOW_PRIVATE_TARGETS``  False    call private, loopback and link-local addresses (SSRF guard off)
``WEBHOOKS_TIMEOUT``                5        seconds for connecting, sending and reading an answer
``WEBHOOKS_MAX_ATTEMPTS``           8        attempts of one delivery before it is given up
``WEBHOOKS_RETRY_BASE_DELAY``       80       seconds before the first retry
``WEBHOOKS_RETRY_FACTOR``           3        each further retry waits this many times longer
``WEBHOOKS_RETRY_JITTER``           0.2      each wait is scaled by a random factor in [1 - j, 1 + j]
``WEBHOOKS_FAILING_AFTER``          5        consecutive failed attempts that mark a webhook failing
``WEBHOOKS_STALE_AFTER``            15       seconds after which a running delivery job counts as lost; by default
                                             2 x ``WEBHOOKS_TIMEOUT`` + 5 s (see :func:`stale_after`)
``WEBHOOKS_RECOVERY_INTERVAL``      5        seconds between a worker's sweeps for lost jobs (0: no sweep)
``WEBHOOKS_RECONNECT_MAX_DELAY``    30       longest wait of a worker between two tries to reach the database
``WEBHOOKS_QUEUE_NAME``             default  task queue of the delivery jobs
``EVENTS_RETENTION_DAYS``           30       days the event feed keeps events (and replay reaches back)
=================================== ======== ==========================================================

With the defaults the retries wait about 80 s, 4 min, 12 min, 36 min, 1.8 h, 5.4 h and 16 h:
eight attempts over about a day.
"""

from __future__ import annotations

from django.conf import settings

__all__ = [
    "RESPONSE_EXCERPT_CHARS",
    "STALE_MARGIN",
    "allow_private_targets",
    "events_retention_days",
    "failing_after",
    "max_attempts",
    "queue_name",
    "reconnect_max_delay",
    "recovery_interval",
    "retry_base_delay",
    "retry_factor",
    "retry_jitter",
    "stale_after",
    "timeout",
]

#: Characters of a receiver's answer kept in the delivery log.
RESPONSE_EXCERPT_CHARS = 1000


def allow_private_targets() -> bool:
    """True when webhooks may call private, loopback and link-local addresses."""
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def timeout() -> float:
    """Seconds a receiver has to answer."""
    return float(getattr(settings, "WEBHOOKS_TIMEOUT", 5.0))


def max_attempts() -> int:
    """Attempts of one delivery (per round: a manual redelivery starts a new round)."""
    return max(1, int(getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", 8)))


def retry_base_delay() -> float:
    """Seconds before the first retry."""
    return max(0.0, float(getattr(settings, "WEBHOOKS_RETRY_BASE_DELAY", 80.0)))


def retry_factor() -> float:
    """Growth of the wait from one retry to the next."""
    return max(1.0, float(getattr(settings, "WEBHOOKS_RETRY_FACTOR", 3.0)))


def retry_jitter() -> float:
    """Relative spread of each wait (0 for none, at most 1)."""
    return min(1.0, max(0.0, float(getattr(settings, "WEBHOOKS_RETRY_JITTER", 0.2))))


def failing_after() -> int:
    """Consecutive failed attempts after which a webhook is marked failing."""
    return max(1, int(getattr(settings, "WEBHOOKS_FAILING_AFTER", 5)))


#: Added to two delivery timeouts to give the default stale time (see :func:`stale_after`).
STALE_MARGIN = 5.0


def stale_after() -> float:
    """Seconds after which a job still marked running is taken as lost (its worker died).

    Measured in delivery timeouts: a job is one HTTP call, bounded by ``WEBHOOKS_TIMEOUT``, plus a
    few milliseconds of database work. Twice the timeout plus :data:`STALE_MARGIN` covers a slow
    database and clocks that differ between worker machines; 15 s with the default timeout. Taking
    a live job for lost costs a duplicate call with the same event id, never a lost delivery.
    """
    value = getattr(settings, "WEBHOOKS_STALE_AFTER", None)
    if value is None:
        return 2 * timeout() + STALE_MARGIN
    return max(0.0, float(value))


def recovery_interval() -> float:
    """Seconds between two sweeps of a worker for lost jobs (0 turns the sweep off)."""
    return max(0.0, float(getattr(settings, "WEBHOOKS_RECOVERY_INTERVAL", 5.0)))


def reconnect_max_delay() -> float:
    """Longest wait of a worker between two tries to reach an unavailable database."""
    return max(0.1, float(getattr(settings, "WEBHOOKS_RECONNECT_MAX_DELAY", 30.0)))


def queue_name() -> str:
    """Task queue of the delivery jobs (workers must listen to it)."""
    return str(getattr(settings, "WEBHOOKS_QUEUE_NAME", "default"))


def events_retention_days() -> float:
    """Days the event feed keeps events; ``prune_webhook_events`` never deletes younger ones."""
    return max(0.0, float(getattr(settings, "EVENTS_RETENTION_DAYS", 30)))
