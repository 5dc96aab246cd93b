"""CPU cost per request of the request guards: rate limits (database and Redis buckets) and idempotency keys.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_guards_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/guards.py [requests]

Runs requests in this process through Django's test client (the whole middleware and view stack,
no HTTP server) against the database of ``DATABASE_URL`` (migrated first), and prints the
process's CPU milliseconds per request for each variant, interleaved over 5 rounds (medians):
GET one record with rate limits off, on with the database's buckets, on with Redis's (the kept
API key confirmed by the take's own command, and apart, in a command of its own); POST one
record without and with an ``Idempotency-Key``. Redis's own CPU per script run is read from its
``INFO commandstats``. PostgreSQL's CPU is not included (its share is the one statement shown).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-guards")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from apikeys_app.services import create_api_key  # noqa: E402
from metadata_app.services.workspaces import create_workspace  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL", "")


def cpu_ms_per_request(call, count: int) -> float:
    """CPU milliseconds of this process per ``call()``."""
    start = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - start) * 1000 / count


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    workspace = create_workspace(f"Guards bench {uuid.uuid4().hex[:6]}")
    _, token = create_api_key(workspace, {"name": "bench"})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    settings.RATE_LIMIT_REQUESTS = 10**9
    created = client.post("/rest/companies", {"name": "Acme"}, content_type="application/json").json()
    record_id = next(iter(created["data"].values()))["id"]

    def get() -> None:
        assert client.get(f"/rest/companies/{record_id}").status_code == 200

    def post(key: bool) -> None:
        headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if key else {}
        body = {"name": "Bench"}
        assert client.post("/rest/companies", body, content_type="application/json", **headers).status_code == 201

    rider = settings.API_KEY_CHECK_RIDER

    def variant(name: str):
        def setup() -> None:
            settings.RATE_LIMIT_ENABLED = name != "GET, limits off"
            settings.REDIS_URL = REDIS_URL if "(Redis" in name else ""
            # The key's check alone, then the take: two Redis commands (as before they shared one).
            settings.API_KEY_CHECK_RIDER = "" if name.endswith("apart)") else rider

        return setup

    variants = {
        "GET, limits off": get,
        "GET, limits on (database)": get,
        **({"GET, limits on (Redis)": get, "GET, limits on (Redis, key check apart)": get} if REDIS_URL else {}),
        "POST, no Idempotency-Key": lambda: post(False),
        "POST, Idempotency-Key": lambda: post(True),
    }
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(5):
        for name, call in variants.items():
            variant(name)()
            if name.startswith("POST"):
                settings.RATE_LIMIT_ENABLED = False
            for _ in range(20):
                call()  # warm-up
            results[name].append(cpu_ms_per_request(call, count))
    for name, values in results.items():
        print(f"{name:42} {statistics.median(values):6.3f} ms CPU per request (best {min(values):.3f})")
    if REDIS_URL:
        import redis

        stats = redis.Redis.from_url(REDIS_URL).info("commandstats")
        script = stats.get("cmdstat_evalsha") or stats.get("cmdstat_eval") or {}
        print(f"Redis: {script.get('usec_per_call', 0):.1f} µs CPU per script run")


if __name__ == "__main__":
    main()
