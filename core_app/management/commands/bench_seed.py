"""``manage.py bench_seed``: the benchmark's data, written fast through the record store.

- A **Bench** workspace with ``--companies`` companies and ``--people`` people (each working at a
  company, in one of 100 cities), created once; ``employees`` (company) and ``city`` (person) are
  marked ``isIndexed`` through the metadata service, as a user who sorts and filters on them would.
- ``--workspaces W`` more workspaces (``Bench 0001``...) with the standard objects and a few
  records each, for the many-tenants figures.
- Later runs keep the seeded data and remove what earlier benchmark runs wrote through the API.

Records are validated and normalised by the field-type table and written by the store's writer
(index rows, unique values and counters included), in chunks inside one transaction each; no
events are written (no webhook exists in these workspaces). The last line printed is a fresh API
key of the Bench workspace.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import time
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from apikeys_app.services import create_api_key
from core_app.services import writing
from core_app.services.context import RecordContext
from core_app.services.inputs import defaults_for, normalize_input
from core_app.store import unique, writer
from core_app.store.ids import new_id
from core_app.store.records import RecordRow, fetch_by_ids
from core_app.store.sql import dialect, rows
from metadata_app.models import FieldMetadata, Workspace
from metadata_app.registry import schema_registry
from metadata_app.services.fields import update_field
from metadata_app.services.workspaces import create_workspace

CHUNK = 2000
CITIES = [f"City {n:02d}" for n in range(100)]
JOBS = ["CEO", "CTO", "Engineer", "Designer", "Sales", "Marketing", "Support", "Finance"]
ACTOR: dict[str, Any] = {"source": "IMPORT", "workspaceMemberId": None, "name": "bench", "context": {}}


class Progress:
    """A one-line progress bar on stderr: ``people  120,000/1,000,000  23,450/s``."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.started = label, total, 0, time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r{self.label:10} [{bar}] {self.done:,}/{self.total:,}  {rate:,.0f}/s ")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def seed_records(ctx: RecordContext, raws: list[dict[str, Any]]) -> list[str]:
    """Validate, normalise and write records (one chunk, in the caller's transaction); return their ids."""
    inputs = []
    for index, raw in enumerate(raws):
        given, problems = normalize_input(ctx.spec, raw, None, f"Record {index}: ")
        problems += defaults_for(ctx.spec, given, f"Record {index}: ")
        if problems:
            raise CommandError("; ".join(problems))
        inputs.append(given)
    now = timezone.now()
    base = next_position(ctx)
    records = [
        RecordRow(
            id=new_id(),
            workspace_id=ctx.ws,
            object_id=ctx.spec.id,
            data={**given.defaults, **given.data},
            position=base + index,
            created_at=now,
            updated_at=now,
            deleted_at=None,
            created_by=ACTOR,
            updated_by=ACTOR,
        )
        for index, given in enumerate(inputs)
    ]
    values = [
        (field, value, record.id)
        for record in records
        for field, value in writing.unique_pairs(ctx, record.data).items()
    ]
    unique.register(ctx.ws, ctx.spec.id, values)
    writer.insert(ctx.slots, records)
    return [record.id for record in records]


def next_position(ctx: RecordContext) -> float:
    """The position after every record of the object."""
    d = dialect()
    (high,) = rows(
        "SELECT MAX(position) FROM core_app_record WHERE workspace_id = %s AND object_id = %s",
        [d.uuid_in(ctx.ws), d.uuid_in(ctx.spec.id)],
    )[0]
    return (high or 0.0) + 1


def seed_people(ctx: RecordContext, company_ids: list[str], bounds: tuple[int, int], prefix: str = "") -> int:
    """Write people ``bounds[0]`` to ``bounds[1]`` in one transaction; return how many."""
    rng = random.Random(bounds[0])
    batch = [person(n, company_ids[n % len(company_ids)], rng, prefix) for n in range(*bounds)]
    with transaction.atomic():
        seed_records(ctx, batch)
    return len(batch)


def company(n: int, rng: random.Random) -> dict[str, Any]:
    """The ``n``-th benchmark company."""
    return {
        "name": f"Company {n:06d}",
        "employees": rng.randint(1, 1000),
        "domainName": {"primaryLinkUrl": f"https://company{n}.example"},
    }


def person(n: int, company_id: str, rng: random.Random, prefix: str = "") -> dict[str, Any]:
    """The ``n``-th benchmark person."""
    return {
        "name": {"firstName": f"First{n}", "lastName": f"Last{n % 997}"},
        "emails": {"primaryEmail": f"{prefix}person{n}@example.com"},
        "city": rng.choice(CITIES),
        "jobTitle": rng.choice(JOBS),
        "companyId": company_id,
    }


