"""Webhook delivery benchmark: record changes through the record service, delivered by real workers.

Usage: ``.venv/bin/python bench/webhooks.py``. Environment:

- ``DATABASE_URL``: the database (default: a fresh SQLite file ``var/bench_webhooks.sqlite3``).
- ``BENCH_CHANGES`` (default 1000): record changes per phase (40 % creates in batches of 20,
  40 % single updates, 20 % soft deletes in batches of 10), one event each.
- ``BENCH_WEBHOOK_WORKERS`` (default 2): ``manage.py webhook_worker`` processes.
- ``BENCH_WORKER_INTERVAL`` (default 0.05): seconds an idle worker waits before polling again.
- ``BENCH_RATE`` (default 0: as fast as possible): changes (events) per second offered in the
  live phase; below the workers' capacity the lag is the delivery path's own, without queueing.

Two phases, each with a fresh webhook pointing at a receiver on 127.0.0.1 (in this process):

1. live: the workers run while the changes are committed one service call at a time; prints
   events delivered per second and the lag from each change's commit to its arrival (p50/p99/max);
2. backlog: the changes are committed with no worker running, then the workers start; prints
   how fast they drain the queue (events delivered per second).

Each event must arrive exactly once (every receiver answers 200); the script fails otherwise.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = ROOT / "var" / "bench_webhooks.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "1"
if "DATABASE_URL" not in os.environ:
    DEFAULT_DB.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEFAULT_DB}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"

import django

django.setup()

from django.core.management import call_command

from core_app.services import writing
from core_app.services.context import RecordContext
from core_app.services.reading import find_one
from metadata_app.registry import schema_registry
from metadata_app.services.workspaces import create_workspace
from webhooks_app.models import Event
from webhooks_app.services import create_webhook, delete_webhook

CHANGES = int(os.environ.get("BENCH_CHANGES", "1000"))
WORKERS = int(os.environ.get("BENCH_WEBHOOK_WORKERS", "2"))
INTERVAL = os.environ.get("BENCH_WORKER_INTERVAL", "0.05")
RATE = float(os.environ.get("BENCH_RATE", "0"))


class Arrivals:
    """Wall-clock arrival time of every event id (and how many arrived more than once)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.duplicates = 0
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                now = time.time()
                with arrivals.lock:
                    event_id = self.headers["X-Twenty-Webhook-Event-Id"]
                    arrivals.duplicates += event_id in arrivals.times
                    arrivals.times.setdefault(event_id, now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        return Handler


def start_workers() -> list[subprocess.Popen]:
    """``manage.py webhook_worker`` processes, as deployed."""
    command = [
        sys.executable,
        "manage.py",
        "webhook_worker",
        "--interval",
        INTERVAL,
        "--no-reload",
        "--no-startup-delay",
        "--verbosity",
        "0",
    ]
    return [subprocess.Popen(command, cwd=ROOT, env=dict(os.environ)) for _ in range(WORKERS)]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """Stop the workers gracefully (SIGTERM lets a running job finish)."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=30)


def drive(ctx: RecordContext, changes: int, rate: float) -> dict[str, float]:
    """Commit ``changes`` record changes, one service call per transaction; return each event's commit time."""
    commits: dict[str, float] = {}
    pace = {"next": time.time()}

    def committed(call, *args) -> None:
        if rate:
            time.sleep(max(0.0, pace["next"] - time.time()))
        started = datetime.now(UTC) - timedelta(milliseconds=1)
        call(*args)
        at = time.time()
        new = [
            str(pk)
            for pk in Event.objects.filter(workspace_id=ctx.workspace_id, occurred_at__gte=started).values_list(
                "id", flat=True
            )
        ]
        fresh = [event_id for event_id in new if event_id not in commits]
        commits.update((event_id, at) for event_id in fresh)
        if rate:
            pace["next"] = max(pace["next"], at - 1) + len(fresh) / rate

    creates, updates = changes * 2 // 5, changes * 2 // 5
    deletes = changes - creates - updates
    ids: list[str] = []
    for start in range(0, creates, 20):
        raws = [
            {"name": {"firstName": f"Bench{n}", "lastName": "Hook"}} for n in range(start, min(start + 20, creates))
        ]
        before = len(commits)
        committed(lambda r: ids.extend(str(c.record.pk) for c in writing.create_many(ctx, r)), raws)
        assert len(commits) - before == len(raws)
    for n in range(updates):
        committed(writing.update_one, ctx, ids[n % len(ids)], {"jobTitle": f"Title {n}"})
    for start in range(0, deletes, 10):
        records = [find_one(ctx, record_id) for record_id in ids[start : start + 10]]
        committed(writing.soft_delete, ctx, records)
    assert len(commits) == changes, (len(commits), changes)
    return commits


def wait_for(arrivals: Arrivals, expected: int, timeout: float = 600) -> None:
    """Wait until ``expected`` distinct events arrived."""
    deadline = time.time() + timeout
    while len(arrivals.times) < expected:
        if time.time() > deadline:
            raise SystemExit(f"only {len(arrivals.times)} of {expected} events arrived")
        time.sleep(0.01)


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def phase(name: str, ctx: RecordContext, workspace, live: bool) -> None:
    """Run one phase and print its figures."""
    arrivals = Arrivals()
    server = ThreadingHTTPServer(("127.0.0.1", 0), arrivals.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    webhook = create_webhook(
        workspace, {"targetUrl": f"http://127.0.0.1:{server.server_address[1]}/{name}", "operations": ["person.*"]}
    )
    workers = start_workers() if live else []
    try:
        time.sleep(1.0 if live else 0)  # let the workers import Django before the clock starts
        began = time.time()
        commits = drive(ctx, CHANGES, RATE if live else 0)
        driven = time.time()
        if not live:
            workers = start_workers()
        drain_from = time.time()
        wait_for(arrivals, CHANGES)
    finally:
        stop_workers(workers)
        server.shutdown()
        delete_webhook(workspace, webhook.pk)
    ended = max(arrivals.times.values())
    lags = [(arrivals.times[event_id] - at) * 1000 for event_id, at in commits.items()]
    pacing = f", offered at {RATE:g} changes/s" if live and RATE else ""
    print(f"\n== {name}: {CHANGES} changes, {WORKERS} worker(s), {connection_vendor()}{pacing} ==")
    print(f"changes committed per second: {CHANGES / (driven - began):8.1f}")
    if live:
        print(f"events delivered per second:  {CHANGES / (ended - began):8.1f}  (first commit to last arrival)")
        print(
            f"lag commit -> delivery (ms):  p50 {percentile(lags, 0.5):7.1f}  p99 {percentile(lags, 0.99):7.1f}  "
            f"max {max(lags):7.1f}  mean {statistics.fmean(lags):7.1f}"
        )
    else:
        print(
            f"events delivered per second:  {CHANGES / (ended - drain_from):8.1f}  (workers started on a backlog, "
            "including their start-up)"
        )
    print(f"duplicates: {arrivals.duplicates}")
    assert arrivals.duplicates == 0 and set(arrivals.times) == set(commits)


def connection_vendor() -> str:
    """``sqlite`` or ``postgresql``."""
    from django.db import connection

    return connection.vendor


def main() -> None:
    call_command("migrate", verbosity=0)
    workspace = create_workspace(f"Webhook bench {int(time.time())}")
    snapshot = schema_registry.current(workspace.pk)
    actor: dict[str, Any] = {"source": "API", "workspaceMemberId": None, "name": "bench", "context": {}}
    ctx = RecordContext(workspace.pk, snapshot, snapshot.by_plural["people"], actor)
    phase("live", ctx, workspace, live=True)
    phase("backlog", ctx, workspace, live=False)


if __name__ == "__main__":
    main()
