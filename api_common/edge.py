"""The request edge: what every request passes before any view, whatever its API style.

:class:`RequestEdgeMiddleware` refuses a body over ``MAX_REQUEST_BODY_BYTES`` (an upload route's own
limit, e.g. ``IMPORT_MAX_BYTES`` for imports) with 413 before it is read: by its ``Content-Length``, else (a chunked body) by reading it at most one byte past
the limit. :class:`BoundedASGIHandler` does the same where an ASGI server hands the body over
in pieces, so that no body is kept beyond the limit, in memory or on disk. Memory stays flat:
what is kept is spooled to disk past Django's ``FILE_UPLOAD_MAX_MEMORY_SIZE``.

On the way out, a rendered DRF answer is untied from its view (:func:`api_common.rest.release_rendered`),
so that what it holds is freed as soon as the server has sent it.

Its ``process_exception`` answers 503 with ``Retry-After`` for a view outside the APIs whose
database cannot answer (the APIs translate that themselves).

A refusal answers in the error format of the endpoint asked: a view class may say how with a
classmethod ``error_response(error)`` (the GraphQL endpoints do); every other path answers in
the REST format ``{"statusCode", "error", "messages"}``.
"""

from __future__ import annotations

import contextvars
import logging
import os
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from api_common.conf import max_request_body_bytes
from api_common.errors import ApiError, LengthRequired, PayloadTooLarge, database_refusal
from api_common.rest import json_error, release_rendered

__all__ = ["BoundedASGIHandler", "RequestEdgeMiddleware", "error_response", "read_bounded"]

logger = logging.getLogger(__name__)

#: Bytes read at a time from a body of unknown length.
CHUNK = 64 * 1024
#: The body limit of the request an ASGI handler is reading (an upload route has its own).
_body_limit: contextvars.ContextVar[int | None] = contextvars.ContextVar("body_limit", default=None)


def too_large(limit: int, size: int | None = None) -> PayloadTooLarge:
    """The refusal of a body of ``size`` bytes (None: unknown, larger than ``limit``)."""
    sent = f"{size} bytes" if size is not None else f"more than {limit} bytes"
    return PayloadTooLarge(
        f"The request body ({sent}) is too large: at most {limit} bytes are accepted; send smaller requests"
    )


def error_response(request: HttpRequest, error: ApiError) -> HttpResponse:
    """``error`` answered in the format of the endpoint ``request`` asks for."""
    try:
        view_class = getattr(resolve(request.path_info).func, "view_class", None)
    except Resolver404:
        view_class = None
    render: Callable[[ApiError], HttpResponse] = getattr(view_class, "error_response", None) or json_error
    return render(error)


def read_bounded(stream: IO[bytes], limit: int) -> IO[bytes] | None:
    """The body of ``stream`` in a spooled file (memory up to Django's upload threshold, then disk),
    or None as soon as it holds more than ``limit`` bytes: at most ``limit + CHUNK`` are read."""
    body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            body.close()
            return None
        body.write(chunk)
    body.seek(0)
    return body


def upload_limit(request: HttpRequest) -> int | None:
    """The body limit of an upload route (a view class with ``max_upload_bytes()``, e.g. imports), or None."""
    try:
        view_class = getattr(resolve(request.path_info).func, "view_class", None)
    except Resolver404:
        return None
    limit = getattr(view_class, "max_upload_bytes", None)
    return int(limit()) if limit is not None else None


def declared_length(request: HttpRequest) -> int | None:
    """The request's ``Content-Length``, or None when it has none (or not a number)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class RequestEdgeMiddleware:
    """Refuse bodies over ``MAX_REQUEST_BODY_BYTES`` (413) before any view or middleware reads them;
    answer a database that cannot answer with 503 for views outside the APIs; untie rendered DRF
    answers from their views.

    Place it first, or right after ``SecurityMiddleware``: the CSRF middleware reads form bodies.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.body_refusal(request)
        if refusal is not None:
            return error_response(request, refusal)
        response = self.get_response(request)
        release_rendered(response)
        return response

    @staticmethod
    def process_exception(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view outside the APIs (admin, settings pages, docs) whose database cannot answer: 503."""
        error = database_refusal(exception)
        if error is None:
            return None
        logger.warning("Database unavailable at %s: %s", request.path, exception)
        return error_response(request, error)

    @staticmethod
    def body_refusal(request: HttpRequest) -> PayloadTooLarge | LengthRequired | None:
        """Why the request's body is refused, or None (a chunked body is then read, within the limit)."""
        limit = max_request_body_bytes()
        length = declared_length(request)
        if length is not None:
            if length > limit:
                limit = upload_limit(request) or limit  # only a body over the limit costs a URL resolve
            return too_large(limit, length) if length > limit else None
        # The route's own limit (a URL resolve) is looked up only where a body is measured below.
        stream: Any = getattr(request, "_stream", None)
        if hasattr(stream, "seekable") and stream.seekable():
            # ASGI: the handler has spooled the body (at most one chunk past the limit, see
            # BoundedASGIHandler); measure it without reading it.
            size = stream.seek(0, os.SEEK_END)
            stream.seek(0)
            limit = upload_limit(request) or limit
            if size > limit:
                return too_large(limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and request.META.get(
            "wsgi.input_terminated"
        ):
            # WSGI: Django reads nothing of a body without Content-Length; the server (gunicorn)
            # marks a chunked one it can read to its end. Read it here, within the limit.
            limit = upload_limit(request) or limit
            body = read_bounded(request.META["wsgi.input"], limit)
            if body is None:
                return too_large(limit)
            stream, size = body, body.seek(0, os.SEEK_END)
            body.seek(0)
            request._stream = stream  # Django reads the body from here
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # A server that does not mark where a chunked body ends (Django's runserver, the
            # development server): Django would read the body as empty, and a create would write
            # a blank record. The production server (nginx) sends a Content-Length.
            return LengthRequired("This server cannot read a chunked body: send it with a Content-Length header")
        else:
            return None
        # DRF (and Django's own body checks) take a body without Content-Length for empty.
        request.META["CONTENT_LENGTH"] = str(size)
        return None


class BoundedASGIHandler(ASGIHandler):
    """Django's ASGI handler, keeping at most one byte past ``MAX_REQUEST_BODY_BYTES`` of a body.

    Django's handler spools the whole body before any middleware runs. This one stops storing
    once the body passes the limit and drains the rest (the server would otherwise pass it to
    Django's disconnect listener), so :class:`RequestEdgeMiddleware` answers 413 without the
    body ever being kept.
    """

    async def handle(self, scope: dict[str, Any], receive: Callable[[], Any], send: Callable[..., Any]) -> None:
        """Note the route's body limit (an upload route's own, see :func:`upload_limit`) for :meth:`read_body`."""
        limit = max_request_body_bytes()
        try:
            view_class = getattr(resolve(scope.get("path", "")).func, "view_class", None)
            upload = getattr(view_class, "max_upload_bytes", None)
            limit = int(upload()) if upload is not None else limit
        except Resolver404:
            pass
        token = _body_limit.set(limit)
        try:
            await super().handle(scope, receive, send)
        finally:
            _body_limit.reset(token)

    async def read_body(self, receive: Callable[[], Any]) -> IO[bytes]:
        limit = _body_limit.get() or max_request_body_bytes()
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")
        kept = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                body.close()
                raise RequestAborted()
            # Keep at most limit + 1 bytes: enough for the middleware to see the body is too large.
            chunk = message.get("body", b"")[: limit + 1 - kept]
            body.write(chunk)
            kept += len(chunk)
            if not message.get("more_body", False):
                break
        body.seek(0)
        return body
