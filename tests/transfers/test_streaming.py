"""Import files are streamed to the database, never held whole: over WSGI, over ASGI, and in memory terms."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core import signals
from django.db import close_old_connections

from config.asgi import application as asgi_application
from transfers_app.models import ImportChunk, ImportJob

pytestmark = pytest.mark.django_db

MAPPING = json.dumps({"First": "name.firstName", "Email": "emails.primaryEmail"})


def csv_rows(count: int) -> bytes:
    """A CSV file of ``count`` people."""
    return b"First,Email\r\n" + b"".join(b"Person %d,p%d@example.com\r\n" % (n, n) for n in range(count))


@pytest.fixture
def no_connection_signals() -> Iterator[None]:
    """As Django's own test clients do: requests here must not close the test's database connections."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def asgi_import(token: str, pieces: Iterator[bytes]) -> tuple[int, dict]:
    """POST a chunked CSV body to ``/rest/imports/people`` through the project's ASGI application."""
    sent: list[dict] = []
    done = False

    async def receive() -> dict:
        nonlocal done
        if done:
            await asyncio.Event().wait()
        piece = next(pieces, None)
        if piece is None:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: Any) -> None:
        sent.append(message)

    from urllib.parse import urlencode

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/rest/imports/people",
        "raw_path": b"/rest/imports/people",
        "query_string": urlencode({"mapping": MAPPING}).encode(),
        "root_path": "",
        "headers": [
            (b"host", b"localhost"),
            (b"content-type", b"text/csv"),
            (b"transfer-encoding", b"chunked"),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("localhost", 80),
    }
    async_to_sync(asgi_application)(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body)


def test_an_asgi_import_may_exceed_the_body_limit_of_other_routes(api, settings, no_connection_signals):
    # given: a chunked body of ~3 MB, over MAX_REQUEST_BODY_BYTES but within IMPORT_MAX_BYTES
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    body = csv_rows(100_000)
    pieces = (body[i : i + 65536] for i in range(0, len(body), 65536))

    # when
    status, answer = asgi_import(api.token, pieces)

    # then
    assert status == 202, answer
    assert (answer["data"]["totalRows"], answer["data"]["sizeBytes"]) == (100_000, len(body))


def test_an_asgi_import_over_the_import_limit_is_a_413(api, settings, no_connection_signals):
    # given
    settings.IMPORT_MAX_BYTES = 512 * 1024
    body = csv_rows(100_000)
    pieces = (body[i : i + 65536] for i in range(0, len(body), 65536))

    # when
    status, answer = asgi_import(api.token, pieces)

    # then
    assert (status, answer["messages"]) == (
        413,
        [
            f"The request body (more than {512 * 1024} bytes) is too large: at most {512 * 1024} bytes are accepted; send smaller requests"
        ],
    )
    assert ImportJob.objects.count() == 0


def test_an_import_file_is_stored_in_chunks_without_being_held_whole(api, settings, no_connection_signals):
    # given: about 8 MB of CSV sent in pieces (as a server hands them over), stored in chunks of 1 MiB
    body = csv_rows(250_000)
    pieces = (body[i : i + 65536] for i in range(0, len(body), 65536))

    # when
    tracemalloc.start()
    status, answer = asgi_import(api.token, pieces)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    # then: memory held a few pieces and one chunk, never the file
    assert status == 202, answer
    assert (answer["data"]["totalRows"], answer["data"]["sizeBytes"]) == (250_000, len(body))
    chunks = ImportChunk.objects.filter(job_id=answer["data"]["id"]).order_by("seq")
    assert chunks.count() == -(-len(body) // (1024 * 1024))
    assert b"".join(bytes(c.data) for c in chunks) == body
    assert peak < 6 * 1024 * 1024, peak
