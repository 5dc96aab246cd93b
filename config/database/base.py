"""Django's PostgreSQL backend, with a health check that costs no round trip and a faster timestamp loader.

- **Health check.** With ``CONN_HEALTH_CHECKS`` on, Django checks a kept connection before each
  request's first query by sending ``SELECT 1``: one more round trip per request, which on a list
  request was a fifth of its statements (server and PostgreSQL CPU both). A connection the server
  dropped (a restart, ``pg_terminate_backend``, an idle timeout) always leaves something to read
  on its socket (PostgreSQL sends a FATAL message before it closes, and a close reads as end of
  file), while an idle healthy connection has nothing to read: so a poll of the socket tells which
  connections need the real check, and only those pay it.
- **Timestamps.** Django loads ``timestamptz`` values with a subclass of psycopg's pure-Python
  loader (to attach its time zone), which bypasses psycopg's C loader: on a page of records,
  two timestamps a row, that was a tenth of the request's CPU. With ``TIME_ZONE = "UTC"`` the
  session's time zone is UTC (Django sets it) and psycopg's C loader already returns datetimes in
  ``datetime.timezone.utc``, equal to what Django's loader gives, so the C one is registered.
"""

from __future__ import annotations

import select
from datetime import UTC
from functools import cache
from typing import Any

from django.db.backends.postgresql import base
from psycopg import adapt
from psycopg import adapters as default_adapters
from psycopg.pq import Format

__all__ = ["DatabaseWrapper"]

TIMESTAMPTZ_OID = 1184


class UtcTimestamptzLoader(adapt.Loader):
    """psycopg's default ``timestamptz`` loader (its C one, when built), under the class Django expects.

    psycopg's C loaders cannot be subclassed, so each instance lends its ``load``; ``timezone`` is
    what Django compares with the connection's before each cursor (it registers its own loader on
    the cursor when they differ).
    """

    timezone = UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        loader = default_adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        assert loader is not None
        self.load = loader(oid, context).load  # type: ignore[method-assign]

    def load(self, data: Any) -> Any:  # replaced per instance in __init__; declared for the abstract base
        raise NotImplementedError


@cache
def utc_adapters(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """Django's adapters map ``template`` with :class:`UtcTimestamptzLoader` for ``timestamptz``."""
    adapters = adapt.AdaptersMap(template)
    adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL connections with a cheap health check and a C timestamp loader (see the module's docstring)."""

    def get_connection_params(self) -> dict[str, Any]:
        """Django's parameters; in UTC, its adapters with psycopg's ``timestamptz`` loader."""
        params: dict[str, Any] = super().get_connection_params()
        if self.timezone is UTC and "context" in params:
            params["context"] = utc_adapters(params["context"])
        return params

    def is_usable(self) -> bool:
        """False when the connection is closed or broken; a ``SELECT 1`` only when the socket has news."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is gone already
            return False
        return super().is_usable() if readable else True
