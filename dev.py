#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+ and git.

    python3 dev.py run     virtualenv, install, migrate, Demo workspace, fresh API key,
                           API on http://127.0.0.1:8000 and the webhook worker beside it
    python3 dev.py test    the whole test suite (DATABASE_URL=postgres://... for PostgreSQL)
    python3 dev.py lint    ruff check, ruff format --check and mypy (the "lint" extra); fails on any finding
    python3 dev.py serve   the production server on $HOST: nginx + granian (needs SECRET_KEY, DATABASE_URL)
    python3 dev.py bench   the benchmark (see README); ``python3 dev.py bench scale`` for its scale mode
    python3 dev.py manage  a manage.py command as ``run`` sets it up (``DEBUG`` on unless set, the same
                           database): ``python3 dev.py manage create_api_key Demo``

Extra arguments after ``test`` go to pytest (``python3 dev.py test tests/core -k upsert``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
HOST = os.environ.get("HOST", "127.0.0.1:8000")


#: nginx in front of the application: it reads every request whole (headers and body, in memory up
#: to the size limit) before passing it on, so slow clients cost nginx a connection and no Python
#: worker anything. Upstream connections are kept alive over a Unix socket.
NGINX_CONF = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_max_body_size {max_body};
    client_body_buffer_size {max_body};
    client_body_timeout 30s;
    client_header_timeout 30s;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    proxy_buffer_size 16k;
    proxy_buffers 64 16k;
    proxy_max_temp_file_size 0;
    proxy_read_timeout 300s;
    # One granian process per socket; nginx hands each request to the one with the fewest
    # requests in progress (least_conn), as a queue in front of single-threaded workers should.
    upstream app {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen {bind} backlog=4096;
        location / {{
            proxy_pass http://app;
            proxy_request_buffering on;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def find_nginx() -> str | None:
    """nginx's path (Debian keeps it in /usr/sbin, off a normal user's PATH), or None."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def production_server_commands(bind: str, workers: int, folder: Path) -> list[list[str]]:
    """The production HTTP server (README, "Production"), which the benchmark and the tests start too.

    nginx on ``bind``, buffering whole requests, in front of ``workers`` granian WSGI processes of
    one thread each, every one on a Unix socket of its own in ``folder`` (with nginx's config).
    granian alone streams request bodies into its Python threads, so a slow client holds one;
    nginx in front costs little CPU and holds them itself. nginx, not granian, spreads the
    requests: ``least_conn`` gives each to a process with nothing in progress when there is one,
    as gunicorn's sync workers take requests. (granian's own ``--backpressure`` counts
    connections, not requests: with nginx's kept connections it left requests waiting for
    seconds behind idle ones; README, "Why this server".)
    """
    nginx = find_nginx()
    if nginx is None:
        raise SystemExit(
            "nginx is needed in front of the application: apt-get install nginx-light (README, Production)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # nginx's workers run as another user when it is started as root
    sockets = [folder / f"app{number}.sock" for number in range(workers)]
    for socket in sockets:
        socket.unlink(missing_ok=True)
    max_body = os.environ.get("NGINX_MAX_BODY", "20m")
    (folder / "nginx.conf").write_text(
        NGINX_CONF.format(
            folder=folder,
            bind=bind,
            max_body=max_body,
            servers="\n".join(f"        server unix:{socket};" for socket in sockets),
        )
    )
    return [
        [nginx, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        *(
            [
                str(BIN / "granian"),
                "--interface",
                "wsgi",
                "--uds",
                str(socket),
                "--uds-permissions",
                "0o666",
                "--workers",
                "1",
                "--blocking-threads",
                "1",
                "--respawn-failed-workers",
                "--no-ws",
                "config.wsgi:application",
            ]
            for socket in sockets
        ),
    ]


def ensure_environment(extras: str = "test") -> None:
    """Create the virtualenv and install the project when pyproject.toml changed since last time."""
    if sys.version_info < (3, 11):  # noqa: UP036  (dev.py runs under whatever python3 the user has)
        raise SystemExit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras}"
    pyproject = ROOT / "pyproject.toml"
    if not stamp.exists() or stamp.stat().st_mtime < pyproject.stat().st_mtime:
        print(f"Installing dependencies ({extras}) ...", flush=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f".[{extras}]"], cwd=ROOT, check=True)
        stamp.touch()


def manage(*args: str, env: dict[str, str]) -> None:
    """Run a management command, failing loudly."""
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def stop_on_sigterm() -> None:
    """Make SIGTERM stop this command as Ctrl-C does, children included.

    A process manager (systemd, Docker, ``timeout``) sends SIGTERM to this process alone; without
    this, Python would exit at once and leave the servers it started running without it.
    """

    def interrupt(signum: int, frame: object) -> None:
        finish_shutdown()  # a repeated SIGTERM finds the clean-up already protected
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def finish_shutdown() -> None:
    """Ignore further Ctrl-C and SIGTERM: the clean-up under way (bounded by ``stop_groups``'s grace)
    ends. A second signal (Ctrl-C pressed twice, a process manager repeating its SIGTERM) would
    otherwise interrupt it and leave servers running."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def development_env(**extra: str) -> dict[str, str]:
    """This process's environment with ``DEBUG`` on unless set (and ``extra``): what ``run``,
    ``test``, ``lint`` and ``manage`` give their commands."""
    return {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), **extra}


def run() -> None:
    """Serve the API and run the webhook worker until Ctrl-C or SIGTERM."""
    ensure_environment()
    stop_on_sigterm()
    # runserver serves each request in a thread of its own: a connection kept past the request
    # (CONN_MAX_AGE) would stay open, idle, until its thread is collected, one per request.
    env = development_env(CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "0"))
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("bootstrap_demo", "--host", HOST, env=env)
    # The resilient worker (webhooks_app/worker.py): it outlives database restarts and requeues lost
    # jobs. No autoreloader, like runserver below: one process that terminate() stops.
    worker = subprocess.Popen([str(PYTHON), "manage.py", "webhook_worker", "--no-reload"], cwd=ROOT, env=env)
    try:
        subprocess.run([str(PYTHON), "manage.py", "runserver", HOST, "--noreload"], cwd=ROOT, env=env)
    except KeyboardInterrupt:
        pass
    finally:
        finish_shutdown()
        worker.terminate()
        worker.wait(timeout=10)


def xdist_arguments(args: list[str]) -> list[str]:
    """pytest-xdist's arguments: ``TEST_WORKERS`` processes (default: one per core, at most 4), by file.

    Files go whole to one worker (``--dist loadfile``) so a module's seeded workspaces are built once.
    Arguments naming their own ``-n`` (or ``--dist``) win; ``TEST_WORKERS=0`` (or 1) runs everything
    in this process.
    """
    if any(arg.startswith(("-n", "--numprocesses", "--dist")) for arg in args):
        return []
    workers = int(os.environ.get("TEST_WORKERS") or min(os.cpu_count() or 1, 4))
    return ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []


def test(args: list[str]) -> int:
    """Run pytest, on several processes (see ``xdist_arguments``); returns its exit code."""
    ensure_environment()
    env = development_env()
    command = [str(PYTHON), "-m", "pytest", *xdist_arguments(args), *args]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


#: The checks CI runs before the tests (pyproject.toml configures each tool).
LINT_COMMANDS = (
    ("ruff", "check", "."),
    ("ruff", "format", "--check", "."),
    ("mypy", "."),
)


def lint() -> int:
    """Run ruff (lint and format check) and mypy; returns 1 when any of them finds something."""
    ensure_environment("test,lint")
    # mypy's Django plugin loads the settings, which need a SECRET_KEY unless DEBUG is set.
    env = development_env()
    failed = False
    for tool, *args in LINT_COMMANDS:
        print(f"== {tool} {' '.join(args)} ==", flush=True)
        failed |= subprocess.run([str(BIN / tool), *args], cwd=ROOT, env=env).returncode != 0
    return 1 if failed else 0


def web_workers() -> int:
    """``WEB_WORKERS``, or by default one application process per core this process may run on.

    One per core, not more: with PostgreSQL on the same machine, a process waiting for the
    database leaves its core to PostgreSQL, and more processes than cores only share the cores
    among themselves. On 2 cores, 2 processes served the benchmark's scenarios (a to e, g) with
    9-27 % less CPU a request than 4 (README, "How many processes"). A database on another
    machine leaves cores idle while processes wait on the network: raise it then.
    """
    if os.environ.get("WEB_WORKERS"):
        return int(os.environ["WEB_WORKERS"])
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def serve(folder: Path = ROOT / "var" / "run") -> int:
    """Run the production server in the foreground on ``HOST`` with ``web_workers()`` processes
    (sockets and nginx's configuration in ``folder``), until Ctrl-C or SIGTERM stops them all."""
    ensure_environment()
    stop_on_sigterm()
    # nginx in front appends the client's address to X-Forwarded-For: the rate limits of failed
    # authentications count per client, not per proxy.
    os.environ.setdefault("RATE_LIMIT_PROXY_COUNT", "1")
    commands = production_server_commands(HOST, web_workers(), folder)
    processes = [subprocess.Popen(command, cwd=ROOT, start_new_session=True) for command in commands]
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        finish_shutdown()
        stop_groups(processes)
    return max(process.returncode or 0 for process in processes)


def stop_groups(processes: list[subprocess.Popen], grace: float = 30.0) -> None:
    """SIGTERM each process's group, then SIGKILL a group still running after ``grace`` seconds.

    A granian that receives SIGTERM while it spawns its worker says it shuts down and then waits
    forever: without the SIGKILL, this command would end and leave it serving.
    """
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def manage_command(args: list[str]) -> int:
    """Run ``manage.py`` with ``args`` in the environment ``run`` gives it; returns its exit code."""
    ensure_environment()
    env = development_env()
    return subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env).returncode


def bench(args: list[str]) -> int:
    """Run the benchmark (``args``: an optional mode, e.g. ``scale``)."""
    ensure_environment()
    return subprocess.run([str(PYTHON), "bench/run.py", *args], cwd=ROOT).returncode


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        sys.exit(test(sys.argv[2:]))
    elif command == "lint":
        sys.exit(lint())
    elif command == "serve":
        sys.exit(serve())
    elif command == "bench":
        sys.exit(bench(sys.argv[2:]))
    elif command == "manage":
        sys.exit(manage_command(sys.argv[2:]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