class Command(BaseCommand):
    """Seed (once) the benchmark workspaces, remove what earlier runs wrote, and print a fresh token."""

    help = "Create the Bench workspace (and optionally many small ones) with records; print an API key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--companies", type=int, default=10_000)
        parser.add_argument("--people", type=int, default=50_000)
        parser.add_argument("--workspaces", type=int, default=0, help="more small workspaces beside Bench")
        parser.add_argument(
            "--jobs", type=int, default=os.cpu_count() or 1, help="processes writing people side by side"
        )

    def handle(self, *args: Any, companies: int, people: int, workspaces: int, jobs: int, **options: Any) -> None:
        workspace = Workspace.objects.filter(display_name="Bench").first()
        if workspace is None:
            workspace = create_workspace("Bench")
            self.mark_indexed(workspace)
            self.seed(workspace, companies, people, jobs=jobs)
        else:
            self.reset(workspace)
        self.seed_small_workspaces(workspaces)
        if connection.vendor == "postgresql":
            # Fresh planner statistics and visibility map, as autovacuum would give a live system.
            with connection.cursor() as cursor:
                for table in (
                    "core_app_record",
                    "core_app_recordindex",
                    "core_app_uniquevalue",
                    "core_app_recordcount",
                    "core_app_searchtoken",
                ):
                    cursor.execute(f"VACUUM ANALYZE {table}")
        _, token = create_api_key(workspace, {"name": "bench"})
        self.stdout.write(token)

    @staticmethod
    def mark_indexed(workspace: Workspace) -> None:
        """Mark the fields the benchmark filters on as indexed, through the metadata service."""
        for object_name, field_name in (("company", "employees"), ("person", "city")):
            field = FieldMetadata.objects.get(workspace=workspace, object__name_singular=object_name, name=field_name)
            update_field(workspace, field.pk, {"isIndexed": True})

    def reset(self, workspace: Workspace) -> None:
        """Destroy what earlier runs' write scenarios created through the API, so runs compare."""
        snapshot = schema_registry.current(workspace.pk)
        d = dialect()
        for spec in snapshot.objects:
            ctx = RecordContext(workspace.pk, snapshot, spec, ACTOR)
            found = rows(
                "SELECT id FROM core_app_record WHERE workspace_id = %s AND object_id = %s "
                f"AND {d.json_text('created_by', ('source',))} = 'API'",
                [d.uuid_in(ctx.ws), d.uuid_in(spec.id)],
            )
            ids = [d.uuid_out(row[0]) for row in found]
            for start in range(0, len(ids), CHUNK):
                with transaction.atomic():
                    doomed = fetch_by_ids(ctx.ws, spec.id, ids[start : start + CHUNK], live_only=False)
                    writer.destroy(ctx.ws, spec.id, doomed)

    def seed(
        self, workspace: Workspace, companies: int, people: int, prefix: str = "", quiet: bool = False, jobs: int = 1
    ) -> None:
        """``companies`` companies, then ``people`` people spread over them (``jobs`` processes for people)."""
        rng = random.Random(42)
        snapshot = schema_registry.current(workspace.pk)
        company_ctx = RecordContext(workspace.pk, snapshot, snapshot.by_plural["companies"], ACTOR)
        people_ctx = company_ctx.for_object(snapshot.by_plural["people"])
        ids: list[str] = []
        bar = Progress("companies", companies) if not quiet else None
        for start in range(0, companies, CHUNK):
            with transaction.atomic():
                ids += seed_records(company_ctx, [company(n, rng) for n in range(start, min(start + CHUNK, companies))])
            if bar:
                bar.advance(min(CHUNK, companies - start))
        chunks = [(start, min(start + CHUNK, people)) for start in range(0, people, CHUNK)]
        bar = Progress("people", people) if not quiet else None
        if jobs <= 1 or len(chunks) < 2:
            for chunk in chunks:
                if bar:
                    bar.advance(seed_people(people_ctx, ids, chunk, prefix))
            return
        # Each process opens its own connection; the parent's is closed so it is not shared.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=connections.close_all) as pool:
            for done in pool.imap_unordered(partial(seed_people, people_ctx, ids, prefix=prefix), chunks):
                if bar:
                    bar.advance(done)

    def seed_small_workspaces(self, wanted: int) -> None:
        """Workspaces ``Bench 0001``... up to ``wanted``, each with 5 companies and 10 people."""
        existing = Workspace.objects.filter(display_name__startswith="Bench ").count()
        bar = Progress("workspaces", wanted - existing) if wanted > existing else None
        creations: list[float] = []
        for number in range(existing + 1, wanted + 1):
            with transaction.atomic():
                started = time.perf_counter()
                small = create_workspace(f"Bench {number:04d}")
                creations.append(time.perf_counter() - started)
                self.seed(small, 5, 10, prefix=f"w{number}-", quiet=True)
            if bar:
                bar.advance(1)
        if creations:
            creations.sort()
            middle = creations[len(creations) // 2] * 1000
            self.stdout.write(f"created {len(creations)} workspaces: {middle:.0f} ms each (median)")
