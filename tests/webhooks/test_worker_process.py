"""The webhook worker as deployed: ``manage.py webhook_worker`` processes against a PostgreSQL cluster
of the test's own, which the test restarts, with record changes made over HTTP by a server process.

The cluster is a throw-away one (``tests/live.py``): restarting the machine's shared server
would break everyone else's test runs. Skipped when PostgreSQL's binaries are missing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.live import ROOT, TempCluster, free_port, migrated_workspace, temp_cluster_or_skip, wait_for_port

#: The worker command under test, as the README and ``dev.py run`` start it.
WORKER = ["manage.py", "webhook_worker", "--interval", "0.1", "--no-reload", "--no-startup-delay"]


@dataclass
class LiveSite:
    """A migrated database on a throw-away cluster, a server process on it, and a workspace's key."""

    cluster: TempCluster
    env: dict[str, str]
    port: int
    token: str
    folder: Path

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One real HTTP request to the server; returns (status, decoded body)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def create_person(self, first_name: str) -> dict[str, Any]:
        status, body = self.call("POST", "/rest/people", {"name": {"firstName": first_name, "lastName": "Live"}})
        assert status == 201, body
        return body["data"]["createPerson"]

    def create_webhook(self, url: str) -> dict[str, Any]:
        status, body = self.call(
            "POST", "/rest/metadata/webhooks", {"targetUrl": url, "operations": ["person.created"]}
        )
        assert status == 201, body
        return body["data"]

    def start_worker(self, name: str) -> tuple[subprocess.Popen, Path]:
        """A worker process; its output goes to a file, returned beside the process."""
        log = self.folder / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, *WORKER], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return process, log


@pytest.fixture(scope="module")
def live_site(tmp_path_factory) -> Iterator[LiveSite]:
    """Cluster, database ``crm_ops_worker``, migrations, a workspace with a key, and a server process."""
    cluster = temp_cluster_or_skip()
    server = None
    try:
        env = {
            **os.environ,
            "DATABASE_URL": cluster.createdb("crm_ops_worker"),
            "DEBUG": "0",
            "SECRET_KEY": "worker-test-secret",
            "ALLOWED_HOSTS": "127.0.0.1",
            "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
            "WEBHOOKS_TIMEOUT": "1",
            "WEBHOOKS_RECOVERY_INTERVAL": "1",
            "LOG_LEVEL": "INFO",
            # A connection per request, so the server itself needs nothing to survive the restart.
            "CONN_MAX_AGE": "0",
        }
        env.pop("WEBHOOKS_STALE_AFTER", None)
        token = migrated_workspace(env, "Live", "live test")
        port = free_port()
        folder = tmp_path_factory.mktemp("worker")
        with open(folder / "server.log", "wb") as out:
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(port, process=server)
        yield LiveSite(cluster, env, port, token, folder)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        cluster.stop()


@pytest.fixture
def workers(live_site) -> Iterator[Callable[[str], tuple[subprocess.Popen, Path]]]:
    """Starts worker processes; every one still running is stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(name: str) -> tuple[subprocess.Popen, Path]:
        process, log = live_site.start_worker(name)
        started.append(process)
        return process, log

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], timeout: float) -> float:
    """Poll ``condition`` until true; return the seconds it took, or fail after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition still false after {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - started


def first_names(requests) -> list[str]:
    return [r.json()["record"]["name"]["firstName"] for r in requests]


def test_a_worker_keeps_delivering_after_the_database_restarts(live_site, receiver, workers):
    # given: a worker that delivered an event
    live_site.create_webhook(receiver.url("/restart"))
    worker, log = workers("restart")
    live_site.create_person("Before")
    wait_until(lambda: len(receiver.at("/restart")) == 1, timeout=60)
    # ... and recorded it: a restart while that job commits would fail the job, not the polling
    wait_until(lambda: "state=SUCCESSFUL" in log.read_text(), timeout=60)

    # when: the database restarts under the polling worker, then a change is committed
    live_site.cluster.restart()
    live_site.create_person("After")

    # then: the same worker process delivers it, and said what happened
    wait_until(lambda: len(receiver.at("/restart")) == 2, timeout=60)
    assert first_names(receiver.at("/restart")) == ["Before", "After"]
    assert worker.poll() is None
    output = log.read_text()
    assert "Database unavailable" in output, output
    assert "Database reachable again" in output, output


def test_a_delivery_whose_worker_was_killed_mid_call_is_sent_again_by_another_worker(live_site, receiver, workers):
    # given: a worker in the middle of a call that the receiver holds open
    hook = live_site.create_webhook(receiver.url("/killed"))
    receiver.script("/killed", (200, {}, 8))
    doomed, _ = workers("doomed")
    person = live_site.create_person("Interrupted")
    wait_until(lambda: len(receiver.at("/killed")) == 1, timeout=60)

    # when: that worker is killed (no chance to record anything) and another one runs
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    workers("survivor")

    # then: the survivor takes the job for lost after 2 x WEBHOOKS_TIMEOUT (1 s) + 5 s, and sends it
    # again with the same event and delivery ids
    wait_until(lambda: len(receiver.at("/killed")) == 2, timeout=30)
    first, second = receiver.at("/killed")
    # (the call reached the receiver a few milliseconds after the job started)
    assert 6.5 <= second.at - first.at < 7.0 + 1.0 + 3.0
    assert first_names([first, second]) == ["Interrupted", "Interrupted"]
    ids = [(r.headers["X-Twenty-Webhook-Event-Id"], r.headers["X-Twenty-Webhook-Delivery-Id"]) for r in (first, second)]
    assert ids[0] == ids[1]
    status, log = live_site.call("GET", f"/rest/metadata/webhooks/{hook['id']}/deliveries")
    assert status == 200
    [delivery] = log["data"]
    assert (delivery["id"], delivery["eventId"], delivery["recordId"]) == (ids[0][1], ids[0][0], person["id"])
    wait_until(
        lambda: (
            live_site.call("GET", f"/rest/metadata/webhooks/{hook['id']}/deliveries")[1]["data"][0]["status"]
            == "SUCCEEDED"
        ),
        timeout=10,
    )


def test_a_delivery_cut_short_by_a_database_restart_is_sent_again_at_once(live_site, receiver, workers):
    # given: a worker waiting for the receiver's answer
    live_site.create_webhook(receiver.url("/cut"))
    receiver.script("/cut", (200, {}, 3))
    worker, _ = workers("cut")
    live_site.create_person("Cut")
    wait_until(lambda: len(receiver.at("/cut")) == 1, timeout=60)

    # when: the database restarts before the worker can record the answer
    live_site.cluster.restart()

    # then: the delivery is sent again well before a stale job would be (7 s after it started)
    wait_until(lambda: len(receiver.at("/cut")) == 2, timeout=30)
    first, second = receiver.at("/cut")
    assert second.at - first.at < 6.5
    assert first.headers["X-Twenty-Webhook-Event-Id"] == second.headers["X-Twenty-Webhook-Event-Id"]
    assert worker.poll() is None
