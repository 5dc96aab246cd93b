"""Helpers for tests that run the project as deployed: real processes, real ports, a throw-away PostgreSQL.

- :class:`TempCluster`: a PostgreSQL cluster of its own (``initdb`` into a temporary folder,
  ``pg_ctl`` on a free port), so a test may stop and restart it without touching the
  machine's shared server. As root, the cluster runs as the ``postgres`` user (PostgreSQL
  refuses to run as root). :func:`temp_cluster_or_skip` skips the test when the binaries are
  missing.
- :func:`free_port`, :func:`wait_for_port`, :func:`manage`: start and reach processes;
  :func:`call_wsgi`: one request to a WSGI application, called as a server calls it.
"""

from __future__ import annotations

import glob
import io
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "ROOT",
    "TempCluster",
    "call_wsgi",
    "free_port",
    "manage",
    "migrated_workspace",
    "temp_cluster_or_skip",
    "wait_for_port",
]

ROOT = Path(__file__).resolve().parent.parent


def wsgi_environ(method: str, path: str, token: str | None = None, body: bytes = b"") -> dict[str, Any]:
    """The WSGI environ a server builds for one request (``path`` may carry a query string)."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}),
    }


def call_wsgi(
    app: Callable[..., Any], method: str, path: str, token: str | None = None, body: bytes = b""
) -> tuple[str, dict[str, str], bytes]:
    """(status line, headers, body) of one request to the WSGI application ``app``, called as a WSGI
    server calls it (the answer's ``close()`` included, which sends Django's ``request_finished``)."""
    environ = wsgi_environ(method, path, token, body)
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
        answered.update(status=status, headers=dict(headers))
        return lambda data: None  # PEP 3333's write(): Django returns its body instead

    chunks = app(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answered["status"], answered["headers"], content


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port`` (fail if ``process`` exits first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def migrated_workspace(env: dict[str, str], name: str, key_name: str) -> str:
    """Migrate the database of ``env``, create the workspace ``name`` with a key ``key_name``; return the token."""
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("create_workspace", name, env=env)
    return manage("create_api_key", name, "--name", key_name, env=env).strip().splitlines()[-1]


def manage(*args: str, env: dict[str, str]) -> str:
    """Run ``manage.py`` in a subprocess with ``env``; return its standard output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def postgres_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian keeps them off the PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    for name in ("initdb", "pg_ctl", "createdb"):
        if shutil.which(name) is None:
            return None
    return Path(shutil.which("initdb") or "").parent


class TempCluster:
    """A PostgreSQL cluster in a temporary folder, on its own port; ``stop()`` removes everything."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="crm_ops_pg_"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        # PostgreSQL refuses to run as root: then the cluster belongs to the postgres user.
        self.runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.runas:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)

    def run(self, *command: str) -> None:
        """Run a PostgreSQL binary as the cluster's owner, failing loudly."""
        done = subprocess.run(
            [*self.runas, str(self.bindir / command[0]), *command[1:]], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"

    def create(self) -> None:
        """``initdb`` (trust authentication, no fsync: the data is thrown away) and start."""
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    def pg_ctl(self, action: str, *extra: str) -> None:
        """``pg_ctl action`` on this cluster, waiting for it to finish."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", *extra, action)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self.pg_ctl("start")

    def restart(self) -> None:
        """Stop (fast: open sessions are terminated) and start again, like ``pg_ctlcluster ... restart``."""
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        """Stop the server and delete the cluster."""
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        """A ``DATABASE_URL`` for ``database`` on this cluster."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def createdb(self, database: str) -> str:
        """Create ``database``; return its ``DATABASE_URL``."""
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database)
        return self.url(database)


def temp_cluster_or_skip() -> TempCluster:
    """A new, started :class:`TempCluster`, or skip the test when PostgreSQL's binaries are missing."""
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to own a temporary cluster")
        if shutil.which("runuser") is None:
            pytest.skip("running as root and runuser is missing")
    cluster = TempCluster(bindir)
    try:
        cluster.create()
    except BaseException:
        shutil.rmtree(cluster.folder, ignore_errors=True)
        raise
    return cluster
