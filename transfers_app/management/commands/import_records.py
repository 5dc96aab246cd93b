"""``manage.py import_records WORKSPACE PLURAL FILE [--mapping JSON] [--upsert-key KEY] [--dry-run] [--format F]``.

The same import as ``POST /rest/imports/{plural}`` (the file staged and checked, rows written in
batches through the record service, errors per row), run here and now with a progress bar instead
of on the task worker. Records are created with ``createdBy.source`` ``IMPORT``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError

from api_common.errors import ApiError
from transfers_app.jobs import create_job, import_actor, run_job
from transfers_app.management.commands._shared import command_context, progress_bar
from transfers_app.models import ImportJob, ImportRowError

#: Row errors printed at the end (all of them stay on the job, ``GET /rest/imports/{id}/errors``).
SHOWN_ERRORS = 20


class Command(BaseCommand):
    """Import a CSV or NDJSON file into one object of one workspace."""

    help = "Import a CSV or NDJSON file into an object (as POST /rest/imports/{plural}), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="workspace id or display name")
        parser.add_argument("plural", help="object, by its plural name (people, companies...)")
        parser.add_argument("file", help="the CSV or NDJSON file")
        parser.add_argument(
            "--mapping", default="{}", help='JSON object: column -> field path, e.g. {"First": "name.firstName"}'
        )
        parser.add_argument(
            "--upsert-key", default=None, help="id or a unique field (emails.primaryEmail): matches update"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count everything, write nothing")
        parser.add_argument(
            "--format", choices=("csv", "ndjson"), default=None, help="default: by the file's extension"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        file_format = options["format"] or ("ndjson" if path.suffix.lower() in (".ndjson", ".jsonl") else "csv")
        try:
            mapping = orjson.loads(options["mapping"])
        except orjson.JSONDecodeError:
            raise CommandError("--mapping must be a JSON object") from None
        ctx = command_context(options["workspace"], options["plural"], import_actor("manage.py import_records"))
        try:
            with path.open("rb") as handle:
                pieces = iter(lambda: handle.read(64 * 1024), b"")
                job = create_job(ctx, pieces, file_format, mapping, options["upsert_key"], options["dry_run"])
            with progress_bar("rows") as bar:
                task = bar.add_task("import", total=job.total_rows)
                run_job(job, progress=lambda done, total: bar.update(task, completed=done))
        except ApiError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.report(ImportJob.objects.get(workspace_id=job.workspace_id, id=job.id))

    def report(self, job: ImportJob) -> None:
        """Print the job's outcome and its first row errors."""
        if job.error:
            raise CommandError(f"Import {job.id} failed: {job.error}")
        prefix = "Dry run: would have " if job.dry_run else ""
        self.stdout.write(
            f"{prefix}created {job.created_count}, updated {job.updated_count}; {job.failed_count} rows failed "
            f"(import {job.id})"
        )
        errors = ImportRowError.objects.filter(workspace_id=job.workspace_id, job_id=job.id).order_by("row", "seq")
        for error in errors[:SHOWN_ERRORS]:
            self.stdout.write(f"  row {error.row}{f' ({error.field})' if error.field else ''}: {error.message}")
