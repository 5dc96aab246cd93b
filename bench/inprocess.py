"""Server and PostgreSQL CPU of one kind of API request, in this process: no HTTP server, no load generator.

    TOKEN=<API key> DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/inprocess.py GET '/rest/companies?limit=60&order_by=name' [--requests 300]
    ... bench/inprocess.py PATCH /rest/people/<id> --body '{"city": "RANDOM"}' [--profile]

Each request goes through ``config.wsgi.application`` (the API middleware chain, as the production
server runs it) with the key of ``TOKEN`` (the last line ``manage.py bench_seed`` prints). After a
warm-up, 5 rounds of ``--requests`` each print this thread's CPU milliseconds per request and those
of its PostgreSQL backend (read from ``/proc/<pid>/stat``: the database must run on this machine),
then the medians. ``RANDOM`` in the body becomes a fresh hex string per request (a unique email, a
changed value). ``--profile`` prints cProfile's functions by their own CPU time instead
(``PROFILE_SORT=cumulative`` sorts them by their time with callees, ``PROFILE_TOP`` how many: 40).

Where ``bench/run.py`` measures whole servers under load, this isolates the application's own
cost: an A/B of a change is two runs of it (or, better, both variants alternating in one process).
Rate limits stay on, with a limit no run reaches; DEBUG is off unless set; the database connection
is kept for the whole run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ["RATE_LIMIT_REQUESTS"] = str(10**9)
os.environ["CONN_MAX_AGE"] = "86400"  # one backend for the whole run: its CPU is read from /proc

from django.db import connection

from config.wsgi import application  # sets Django up

ROUNDS = 5


def requester(method: str, path: str, body: str, token: str) -> Callable[[], tuple[str, bytes]]:
    """A function sending the request once through the WSGI application; it returns (status, body)."""
    path_info, _, query = path.partition("?")

    def call() -> tuple[str, bytes]:
        payload = body.replace("RANDOM", uuid.uuid4().hex).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": io.BytesIO(payload),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        answered: dict[str, str] = {}

        def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
            answered["status"] = status

        content = b"".join(application(environ, start_response))
        return answered["status"], content

    return call


def backend_cpu() -> Callable[[], float]:
    """A function giving the CPU seconds this connection's PostgreSQL backend has used so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("method")
    parser.add_argument("path")
    parser.add_argument("--body", default="")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    token = os.environ.get("TOKEN") or sys.exit("TOKEN: an API key of the database (bench_seed prints one)")
    call = requester(args.method.upper(), args.path, args.body, token)
    status, content = call()
    print(status, f"{len(content)} bytes:", content[:120].decode(errors="replace"))
    for _ in range(30):
        call()
    if args.profile:
        profiler = cProfile.Profile(time.thread_time)
        profiler.runcall(lambda: [call() for _ in range(args.requests)])
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            int(os.environ.get("PROFILE_TOP", "40"))
        )
        return
    postgres = backend_cpu() if connection.vendor == "postgresql" else None
    server, database = [], []
    for _ in range(ROUNDS):
        started, started_pg = time.thread_time(), postgres() if postgres else 0.0
        for _ in range(args.requests):
            call()
        server.append((time.thread_time() - started) * 1000 / args.requests)
        database.append(((postgres() - started_pg) * 1000 / args.requests) if postgres else 0.0)
        print(f"server {server[-1]:.3f} ms, PostgreSQL {database[-1]:.3f} ms a request")
    print(f"median: server {statistics.median(server):.3f} ms, PostgreSQL {statistics.median(database):.3f} ms")


if __name__ == "__main__":
    main()
