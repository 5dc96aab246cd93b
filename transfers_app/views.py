"""REST routes of imports and exports.

- ``POST /rest/imports/{plural}``: a CSV or NDJSON file as the raw body (``Content-Type: text/csv``
  or ``application/x-ndjson``) or as the ``file`` part of a multipart form; parameters in the query
  string or as form fields: ``format``, ``mapping`` (JSON), ``upsertKey``, ``dryRun``. 202 with the job.
  ``Idempotency-Key`` works as on the record routes (the file's digest stands for the body).
- ``GET /rest/imports/{id}``: the job (status, counts, progress).
- ``GET /rest/imports/{id}/errors[?format=csv]``: its row errors.
- ``GET /rest/exports/{plural}?filter=&order_by=&fields=&limit=&starting_after=&format=csv|ndjson``: every
  matching record, streamed. A list's ``depth`` (other than 0) and ``ending_before`` are refused with what
  to use instead; other unknown parameters are ignored, as on the lists.

A job belongs to its workspace: another workspace's key gets the 404 of a job that does not exist.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from rest_framework.request import Request
from rest_framework.views import APIView

from api_common import pagination
from api_common.errors import BadRequest, NotFound
from apikeys_app.authentication import api_key_of
from core_app.rest import params
from core_app.rest.views import record_context
from guards_app.idempotency import claim, fingerprint, idempotency_key, store
from metadata_app.field_types.scalars import CANONICAL_UUID
from transfers_app import conf
from transfers_app.exporting import CONTENT_TYPES, export_stream, exportable_keys
from transfers_app.jobs import create_job, import_actor
from transfers_app.models import ImportJob, ImportRowError
from transfers_app.sources import FORMATS
from transfers_app.tasks import enqueue_import

__all__ = ["ExportsView", "ImportErrorsView", "ImportsView", "job_to_api"]

#: Content types that say which format a body is in.
FORMAT_OF_TYPE = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/x-jsonlines": "ndjson",
}
PIECE = 64 * 1024


def iso(moment: Any) -> str | None:
    """ISO 8601 UTC with milliseconds (as the API's dates), or None."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") if moment else None


def job_to_api(job: ImportJob) -> dict[str, Any]:
    """A job as the API shows it."""
    return {
        "id": str(job.id),
        "object": job.object_name,
        "status": job.status,
        "format": job.format,
        "dryRun": job.dry_run,
        "upsertKey": job.upsert_key,
        "mapping": job.mapping,
        "columns": job.columns,
        "totalRows": job.total_rows,
        "processedRows": job.processed_rows,
        "progress": round(job.processed_rows / job.total_rows, 4) if job.total_rows else 1.0,
        "counts": {"created": job.created_count, "updated": job.updated_count, "failed": job.failed_count},
        "error": job.error,
        "sizeBytes": job.size_bytes,
        "createdAt": iso(job.created_at),
        "startedAt": iso(job.started_at),
        "finishedAt": iso(job.finished_at),
    }


def json_response(body: Any, status: int = 200) -> HttpResponse:
    """A JSON answer rendered now (so an idempotent answer stores its exact bytes)."""
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


def find_job(request: Request, raw_id: str) -> ImportJob:
    """The caller's workspace's job ``raw_id``; 404 for any other (another workspace's included)."""
    job = None
    if CANONICAL_UUID.match(raw_id):
        job = ImportJob.objects.filter(workspace_id=api_key_of(request).workspace_id, id=uuid.UUID(raw_id)).first()
    if job is None:
        raise NotFound(f"Import job {raw_id} not found")
    return job


class ImportOptions:
    """The parameters of an import, from the query string and (multipart) the form fields."""

    def __init__(self, request: Request) -> None:
        django_request = request._request
        multipart = (request.content_type or "").startswith("multipart/form-data")
        self.values: dict[str, str] = {name: str(value) for name, value in request.query_params.items()}
        self.upload = None
        if multipart:
            self.values.update({name: str(value) for name, value in django_request.POST.items()})
            self.upload = django_request.FILES.get("file")
            if self.upload is None:
                raise BadRequest("The multipart form has no 'file' part: send the CSV or NDJSON file as 'file'")
        self.format = self.read_format(request)
        self.mapping = self.read_mapping()
        self.upsert_key = self.values.get("upsertKey") or None
        dry_run = self.values.get("dryRun", "false")
        if dry_run not in ("true", "false"):
            raise BadRequest(f"'dryRun' must be true or false, got '{dry_run}'")
        self.dry_run = dry_run == "true"
        self.digest = hashlib.sha256()

    def read_format(self, request: Request) -> str:
        """``format``, else the content type of the body (or of the file part), else its file name."""
        given = self.values.get("format")
        if given is not None:
            if given not in FORMATS:
                raise BadRequest(f"'format' must be one of {', '.join(FORMATS)}, got '{given}'")
            return given
        content_type = (self.upload.content_type if self.upload else request.content_type) or ""
        found = FORMAT_OF_TYPE.get(content_type.split(";")[0].strip().lower())
        if found is None and self.upload is not None:
            name = (self.upload.name or "").lower()
            found = "csv" if name.endswith(".csv") else "ndjson" if name.endswith((".ndjson", ".jsonl")) else None
        if found is None:
            raise BadRequest(
                "Say the file's format: format=csv or format=ndjson, or Content-Type text/csv or application/x-ndjson"
            )
        return found

    def read_mapping(self) -> dict[str, Any]:
        """``mapping``: a JSON object of column -> field path (or null)."""
        raw = self.values.get("mapping")
        if raw is None or not raw.strip():
            return {}
        try:
            mapping = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BadRequest(
                f"'mapping' must be a JSON object such as {{\"First name\": \"name.firstName\"}}, got '{raw}'"
            ) from None
        if not isinstance(mapping, dict):
            raise BadRequest('\'mapping\' must be a JSON object such as {"First name": "name.firstName"}')
        return mapping

    def pieces(self, request: Request) -> Iterator[bytes]:
        """The file, piece by piece (hashed on the way, for ``Idempotency-Key``)."""
        source = (
            self.upload.chunks(PIECE) if self.upload is not None else iter(lambda: request._request.read(PIECE), b"")
        )
        for piece in source:
            self.digest.update(piece)
            yield piece


class TransferView(APIView):
    """A view whose ``format`` parameter names a file format (csv, ndjson), not one of DRF's renderers."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """Answers are JSON, CSV or NDJSON made here; DRF's ``?format=`` override must not pick (or 404)."""
        return super().perform_content_negotiation(request, force=True)


class ImportsView(TransferView):
    """``POST /rest/imports/{plural}`` (create a job) and ``GET /rest/imports/{id}`` (read one)."""

    @staticmethod
    def max_upload_bytes() -> int:
        """This route's body limit (``IMPORT_MAX_BYTES``), read by the request edge."""
        return conf.max_bytes()

    def get(self, request: Request, key: str) -> HttpResponse:
        return json_response({"data": job_to_api(find_job(request, key))})

    def post(self, request: Request, key: str) -> HttpResponse:
        ctx = record_context(request, key)
        ctx = dataclasses.replace(ctx, actor=import_actor(api_key_of(request).name, api_key_of(request).pk))
        options = ImportOptions(request)
        idempotency = idempotency_key(request._request)
        with transaction.atomic():
            job = create_job(
                ctx, options.pieces(request), options.format, options.mapping, options.upsert_key,
                options.dry_run, api_key=api_key_of(request),
            )  # fmt: skip
            print_ = None
            if idempotency is not None:
                print_ = fingerprint(request._request, api_key_of(request).pk, options.digest.digest())
                replayed = claim(api_key_of(request).workspace_id, idempotency, print_)
                if replayed is not None:
                    transaction.set_rollback(True)  # the file staged again is dropped
                    return replayed
            enqueue_import(job)
            response = json_response({"data": job_to_api(job)}, status=202)
            response["Location"] = f"/rest/imports/{job.id}"
            if idempotency is not None and print_ is not None:
                store(api_key_of(request).workspace_id, idempotency, print_, response)
        return response


class ImportErrorsView(TransferView):
    """``GET /rest/imports/{id}/errors``: the row errors, as JSON (default) or CSV (``format=csv``)."""

    def get(self, request: Request, key: str) -> HttpResponse:
        job = find_job(request, key)
        wanted = request.query_params.get("format", "json")
        if wanted not in ("json", "csv"):
            raise BadRequest(f"'format' must be json or csv, got '{wanted}'")
        errors = ImportRowError.objects.filter(workspace_id=job.workspace_id, job_id=job.id).order_by("row", "seq")
        rows = list(errors.values_list("row", "field", "message"))
        if wanted == "json":
            items = [{"row": row, "field": field or None, "message": message} for row, field, message in rows]
            return json_response({"data": items, "totalCount": len(items)})
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["row", "field", "message"])
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue().encode(), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="import-{job.id}-errors.csv"'
        return response


