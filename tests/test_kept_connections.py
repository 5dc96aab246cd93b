"""A server keeps its PostgreSQL connections between requests (``CONN_MAX_AGE``) and checks them
cheaply (``config/database/base.py``): after the database restarts, the next request still answers.

A real server process (``runserver`` without threads, so every request reuses one kept connection)
on a throw-away cluster of the test's own (``tests/live.py``), which the test restarts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.live import ROOT, free_port, migrated_workspace, temp_cluster_or_skip, wait_for_port

pytestmark = pytest.mark.postgres_only


def call(port: int, token: str, path: str) -> tuple[int, Any]:
    """GET ``path`` with the key; (status, decoded body)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def backend_pids(cluster_url: str) -> list[int]:
    """The pids of the backends connected to the site's database (from a connection of the test's own)."""
    import psycopg

    with psycopg.connect(cluster_url) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return sorted(row[0] for row in rows)


def test_a_kept_connection_is_reused_and_replaced_after_a_database_restart(tmp_path):
    cluster = temp_cluster_or_skip()
    server = None
    try:
        url = cluster.createdb("crm_ops_kept")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": "kept-connections-secret",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CONN_MAX_AGE": "600",
            "LOG_LEVEL": "ERROR",
        }
        token = migrated_workspace(env, "Kept", "kept")
        port = free_port()
        with open(tmp_path / "server.log", "wb") as log:
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(port, process=server)

        assert call(port, token, "/rest/companies?limit=1") == (
            200,
            {
                "data": {"companies": []},
                "totalCount": 0,
                "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
            },
        )
        kept = backend_pids(url)
        assert len(kept) == 1
        assert call(port, token, "/rest/companies?limit=1")[0] == 200
        assert backend_pids(url) == kept  # the same connection served the second request

        cluster.restart()  # the kept connection's backend is gone; its socket says so
        assert call(port, token, "/rest/companies?limit=1")[0] == 200
        replaced = backend_pids(url)
        assert len(replaced) == 1 and replaced != kept
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        cluster.stop()
