"""``manage.py bench_seed``: a Bench workspace with 10,000 companies and 50,000 people, and a key."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand
from django.db import connection

from apikeys_app.services import create_api_key
from core_app.models import Record, UniqueValue
from core_app.services import writing
from core_app.services.context import RecordContext
from metadata_app.models import Workspace
from metadata_app.registry import schema_registry
from metadata_app.services.workspaces import create_workspace

CHUNK = 60  # the batch limit of the record service, which the seed goes through


class Command(BaseCommand):
    """Seed (once) the benchmark workspace through the record service, remove what earlier runs
    wrote, and print a fresh token."""

    help = "Create the Bench workspace with companies and people linked to them; print an API key."

    def add_arguments(self, parser):
        parser.add_argument("--companies", type=int, default=10_000)
        parser.add_argument("--people", type=int, default=50_000)

    def handle(self, *args, companies: int, people: int, **options):
        workspace = Workspace.objects.filter(display_name="Bench").first()
        if workspace is not None:
            self.reset(workspace)
        if workspace is None:
            workspace = create_workspace("Bench")
            self.seed(workspace, companies, people)
            if connection.vendor == "postgresql":
                # Fresh planner statistics and visibility map, as autovacuum would give a live system.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE core_app_record")
        _, token = create_api_key(workspace, {"name": "bench"})
        self.stdout.write(token)

    def reset(self, workspace: Workspace) -> None:
        """Remove what earlier runs' write scenarios created (through the API), so runs compare."""
        written = Record.objects.filter(workspace=workspace, created_by__source="API")
        UniqueValue.objects.filter(record__in=written).delete()
        written.delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE core_app_record")

    def seed(self, workspace: Workspace, companies: int, people: int) -> None:
        rng = random.Random(42)
        snapshot = schema_registry.current(workspace.pk)
        actor = {"source": "IMPORT", "workspaceMemberId": None, "name": "bench", "context": {}}
        company_ctx = RecordContext(workspace.pk, snapshot, snapshot.by_plural["companies"], actor)
        people_ctx = company_ctx.for_object(snapshot.by_plural["people"])
        ids: list[str] = []
        for start in range(0, companies, CHUNK):
            batch = [
                {
                    "name": f"Company {n:05d}",
                    "employees": rng.randint(1, 1000),
                    "domainName": {"primaryLinkUrl": f"https://company{n}.example"},
                }
                for n in range(start, min(start + CHUNK, companies))
            ]
            ids += [str(c.record.pk) for c in writing.create_many(company_ctx, batch)]
        for start in range(0, people, CHUNK):
            batch = [
                {
                    "name": {"firstName": f"First{n}", "lastName": f"Last{n % 997}"},
                    "emails": {"primaryEmail": f"person{n}@example.com"},
                    "companyId": ids[n % len(ids)],
                }
                for n in range(start, min(start + CHUNK, people))
            ]
            writing.create_many(people_ctx, batch)
