"""Conditional requests on records: ``ETag``, ``If-None-Match`` (304) and ``If-Match`` (412).

A record's ETag is strong and opaque: a digest of its id, its ``updated_at`` (microseconds,
changed by every write of the record) and the workspace's metadata version (a data-model
change can change a record's representation, or its values: a removed option, a new default).
It is sent with a record read or written alone at ``depth=0``; at depth 1 or 2 the answer
embeds other records, which change without this one's ETag, so no ETag is sent and
``If-None-Match`` is not applied.

``If-Match`` is checked by :func:`check_one` / :func:`check_many` inside the write's
transaction, the rows locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs one writing
transaction at a time) until it commits: between the check and the write nothing can change
them. A record that changed gives 412 and nothing is written. On routes by filter, ``If-Match``
carries one ETag per record (``If-Match: "a", "b"``): every record the filter selects must still
have one of the listed ETags, and a record that starts matching the filter meanwhile fails the
request too. ``If-Match: *`` asks only that the record exists. A request whose record does not
exist answers 404 as without the header (RFC 9110 13.2.1).
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from rest_framework.request import Request
from rest_framework.response import Response

from api_common.errors import BadRequest, PreconditionFailed
from core_app import access
from core_app.models import Record
from core_app.services.context import RecordContext
from core_app.store.records import RecordRow

__all__ = [
    "ANY",
    "check_many",
    "check_one",
    "etag",
    "if_match",
    "not_modified",
    "with_etag",
]

#: ``If-Match: *``.
ANY = frozenset({"*"})
#: One entity tag of a list: ``"opaque"`` or ``W/"opaque"`` (weak).
ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


def etag_of(record_id: str, updated_at: datetime, metadata_version: int) -> str:
    """The strong ETag of a version of a record."""
    micros = int(updated_at.timestamp()) * 1_000_000 + updated_at.microsecond
    digest = hashlib.sha256(f"{record_id}:{micros}:{metadata_version}".encode()).digest()[:16]
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def etag(ctx: RecordContext, record: RecordRow) -> str:
    """The ETag of ``record`` as it is now."""
    return etag_of(record.id, record.updated_at, ctx.snapshot.version)


def parse_tags(header: str, name: str) -> frozenset[str]:
    """The entity tags of an ``If-Match`` / ``If-None-Match`` value (weak ones prefixed ``W/``), or ANY."""
    if header.strip() == "*":
        return ANY
    tags, position = [], 0
    while position < len(header):
        found = ENTITY_TAG.match(header, position)
        if found is None:
            raise BadRequest(f'{name} must be * or a comma-separated list of ETags such as "abc" (got {header!r})')
        tags.append(("W/" if found.group(1) else "") + f'"{found.group(2)}"')
        position = found.end()
    if not tags:
        raise BadRequest(f"{name} must not be empty")
    return frozenset(tags)


def if_match(request: Request) -> frozenset[str] | None:
    """The request's ``If-Match`` tags (ANY for ``*``), or None without the header."""
    header = request.META.get("HTTP_IF_MATCH")
    return None if header is None else parse_tags(header, "If-Match")


def not_modified(request: Request, tag: str) -> Response | None:
    """A 304 when ``If-None-Match`` lists ``tag`` (weak comparison, as RFC 9110 asks for GET), else None."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if header is None:
        return None
    tags = parse_tags(header, "If-None-Match")
    if tags is ANY or tag in {t.removeprefix("W/") for t in tags}:
        return Response(status=304, headers={"ETag": tag})
    return None


def with_etag(response: Response, ctx: RecordContext, record: RecordRow, depth: int) -> Response:
    """``response`` with ``record``'s ETag when it shows the record alone (depth 0)."""
    if depth == 0:
        response["ETag"] = etag(ctx, record)
    return response


def locked_versions(ctx: RecordContext, ids: Iterable[str]) -> dict[str, tuple[datetime, bool]]:
    """``id -> (updated_at, trashed)`` of the records among ``ids``, locked until the transaction ends, in id order."""
    rows = (
        Record.objects.select_for_update()
        .filter(workspace_id=ctx.ws, object_id=uuid.UUID(ctx.spec.id), id__in=sorted(set(ids)))
        .order_by("id")
        .values_list("id", "updated_at", "deleted_at")
    )
    return {str(pk): (updated_at, deleted_at is not None) for pk, updated_at, deleted_at in rows}


def refusal(ids: list[str]) -> PreconditionFailed:
    """The 412 naming the records whose ETag is not listed."""
    if len(ids) == 1:
        return PreconditionFailed(
            f"Record {ids[0]} has changed since its ETag was read (If-Match does not match); read it again"
        )
    return PreconditionFailed(
        f"Records {', '.join(ids)} have changed since their ETags were read (If-Match does not match); read them again"
    )


def check_one(ctx: RecordContext, record_id: str, tags: frozenset[str], trashed: bool | None) -> None:
    """Lock the record and refuse (412) unless its ETag is listed; ``trashed``: the record the route acts on
    is live (False), in the trash (True) or either (None). A record the route would not find is let through (404)."""
    access.require(ctx, "read")  # a 412 would tell a key that cannot read the object that the record exists
    found = locked_versions(ctx, [record_id]).get(record_id)
    if found is None or (trashed is not None and found[1] != trashed):
        return
    if tags is not ANY and etag_of(record_id, found[0], ctx.snapshot.version) not in tags:
        raise refusal([record_id])


def check_many(ctx: RecordContext, records: list[RecordRow], tags: frozenset[str]) -> set[str]:
    """Lock the records a route by filter selected; refuse (412) unless each one's ETag is listed. The checked ids."""
    versions = locked_versions(ctx, [r.id for r in records])
    if tags is not ANY:
        changed = [
            pk for pk, (updated_at, _) in versions.items() if etag_of(pk, updated_at, ctx.snapshot.version) not in tags
        ]
        if changed:
            raise refusal(changed)
    return set(versions)


def check_written(written: Iterable[str], checked: set[str]) -> None:
    """After a write by filter: refuse (412, the transaction rolls back) when it wrote a record that was not checked."""
    unchecked = sorted(set(written) - checked)
    if unchecked:
        raise refusal(unchecked)
