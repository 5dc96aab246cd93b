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
    """The process's ``redis.Redis`` for ``url`` (created on first use, 0.5 s timeouts).

    One connection, held by the client (``single_connection_client``, its commands serialised by
    the client's lock), instead of a pool: every API request sends two commands (the key cache's
    generation, the rate-limit script) from a process serving one request at a time, and taking
    and returning a pooled connection (with its check for unread data) cost about as much CPU as
    the command itself. The client connects when it is created: this raises ``redis_errors()``
    when Redis cannot be reached (nothing is kept then; call it where those are handled). A failed
    command closes the connection; the next one opens it again.
    """
    client = _clients.get(url)
    if client is None:
        import redis  # a local import: the client library is needed only with REDIS_URL

        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, single_connection_client=True
        )
    return client


def redis_errors() -> tuple[type[BaseException], ...]:
    """What a Redis call raises when Redis cannot answer (down, timeout, refused)."""
    import redis

    return (redis.RedisError, OSError)
