"""What search costs (api-reference §13): the extra time of a create, and the plans of search queries.

Usage (``DATABASE_URL`` names a migrated database; PostgreSQL for the plans)::

    .venv/bin/python bench/search_costs.py writes [N]   # N creates with and without search tokens
    .venv/bin/python bench/search_costs.py explain      # EXPLAIN ANALYZE of searches in the Bench workspace

``writes`` creates a scratch workspace and sends ``POST /rest/people`` through Django's test client
(in process: no network, no server), alternating rounds in which ``person`` is searchable (its
tokens written in the create's transaction) and not searchable (no tokens: the create of before
search existed), and prints the median milliseconds per create of each. ``explain`` runs searches
against the workspace ``bench_seed`` made (``dev.py bench scale`` seeds 1M people), captures the
SQL the search service sends and prints each statement's ``EXPLAIN ANALYZE`` execution time.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apikeys_app.services import create_api_key  # noqa: E402
from metadata_app.models import ObjectMetadata, Workspace  # noqa: E402
from metadata_app.services.objects import update_object  # noqa: E402
from metadata_app.services.workspaces import create_workspace  # noqa: E402

SEARCHES = ["First123456", "First4242 Last254", "Last254", "engineer", "person77777 example"]


def writes(count: int) -> None:
    """Median ms per ``POST /rest/people``, with and without the person's search tokens."""
    # In process, as the test suite calls the API: no rate limit, the test client's host.
    settings.RATE_LIMIT_ENABLED = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    workspace = create_workspace("Search costs")
    try:
        _, token = create_api_key(workspace, {"name": "costs"})
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        person = ObjectMetadata.objects.get(workspace=workspace, name_singular="person")
        timings: dict[bool, list[float]] = {True: [], False: []}
        statements: dict[bool, int] = {}
        serial = 0
        for _round in range(3):
            for searchable in (True, False):
                update_object(workspace, person.pk, {"isSearchable": searchable})
                for _ in range(count):
                    serial += 1
                    body = {
                        "name": {"firstName": f"First{serial}", "lastName": f"Last{serial % 997}"},
                        "emails": {"primaryEmail": f"person{serial}@example.com"},
                        "jobTitle": "Engineer",
                        "city": "Paris",
                    }
                    connection.queries_log.clear()  # the log is capped: counts are read per request
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        answer = client.post("/rest/people", json.dumps(body), content_type="application/json")
                        timings[searchable].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 201, answer.content[:300]
                    statements[searchable] = len(captured)
        for searchable in (False, True):
            label = "with search tokens   " if searchable else "without search tokens"
            print(
                f"{label}: median {statistics.median(timings[searchable]):.2f} ms per create "
                f"({len(timings[searchable])} creates), {statements[searchable]} SQL statements"
            )
    finally:
        workspace.delete()


def explain() -> None:
    """EXPLAIN ANALYZE of each statement of a few searches in the Bench workspace."""
    from core_app.access import record_access
    from core_app.services.context import RecordContext, api_actor
    from core_app.services.search import search
    from metadata_app.registry import schema_registry

    workspace = Workspace.objects.get(display_name="Bench")
    snapshot = schema_registry.snapshot(workspace)
    contexts = [
        RecordContext(workspace.pk, snapshot, spec, api_actor("explain"), record_access(None))
        for spec in snapshot.objects
    ]
    for text in SEARCHES:
        search(contexts, text, 20)  # warm
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            page = search(contexts, text, 20)
            wall = (time.perf_counter() - started) * 1000
        total = 0.0
        for query in captured.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            total += plan[0]["Execution Time"]
        print(
            f"{text!r}: {len(page.hits)} hits, {len(captured.captured_queries)} statements, "
            f"EXPLAIN ANALYZE {total:.1f} ms in all, service wall time {wall:.1f} ms"
        )
    # The whole request, in process (no network): p50 of GET /rest/search per input.
    settings.RATE_LIMIT_ENABLED = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    _, token = create_api_key(workspace, {"name": "search costs"})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for text in SEARCHES:
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            answer = client.get("/rest/search", {"search_input": text, "limit": "20"})
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.content[:300]
        print(f"GET /rest/search?search_input={text}: p50 {statistics.median(timings):.1f} ms (30 requests)")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "writes"
    if command == "writes":
        writes(int(sys.argv[2]) if len(sys.argv) > 2 else 200)
    elif command == "explain":
        explain()
    else:
        raise SystemExit(__doc__)
