"""Import jobs: creating one (file staged, job queued) and running it, batch after batch.

A batch of ``IMPORT_BATCH_ROWS`` rows is one transaction holding, together:

- the rows' writes, made by the record service (``core_app.services.writing.create_many``): the
  same validation, uniqueness, events and webhook deliveries as the API;
- the rows' errors (``ImportRowError``);
- the job's progress: ``processed_rows`` (the last row of the batch) and its counts.

So progress is exactly what is committed: a worker killed mid-batch leaves neither the batch's
records nor its progress, and the job, run again, resumes after the last committed row without
writing any row twice. The job's row is locked at the start of each batch and its progress
compared with what the runner expects, so two runners of one job (a requeue of a job whose worker
only seemed lost) never both write a batch.

Each row is checked on its own first (its input shape, its relation look-ups); the valid rows are
then written as one call per kind (creates, upserts). Should that call fail (a duplicate within
the batch, a value another record holds), the batch's rows are written one by one, each in its own
savepoint, so a failed row never blocks the others. ``dryRun`` does all of it and rolls back each
batch's writes (not its counts and errors).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from api_common.errors import ApiError, BadRequest
from core_app import access
from core_app.services import writing
from core_app.services.connect import resolve_relation_inputs
from core_app.services.context import RecordContext, with_api_key
from core_app.services.errors import DataModelChanged
from core_app.services.inputs import normalize_input
from core_app.store import unique
from core_app.store.records import fetch_by_ids
from metadata_app.models import Workspace
from metadata_app.registry import schema_registry
from roles_app.permissions import permissions_for
from transfers_app import conf, sources
from transfers_app.mapping import Lookup, Plan, build_plan, resolve_lookups
from transfers_app.models import ImportChunk, ImportJob, ImportRowError

__all__ = ["BatchOutcome", "create_job", "import_actor", "job_context", "run_job", "write_rows"]

logger = logging.getLogger(__name__)

#: Times a batch's transaction is tried when the database reports a deadlock or serialization failure.
ATTEMPTS = 3
#: Seconds a batch keeps being written again while the workspace's data model keeps changing.
MODEL_CHANGES_SECONDS = 60
#: Finds the field an API message is about: "Invalid value for field 'emails.primaryEmail': ...".
FIELD_IN_MESSAGE = re.compile(r"[Ff]ield '([^']+)'")
#: The prefix of a batch's messages (``Record 0: ``), meaningless in the report of one row.
RECORD_PREFIX = re.compile(r"^Record \d+: ")


def import_actor(name: str, api_key_id: Any = None) -> dict[str, Any]:
    """``createdBy``/``updatedBy`` of records imported with the API key ``api_key_id`` called ``name``:
    source ``IMPORT`` (api-reference 3.7, ACTOR)."""
    return with_api_key({"source": "IMPORT", "workspaceMemberId": None, "name": name, "context": {}}, api_key_id)


def create_job(
    ctx: RecordContext,
    pieces: Iterable[bytes],
    format: str,
    mapping: dict[str, Any],
    upsert_key: str | None,
    dry_run: bool,
    api_key: Any = None,
) -> ImportJob:
    """Stage the file and check it and the mapping against the object (one transaction); the caller
    queues the job (``tasks.enqueue_import``) or runs it (``run_job``).

    400/403/413 leave nothing behind (the caller's transaction, or this one, rolls back).
    """
    access.require(ctx, "update")
    with transaction.atomic():
        job = ImportJob(
            workspace_id=ctx.workspace_id,
            object_id=ctx.spec.id,
            object_name=ctx.spec.name_plural,
            format=format,
            mapping=mapping,
            upsert_key=upsert_key,
            dry_run=dry_run,
            api_key_id=getattr(api_key, "pk", None),
            role_id=getattr(api_key, "role_id", None),
            actor_name=str(ctx.actor.get("name") or ""),
            created_at=timezone.now(),
        )
        staged = sources.stage(ctx.workspace_id, job.id, format, pieces)
        build_plan(ctx, mapping, staged.header, upsert_key)
        job.columns = staged.header or []
        job.total_rows, job.size_bytes, job.chunk_count = staged.total_rows, staged.size_bytes, staged.chunk_count
        job.save(force_insert=True)
    return job


def job_context(job: ImportJob) -> RecordContext:
    """The record context a job writes with: its object now, and the permissions of its key's role now."""
    workspace = Workspace.objects.get(pk=job.workspace_id)
    snapshot = schema_registry.snapshot(workspace)
    spec = snapshot.by_id.get(str(job.object_id))
    if spec is None:
        raise BadRequest(f"The object '{job.object_name}' no longer exists")
    permissions = permissions_for(job.role_id, None) if job.api_key_id is not None else None
    return RecordContext(
        job.workspace_id,
        snapshot,
        spec,
        import_actor(job.actor_name, job.api_key_id),
        access.record_access(permissions),
    )


@dataclass
class JobSetup:
    """What a job writes with: its record context and its plan, read under one data model."""

    ctx: RecordContext
    plan: Plan


def job_setup(job: ImportJob) -> JobSetup:
    """The job's context and plan under the data model as it is now (an ``ApiError`` when it cannot run)."""
    ctx = job_context(job)
    access.require(ctx, "update")
    return JobSetup(ctx, build_plan(ctx, job.mapping, job.columns if job.format == "csv" else None, job.upsert_key))


@dataclass
class BatchOutcome:
    """What one batch did: counts and the errors of its rows (``(row, field, message)``)."""

    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Rows with at least one error."""
        return len({row for row, _, _ in self.errors})


def row_errors(number: int, error: ApiError) -> list[tuple[int, str, str]]:
    """An API error as row errors: one per message, each with the field it names (or none).

    A row written alone is a batch of one: the batch's ``Record 0: `` prefix is left out.
    """
    found = []
    for message in (RECORD_PREFIX.sub("", message, count=1) for message in error.messages):
        match = FIELD_IN_MESSAGE.search(message)
        found.append((number, match.group(1) if match else "", message))
    return found


def parse_row(plan: Plan, payload: Any) -> tuple[dict[str, Any] | None, list[Lookup], str | None]:
    """``(record input, look-ups, None)`` of a row, or ``(None, [], problem)``."""
    if isinstance(payload, list):
        if plan.header is not None and len(payload) != len(plan.header):
            return None, [], f"The row has {len(payload)} values; the header has {len(plan.header)} columns"
        raw, lookups = plan.record_from_cells(payload)
        return raw, lookups, None
    try:
        item = orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        return None, [], f"The line is not JSON: {error}"
    if not isinstance(item, dict):
        return None, [], "The line must be a JSON object (one record)"
    raw, lookups = plan.record_from_object(item)
    return raw, lookups, None


def write_rows(ctx: RecordContext, plan: Plan, raws: list[dict[str, Any]]) -> list[writing.Change]:
    """Write rows through the record service: rows matching the upsert key update their record, others are created."""
    if plan.upsert_key is None:
        return writing.create_many(ctx, raws, upsert=False, batch=True, limit=len(raws))
    values = [plan.upsert_value(raw) for raw in raws]
    if plan.upsert_field is None:
        matched, _ = writing.ids_in_workspace(ctx, [v for v in values if v])
    else:
        field_id = plan.upsert_field.id
        holders = unique.find_holders(ctx.ws, {(field_id, v) for v in values if v})
        matched = set()
        for raw, value in zip(raws, values):
            holder = holders.get((field_id, value)) if value else None
            if holder is not None and "id" not in raw:
                raw["id"] = holder
                matched.add(holder)
    updates = [raw for raw in raws if raw.get("id") and str(raw["id"]).lower() in matched]
    keep_sub_fields(ctx, updates)
    creates = [raw for raw in raws if not (raw.get("id") and str(raw["id"]).lower() in matched)]
    changes = writing.create_many(ctx, updates, upsert=True, batch=True, limit=len(updates)) if updates else []
    if creates:
        changes += writing.create_many(ctx, creates, upsert=False, batch=True, limit=len(creates))
    return changes


def keep_sub_fields(ctx: RecordContext, raws: list[dict[str, Any]]) -> None:
    """Complete the composites of rows that update a record with the record's other sub-fields.

    An import that fills ``name.lastName`` changes the last name only; the record service's upsert
    writes a composite whole (api-reference 2.6), so the row is given the current first name too.
    """
    composites = [f for f in ctx.spec.fields if f.field_type.is_composite and f.relation is None and not f.column]
    wanted = [raw for raw in raws if any(isinstance(raw.get(f.name), dict) for f in composites)]
    if not wanted:
        return
    ids = sorted({str(raw["id"]).lower() for raw in wanted})
    current = {row.id: row.data for row in fetch_by_ids(ctx.ws, ctx.spec.id, ids, live_only=False)}
    for raw in wanted:
        data = current.get(str(raw["id"]).lower(), {})
        for composite in composites:
            given, stored = raw.get(composite.name), data.get(composite.storage_key)
            if isinstance(given, dict) and isinstance(stored, dict):
                writable = set(composite.field_type.sub_fields) - set(
                    getattr(composite.field_type, "read_only_sub_fields", ())
                )
                raw[composite.name] = {**{k: v for k, v in stored.items() if k in writable}, **given}


def run_batch(ctx: RecordContext, plan: Plan, batch: list[tuple[int, Any]]) -> BatchOutcome:
    """Check and write one batch (in the caller's transaction); see the module docstring."""
    outcome = BatchOutcome()
    read: list[tuple[int, dict[str, Any], list[Lookup]]] = []
    for number, payload in batch:
        raw, lookups, problem = parse_row(plan, payload)
        if raw is None:
            outcome.errors.append((number, "", problem or ""))
            continue
        read.append((number, raw, lookups))
    parsed: list[tuple[int, dict[str, Any], list[Lookup]]] = []
    for number, raw, lookups in connected(ctx, read, outcome):
        _, problems = normalize_input(ctx.spec, raw, None)
        if problems:
            outcome.errors += row_errors(number, BadRequest(*problems))
            continue
        parsed.append((number, raw, lookups))
    valid: list[tuple[int, dict[str, Any]]] = []
    for (number, raw, _), resolved in zip(parsed, resolve_lookups(ctx, [lookups for _, _, lookups in parsed])):
        failures = [(number, path[1:], message) for path, message in resolved.items() if path.startswith("!")]
        if failures:
            outcome.errors += failures
            continue
        valid.append((number, {**raw, **resolved}))
    if not valid:
        return outcome
    try:
        with transaction.atomic():
            changes = write_rows(ctx, plan, [dict(raw) for _, raw in valid])
    except DataModelChanged:
        raise  # no row's fault: the job reads the model again (commit_batch)
    except ApiError:
        changes = []
        for number, raw in valid:
            try:
                with transaction.atomic():
                    changes += write_rows(ctx, plan, [dict(raw)])
            except DataModelChanged:
                raise
            except ApiError as error:
                outcome.errors += row_errors(number, error)
    for change in changes:
        if change.action == "created":
            outcome.created += 1
        else:
            outcome.updated += 1
    return outcome


def connected(
    ctx: RecordContext, read: list[tuple[int, dict[str, Any], list[Lookup]]], outcome: BatchOutcome
) -> list[tuple[int, dict[str, Any], list[Lookup]]]:
    """The rows with their ``connect`` / ``disconnect`` inputs (NDJSON lines in the API's shape)
    replaced by join ids: one look-up per target object for the batch; when some row's cannot be
    resolved, row by row, each row's problems reported as its own (``outcome.errors``)."""
    try:
        raws = resolve_relation_inputs(ctx, [raw for _, raw, _ in read], batch=True)
        return [(number, raw, lookups) for (number, _, lookups), raw in zip(read, raws)]
    except ApiError:
        pass
    rows = []
    for number, raw, lookups in read:
        try:
            rows.append((number, resolve_relation_inputs(ctx, [raw], batch=False)[0], lookups))
        except ApiError as error:
            outcome.errors += row_errors(number, error)
    return rows


def commit_batch(job: ImportJob, setup: JobSetup, batch: list[tuple[int, Any]], start: int) -> bool:
    """Write ``batch`` and the job's progress in one transaction; False when another runner got there first.

    When the workspace's data model changed since ``setup`` was read, ``setup`` is read again
    (an ``ApiError`` if the job can no longer run) and the batch written under the new model.
    """
    transient, deadline = 0, time.monotonic() + MODEL_CHANGES_SECONDS
    while True:
        try:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(workspace_id=job.workspace_id, id=job.id)
                if locked.processed_rows != start or locked.status != ImportJob.Status.RUNNING:
                    return False
                with transaction.atomic():
                    outcome = run_batch(setup.ctx, setup.plan, batch)
                    if job.dry_run:
                        transaction.set_rollback(True)  # counts and errors stay; the writes go
                store_errors(job, locked.failed_count, outcome.errors)
                ImportJob.objects.filter(workspace_id=job.workspace_id, id=job.id).update(
                    processed_rows=batch[-1][0],
                    created_count=F("created_count") + outcome.created,
                    updated_count=F("updated_count") + outcome.updated,
                    failed_count=F("failed_count") + outcome.failed,
                    heartbeat_at=timezone.now(),
                )
            return True
        except DataModelChanged:
            # Changes made back to back: each one waits for this batch or makes it start again.
            if time.monotonic() > deadline:
                raise
            fresh = job_setup(job)
            setup.ctx, setup.plan = fresh.ctx, fresh.plan
        except OperationalError as error:
            transient += 1
            if transient == ATTEMPTS or not writing.is_transient(error):
                raise
            time.sleep(0.05 * transient)


def store_errors(job: ImportJob, failed_before: int, errors: list[tuple[int, str, str]]) -> None:
    """Keep the batch's row errors, up to ``IMPORT_MAX_ROW_ERRORS`` failed rows per job."""
    room = conf.max_row_errors() - failed_before
    kept, rows_seen, seq = [], [], 0
    for number, field_path, message in errors:
        if number not in rows_seen:
            rows_seen.append(number)
            seq = 0
        if len(rows_seen) > room:
            break
        kept.append(
            ImportRowError(
                workspace_id=job.workspace_id, job_id=job.id, row=number, seq=seq, field=field_path, message=message
            )
        )
        seq += 1
    ImportRowError.objects.bulk_create(kept)


def finish(job: ImportJob, status: str, error: str | None = None) -> None:
    """Mark the job done (or failed) and drop its file."""
    with transaction.atomic():
        ImportJob.objects.filter(workspace_id=job.workspace_id, id=job.id).update(
            status=status, error=error, finished_at=timezone.now(), task_id=None, heartbeat_at=timezone.now()
        )
        ImportChunk.objects.filter(workspace_id=job.workspace_id, job_id=job.id).delete()


def run_job(job: ImportJob, max_batches: int | None = None, progress: Callable[[int, int], None] | None = None) -> str:
    """Run ``job`` from its last committed row: all of it, or ``max_batches`` batches (then "paused").

    Returns ``completed``, ``failed: ...``, ``paused`` or ``skipped: ...``. ``progress(done, total)``
    is called after each batch (the management command's progress bar).
    """
    if job.status in (ImportJob.Status.COMPLETED, ImportJob.Status.FAILED):
        return f"skipped: {job.status.lower()}"
    now = timezone.now()
    ImportJob.objects.filter(workspace_id=job.workspace_id, id=job.id).update(
        status=ImportJob.Status.RUNNING, started_at=job.started_at or now, heartbeat_at=now
    )
    job.status = ImportJob.Status.RUNNING
    try:
        setup = job_setup(job)
        outcome = run_batches(job, setup, max_batches, progress)
    except DataModelChanged:
        message = (
            f"The workspace's data model kept changing for {MODEL_CHANGES_SECONDS} seconds; the import stopped "
            "after its last complete batch (processedRows). Import the remaining rows again."
        )
        finish(job, ImportJob.Status.FAILED, message)
        return f"failed: {message}"
    except ApiError as error:  # from the start, or the data model changed so that the job cannot go on
        finish(job, ImportJob.Status.FAILED, "; ".join(error.messages))
        return f"failed: {'; '.join(error.messages)}"
    if outcome is not None:
        return outcome
    finish(job, ImportJob.Status.COMPLETED)
    return "completed"


def run_batches(
    job: ImportJob, setup: JobSetup, max_batches: int | None, progress: Callable[[int, int], None] | None
) -> str | None:
    """Commit the job's batches from its last committed row: None when all are, else why it stopped."""
    start, size, batches = job.processed_rows, conf.batch_rows(), 0
    batch: list[tuple[int, Any]] = []
    for number, payload in sources.rows(job.workspace_id, job.id, job.chunk_count, job.format):
        if number <= start:
            continue  # committed by an earlier run
        batch.append((number, payload))
        if len(batch) < size:
            continue
        if not commit_batch(job, setup, batch, start):
            return "skipped: another runner is ahead"
        start, batch, batches = batch[-1][0], [], batches + 1
        if progress:
            progress(start, job.total_rows)
        if max_batches is not None and batches >= max_batches and start < job.total_rows:
            job.processed_rows = start
            return "paused"
    if batch:
        if not commit_batch(job, setup, batch, start):
            return "skipped: another runner is ahead"
        if progress:
            progress(batch[-1][0], job.total_rows)
    return None
