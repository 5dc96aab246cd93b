"""A database that cannot answer is a 503 with ``Retry-After`` in each endpoint's error format, never
a 500 (a 500 means a bug of ours); a statement the database cancelled says so; a connection the
server dropped while idle is replaced before the next request uses it (``CONN_HEALTH_CHECKS``).

Every failure here is real: a closed port, a backend killed with ``pg_terminate_backend``, a lock
held by another connection with a ``statement_timeout``, and on SQLite a table locked by another
connection of the shared in-memory database. These tests commit (``transaction=True``): another
connection must see their data, and a broken connection must not hold a test transaction.
"""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client

from apikeys_app.services import create_api_key
from metadata_app.services.workspaces import create_workspace
from tests.conftest import ApiClient
from tests.live import call_wsgi

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "The database is unavailable right now; try again in a few seconds"
CANCELLED = "The database took too long answering this request and cancelled it; narrow the filter or try again"


def rest_503(message: str) -> dict:
    return {"statusCode": 503, "error": "ServiceUnavailableException", "messages": [message]}


def graphql_503(message: str, **located) -> dict:
    return {
        "errors": [
            {
                "message": message,
                **located,
                "extensions": {"code": "SERVICE_UNAVAILABLE", "userFriendlyMessage": message},
            }
        ]
    }


@pytest.fixture(autouse=True)
def reconnect_afterwards() -> Iterator[None]:
    """Whatever a test broke, the next one (and the flush after this one) gets a new connection."""
    yield
    connection.close()


@pytest.fixture
def api(transactional_db) -> ApiClient:
    """A client with a key of a fresh, committed workspace (the module's seeded ones would be flushed)."""
    return ApiClient(create_api_key(create_workspace("Acme"), {"name": "test key"})[1])


def answer(response) -> tuple[int, str | None, dict]:
    """Status, ``Retry-After`` and decoded body."""
    return response.status_code, response.get("Retry-After"), json.loads(response.content)


def requests(api: ApiClient) -> dict[str, object]:
    """One request per endpoint style, all needing the database (authentication reads the key)."""
    client, headers = Client(raise_request_exception=False), api.headers()
    return {
        "rest": lambda: client.get("/rest/people", **headers),
        "metadata_rest": lambda: client.get("/rest/metadata/apiKeys", **headers),
        "graphql": lambda: client.post(
            "/graphql", {"query": "{ people { totalCount } }"}, content_type="application/json", **headers
        ),
        "metadata": lambda: client.post(
            "/metadata", {"query": "{ currentWorkspace { id } }"}, content_type="application/json", **headers
        ),
    }


EXPECTED = {
    "rest": rest_503,
    "metadata_rest": rest_503,
    "graphql": graphql_503,
    "metadata": graphql_503,
}


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def side_connection() -> psycopg.Connection:
    """A second connection to the test database, outside Django."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


# --- the database cannot be reached ------------------------------------------------------------------


@pytest.fixture
def database_down(postgres) -> Iterator[None]:
    """Point Django's connection at a port where nothing listens (as when the server is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = port
    yield
    connection.close()
    connection.settings_dict["PORT"] = saved


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_a_database_that_cannot_be_reached_is_a_503_with_retry_after(api, database_down, kind):
    # when
    response = requests(api)[kind]()
    # then
    assert answer(response) == (503, "5", EXPECTED[kind](UNAVAILABLE))


def test_a_page_outside_the_apis_is_a_503_too(database_down):
    # given: a staff session cookie makes the settings page read the session table
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    # when
    response = client.get("/settings/api")
    # then
    assert answer(response) == (503, "5", rest_503(UNAVAILABLE))


# --- the connection dies ---------------------------------------------------------------------------


def terminate_django_connection() -> None:
    """Kill the backend of Django's (open) connection from another connection, and wait until it is
    gone (up to 5 s): without the wait the next request could reach the socket before the backend
    has closed it, and take a connection dropped while idle for a healthy one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with side_connection() as side:
        assert side.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone() == (True,)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_a_connection_killed_under_the_application_is_a_503(api, postgres, kind):
    # given
    terminate_django_connection()
    # when
    response = requests(api)[kind]()
    # then
    assert answer(response) == (503, "5", EXPECTED[kind](UNAVAILABLE))


def wsgi_get(path: str, token: str) -> tuple[int, dict]:
    """GET ``path`` through Django's WSGI handler as a WSGI server calls it (connection checks included)."""
    status, _headers, body = call_wsgi(WSGIHandler(), "GET", path, token)
    return int(status.split()[0]), json.loads(body)


def test_a_connection_dropped_while_idle_is_replaced_before_the_next_request(api, postgres, settings):
    # given: a persistent connection, as in production (CONN_MAX_AGE), that the server then drops
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        assert wsgi_get("/rest/people", api.token)[0] == 200
        terminate_django_connection()
        # when
        status, body = wsgi_get("/rest/people", api.token)
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()
    # then
    assert (status, body["totalCount"]) == (200, 0)


# --- a statement the database cancels ------------------------------------------------------------------


@pytest.fixture
def locked_table(postgres) -> Iterator[Callable[..., Any]]:
    """Lock a table from another connection, with a short statement_timeout on Django's connection."""
    sides: list[psycopg.Connection] = []

    def lock(table: str) -> None:
        side = side_connection()
        side.execute("BEGIN")
        side.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        sides.append(side)
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '300ms'")

    yield lock
    for side in sides:
        side.rollback()
        side.close()


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_a_cancelled_statement_is_a_503_that_says_why(api, locked_table, kind):
    # given: the API keys' table is locked, so authentication waits past the timeout
    locked_table("apikeys_app_apikey")
    # when
    response = requests(api)[kind]()
    # then
    assert answer(response) == (503, "5", EXPECTED[kind](CANCELLED))


def test_a_statement_cancelled_under_a_resolver_is_a_503(api, locked_table):
    # given: authentication passes, the records' table is locked (with a person in it, so the page
    # is read however the count is taken: a count of 0 read on its own skips the page)
    assert api.post("/rest/people", {"name": {"firstName": "Ada"}})[0] == 201
    locked_table("core_app_record")
    # when
    response = requests(api)["graphql"]()
    # then
    assert answer(response) == (
        503,
        "5",
        graphql_503(CANCELLED, locations=[{"line": 1, "column": 3}], path=["people"]),
    )


# --- SQLite --------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_table_locked() -> Iterator[Callable[..., Any]]:
    """Hold a write lock on a table from another connection to the shared in-memory test database."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite's
        pytest.skip("needs SQLite's in-memory test database")
    sides: list[sqlite3.Connection] = []

    def lock(table: str) -> None:
        side = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
        side.execute("BEGIN IMMEDIATE")
        side.execute(f"UPDATE {table} SET id = id")
        sides.append(side)

    yield lock
    for side in sides:
        side.execute("ROLLBACK")
        side.close()


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_a_locked_sqlite_database_is_a_503(api, sqlite_table_locked, kind):
    # given
    sqlite_table_locked("apikeys_app_apikey")
    # when
    response = requests(api)[kind]()
    # then
    assert answer(response) == (503, "5", EXPECTED[kind](UNAVAILABLE))
