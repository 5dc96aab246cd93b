"""Django's PostgreSQL backend with a health check that costs no round trip when nothing is wrong.

With ``CONN_HEALTH_CHECKS`` on, Django checks a kept connection before each request's first
query by sending ``SELECT 1``: one more round trip per request, which on a list request was a
fifth of its statements (server and PostgreSQL CPU both). A connection the server dropped (a
restart, ``pg_terminate_backend``, an idle timeout) always leaves something to read on its socket
(PostgreSQL sends a FATAL message before it closes, and a close reads as end of file), while an
idle healthy connection has nothing to read: so a poll of the socket tells which connections need
the real check, and only those pay it.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base

__all__ = ["DatabaseWrapper"]


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL connections whose health check polls the socket first (see the module's docstring)."""

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
