"""The guards' settings, read at call time (tests and operators may change them; nothing is read at import).

Every name is a Django setting of ``config/settings.py`` filled from the environment variable of
the same name; the defaults repeat the documented ones.
"""

from __future__ import annotations

from django.conf import settings

__all__ = [
    "failed_auth_limit",
    "failed_auth_window",
    "idempotency_key_ttl",
    "proxy_count",
    "purge_interval",
    "rate_limit_enabled",
    "rate_limit_requests",
    "rate_limit_window",
    "redis_prefix",
]


def rate_limit_enabled() -> bool:
    """Whether API requests are rate limited at all (``RATE_LIMIT_ENABLED``, default on)."""
    return bool(getattr(settings, "RATE_LIMIT_ENABLED", True))


def rate_limit_requests() -> int:
    """Requests per window of a key whose workspace sets no limit (``RATE_LIMIT_REQUESTS``, default 100)."""
    return int(getattr(settings, "RATE_LIMIT_REQUESTS", 100))


def rate_limit_window() -> int:
    """Seconds of that window (``RATE_LIMIT_WINDOW``, default 60): the bucket refills fully in this time."""
    return int(getattr(settings, "RATE_LIMIT_WINDOW", 60))


def failed_auth_limit() -> int:
    """Failed authentications per window and client address (``RATE_LIMIT_FAILED_AUTH``, default 10)."""
    return int(getattr(settings, "RATE_LIMIT_FAILED_AUTH", 10))


def failed_auth_window() -> int:
    """Seconds of that window (``RATE_LIMIT_FAILED_AUTH_WINDOW``, default 60)."""
    return int(getattr(settings, "RATE_LIMIT_FAILED_AUTH_WINDOW", 60))


def proxy_count() -> int:
    """Proxies in front of the application that append the client to ``X-Forwarded-For``
    (``RATE_LIMIT_PROXY_COUNT``, default 0: the client is ``REMOTE_ADDR``)."""
    return int(getattr(settings, "RATE_LIMIT_PROXY_COUNT", 0))


def redis_prefix() -> str:
    """Prefix of every Redis key the guards write (``RATE_LIMIT_REDIS_PREFIX``, default ``crm:rl:``)."""
    return str(getattr(settings, "RATE_LIMIT_REDIS_PREFIX", "crm:rl:"))


def idempotency_key_ttl() -> int:
    """Seconds an idempotency key and its answer are kept (``IDEMPOTENCY_KEY_TTL``, default 86400: 24 h)."""
    return int(getattr(settings, "IDEMPOTENCY_KEY_TTL", 24 * 3600))


def purge_interval() -> int:
    """Seconds between two purges of expired keys on the task worker (``GUARDS_PURGE_INTERVAL``, default 3600)."""
    return int(getattr(settings, "GUARDS_PURGE_INTERVAL", 3600))
