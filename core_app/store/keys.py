"""Index keys: every indexed value as a text whose byte order is the value's order.

The index path (``RecordIndex``) keeps one B-tree over ``(workspace, slot, key, record)`` for
every field of every workspace, so each indexed value is turned into one text key here, in plain
Python, the same way on PostgreSQL and SQLite:

- text (TEXT, UUID, DATE, DATE_TIME, composite text sub-fields, join ids): the value itself,
  cut to ``TEXT_PREFIX`` characters (a B-tree entry must stay small). Byte order of the prefix
  agrees with byte order of the whole value except between values sharing the whole prefix;
  the query engine re-checks those against the stored value, so results never depend on the cut;
- numbers: 16 hex digits of the IEEE 754 double with the sign handled, so that text order is
  numeric order (``number_key(-1.5) < number_key(0) < number_key(2)``);
- booleans: ``"false"`` < ``"true"``; instants in columns (``createdAt``): microseconds since
  the epoch, as a number.

``None`` (no value) is a NULL key: the row exists, so "no value" is indexed too.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "TEXT_PREFIX",
    "UNIQUE_MAX",
    "is_cut",
    "key_of",
    "number_key",
    "text_key",
    "unique_key",
]

#: Characters of a text value kept in its key (at most 800 bytes of UTF-8: well inside a B-tree entry).
TEXT_PREFIX: Final = 200
#: Longest unique value stored as itself; longer ones are stored as a digest.
UNIQUE_MAX: Final = 256
_SIGN: Final = 1 << 63
_ALL: Final = (1 << 64) - 1
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def number_key(value: float) -> str:
    """The key of a number: order-preserving hex of its IEEE 754 bits (``-0.0`` counts as ``0.0``)."""
    (bits,) = struct.unpack(">Q", struct.pack(">d", float(value) + 0.0))
    bits = bits ^ _ALL if bits & _SIGN else bits | _SIGN
    return f"{bits:016x}"


def text_key(value: str) -> str:
    """The key of a text: its first ``TEXT_PREFIX`` characters."""
    return value[:TEXT_PREFIX]


def is_cut(key: str) -> bool:
    """True when ``key`` may be the cut-off prefix of a longer text (so the stored value decides)."""
    return len(key) >= TEXT_PREFIX


def instant_key(moment: datetime) -> str:
    """The key of a timestamp column: microseconds since the epoch, as a number."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return number_key((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def key_of(kind: str, value: Any) -> str | None:
    """The key of a stored ``value`` of a slot of ``kind`` (``text``, ``number``, ``boolean``, ``instant``).

    A value of another JSON type than the kind expects (which normalisation never stores) has no key.
    """
    if value is None:
        return None
    if kind == "text":
        return text_key(value) if isinstance(value, str) else None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return number_key(value)
    if kind == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else None
    if kind == "instant":
        return instant_key(value) if isinstance(value, datetime) else None
    raise ValueError(f"unknown key kind {kind!r}")


def unique_key(value: str) -> str:
    """The stored form of a unique value: itself, or a digest when longer than ``UNIQUE_MAX``."""
    if len(value) <= UNIQUE_MAX:
        return value
    # \x01 cannot start a value an API client means as text of its own, so digests never collide
    # with a stored value by accident.
    return "\x01sha256:" + hashlib.sha256(value.encode()).hexdigest()
