"""One data-model change at a time per workspace, and none while a record write relies on the old model.

A change checks existing records (duplicates before ``isUnique``, empty values before
``isNullable`` false) and backfills them (index rows, unique values, defaults) in its
transaction. A record write that read the model before the change and commits after the backfill
would escape both: a duplicate value, a record missing from an index. So a change first locks
its workspace row (``FOR UPDATE``), and every record write holds a share lock on that row for
its transaction and checks the version it was prepared under
(``core_app.services.writing.hold_data_model``). SQLite runs one writing transaction at a time,
so there the lock is the transaction itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from metadata_app.models import Workspace

__all__ = ["data_model_change"]

T = TypeVar("T")


def data_model_change(operation: Callable[..., T]) -> Callable[..., T]:
    """Run ``operation(workspace, ...)`` in one transaction that starts by locking the workspace row."""

    @functools.wraps(operation)
    def wrapper(workspace: Workspace, *args: Any, **kwargs: Any) -> T:
        with transaction.atomic():
            list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))
            return operation(workspace, *args, **kwargs)

    return wrapper
