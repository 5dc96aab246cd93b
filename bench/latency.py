"""Single-request latency at scale: p50 / min of a few sequential runs of chosen requests, in process.

Usage: ``DATABASE_URL=postgres://... .venv/bin/python bench/latency.py [name ...]`` against a database
seeded by ``manage.py bench_seed`` (the Bench workspace). Each request goes through Django's test
client (the whole API stack, no network, one request at a time), after one unmeasured warm-up.
Prints one line per request and the size of the search index.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ.setdefault("RATE_LIMIT_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from apikeys_app.services import create_api_key  # noqa: E402
from metadata_app.models import Workspace  # noqa: E402

#: name -> (path, GraphQL body or None)
REQUESTS: dict[str, tuple[str, str | None]] = {
    "narrow": ("/rest/search?search_input=First123456&limit=20", None),
    "two_words": ("/rest/search?search_input=First4242%20Last254&limit=20", None),
    "broad_name": ("/rest/search?search_input=First1&limit=20", None),
    "broad_prefix": ("/rest/search?search_input=f&limit=20", None),
    "broad_two_letters": ("/rest/search?search_input=la&limit=20", None),
    "broad_other_field": ("/rest/search?search_input=example&limit=20", None),
    "broad_two_words": ("/rest/search?search_input=first1%20last1&limit=20", None),
    "broad_page2": ("/rest/search?search_input=f&limit=20&starting_after={after}", None),
    "graphql_narrow": (
        "/graphql",
        '{"query": "{ search(searchInput: \\"First654321\\", limit: 20) { edges { node { recordId label tsRankCD } } } }"}',
    ),
    "some_lastname": ("/rest/companies?filter=people._some.name.lastName[eq]:Last42&limit=60", None),
    "some_jobtitle": ("/rest/companies?filter=people._some.jobTitle[eq]:CEO&limit=60", None),
}
RUNS = int(os.environ.get("LATENCY_RUNS", "7"))


def main() -> None:
    """Time each request RUNS times and print p50 and min in milliseconds."""
    workspace = Workspace.objects.get(display_name="Bench")
    _, token = create_api_key(workspace, {"name": "latency"})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    names = sys.argv[1:] or list(REQUESTS)
    first = client.get("/rest/search?search_input=f&limit=20").json()
    after = first["pageInfo"]["endCursor"] if "pageInfo" in first else ""
    for name in names:
        path, body = REQUESTS[name]
        path = path.replace("{after}", after or "")

        def call(path: str = path, body: str | None = body) -> int:
            if body is None:
                return client.get(path).status_code
            return client.post(path, body, content_type="application/json").status_code

        status = call()
        took = []
        for _ in range(RUNS):
            start = time.perf_counter()
            call()
            took.append((time.perf_counter() - start) * 1000)
        print(f"{name:20} {status}  p50 {statistics.median(took):8.1f} ms  min {min(took):8.1f} ms")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c WHERE c.relname LIKE '%%search%%' "
            "AND c.relkind IN ('r', 'i') ORDER BY 1"
        )
        sizes = cursor.fetchall()
    total = sum(size for _, size in sizes)
    print("search index: " + ", ".join(f"{n} {s / 2**20:.0f} MB" for n, s in sizes) + f"; total {total / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
