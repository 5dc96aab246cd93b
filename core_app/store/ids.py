"""Time-ordered ids: UUIDs version 7 (RFC 9562), for records and for webhook events and deliveries.

A new record's id sorts after the ids of the records created before it, so every index that
leads with the id (the record table's keys, the index path's primary key, unique values by
record) grows at its end instead of at random places: inserts stay in cache at any table size.
Clients see an ordinary UUID; ids they choose themselves are kept as given. Within a process
each id is greater than the one before, so the events of one transaction sort in the order they
were written (``webhooks_app``).
"""

from __future__ import annotations

import os
import threading
import time
import uuid

__all__ = ["id_at", "new_id", "time_ordered_uuid", "uuid_millis"]

VERSION_BITS = (0xF << 76) | (0x3 << 62)
VERSION_VALUE = (0x7 << 76) | (0x2 << 62)  # version 7, RFC 4122 variant
_last_uuid = 0
_uuid_lock = threading.Lock()


def time_ordered_uuid() -> uuid.UUID:
    """A UUID version 7: 48 bits of Unix milliseconds, then random bits (RFC 9562).

    Within a process each one is greater than the one before (RFC 9562 6.2, method 3: a repeat of
    the same millisecond increments the previous value), so the events of one transaction sort in
    the order they were written.
    """
    global _last_uuid
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~VERSION_BITS) | VERSION_VALUE
    with _uuid_lock:
        if value <= _last_uuid:
            # The 62 random low bits would all have to be ones for the increment to carry into the
            # variant bits (a chance of 2**-62); the bits are set again all the same.
            value = ((_last_uuid + 1) & ~VERSION_BITS) | VERSION_VALUE
        _last_uuid = value
    return uuid.UUID(int=value)


def id_at(millis: int) -> uuid.UUID:
    """The lowest :func:`time_ordered_uuid` of Unix millisecond ``millis``: every id made at or after it is at least this."""
    return uuid.UUID(int=(millis << 80) | VERSION_VALUE)


def uuid_millis(value: uuid.UUID) -> int:
    """The Unix milliseconds a :func:`time_ordered_uuid` was made at."""
    return value.int >> 80


def new_id() -> str:
    """A new record id, as its canonical string."""
    return str(time_ordered_uuid())
