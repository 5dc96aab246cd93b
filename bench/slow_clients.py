"""Slow clients beside a normal request: do a few connections that trickle a body block the server?

:func:`slow_client_probe` opens ``count`` connections that each announce a 600-byte JSON body and
send it at one byte per second, waits a second, then times normal GETs on another connection.
A server that gives each worker to one connection until its body is in (gunicorn's sync
workers) answers the GET only when a worker frees itself (README, "Why this server": 30.8 s); one that
buffers bodies before the application sees them answers at once.

Usage: ``.venv/bin/python bench/slow_clients.py PORT TOKEN PATH [COUNT]``, or ``BENCH_SLOW_CLIENTS=8``
with ``bench/run.py``.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
import urllib.error
import urllib.request

__all__ = ["slow_client_probe", "slow_connections"]

BODY_BYTES = 600


def slow_connections(port: int, token: str, count: int, stop: threading.Event) -> list[threading.Thread]:
    """Start ``count`` threads, each sending a POST whose body trickles at one byte per second until ``stop``."""

    def trickle() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            head = (
                f"POST /rest/people HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {BODY_BYTES}\r\n\r\n"
            )
            sock.sendall(head.encode())
            for _ in range(BODY_BYTES):
                if stop.wait(1.0):
                    return
                try:
                    sock.sendall(b" ")
                except OSError:
                    return

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def timed_get(port: int, token: str, path: str, timeout: float) -> tuple[float, int | str]:
    """Seconds a GET took and its status (or the error)."""
    started = time.monotonic()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            status: int | str = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        status = type(error).__name__
    return time.monotonic() - started, status


def slow_client_probe(port: int, token: str, path: str, count: int = 8, gets: int = 3, timeout: float = 40.0) -> dict:
    """Open ``count`` slow-body connections, then time ``gets`` GETs of ``path``; the worst wait and statuses."""
    stop = threading.Event()
    threads = slow_connections(port, token, count, stop)
    try:
        time.sleep(1.0)
        timings = []
        for _ in range(gets):
            timings.append(timed_get(port, token, path, timeout))
            if timings[-1][0] > 5:
                break  # blocked: one such wait says it
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
    return {
        "slow connections": count,
        "worst GET seconds": round(max(seconds for seconds, _ in timings), 3),
        "statuses": sorted({str(status) for _, status in timings}),
    }


if __name__ == "__main__":
    port, token, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    print(slow_client_probe(port, token, path, int(sys.argv[4]) if len(sys.argv) > 4 else 8))
