"""Import jobs, the uploaded file they read, and the errors of their rows.

Every table is keyed by ``(workspace_id, ...)`` (Citus-ready, like the record store): a job is
only ever read with its workspace, so another workspace's key cannot even learn that it exists.

- ``ImportJob``: what to import (object, format, mapping, upsert key, dry run), where it stands
  (``status``, ``processed_rows`` = the last row whose batch is committed) and its counts.
- ``ImportChunk``: the uploaded file in pieces of ``IMPORT_CHUNK_BYTES``, stored in the POST's
  transaction, so any worker on any machine can read it and the request never held it whole.
- ``ImportRowError``: one problem of one row (row number, field, the API's message).
"""

from __future__ import annotations

from django.db import models

from core_app.store.ids import time_ordered_uuid

__all__ = ["ImportChunk", "ImportJob", "ImportRowError"]


class ImportJob(models.Model):
    """One import of a file into one object of one workspace, run in batches by the task worker."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED"
        RUNNING = "RUNNING"
        COMPLETED = "COMPLETED"
        FAILED = "FAILED"

    pk = models.CompositePrimaryKey("workspace_id", "id")
    workspace_id = models.UUIDField()
    # Time-ordered (UUIDv7): ordering by id is ordering by creation.
    id = models.UUIDField(default=time_ordered_uuid, editable=False)
    object_id = models.UUIDField()
    object_name = models.CharField(max_length=63)  # the plural at creation, for display
    format = models.CharField(max_length=8)  # csv or ndjson
    mapping = models.JSONField(default=dict)  # header -> field path (null: skipped)
    columns = models.JSONField(default=list)  # the CSV header as read (empty for NDJSON)
    upsert_key = models.CharField(max_length=255, null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    # Who asked: the key's role is compiled again when the job runs (a role changed since counts).
    api_key_id = models.UUIDField(null=True, blank=True)
    role_id = models.UUIDField(null=True, blank=True)
    actor_name = models.CharField(max_length=200, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    size_bytes = models.BigIntegerField(default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    error = models.TextField(null=True, blank=True)
    task_id = models.UUIDField(null=True, blank=True)  # the job in charge (see tasks.py)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "import job"
        # The workers' sweep looks across workspaces for jobs without progress.
        indexes = [models.Index(fields=["status", "heartbeat_at", "workspace_id"], name="import_job_status")]

    def __str__(self) -> str:
        return f"import {self.id} ({self.object_name}, {self.status})"


class ImportChunk(models.Model):
    """Piece ``seq`` (from 0) of a job's uploaded file, as sent (bytes)."""

    pk = models.CompositePrimaryKey("workspace_id", "job_id", "seq")
    workspace_id = models.UUIDField()
    job_id = models.UUIDField()
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        verbose_name = "import chunk"


class ImportRowError(models.Model):
    """One problem of one row of an import: ``field`` is the column's field path, or empty for the row."""

    pk = models.CompositePrimaryKey("workspace_id", "job_id", "row", "seq")
    workspace_id = models.UUIDField()
    job_id = models.UUIDField()
    row = models.PositiveIntegerField()  # 1 = the first data row (a CSV header is not counted)
    seq = models.PositiveSmallIntegerField()  # the problem's number within its row
    field = models.CharField(max_length=255, default="", blank=True)
    message = models.TextField()

    class Meta:
        verbose_name = "import row error"
