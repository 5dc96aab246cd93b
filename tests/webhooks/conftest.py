"""Fixtures of the webhook suite: a real HTTP receiver on 127.0.0.1 and the real task worker.

- ``receiver``: a ``ThreadingHTTPServer`` in a thread that records every request (path,
  headers, raw body) and answers the statuses scripted for its path (200 when none is left).
- ``run_worker``: the worker of django-tasks' database backend (the loop behind
  ``manage.py db_worker``) in batch mode: it runs every due job, then returns.
- Retries wait 0 s in this suite (``WEBHOOKS_RETRY_BASE_DELAY = 0``), so a retry is due as soon
  as it is queued and the same worker run performs it.

Most tests run inside the usual rolled-back test transaction. There the worker's connection
housekeeping (``close_old_connections``, which would close the connection holding the test
transaction) is switched off, just as Django's test client switches it off around requests.
``test_committed.py`` runs the untouched worker against really committed transactions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker

from tests.conftest import ApiClient


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    """Local targets allowed, retries due at once, short timeouts."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_RETRY_BASE_DELAY = 0
    settings.WEBHOOKS_TIMEOUT = 2
    settings.WEBHOOKS_MAX_ATTEMPTS = 8
    settings.WEBHOOKS_FAILING_AFTER = 5
    return settings


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    status: int = 200

    def json(self) -> Any:
        """The body decoded, keys in the order sent."""
        return json.loads(self.body)


@dataclass
class Receiver:
    """What a webhook target saw, and what it will answer next."""

    port: int
    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, list[Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        """The absolute URL of ``path`` on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, *answers: Any) -> None:
        """Answer the next requests on ``path`` with ``answers``: a status, or (status, headers, seconds to wait)."""
        self.scripts[path] = list(answers)

    def at(self, path: str = "/hook") -> list[Received]:
        """Requests received on ``path``, in arrival order."""
        return [r for r in self.requests if r.path == path]

    def event_names(self, path: str = "/hook") -> list[str]:
        """``eventName`` of every request on ``path``."""
        return [r.json()["eventName"] for r in self.at(path)]


def handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``receiver``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                queue = receiver.scripts.get(self.path)
                answer = queue.pop(0) if queue else 200
                status, headers, wait = answer if isinstance(answer, tuple) else (answer, {}, 0)
                receiver.requests.append(
                    Received(self.path, dict(self.headers.items()), body, time.monotonic(), status)
                )
            if wait:
                time.sleep(wait)
            payload = f'{{"answered":{status}}}'.encode()
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender stopped waiting (the timeout tests): nobody is left to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A live HTTP receiver on 127.0.0.1 (a free port), stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(Receiver(0)))
    state = Receiver(server.server_address[1])
    server.RequestHandlerClass = handler_for(state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def worker_run(max_tasks: int | None = None) -> None:
    """Run due jobs like ``manage.py db_worker --batch [--max-tasks N]``, in this process."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def run_worker(request, monkeypatch):
    """The worker runner (see ``worker_run``), housekeeping off inside a test transaction."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return worker_run


class Hooks:
    """Create webhooks through the REST API and return them as the API answered (secret included)."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def create(self, target_url: str, operations: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"targetUrl": target_url, **extra}
        if operations is not None:
            body["operations"] = operations
        status, answer = self.api.post("/rest/metadata/webhooks", body)
        assert status == 201, answer
        return answer["data"]

    def deliveries(self, webhook_id: str, **params: Any) -> list[dict[str, Any]]:
        status, answer = self.api.get(f"/rest/metadata/webhooks/{webhook_id}/deliveries", **params)
        assert status == 200, answer
        return answer["data"]


@pytest.fixture
def hooks(api) -> Hooks:
    """Webhook factory of the ``api`` key's workspace."""
    return Hooks(api)


@pytest.fixture
def other_hooks(other_api) -> Hooks:
    """Webhook factory of the other workspace."""
    return Hooks(other_api)


def created(answer: tuple[int, Any]) -> dict[str, Any]:
    """The record of a 201/200 single-record answer (``{data: {createPerson: {...}}}``)."""
    status, body = answer
    assert status in (200, 201), body
    return next(iter(body["data"].values()))
