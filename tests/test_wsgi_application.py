"""The WSGI application servers run (``config.wsgi``): API paths through the short middleware chain
give the same answers as the whole chain; browser pages keep sessions, CSRF and messages."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import orjson
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponseBase

from config import collector, wsgi
from tests.live import call_wsgi, wsgi_environ


@contextmanager
def on_the_tests_connection() -> Iterator[None]:
    """Requests keep the test's connection and transaction, as Django's test client runs them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app: Any, method: str, path: str, token: str | None = None, body: bytes = b"") -> tuple[str, dict, bytes]:
    """``call_wsgi`` inside the test's transaction, on its connection."""
    with on_the_tests_connection():
        return call_wsgi(app, method, path, token, body)


def test_api_middleware_is_the_whole_list_without_browser_parts(settings):
    assert settings.API_MIDDLEWARE == [
        "django.middleware.security.SecurityMiddleware",
        "api_common.edge.RequestEdgeMiddleware",
        "guards_app.middleware.RateLimitHeadersMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/rest/companies?order_by=name&limit=2", b""),
        ("GET", "/rest/companies/not-a-uuid", b""),
        ("POST", "/rest/people", b'{"city": "Paris"}'),
        ("POST", "/graphql", b'{"query": "{ companies(first: 2) { edges { node { name } } } }"}'),
        ("POST", "/metadata", b'{"query": "{ objects(paging: {first: 1}) { edges { node { nameSingular } } } }"}'),
        ("GET", "/rest/open-api/core", b""),
    ],
)
def test_api_answers_are_the_same_through_both_chains(db, api, method, path, body):
    # given: the same records for both
    assert api.post("/rest/batch/companies", [{"name": "Acme"}, {"name": "Globex"}])[0] == 201
    token = api.token

    # when
    short = call(wsgi.application, method, path, token, body)
    whole = call(wsgi.browser_application, method, path, token, body)

    # then: the same status, headers and bytes, but for what each new record makes its own
    if method == "POST" and path == "/rest/people":
        assert short[0] == whole[0] == "201 Created"
    else:
        assert short == whole
        assert short[0].split()[0] in {"200", "400"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/rest/companies?order_by=name", "200 OK"), ("/rest/companies?filter=name[nope]:x", "400 Bad Request")],
)
def test_an_api_answer_leaves_as_one_piece_already_finished(db, api, path, expected):
    # given: a record, and a listener for the end of the request
    assert api.post("/rest/companies", {"name": "Acme"})[0] == 201
    finished = []

    def on_finished(sender: Any, **kwargs: Any) -> None:
        finished.append(sender)

    statuses = []
    # when
    with on_the_tests_connection():
        request_finished.connect(on_finished)
        try:
            answer = wsgi.application(
                wsgi_environ("GET", path, api.token), lambda status, headers, exc_info=None: statuses.append(status)
            )
        finally:
            request_finished.disconnect(on_finished)
    # then: a list of one bytes (granian writes it out without iterating from its own thread), the
    # request already finished, the bytes those of the test client's answer
    assert (type(answer), len(answer), type(answer[0]), statuses, len(finished)) == (list, 1, bytes, [expected], 1)
    assert orjson.loads(answer[0]) == api.get("/rest/companies", **dict(parse_qsl(path.partition("?")[2])))[1]


def test_an_export_still_streams(db, api):
    # given
    assert api.post("/rest/companies", {"name": "Acme"})[0] == 201
    # when
    with on_the_tests_connection():
        answer = wsgi.application(
            wsgi_environ("GET", "/rest/exports/companies?fields=name", api.token),
            lambda status, headers, exc_info=None: None,
        )
        try:
            content = b"".join(answer)
        finally:
            answer.close()
    # then: not a list (granian streams it, rows as they are read)
    assert not isinstance(answer, list)
    assert content.decode().splitlines() == ["id,name", answer_id_line(api)]


def answer_id_line(api) -> str:
    """The CSV line of the workspace's one company (``id,name``)."""
    (company,) = api.get("/rest/companies")[1]["data"]["companies"]
    return f"{company['id']},Acme"


def test_browser_pages_keep_their_middleware(db):
    # when
    status, headers, content = call(wsgi.application, "GET", "/admin/login/")

    # then: the CSRF middleware set its cookie, the session machinery rendered the login form
    assert status == "200 OK"
    assert "csrftoken=" in headers["Set-Cookie"]
    assert b'name="csrfmiddlewaretoken"' in content


@pytest.fixture
def saved_garbage():
    """What the cyclic collector finds unreachable while the test runs, kept in a list instead of freed."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "/rest/companies?order_by=name", b"", "200 OK"),
        ("POST", "/rest/batch/companies", b'[{"name": "Initech"}]', "201 Created"),
        ("GET", "/rest/companies?filter=name[nope]:x", b"", "400 Bad Request"),
    ],
)
def test_an_answer_leaves_no_cycle_holding_its_records(db, api, saved_garbage, method, path, body, expected):
    # given: records written through the same application (the test client ties its answers in cycles)
    given = call(
        wsgi.application, "POST", "/rest/batch/companies", api.token, b'[{"name": "Acme"}, {"name": "Globex"}]'
    )
    assert given[0] == "201 Created"
    gc.collect()
    saved_garbage.clear()

    # when: served as the production server serves it, then the collector looks for cycles
    status = call(wsgi.application, method, path, api.token, body)[0]
    gc.collect()

    # then: the answer, its view and its data were freed by reference counting alone
    assert status == expected
    assert [type(found).__name__ for found in saved_garbage if isinstance(found, HttpResponseBase)] == []
    names = {found.get("name") for found in saved_garbage if isinstance(found, dict)}
    assert names & {"Acme", "Globex", "Initech"} == set()


def test_server_processes_collect_the_youngest_generation_less_often():
    # config.wsgi, imported above as a server imports it, set the threshold
    assert gc.get_threshold()[0] == collector.YOUNGEST_THRESHOLD == 10_000
