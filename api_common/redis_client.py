"""One Redis client per process and URL, for everything that keeps state in ``REDIS_URL``.

Redis holds caches here (rate-limit buckets, the API keys' generation), never data: its clients
answer within half a second or fail, and each caller decides what a failure means.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

__all__ = ["client_for", "redis_errors", "redis_url"]

_clients: dict[str, Any] = {}


def redis_url() -> str:
    """The Redis of this deployment (``REDIS_URL``, read at call time); empty: none."""
    return str(getattr(settings, "REDIS_URL", "") or "")


def client_for(url: str) -> Any:
    """The process's ``redis.Redis`` for ``url`` (created on first use, 0.5 s timeouts)."""
    client = _clients.get(url)
    if client is None:
        import redis  # a local import: the client library is needed only with REDIS_URL

        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return client


def redis_errors() -> tuple[type[BaseException], ...]:
    """What a Redis call raises when Redis cannot answer (down, timeout, refused)."""
    import redis

    return (redis.RedisError, OSError)
