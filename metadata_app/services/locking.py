"""One data-model change at a time per workspace, and none while a record write relies on the old model.

A change checks existing records (duplicates before ``isUnique``, empty values before
``isNullable`` false) and backfills them (index rows, unique values, defaults) in its
transaction. A record write that read the model before the change and commits after the backfill
would escape both: a duplicate value, a record missing from an index. So on PostgreSQL a change
first takes its workspace's *model lock* exclusively (a transaction-scoped advisory lock) and the
workspace row ``FOR UPDATE``; every record write takes the model lock shared and the row ``FOR
SHARE`` in its first statement and checks the version it was prepared under
(``core_app.services.writing.hold_data_model``). The advisory lock is what makes it fair: a
change waits only for the writes in progress, and later writes queue behind it, where share
locks on a row are granted to each new writer while the change waits (a steady stream of writes
starved changes until their statement timeout). The row lock is what lets a write that waited
read the version the change committed. SQLite runs one writing transaction at a time, so there
the lock is the transaction itself.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, transaction

from metadata_app.models import Workspace

__all__ = ["data_model_change", "model_lock", "model_lock_key"]

T = TypeVar("T")


def model_lock_key(workspace_id: Any) -> int:
    """The advisory lock number of a workspace's data model: the id's first 64 bits, signed."""
    high = uuid.UUID(str(workspace_id)).int >> 64
    return high - (1 << 64) if high >= 1 << 63 else high


def model_lock(mode: str) -> str:
    """A condition that takes the workspace's model lock (``"shared"`` or ``"exclusive"``) before
    the row it filters is locked; its parameter is :func:`model_lock_key`. Empty on SQLite."""
    if connection.vendor != "postgresql":
        return ""
    # A condition on no column, but volatile: evaluated on the fetched row, before its row lock.
    function = "pg_advisory_xact_lock_shared" if mode == "shared" else "pg_advisory_xact_lock"
    return f" AND {function}(%s)::text = ''"


def data_model_change(operation: Callable[..., T]) -> Callable[..., T]:
    """Run ``operation(workspace, ...)`` in one transaction that first takes the workspace's model lock
    exclusively, then its row ``FOR UPDATE`` (on PostgreSQL): it waits for the record writes in
    progress, and the writes that come later wait for it."""

    @functools.wraps(operation)
    def wrapper(workspace: Workspace, *args: Any, **kwargs: Any) -> T:
        with transaction.atomic():
            lock = model_lock("exclusive")
            if lock:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT 1 FROM metadata_app_workspace WHERE id = %s{lock} FOR UPDATE",
                        [workspace.pk, model_lock_key(workspace.pk)],
                    )
            return operation(workspace, *args, **kwargs)

    return wrapper
