"""``Idempotency-Key``: a write sent again with the same key is answered, not done again.

:func:`run_once` wraps one write (a REST route, a GraphQL mutation) in one transaction:

1. on PostgreSQL, a transaction-scoped advisory lock on ``(workspace, key)`` is tried; held by
   another transaction, the first request is still running: **409** with ``Retry-After: 1``
   (SQLite runs one writing transaction at a time, so there a repeat waits for the first and is
   then replayed);
2. the stored answer of ``(workspace, key)`` is read: for the same request (same key, method,
   path with query string and body, sent with the same API key) it is **replayed byte for byte**
   with ``Idempotent-Replayed: true``; for another request it is a **422**;
3. otherwise the write runs and, when it succeeded, its status, headers and exact body are stored
   in the same transaction, for ``IDEMPOTENCY_KEY_TTL`` seconds (24 h).

So an answer exists exactly when its write was committed: a request refused before writing
(validation, 404...) stores nothing and may be sent again with the same key; a crash before the
commit leaves neither write nor key, and the retry writes once; a crash after it leaves both, and
the retry is replayed. The unique ``(workspace_id, key)`` primary key backs the lock: two
transactions can never both commit an answer for one key.

A deadlock or serialization failure inside the transaction runs it again (up to three times), as
the record service does for its own transactions.

Example::

    key = idempotency_key(request)            # None without the header; 400 when malformed
    if key is not None:
        return run_once(request, key, workspace_id, api_key.pk, lambda: (do_write(), True))
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from api_common.errors import BadRequest, Conflict, UnprocessableContent
from guards_app import conf
from guards_app.models import IdempotencyKey
from guards_app.tasks import ensure_purge_scheduled

__all__ = [
    "REPLAYED_HEADER",
    "claim",
    "fingerprint",
    "idempotency_key",
    "in_transaction",
    "run_once",
    "store",
]

REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
#: Times a transaction is tried when the database reports a deadlock or a serialization failure.
ATTEMPTS = 3
#: Headers of an answer that are not stored with it (the middleware adds them to every answer).
NOT_STORED = frozenset({"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"})


def idempotency_key(request: HttpRequest) -> str | None:
    """The request's ``Idempotency-Key`` (a plain token or a quoted string), None without one; 400 when unusable."""
    raw = request.META.get("HTTP_IDEMPOTENCY_KEY")
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in key):
        raise BadRequest(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID (got {raw!r})"
        )
    return key


def fingerprint(request: HttpRequest, principal_id: Any, body_digest: bytes | None = None) -> str:
    """What makes two requests "the same request": API key, method, path with query string, body.

    ``body_digest`` stands for the body of a request too large to read whole (an upload, whose
    view hashes it while streaming it, see ``transfers_app``).
    """
    digest = hashlib.sha256()
    for part in (str(principal_id), request.method or "", request.get_full_path()):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request.body if body_digest is None else body_digest)
    return digest.hexdigest()


def lock_number(workspace_id: Any, key: str) -> int:
    """The advisory lock of ``(workspace, key)``: 64 bits of a digest, as PostgreSQL's signed bigint."""
    return int.from_bytes(hashlib.sha256(f"{workspace_id}\0{key}".encode()).digest()[:8], "big", signed=True)


def is_transient(error: OperationalError) -> bool:
    """A deadlock or a serialization failure: the transaction may simply be run again."""
    return getattr(error.__cause__, "sqlstate", None) in ("40P01", "40001")


def in_transaction(work: Callable[[], Any]) -> Any:
    """``work()`` in one transaction, run again on a deadlock or a serialization failure."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return work()
        except OperationalError as error:
            if attempt == ATTEMPTS or not is_transient(error) or connection.in_atomic_block:
                raise
            time.sleep(0.01 * attempt)
    raise AssertionError("unreachable")


def replay(stored: IdempotencyKey) -> HttpResponse:
    """The stored answer, byte for byte, marked as a replay."""
    response = HttpResponse(bytes(stored.body), status=stored.status)
    for name, value in stored.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def claim(workspace_id: Any, key: str, print_: str) -> HttpResponse | None:
    """Inside the transaction: lock the key, then the stored answer to replay (None: run the write)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_number(workspace_id, key)])
            if not cursor.fetchone()[0]:
                raise Conflict(
                    f"A request with Idempotency-Key '{key}' is still being processed; retry once it has finished"
                )
    stored = IdempotencyKey.objects.filter(workspace_id=workspace_id, key=key).first()
    if stored is None:
        return None
    if stored.expires_at <= timezone.now():
        IdempotencyKey.objects.filter(workspace_id=workspace_id, key=key).delete()
        return None
    if stored.fingerprint != print_:
        raise UnprocessableContent(
            f"Idempotency-Key '{key}' was already used for a different request; use a new key for a new request"
        )
    return replay(stored)


def store(workspace_id: Any, key: str, print_: str, response: HttpResponse) -> None:
    """Keep ``response`` (rendered) as the answer of ``(workspace, key)``, in the current transaction."""
    now = timezone.now()
    headers = {name: value for name, value in response.items() if name.lower() not in NOT_STORED}
    IdempotencyKey.objects.create(
        workspace_id=workspace_id,
        key=key,
        fingerprint=print_,
        status=response.status_code,
        headers=headers,
        body=bytes(response.content),
        created_at=now,
        expires_at=now + timedelta(seconds=conf.idempotency_key_ttl()),
    )
    ensure_purge_scheduled()


def run_once(
    request: HttpRequest,
    key: str,
    workspace_id: Any,
    principal_id: Any,
    work: Callable[[], tuple[HttpResponse, bool]],
) -> HttpResponse:
    """Answer a write sent with ``key``: replay, refuse (409, 422), or run ``work`` and keep its answer.

    ``work`` returns the rendered answer and whether a write was committed with it (only such an
    answer is stored; otherwise the transaction is rolled back).
    """
    print_ = fingerprint(request, principal_id)

    def attempt() -> HttpResponse:
        replayed = claim(workspace_id, key, print_)
        if replayed is not None:
            return replayed
        response, wrote = work()
        if wrote:
            store(workspace_id, key, print_, response)
        else:
            transaction.set_rollback(True)
        return response

    try:
        return in_transaction(attempt)
    except IntegrityError:
        # Another transaction committed an answer for this key between the claim and the store
        # (possible only without the advisory lock): this one was rolled back; answer as a repeat.
        return in_transaction(attempt)
