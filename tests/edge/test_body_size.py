"""Bodies over ``MAX_REQUEST_BODY_BYTES`` are answered 413 before they are read, on every endpoint.

With ``Content-Length`` the size is checked before a byte is read; a body without it (chunked
transfer under WSGI, any body under ASGI) is read at most one byte past the limit, so memory
stays flat whatever the client sends.
"""

from __future__ import annotations

import asyncio
import io
import json
import tracemalloc
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core import signals
from django.db import close_old_connections

from config.asgi import application as asgi_application

LIMIT = 10 * 1024 * 1024


def rest_413(message: str) -> dict:
    return {"statusCode": 413, "error": "PayloadTooLargeException", "messages": [message]}


def graphql_413(message: str) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}}]}


def too_large(size: int | None, limit: int = LIMIT) -> str:
    """The message of a refused body of ``size`` bytes (None: unknown, sent without Content-Length)."""
    sent = f"{size} bytes" if size is not None else f"more than {limit} bytes"
    return f"The request body ({sent}) is too large: at most {limit} bytes are accepted; send smaller requests"


class EndlessBody:
    """A WSGI input (the network's side) that yields ``total`` bytes of a JSON string, counting what was read."""

    def __init__(self, total: int) -> None:
        self.total, self.sent = total, 0

    def read(self, size: int = -1) -> bytes:
        size = self.total - self.sent if size is None or size < 0 else min(size, self.total - self.sent)
        self.sent += size
        return b" " * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


# --- with Content-Length ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/rest/people", "/rest/batch/people", "/rest/metadata/objects", "/rest/metadata/apiKeys", "/rest/nope"]
)
def test_a_rest_body_over_the_limit_is_a_413_in_the_error_format(api, path):
    # given: a declared length one byte over the limit, and an input that would take long to send
    body = EndlessBody(LIMIT + 1)
    # when
    response = api.client.post(
        path, content_type="application/json", CONTENT_LENGTH=str(LIMIT + 1), **{"wsgi.input": body}, **api.headers()
    )
    # then: answered before a byte was read
    assert (response.status_code, response.json()) == (413, rest_413(too_large(LIMIT + 1)))
    assert body.sent == 0


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
def test_a_graphql_body_over_the_limit_is_a_413_in_graphql_error_format(api, path):
    # given
    body = EndlessBody(LIMIT + 1)
    # when
    response = api.client.post(
        path, content_type="application/json", CONTENT_LENGTH=str(LIMIT + 1), **{"wsgi.input": body}, **api.headers()
    )
    # then
    assert (response.status_code, response.json()) == (413, graphql_413(too_large(LIMIT + 1)))
    assert body.sent == 0


def test_a_body_of_a_hundred_megabytes_costs_no_memory(api):
    # given
    body = EndlessBody(100 * 1024 * 1024)
    tracemalloc.start()
    # when
    response = api.client.post(
        "/rest/people",
        content_type="application/json",
        CONTENT_LENGTH=str(body.total),
        **{"wsgi.input": body},
        **api.headers(),
    )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # then
    assert response.status_code == 413
    assert peak < 2 * 1024 * 1024


def test_a_body_at_the_limit_is_read(api, settings):
    # given
    settings.MAX_REQUEST_BODY_BYTES = 200
    at_limit = json.dumps({"jobTitle": "x" * 100}).ljust(200)
    # when
    accepted = api.post("/rest/people", raw=at_limit)
    refused = api.post("/rest/people", raw=at_limit + " ")
    # then
    assert accepted[0] == 201
    assert refused == (413, rest_413(too_large(201, 200)))


def test_a_graphql_body_of_three_megabytes_is_under_the_default_limit(api):
    # given: Django's own cap on request.body (2.5 MB) is not a second, lower limit
    body = {"query": "{ people { totalCount } }", "variables": {"padding": "x" * 3_000_000}}
    # when / then
    assert api.post("/graphql", body) == (200, {"data": {"people": {"totalCount": 0}}})


# --- without Content-Length ------------------------------------------------------------------------


