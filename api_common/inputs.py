"""Checks of client input shared by every API.

- :func:`check_input`: the shape check of the small metadata bodies (API keys, webhooks). It
  lives in api_common because apikeys_app may import no other app and webhooks_app needs the
  same check with the same message.
- :func:`in_utc`: an instant the store can hold (four-digit years in UTC), for record values,
  filters, API key expiries and the event feed alike.
- :func:`check_json_depth`: JSON nested deeper than ``MAX_JSON_DEPTH`` is refused before it is
  parsed, since every walk over parsed JSON (ours, graphql-core's, the standard library's
  parser itself) recurses once per level and a few thousand levels exhaust the interpreter.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

from django.core.exceptions import ValidationError

from api_common.conf import max_json_depth
from api_common.errors import BadRequest

__all__ = ["check_input", "check_json_depth", "json_depth"]

#: Keeps brackets only: an opening one becomes +1, a closing one -1 (as a signed byte).
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[{]}"))


#: Brackets summed per step of the scan; a scan stops at the first step that goes past the limit.
_CHUNK = 1 << 16


def json_depth(raw: bytes | str, at_most: int | None = None) -> int:
    """The deepest nesting of arrays and objects in the JSON text ``raw``, read without parsing it.

    Brackets inside strings do not count. With ``at_most``, the answer is exact up to it and
    only "more" beyond: a text holding no more opening brackets than that cannot nest deeper
    and is not scanned, and a scan stops soon after the depth passes it. The work is a few
    passes of C code over the text (``bytes.replace``, ``split``, ``translate``, ``accumulate``).
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    opening = data.count(b"[") + data.count(b"{")
    if at_most is not None and opening <= at_most:
        return opening
    # Without its escaped backslashes and quotes, every quote of the text opens or closes a
    # string, so the text outside strings is every other piece between quotes.
    outside = b"".join(data.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')[::2])
    steps = memoryview(outside.translate(_BRACKETS, _NOT_BRACKETS)).cast("b")
    depth = deepest = 0
    for start in range(0, len(steps), _CHUNK):
        running = list(accumulate(steps[start : start + _CHUNK], initial=depth))
        deepest, depth = max(deepest, max(running)), running[-1]
        if at_most is not None and deepest > at_most:
            break
    return deepest


def check_json_depth(raw: bytes | str, what: str = "The JSON body") -> None:
    """Refuse ``raw`` with a 400 naming ``what`` when it nests deeper than ``MAX_JSON_DEPTH``."""
    maximum = max_json_depth()
    if json_depth(raw, at_most=maximum) > maximum:
        raise BadRequest(f"{what} nests arrays and objects deeper than {maximum} levels; send flatter JSON")


def unknown_keys(data: Any, known: Collection[str]) -> list[str] | None:
    """The keys of the JSON object ``data`` that are not ``known``, sorted; None when ``data`` is no object.

    Every API's input check starts here; each words its refusals as its own contract says.
    """
    if not isinstance(data, dict):
        return None
    return sorted(key for key in data if key not in known)


def check_input(data: Any, allowed: frozenset[str]) -> dict[str, Any]:
    """Refuse a body that is not an object or names unknown properties (``id`` is tolerated)."""
    unknown = unknown_keys(data, allowed | {"id"})
    if unknown is None:
        raise ValidationError("The body must be a JSON object", code="INVALID_INPUT")
    if unknown:
        raise ValidationError(
            f"Unknown properties {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}", code="INVALID_INPUT"
        )
    return data


#: What a date-time outside the stored range is told (the fixed-width form holds four-digit years).
YEARS_MESSAGE = "expected a date-time in the years 1000 to 9999 once in UTC"


def in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC (naive means UTC); ValueError (:data:`YEARS_MESSAGE`) outside the years 1000-9999.

    Checked after the conversion: ``9999-12-31T23:59:59-12:00`` is in year 10000 in UTC, and
    ``1000-01-01T00:30:00+01:00`` in year 999.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(YEARS_MESSAGE) from None
    if moment.year < 1000:
        raise ValueError(YEARS_MESSAGE)
    return moment
