#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+ and git.

    python3 dev.py run     virtualenv, install, migrate, Demo workspace, fresh API key,
                           API on http://127.0.0.1:8000 and the webhook worker beside it
    python3 dev.py test    the whole test suite (DATABASE_URL=postgres://... for PostgreSQL)
    python3 dev.py bench   the benchmark (see README)

Extra arguments after ``test`` go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
HOST = os.environ.get("HOST", "127.0.0.1:8000")


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


def run() -> None:
    """Serve the API and run the webhook worker until Ctrl-C."""
    ensure_environment()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
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
        worker.terminate()
        worker.wait(timeout=10)


def test(args: list[str]) -> int:
    """Run pytest; returns its exit code."""
    ensure_environment()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    return subprocess.run([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def bench() -> int:
    """Run the benchmark."""
    ensure_environment("test,bench")
    return subprocess.run([str(PYTHON), "bench/run.py"], cwd=ROOT).returncode


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        sys.exit(test(sys.argv[2:]))
    elif command == "bench":
        sys.exit(bench())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
