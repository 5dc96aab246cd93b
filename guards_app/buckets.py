"""Token buckets shared by every process and machine: in Redis when ``REDIS_URL`` is set, else in the database.

One call, :meth:`Buckets.take`, takes a token from a bucket and reports what is left, in one
round trip: a Lua script in Redis (atomic: Redis runs one script at a time), or one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement in the database (atomic: the
conflicting row is locked for the statement, so concurrent takes of one bucket queue on it).
The same call may read a second bucket without taking from it (``watch``): the failed
authentications of the caller's address, checked on every authenticated request at no extra cost.

A bucket holds at most ``capacity`` tokens and refills continuously at ``capacity`` per
``window`` seconds; a request takes one token, or is refused when less than one is left (and
takes nothing). Time is the application's clock in milliseconds (:data:`clock`), so keep the
servers' clocks in step (NTP); a server whose clock lags refills nothing until it catches up,
one ahead refills early by its advance.

Example::

    taken = backend().take("key:42", capacity=100, window=60)
    taken.allowed, taken.tokens        # True, 99.0 on a fresh bucket
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection

from api_common.redis_client import client_for, redis_errors, redis_url
from guards_app import conf

__all__ = ["Buckets", "DatabaseBuckets", "RedisBuckets", "Taken", "backend", "clock"]

logger = logging.getLogger(__name__)

#: Seconds since the epoch; tests replace it to move time.
clock = time.time


def now_ms() -> int:
    """The current time in milliseconds since the epoch."""
    return int(clock() * 1000)


@dataclass(frozen=True)
class Taken:
    """The outcome of a take: whether a token was taken, the tokens left, and the level of the watched bucket."""

    allowed: bool
    tokens: float
    capacity: int
    window: int
    watched: float | None = None
    #: The value of the key the take also read (``take(..., read=...)``; Redis only), or None.
    read: bytes | None = None

    @property
    def rate(self) -> float:
        """Tokens per second."""
        return self.capacity / self.window

    def seconds_until(self, level: float) -> int:
        """Whole seconds until the bucket holds ``level`` tokens (0 when it already does)."""
        missing = level - self.tokens
        return max(0, math.ceil(missing / self.rate - 1e-9)) if missing > 0 else 0


class Buckets(Protocol):
    """A place where buckets live."""

    def take(self, name: str, capacity: int, window: int, watch: str | None = None) -> Taken | None:
        """Take a token from ``name``; also read ``watch``'s level. None: the backend could not answer."""


class DatabaseBuckets:
    """Buckets as rows of ``guards_app_ratebucket``, one statement per take, in autocommit or the caller's transaction."""

    def sql(self, watch: bool, lazy_commit: bool = False) -> str:
        """The take statement for the connection's database (``LEAST``/``GREATEST`` or SQLite's ``MIN``/``MAX``).

        ``lazy_commit`` (PostgreSQL, a statement that is its own transaction): the statement turns
        ``synchronous_commit`` off for its own transaction, so that its commit does not wait for the
        WAL to reach the disk. Every API request takes a token, reads included: without this, each
        read waited for a disk flush. A crash may forget the last fraction of a second of takes,
        which only gives a few requests back to their callers.
        """
        postgres = connection.vendor == "postgresql"
        least, greatest = ("LEAST", "GREATEST") if postgres else ("MIN", "MAX")
        table = "guards_app_ratebucket"
        refill = f"{least}(excluded.capacity, {table}.tokens + {greatest}(0, excluded.stamp - {table}.stamp) * excluded.rate)"
        watched = (
            f"(SELECT {least}(w.capacity, w.tokens + {greatest}(0, %s - w.stamp) * w.rate) FROM {table} w WHERE w.name = %s)"
            if watch
            else "NULL"
        )
        row = (
            "SELECT %s, %s::float8, %s::bigint, %s::float8, %s::float8, %s::boolean "
            "WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL"
            if postgres and lazy_commit
            else "VALUES (%s, %s, %s, %s, %s, %s)"
        )
        return (
            f"INSERT INTO {table} (name, tokens, stamp, capacity, rate, allowed) {row} "
            f"ON CONFLICT (name) DO UPDATE SET tokens = {refill} - CASE WHEN {refill} >= 1 THEN 1 ELSE 0 END, "
            f"stamp = {greatest}({table}.stamp, excluded.stamp), capacity = excluded.capacity, "
            f"rate = excluded.rate, allowed = {refill} >= 1 "
            f"RETURNING tokens, allowed, {watched}"
        )

    def take(self, name: str, capacity: int, window: int, watch: str | None = None) -> Taken | None:
        now = now_ms()
        params: list[Any] = [name, float(capacity - 1), now, float(capacity), capacity / (window * 1000.0), True]
        if watch is not None:
            params += [now, watch]
        # Inside the caller's transaction the setting would reach the caller's own writes: only a
        # statement in autocommit (its own transaction) commits lazily.
        lazy_commit = connection.get_autocommit() and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute(self.sql(watch is not None, lazy_commit), params)
            tokens, allowed, watched = cursor.fetchone()
        return Taken(bool(allowed), float(tokens), capacity, window, None if watched is None else float(watched))