def chunked_post(api, path: str, body: EndlessBody):
    """POST ``body`` as a WSGI server passes a chunked request: no Content-Length, the input terminated."""
    return api.client.post(
        path,
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": body, "wsgi.input_terminated": True},
        **api.headers(),
    )


def test_a_chunked_body_over_the_limit_is_read_only_up_to_the_limit(api, settings):
    # given
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    body = EndlessBody(50 * 1024 * 1024)
    tracemalloc.start()
    # when
    response = chunked_post(api, "/rest/people", body)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # then
    assert (response.status_code, response.json()) == (413, rest_413(too_large(None, 1024 * 1024)))
    assert body.sent <= 1024 * 1024 + 64 * 1024
    assert peak < 4 * 1024 * 1024


def test_a_chunked_body_within_the_limit_is_read(api):
    # given
    payload = json.dumps({"jobTitle": "chunked"}).encode()

    class Chunked(EndlessBody):
        def read(self, size: int = -1) -> bytes:
            chunk = payload[self.sent : self.sent + (len(payload) if size is None or size < 0 else size)]
            self.sent += len(chunk)
            return chunk

    # when
    response = chunked_post(api, "/rest/people", Chunked(len(payload)))
    # then
    assert response.status_code == 201
    assert response.json()["data"]["createPerson"]["jobTitle"] == "chunked"


def test_a_chunked_body_a_server_does_not_terminate_is_a_411_and_writes_nothing(api):
    # given: Django's development server passes a chunked body without marking its end
    payload = json.dumps({"jobTitle": "chunked"}).encode()
    # when
    response = api.client.post(
        "/rest/people",
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(payload)},
        **api.headers(),
    )
    # then: read as empty, it created a blank person
    message = "This server cannot read a chunked body: send it with a Content-Length header"
    assert (response.status_code, response.json()) == (
        411,
        {"statusCode": 411, "error": "LengthRequiredException", "messages": [message]},
    )
    assert api.get("/rest/people")[1]["totalCount"] == 0


# --- ASGI ------------------------------------------------------------------------------------------


@pytest.fixture
def no_connection_signals() -> Iterator[None]:
    """As Django's own test clients do: requests here must not close the test's database connections."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def asgi_post(path: str, chunks: Iterator[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes, int]:
    """POST ``chunks`` through the project's ASGI application; return status, body and bytes the app received."""
    received = 0
    sent: list[Mapping[str, Any]] = []

    done = False

    async def receive() -> dict:
        nonlocal received, done
        if done:  # the body is over: a server now waits for the client to go away
            await asyncio.Event().wait()
        chunk = next(chunks, None)
        if chunk is None:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        received += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("localhost", 80),
    }
    async_to_sync(asgi_application)(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, received


@pytest.mark.parametrize(
    ("declared", "piece"),
    [(False, 65536), (True, 65536), (False, 20 * 1024 * 1024)],
    ids=["chunked", "with_content_length", "in_one_message"],
)
def test_an_asgi_body_over_the_limit_is_a_413_and_is_not_kept(settings, no_connection_signals, declared, piece):
    # given: 20 MB in pieces, against a 1 MB limit
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    total = 20 * 1024 * 1024
    chunks = (b" " * piece for _ in range(total // piece))
    headers = [(b"content-length", str(total).encode())] if declared else [(b"transfer-encoding", b"chunked")]
    tracemalloc.start()
    # when
    status, body, _ = asgi_post("/rest/people", chunks, headers)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # then
    size = total if declared else None
    assert (status, json.loads(body)) == (413, rest_413(too_large(size, 1024 * 1024)))
    if piece < total:
        assert peak < 4 * 1024 * 1024


def test_a_chunked_asgi_body_within_the_limit_is_read(api, no_connection_signals):
    # given
    headers = [(b"transfer-encoding", b"chunked"), (b"authorization", f"Bearer {api.token}".encode())]
    chunks = iter([b'{"jobTitle": ', b'"over ASGI"}'])
    # when
    status, body, _ = asgi_post("/rest/people", chunks, headers)
    # then
    assert status == 201
    assert json.loads(body)["data"]["createPerson"]["jobTitle"] == "over ASGI"
