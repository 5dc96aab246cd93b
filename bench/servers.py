"""HTTP servers the benchmark can start: the production one (``dev.py``'s) and the candidates it was chosen from.

Each entry turns (port, workers, scratch folder) into the commands to start, each a process
group of its own whose whole process tree is the server's CPU. ``BENCH_SERVER=name`` picks
one (default ``production``); the README's "Production server" section gives the figures.
Candidates other than ``production``, ``gunicorn-sync`` and ``granian`` need packages that are
not dependencies: ``gevent`` for ``gunicorn-gevent``, ``uvicorn`` for ``uvicorn``, Debian's
``nginx`` for ``nginx+gunicorn``.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dev import production_server_commands  # noqa: E402  (dev.py lives at the project root)

__all__ = ["SERVERS", "server_commands"]

BIN = Path(sys.executable).parent
Commands = list[list[str]]


def gunicorn(port: int, workers: int, *extra: str) -> list[str]:
    """``gunicorn config.wsgi`` on 127.0.0.1:``port``."""
    return [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), *extra]


def granian(port: int, workers: int, *extra: str) -> list[str]:
    """granian's WSGI server on 127.0.0.1:``port``."""
    return [
        str(BIN / "granian"),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-ws",
        *extra,
        "config.wsgi:application",
    ]


def nginx_in_front(port: int, workers: int, scratch: Path, backend: Callable[[int, int], list[str]]) -> Commands:
    """nginx on ``port`` reading whole requests before passing them on, to ``backend`` on ``port + 1``."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    scratch.mkdir(parents=True, exist_ok=True)
    config = scratch / "nginx.conf"
    config.write_text(
        f"""
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/body;
    proxy_temp_path {scratch}/proxy;
    client_max_body_size 20m;
    upstream app {{ server 127.0.0.1:{port + 1}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_request_buffering on;
        }}
    }}
}}
"""
    )
    return [[nginx, "-c", str(config), "-g", "daemon off;"], backend(port + 1, workers)]


SERVERS: dict[str, Callable[[int, int, Path], Commands]] = {
    "production": lambda port, workers, scratch: production_server_commands(
        f"127.0.0.1:{port}", workers, scratch / "production"
    ),
    # The production layout before: nginx in front of one granian with ``workers`` processes
    # spreading requests by ``--backpressure 2`` (which counts nginx's kept connections).
    "nginx+granian-backpressure-2": lambda port, workers, scratch: nginx_in_front(
        port,
        workers,
        scratch / "backpressure",
        lambda backend_port, count: granian(backend_port, count, "--blocking-threads", "1", "--backpressure", "2"),
    ),
    "gunicorn-sync": lambda port, workers, scratch: [gunicorn(port, workers)],
    "gunicorn-gthread": lambda port, workers, scratch: [gunicorn(port, workers, "-k", "gthread", "--threads", "8")],
    "gunicorn-gevent": lambda port, workers, scratch: [
        gunicorn(port, workers, "-k", "gevent", "--worker-connections", "200")
    ],
    "granian-1-thread": lambda port, workers, scratch: [granian(port, workers, "--blocking-threads", "1")],
    # granian's default for WSGI: backpressure / 2 threads per worker (128 with 4 workers)
    "granian-default-threads": lambda port, workers, scratch: [granian(port, workers)],
    "uvicorn": lambda port, workers, scratch: [
        [
            str(BIN / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ]
    ],
    "nginx+gunicorn": lambda port, workers, scratch: nginx_in_front(port, workers, scratch, gunicorn),
    "nginx+granian": lambda port, workers, scratch: nginx_in_front(
        port, workers, scratch, lambda p, w: granian(p, w, "--blocking-threads", "1")
    ),
}


def server_commands(name: str, port: int, workers: int, scratch: Path) -> Commands:
    """The commands that start server ``name``; SystemExit naming the choices for an unknown one."""
    if name not in SERVERS:
        raise SystemExit(f"unknown BENCH_SERVER {name!r}; one of {', '.join(SERVERS)}")
    return SERVERS[name](port, workers, scratch)
