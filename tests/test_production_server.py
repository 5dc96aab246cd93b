"""The production server as the README deploys it (``dev.py``'s ``production_server_commands``: nginx
in front of 4 granian processes): a handful of slow clients must not block a normal request, and
under steady load no request waits behind others for long (README, "Production", "Why this server").

Real server processes on a free port, over a migrated SQLite file of their own; slow clients are
raw sockets that announce a body and send it at one byte per second. Skipped without nginx.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest

from dev import find_nginx, production_server_commands, stop_groups, web_workers
from tests.live import ROOT, free_port, migrated_workspace, wait_for_port

SLOW_CLIENTS = 8  # twice the workers: every worker would be held by one with a blocking server


@pytest.fixture(scope="module")
def production_server(tmp_path_factory) -> Iterator[tuple[int, str]]:
    """(port, API token) of the production server running on a fresh database."""
    if find_nginx() is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light); production puts it in front")
    folder = tmp_path_factory.mktemp("production")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "production-test-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        "RATE_LIMIT_REQUESTS": "1000000000",  # the steady-load test asks thousands of times a minute
    }
    token = migrated_workspace(env, "Prod", "slow test")
    port = free_port()
    # Not under pytest's tmp_path (mode 0700): nginx's workers run as another user when started as root.
    run_folder = Path(tempfile.mkdtemp(prefix="crm_ops_serve_"))
    servers: list[subprocess.Popen] = []
    try:
        with open(folder / "server.log", "wb") as log:
            for command in production_server_commands(f"127.0.0.1:{port}", 4, run_folder):
                servers.append(
                    subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
        wait_for_port(port, process=servers[0])
        wait_for_app(port, token, servers)
        yield port, token
    finally:
        stop_groups(servers)
        shutil.rmtree(run_folder, ignore_errors=True)


def wait_for_app(port: int, token: str, servers: list[subprocess.Popen], timeout: float = 60.0) -> None:
    """Wait until the application answers through nginx (which says 502 until granian listens)."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/rest/companies?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    while time.monotonic() < deadline:
        assert all(server.poll() is None for server in servers), "a server process exited"
        try:
            with urllib.request.urlopen(request, timeout=5):
                return
        except (urllib.error.HTTPError, OSError):
            time.sleep(0.1)
    raise AssertionError(f"the application did not answer within {timeout} s")


