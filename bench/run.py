"""The benchmark: seed, serve with gunicorn (several workers), drive with locust, print figures.

Usage: ``make bench`` (or ``.venv/bin/python bench/run.py``). Environment:

- ``DATABASE_URL``: the database to benchmark (PostgreSQL recommended; SQLite works).
- ``BENCH_SECONDS`` (default 15): duration of each scenario; ``BENCH_CLIENTS`` (default 8).
- ``BENCH_WORKERS`` (default 4): gunicorn worker processes; ``BENCH_SCENARIOS``: comma list.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = os.environ.get("BENCH_PORT", "8765")
SCENARIOS = [
    "list_sorted",
    "filter_employees",
    "get_one",
    "create_one",
    "batch_create_60",
    "update_one",
    "people_depth_1",
    "graphql_people_with_company",
    "graphql_companies_with_people",
]


def manage(*args: str, env: dict[str, str]) -> str:
    """Run a management command and return its output."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def wait_until_up(url: str) -> None:
    """Poll until the server answers (any HTTP status)."""
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def run_scenario(name: str, token: str, seconds: str, clients: str) -> dict[str, str]:
    """Drive one scenario with locust in a separate process; return its aggregated row."""
    prefix = ROOT / "var" / f"bench_{name}"
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_SCENARIO": name}
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            clients,
            "-r",
            clients,
            "-t",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv") as handle:
        return next(row for row in csv.DictReader(handle) if row["Name"] == name)


def main() -> None:
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret"), "LOG_LEVEL": "ERROR"}
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput", env=env)
    started = time.time()
    token = manage("bench_seed", env=env).strip().splitlines()[-1]
    print(f"seeded/checked Bench workspace in {time.time() - started:.0f}s")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            os.environ.get("BENCH_WORKERS", "4"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/rest/companies")
        wanted = os.environ.get("BENCH_SCENARIOS", ",".join(SCENARIOS)).split(",")
        print(f"{'scenario':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'fails':>6}")
        for name in wanted:
            row = run_scenario(name, token, os.environ.get("BENCH_SECONDS", "15"), os.environ.get("BENCH_CLIENTS", "8"))
            print(
                f"{name:32} {float(row['Requests/s']):8.1f} {row['50%']:>8} {row['99%']:>8} {row['Failure Count']:>6}",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
