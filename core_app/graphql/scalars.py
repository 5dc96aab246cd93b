"""Scalars that pass values through unchanged, so the record service validates them.

Values such as UUIDs, dates and JSON are checked by the field-type table, as for REST, so the
same input gets the same message through either API.
"""

from __future__ import annotations

from metadata_app.graphql.scalars import JSON

__all__ = ["UUID", "BigFloat", "ConnectionCursor", "Date", "DateTime", "Position", "RawJSON"]


class PassThrough(JSON):
    """Base: values are serialised and parsed as they are (the metadata API's ``JSON`` scalar)."""


class UUID(PassThrough):
    """A UUID string."""


class DateTime(PassThrough):
    """An ISO 8601 date-time string (returned in UTC with milliseconds)."""


class Date(PassThrough):
    """A calendar date ``YYYY-MM-DD``."""


class RawJSON(PassThrough):
    """Any JSON value."""


class BigFloat(PassThrough):
    """An arbitrary-precision number (a JSON number or a numeric string)."""


class Position(PassThrough):
    """A record position: a number, or ``first``/``last`` on input."""


class ConnectionCursor(PassThrough):
    """An opaque pagination cursor, interchangeable with REST's."""