#: The take in Redis. KEYS[1]: the bucket; then, as ARGV[4] says ('w', 'r', 'wr' or nothing), a
#: bucket only read ('w') and a plain key only read ('r'). ARGV: capacity, rate (tokens per ms),
#: now (ms), what follows KEYS[1]. Returns {allowed, tokens, watched or nil, the key's value or nil}.
TAKE_SCRIPT = """
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local more, n, watch_key, read_key = ARGV[4] or '', 1, nil, nil
if string.find(more, 'w', 1, true) then n = n + 1; watch_key = KEYS[n] end
if string.find(more, 'r', 1, true) then n = n + 1; read_key = KEYS[n] end
local bucket = redis.call('HMGET', KEYS[1], 't', 's')
local tokens, stamp = capacity, now
if bucket[1] then
  stamp = math.max(tonumber(bucket[2]), now)
  tokens = math.min(capacity, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) * rate)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 's', string.format('%d', stamp), 'c', ARGV[1], 'r', ARGV[2])
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil((capacity - tokens) / rate) + 1000))
local watched = false
if watch_key then
  local w = redis.call('HMGET', watch_key, 't', 's', 'c', 'r')
  if w[1] then
    watched = string.format('%.17g', math.min(tonumber(w[3]), tonumber(w[1]) + math.max(0, now - tonumber(w[2])) * tonumber(w[4])))
  end
end
local read = false
if read_key then read = redis.call('GET', read_key) end
return {allowed, string.format('%.17g', tokens), watched, read}
"""


class RedisBuckets:
    """Buckets as Redis hashes (``<prefix><name>``: tokens, stamp, capacity, rate), expiring once full.

    Redis is a cache of limits, not of data: when it cannot answer (down, timeout), the request
    goes through unlimited and the failure is logged (:meth:`take` returns None).
    """

    def __init__(self, url: str) -> None:
        self.errors = redis_errors()
        self.url = url
        self.script: Any = None

    def take(
        self, name: str, capacity: int, window: int, watch: str | None = None, read: str | None = None
    ) -> Taken | None:
        """:meth:`Buckets.take`; also read the plain key ``read`` (not prefixed) in the same command."""
        prefix = conf.redis_prefix()
        keys, more = [prefix + name], ""
        if watch is not None:
            keys.append(prefix + watch)
            more += "w"
        if read is not None:
            keys.append(read)
            more += "r"
        try:
            if self.script is None:  # registered once the process's client exists (creating it connects)
                self.script = client_for(self.url).register_script(TAKE_SCRIPT)
            allowed, tokens, watched, value = self.script(
                keys=keys, args=[capacity, capacity / (window * 1000.0), now_ms(), more]
            )
        except self.errors as error:
            logger.warning("Rate limits off for this request: Redis did not answer (%s)", error)
            return None
        return Taken(bool(allowed), float(tokens), capacity, window, None if watched is None else float(watched), value)


_redis: dict[str, RedisBuckets] = {}


def backend() -> Buckets:
    """Redis buckets when ``REDIS_URL`` is set (one client per process and URL), else the database's."""
    url = redis_url()
    if not url:
        return DatabaseBuckets()
    if url not in _redis:
        _redis[url] = RedisBuckets(url)
    return _redis[url]
