"""Safe retries and conditional writes on the core REST routes: ``Idempotency-Key`` and ``If-Match``.

:func:`guarded_write` wraps the write handlers of ``RecordsView``. Without either header it
calls the handler as is (no cost). With one, the handler runs inside one transaction that also
holds:

- the ``If-Match`` check, before the handler, with the records locked (``core_app.rest.conditional``);
- the idempotency key's claim before it and its stored answer after it (``guards_app.idempotency``):
  the answer is rendered inside the transaction, so the bytes stored are the bytes sent.

A repeat of an idempotent request is replayed before any precondition is looked at: a retried
conditional update gets its first answer, not a 412 caused by its own first run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from api_common.errors import BadRequest
from apikeys_app.authentication import api_key_of
from core_app.rest import conditional, params
from core_app.services import writing
from guards_app.idempotency import idempotency_key, in_transaction, run_once

__all__ = ["guarded_write"]

Handler = Callable[..., HttpResponse]

NO_PRECONDITION = (
    "If-Match applies to existing records: send it with PATCH, PUT or DELETE on /rest/{plural}/{id}, "
    "with PATCH /rest/restore/{plural}/{id}, or with a route by filter"
)


def route_of(view: Any, request: Request, record_id: str | None) -> tuple[str, str | None, bool | None]:
    """``(kind, verb, trashed)`` of the write: kind ``one``, ``many``, ``create``, ``merge`` or ``read``;
    the record service's verb for a route by filter; which records it acts on (live, trash, either)."""
    method = request.method
    if method == "POST":
        return ("read" if record_id == "duplicates" else "create"), None, None
    if record_id == "merge":
        return "merge", None, None
    kind = "one" if record_id is not None else "many"
    if view.mode == "restore":
        return kind, "restore", True
    if method == "DELETE":
        soft = params.is_true(request.query_params, "soft_delete")
        return kind, ("delete" if soft else "destroy"), (False if soft else None)
    return kind, "update", False


def written_ids(response: Response) -> list[str]:
    """Ids of the records a route by filter answered with (``{"data": {"updatePeople": [...]}}``)."""
    payload = next(iter(response.data["data"].values()))
    return [record["id"] for record in payload]


def guarded_write(handler: Handler) -> Handler:
    """Run a write handler under its ``Idempotency-Key`` and ``If-Match``, when the request has them."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        key = idempotency_key(request._request)
        tags = conditional.if_match(request)
        if key is None and tags is None:
            return handler(view, request, *args, **kwargs)
        plural, raw_id = kwargs.get("plural", ""), kwargs.get("record_id")
        kind, verb, trashed = route_of(view, request, raw_id)
        if kind == "read":
            return handler(view, request, *args, **kwargs)
        if tags is not None and kind in ("create", "merge"):
            raise BadRequest(NO_PRECONDITION)
        ctx = view.context(request, plural)
        record_id = view.record_id(raw_id) if kind == "one" else None

        def run() -> tuple[HttpResponse, bool]:
            checked: set[str] | None = None
            if tags is not None and record_id is not None:
                conditional.check_one(ctx, record_id, tags, trashed)
            elif tags is not None and verb is not None:  # a route by filter: it has a verb
                trash = True if verb == "restore" else None
                selected = writing.select_many(ctx, params.read_filter(request.query_params), verb, trash=trash)
                checked = conditional.check_many(ctx, selected, tags)
            response = handler(view, request, *args, **kwargs)
            if checked is not None:
                conditional.check_written(written_ids(cast(Response, response)), checked)  # a DRF view's
            response = view.finalize_response(request, response, *args, **kwargs)
            response.render()
            return response, 200 <= response.status_code < 300

        if key is None:
            return in_transaction(lambda: run()[0])
        api_key = api_key_of(request)
        return run_once(request._request, key, api_key.workspace_id, api_key.pk, run)

    return wrapper
