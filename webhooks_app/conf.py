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
``WEBHOOKS_STALE_AFTER``            600      seconds after which a running delivery job counts as lost
``WEBHOOKS_QUEUE_NAME``             default  task queue of the delivery jobs
=================================== ======== ==========================================================

With the defaults the retries wait about 80 s, 4 min, 12 min, 36 min, 1.8 h, 5.4 h and 16 h:
eight attempts over about a day.
"""

from __future__ import annotations

from django.conf import settings

__all__ = [
    "RESPONSE_EXCERPT_CHARS",
    "allow_private_targets",
    "failing_after",
    "max_attempts",
    "queue_name",
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


def stale_after() -> float:
    """Seconds after which a job still marked running is taken as lost (its worker died)."""
    return float(getattr(settings, "WEBHOOKS_STALE_AFTER", 600.0))


def queue_name() -> str:
    """Task queue of the delivery jobs (workers must listen to it)."""
    return str(getattr(settings, "WEBHOOKS_QUEUE_NAME", "default"))
