"""Record ids: UUIDs version 7 (RFC 9562), time-ordered.

A new record's id sorts after the ids of the records created before it (to the millisecond), so
every index that leads with the id (the record table's keys, the index path's primary key, unique
values by record) grows at its end instead of at random places: inserts stay in cache at any
table size. Clients see an ordinary UUID; ids they choose themselves are kept as given.
"""

from __future__ import annotations

import os
import time
import uuid

__all__ = ["new_id", "time_ordered_uuid"]


def time_ordered_uuid() -> uuid.UUID:
    """A UUID version 7: 48 bits of Unix milliseconds, then random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def new_id() -> str:
    """A new record id, as its canonical string."""
    return str(time_ordered_uuid())
