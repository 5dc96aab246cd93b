"""The key statement's rows, kept by each process while nothing they were read from has changed.

Every API request reads its key, its workspace, its role's version and the workspace facts in one
statement (:func:`apikeys_app.authentication.load_key`): 0.37 ms of PostgreSQL CPU, mostly
planning, and about 0.15 ms of the server's, on a ``GET`` of one record that cost 1.84 ms in all
(``docs/architecture.md``, "The API key, kept"). With ``REDIS_URL``
set, a process keeps the rows it read, each marked with the **generation** it was read under: a
value in Redis that every committed change to what the statement reads replaces (a key created,
revoked or deleted, a workspace renamed, a field added, a role changed, a webhook created...). A
request compares its row's mark with Redis' generation (one ``GET``, 70 us of CPU) and reads the
database again when they differ, so every process sees the change on its next request, as it did
when each request read the database.

- The generation is read **before** the database, and replaced **after** the writing transaction
  commits: a row read concurrently with a change is kept under the older generation, which the
  next request finds replaced.
- A generation is a random value, not a counter, so a Redis that restarted empty cannot bring an
  old value back.
- Without Redis (the embedded default), or when Redis does not answer, nothing is kept: processes
  share no memory that could tell them of a change. ``KEY_CACHE_SECONDS`` (default 30; 0 turns the
  cache off) bounds how long a row is kept even so, in case a replacement was lost to a Redis
  failure after a commit.
- Unknown keys are never kept (a stream of made-up keys cannot fill the memory; the failed
  authentication limit answers those).

One round trip per request: another app may read the generation **with** its own work in Redis
(:func:`read_with`; the settings name the rate limit's take as ``API_KEY_CHECK_RIDER``). A request
whose key has a young row here is checked against that row first (a refusal goes the usual way:
the generation read alone, the database when it moved), and its one Redis command both confirms
the row and takes its token.

Writers do not call this module one by one: :func:`watch` connects it to the models whose rows
the statement reads (saves and deletes), and the two version bumps that update without a signal
(``metadata_app.signals.bump_metadata_version``, ``roles_app.models.Role.bump_version``) call
:func:`changed` or save through a signal.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils.module_loading import import_string

from api_common.redis_client import client_for, redis_errors, redis_url

__all__ = [
    "Rider",
    "behind",
    "changed",
    "forget",
    "generation",
    "keep",
    "kept",
    "kept_row",
    "read_with",
    "rider",
    "watch",
]

logger = logging.getLogger(__name__)

#: Redis key of the generation; shared by every process (and deployment) that uses this Redis.
GENERATION_KEY = "crm:apikeys:generation"
#: More keys than this in one process: forget them all rather than grow (keys are few).
MAX_KEPT = 10_000

#: key id -> (generation it was read under, monotonic time it was read, the statement's row).
_kept: dict[str, tuple[bytes, float, Sequence[Any]]] = {}


def max_age() -> float:
    """Seconds a row is kept at most (``KEY_CACHE_SECONDS``, default 30; 0: the cache is off)."""
    return float(getattr(settings, "KEY_CACHE_SECONDS", 30))


def generation() -> bytes | None:
    """Redis' current generation, or None when rows must not be kept (no Redis, no answer, cache off).

    A missing generation (a new or restarted Redis) is created, and this request keeps nothing.
    """
    url = redis_url()
    if not url or max_age() <= 0:
        return None
    try:
        client = client_for(url)
        value = client.get(GENERATION_KEY)
        if value is None:
            client.set(GENERATION_KEY, uuid.uuid4().hex, nx=True)
    except redis_errors() as error:
        logger.warning("API keys read from the database: Redis did not answer (%s)", error)
        return None
    return value


class Rider(Protocol):
    """Work in Redis that also reads the generation, in the same command.

    Called with the key built from a kept row, the request, and the generation's Redis key;
    returns the generation it read, or None when it read none (it sent nothing, Redis did not
    answer, or there is no generation yet): the generation is then read on its own.
    """

    def __call__(self, api_key: Any, request: Any, generation_key: str) -> bytes | None: ...


@functools.cache
def imported(path: str) -> Rider:
    """The rider named by a dotted path (imported once)."""
    return import_string(path)


def rider() -> Rider | None:
    """The rider of this deployment: ``API_KEY_CHECK_RIDER``, a dotted path (the settings name the rate limit's)."""
    path = getattr(settings, "API_KEY_CHECK_RIDER", "")
    return imported(path) if path else None


def read_with(api_key: Any, request: Any) -> bytes | None:
    """The generation, read by the rider with its own work when there is one (see :func:`generation`)."""
    work = rider()
    if work is not None and max_age() > 0 and redis_url():
        current = work(api_key, request, GENERATION_KEY)
        if current is not None:
            return current
    return generation()  # a missing generation is created there


def kept_row(key_id: str) -> tuple[bytes, Sequence[Any]] | None:
    """``(generation it was read under, row)`` kept for ``key_id`` if young enough, whatever the generation now."""
    entry = _kept.get(key_id)
    if entry is None or time.monotonic() - entry[1] > max_age():
        return None
    return entry[0], entry[2]


def kept(key_id: str, current: bytes | None) -> Sequence[Any] | None:
    """The row kept for ``key_id`` if it was read under ``current`` and is young enough, else None."""
    if current is None:
        return None
    entry = _kept.get(key_id)
    if entry is None or entry[0] != current or time.monotonic() - entry[1] > max_age():
        return None
    return entry[2]


def keep(key_id: str, current: bytes | None, row: Sequence[Any]) -> None:
    """Keep ``row`` for ``key_id``, read under generation ``current`` (nothing when ``current`` is None)."""
    if current is None:
        return
    if len(_kept) >= MAX_KEPT:
        _kept.clear()
    _kept[key_id] = (current, time.monotonic(), row)


def forget(key_id: str) -> None:
    """Read ``key_id`` from the database next time in this process (after a write of its own)."""
    _kept.pop(key_id, None)


def changed() -> None:
    """Replace the generation once the current transaction commits (at once outside one)."""
    _kept.clear()  # this process sees its own change at once, even without Redis
    if redis_url():
        transaction.on_commit(replace_generation, robust=True)


def behind() -> None:
    """A request found its kept row older than the database: read every key again, here and elsewhere.

    Rare: a data-model change committed between a request's key read and its write, or a lost
    generation replacement (Redis failed after a commit) left rows behind until KEY_CACHE_SECONDS.
    """
    _kept.clear()
    if redis_url():
        replace_generation()


def replace_generation() -> None:
    """Give Redis a new generation: every process reads its keys from the database again."""
    try:
        client_for(redis_url()).set(GENERATION_KEY, uuid.uuid4().hex)
    except redis_errors() as error:
        # Rows stay kept elsewhere until KEY_CACHE_SECONDS pass: say so, loudly.
        logger.error("API key caches not told of a change: Redis did not answer (%s)", error)


def on_saved_or_deleted(sender: type[Model], **kwargs: Any) -> None:
    """A row the key statement reads changed: replace the generation after the commit."""
    changed()


def watch(*models: type[Model]) -> None:
    """Replace the generation whenever a row of one of ``models`` is saved or deleted."""
    for model in models:
        post_save.connect(on_saved_or_deleted, sender=model, dispatch_uid=f"key_cache:save:{model._meta.label}")
        post_delete.connect(on_saved_or_deleted, sender=model, dispatch_uid=f"key_cache:delete:{model._meta.label}")
