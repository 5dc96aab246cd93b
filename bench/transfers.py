"""Import and export benchmark: rows per second of an import (new records, then an upsert of them all)
and records per second of an export (CSV and NDJSON), on the code paths the API and the worker run.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_transfers .venv/bin/python bench/transfers.py

Environment: ``DATABASE_URL`` (migrated first; PostgreSQL for meaningful figures), ``BENCH_ROWS``
(default 100000), ``IMPORT_BATCH_ROWS`` (default 500), ``EXPORT_PAGE_SIZE`` (default 2000).

A fresh workspace is created for each run and left in the database (use a database of its own;
drop it when done). Phases:

1. **import, new**: a CSV of ``BENCH_ROWS`` people (name, email, job title, city) is staged as
   ``POST /rest/imports/people`` stages it, then run as the worker runs it (``run_job``): every row
   written through the record service (validation, unique emails, index rows, events);
2. **import, upsert**: the same emails with other job titles and ``upsertKey=emails.primaryEmail``:
   every row matched and updated;
3. **export**: every record through ``GET /rest/exports/people`` (the Django test client, with its
   middleware and API key), CSV then NDJSON, the streamed body read to its end.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Measured as deployed: DEBUG off (with DEBUG on, Django keeps every statement it runs).
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")
if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL (PostgreSQL), e.g. postgres://postgres@127.0.0.1:5432/crm_transfers")

import django

django.setup()

from django.core.management import call_command
from django.test import Client

from apikeys_app.services import create_api_key
from core_app.services.context import RecordContext
from metadata_app.registry import schema_registry
from metadata_app.services.workspaces import create_workspace
from transfers_app.jobs import create_job, import_actor, run_job
from transfers_app.models import ImportJob

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
MAPPING = {
    "First": "name.firstName",
    "Last": "name.lastName",
    "Email": "emails.primaryEmail",
    "Title": "jobTitle",
    "City": "city",
}


def csv_pieces(title: str) -> io.BytesIO:
    """The CSV file of the benchmark (built in memory: the benchmark's input, not the server's)."""
    lines = ["First,Last,Email,Title,City"]
    lines += [f"First{n},Last{n % 5000},person{n}@example.com,{title} {n % 97},City {n % 1000}" for n in range(ROWS)]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode())


def timed_import(ctx: RecordContext, title: str, upsert_key: str | None) -> tuple[float, float, ImportJob]:
    """Stage and run one import; return (seconds, CPU seconds of this process, the finished job)."""
    source = csv_pieces(title)
    started, cpu = time.perf_counter(), time.process_time()
    job = create_job(ctx, iter(lambda: source.read(64 * 1024), b""), "csv", MAPPING, upsert_key, False)
    run_job(job)
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, used, ImportJob.objects.get(workspace_id=job.workspace_id, id=job.id)


def timed_export(client: Client, token: str, format: str) -> tuple[float, float, int]:
    """Read the whole export through HTTP; return (seconds, CPU seconds of this process, records)."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(
        f"/rest/exports/people?format={format}", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost"
    )
    assert response.status_code == 200, response.status_code
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)  # type: ignore[attr-defined]
    return time.perf_counter() - started, time.process_time() - cpu, lines - (1 if format == "csv" else 0)


def main() -> None:
    call_command("migrate", verbosity=0)
    workspace = create_workspace(f"Transfers bench {int(time.time())}")
    snapshot = schema_registry.snapshot(workspace)
    ctx = RecordContext(workspace.pk, snapshot, snapshot.by_plural["people"], import_actor("bench"))
    print(f"{ROWS} rows, database {django.db.connection.vendor}")
    for phase, title, key in (("import, new", "Engineer", None), ("import, upsert", "Manager", "emails.primaryEmail")):
        seconds, cpu, job = timed_import(ctx, title, key)
        counts = (job.created_count, job.updated_count, job.failed_count)
        print(
            f"{phase:16} {seconds:8.1f} s {ROWS / seconds:10.0f} rows/s   ({ROWS / cpu:.0f} per CPU second of the"
            f" worker process; created/updated/failed {counts})"
        )
    _, token = create_api_key(workspace, {"name": "bench"})
    client = Client()
    for format in ("csv", "ndjson"):
        seconds, cpu, records = timed_export(client, token, format)
        assert records == ROWS, records
        print(
            f"{'export, ' + format:16} {seconds:8.1f} s {records / seconds:10.0f} records/s"
            f"   ({records / cpu:.0f} per CPU second of the web process)"
        )
    print(f"(workspace {workspace.display_name!r}, {workspace.pk}, left in the database)")


if __name__ == "__main__":
    main()