def refuse_list_only_parameters(query: Any) -> None:
    """A 400 for a list's parameter an export cannot honour, saying what to use instead (one that
    were silently left out would export other records, or other values, than the caller asked for)."""
    depth = query.get("depth")
    if depth is not None and depth != "0":
        raise BadRequest(
            f"'depth={depth}' parameter invalid. Exports are at depth 0 only: a relation is exported as its id "
            "(e.g. companyId); export the related object as well to get its fields"
        )
    if query.get("ending_before"):
        raise BadRequest(
            "'ending_before' is not supported on exports, which read forward: start from a record with "
            "'starting_after', and choose the records with 'filter', 'order_by' and 'limit'"
        )


class ExportsView(TransferView):
    """``GET /rest/exports/{plural}``: every record matching ``filter`` in ``order_by``, streamed;
    ``fields`` narrows the keys (as a list's), ``limit`` the records (any number, none by default),
    ``starting_after`` (a list's cursor of the same ``order_by``) where they start."""

    def get(self, request: Request, key: str) -> StreamingHttpResponse:
        ctx = record_context(request, key)
        query = request.query_params
        wanted = query.get("format", "csv")
        if wanted not in FORMATS:
            raise BadRequest(f"'format' must be one of {', '.join(FORMATS)}, got '{wanted}'")
        refuse_list_only_parameters(query)
        fields = params.read_fields(query, ctx.spec, exportable_keys(ctx))
        limit = pagination.read_limit(query, 0, sys.maxsize) if "limit" in query else None
        node, order = params.read_filter(query), params.read_order(query)
        after = query.get("starting_after") or None
        export = export_stream(ctx, node, order, wanted, fields=fields, limit=limit, after=after)
        response = StreamingHttpResponse(export.chunks, content_type=CONTENT_TYPES[wanted])
        response["Content-Disposition"] = f'attachment; filename="{ctx.spec.name_plural}.{wanted}"'
        return response