def trickle(port: int, token: str, stop: threading.Event, started: threading.Barrier) -> None:
    """A POST whose 200-byte body comes at one byte per second, until ``stop``."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            (
                f"POST /rest/people HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"
            ).encode()
        )
        started.wait()
        while not stop.wait(1.0):
            try:
                sock.sendall(b" ")
            except OSError:
                return


def test_slow_body_clients_do_not_block_a_normal_request(production_server):
    # given: more slow-body connections than the server has workers
    port, token = production_server
    stop = threading.Event()
    started = threading.Barrier(SLOW_CLIENTS + 1, timeout=10)
    clients = [threading.Thread(target=trickle, args=(port, token, stop, started)) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    try:
        started.wait()
        time.sleep(1.5)  # every slow request is now in, headers read, body trickling

        # when
        began = time.monotonic()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/rest/companies?limit=1", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            status = answer.status
        waited = time.monotonic() - began
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=10)

    # then
    assert status == 200
    assert waited < 2.0, f"a GET waited {waited:.1f} s behind {SLOW_CLIENTS} slow clients"


def hammer(port: int, token: str, until: float, latencies: list[float]) -> None:
    """GETs one after another on one kept-alive connection until ``until``, timing each."""
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        while time.monotonic() < until:
            began = time.monotonic()
            connection.request("GET", "/rest/companies?limit=1", headers={"Authorization": f"Bearer {token}"})
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
            latencies.append(time.monotonic() - began)
    finally:
        connection.close()


def test_no_request_waits_behind_idle_connections(production_server):
    # given: four times as many kept-alive clients as processes, asking without pause
    port, token = production_server
    until = time.monotonic() + 12
    latencies: list[list[float]] = [[] for _ in range(16)]
    clients = [threading.Thread(target=hammer, args=(port, token, until, mine)) for mine in latencies]

    # when
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=90)

    # then: every client was served all along (granian's --backpressure 2, which counts nginx's
    # kept connections, left some requests waiting 10-30 s while the others went on)
    slowest = max(max(mine) for mine in latencies)
    assert all(len(mine) > 10 for mine in latencies), [len(mine) for mine in latencies]
    assert slowest < 2.0, f"a request waited {slowest:.1f} s"


def test_the_server_starts_one_process_per_usable_core_unless_web_workers_says_otherwise(monkeypatch):
    """README, "How many processes": on 2 cores, 4 processes cost 9-27 % more CPU a request than 2."""
    monkeypatch.delenv("WEB_WORKERS", raising=False)
    assert web_workers() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("WEB_WORKERS", "")
    assert web_workers() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("WEB_WORKERS", "7")
    assert web_workers() == 7


def test_sigterm_stops_the_production_server_and_every_process_it_started(tmp_path):
    """README, "Production": ``dev.py serve`` is stopped by Ctrl-C or SIGTERM, nginx and granian with it."""
    if find_nginx() is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light); production puts it in front")
    port = free_port()
    run_folder = Path(tempfile.mkdtemp(prefix="crm_ops_sigterm_"))
    env = {
        **os.environ,
        "HOST": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "production-test-secret",
        "LOG_LEVEL": "ERROR",
    }
    token = migrated_workspace(env, "Stop", "sigterm test")
    command = f"import sys; from pathlib import Path; import dev; sys.exit(dev.serve(Path({str(run_folder)!r})))"
    errors = run_folder / "serve.err"
    serving = subprocess.Popen(
        [sys.executable, "-c", command], cwd=ROOT, env=env, start_new_session=True, stderr=errors.open("wb")
    )
    groups: set[int] = set()
    try:
        wait_for_port(port, process=serving)
        wait_for_app(port, token, [serving])
        # Each server is a process group of its own: nginx (the configuration in the folder) and one
        # granian per socket; their workers are in their groups.
        started = {
            pid: text for pid, text in live_processes().items() if str(run_folder) in text and pid != serving.pid
        }
        assert sum("nginx" in text for text in started.values()) == 1
        assert sum("granian" in text for text in started.values()) >= 2  # the masters (and workers)
        groups = {os.getpgid(pid) for pid in started}
        assert len(groups) == 3

        # Twice, as a process manager that repeats it or Ctrl-C pressed twice: the second one must
        # not cut the clean-up short.
        serving.send_signal(signal.SIGTERM)
        time.sleep(0.01)
        serving.send_signal(signal.SIGTERM)
        serving.wait(timeout=60)

        assert "Traceback" not in errors.read_text()
        assert [pid for pid in live_processes() if pgid_of(pid) in groups] == []
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1)
    finally:
        # Whatever failed, leave no server behind (dev.py's own would outlive a SIGKILL of it).
        groups |= {
            group
            for pid, text in live_processes().items()
            if str(run_folder) in text and (group := pgid_of(pid)) is not None
        }
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        serving.wait(timeout=10)
        shutil.rmtree(run_folder, ignore_errors=True)


def test_a_server_that_ignores_sigterm_is_killed_after_the_grace_period():
    """What ``dev.py serve`` does with a granian that hangs in its shutdown (SIGTERM during its start)."""
    stubborn = subprocess.Popen(
        ["sh", "-c", "trap '' TERM; echo ready; sleep 60 & wait"], start_new_session=True, stdout=subprocess.PIPE
    )
    polite = subprocess.Popen(["sleep", "60"], start_new_session=True)
    assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"  # SIGTERM is ignored from now on
    started = time.monotonic()

    stop_groups([stubborn, polite], grace=1.0)

    assert 1.0 <= time.monotonic() - started < 10
    assert polite.returncode == -signal.SIGTERM
    assert stubborn.returncode == -signal.SIGKILL
    assert pgid_of(stubborn.pid) is None
    stubborn.stdout.close()


def live_processes() -> dict[int, str]:
    """Every live (not zombie) process: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found[int(entry.name)] = command
    return found


def pgid_of(pid: int) -> int | None:
    """The process group of ``pid``, or None once it has gone."""
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
