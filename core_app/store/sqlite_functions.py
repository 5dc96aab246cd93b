"""SQL functions SQLite lacks, registered on each of its connections.

- ``unicode_lower(text)``: lower case in every script. SQLite's ``LOWER`` knows ASCII only, so an
  ``ilike`` for "émile" missed "Émile" there while PostgreSQL's ``ILIKE`` found it (the contract
  wants the same answers on both databases).
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver

__all__ = ["register_functions", "unicode_lower"]


def unicode_lower(value: Any) -> Any:
    """``value`` in lower case when it is text (SQLite passes NULL as None, numbers as numbers)."""
    return value.lower() if isinstance(value, str) else value


@receiver(connection_created)
def register_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Register the functions above on a new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("unicode_lower", 1, unicode_lower, deterministic=True)
