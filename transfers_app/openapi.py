"""Imports and exports in the core OpenAPI document (registered by ``TransfersAppConfig.ready``).

Per object: ``POST /imports/{plural}`` (needs the right to create and update its records) and
``GET /exports/{plural}`` (needs the right to read them). Shared: ``GET /imports/{id}`` and
``GET /imports/{id}/errors``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.plumbing import build_array_type, build_object_type, build_parameter_type

from api_common.openapi import UUID, error_responses, id_path_parameter, json_response, nullable, ref
from core_app.openapi.schemas import ERROR
from metadata_app.specs import ObjectSpec
from transfers_app.exporting import CONTENT_TYPES

__all__ = ["import_paths", "import_rights", "job_paths"]

TAG = "imports and exports"
TEXT = {"type": "string"}
JOB = build_object_type(
    properties={
        "id": dict(UUID),
        "object": {**TEXT, "description": "The object's plural name."},
        "status": {"type": "string", "enum": ["QUEUED", "RUNNING", "COMPLETED", "FAILED"]},
        "format": {"type": "string", "enum": ["csv", "ndjson"]},
        "dryRun": {"type": "boolean"},
        "upsertKey": nullable(TEXT),
        "mapping": {"type": "object", "additionalProperties": nullable(TEXT)},
        "columns": build_array_type(TEXT),
        "totalRows": {"type": "integer", "minimum": 0},
        "processedRows": {"type": "integer", "minimum": 0, "description": "The last row whose batch is committed."},
        "progress": {"type": "number", "minimum": 0, "maximum": 1},
        "counts": build_object_type(
            properties={name: {"type": "integer", "minimum": 0} for name in ("created", "updated", "failed")},
            required=["created", "updated", "failed"],
        ),
        "error": nullable({**TEXT, "description": "Why a FAILED job stopped."}),
        "sizeBytes": {"type": "integer", "minimum": 0},
        "createdAt": {**TEXT, "format": "date-time"},
        "startedAt": nullable({**TEXT, "format": "date-time"}),
        "finishedAt": nullable({**TEXT, "format": "date-time"}),
    },
    required=["id", "object", "status", "format", "dryRun", "totalRows", "processedRows", "progress", "counts"],
)
ENVELOPE = build_object_type(properties={"data": JOB}, required=["data"])
ROW_ERROR = build_object_type(
    properties={
        "row": {
            "type": "integer",
            "minimum": 1,
            "description": "1: the first record of the file (a CSV header not counted).",
        },
        "field": nullable({**TEXT, "description": "The field path the message is about."}),
        "message": {**TEXT, "description": "The API's own message, as a REST write would answer it."},
    },
    required=["row", "field", "message"],
)
TOO_LARGE = json_response("413: the file is larger than `IMPORT_MAX_BYTES`.", ref(ERROR))
IMPORT_HELP = (
    "Queue an import of a CSV or NDJSON file. The file is the raw body (`Content-Type: text/csv` or "
    "`application/x-ndjson`), or the `file` part of a multipart form whose other fields are the query "
    "parameters below. It is stored and checked (header, mapping, CSV quoting) before the answer: a bad "
    "file is a 400 and nothing is kept. The job then runs on the task worker in batches written through "
    "the record service (validation, uniqueness, events and webhooks as the API); rows that fail are listed "
    "by `GET /imports/{id}/errors`, the others are written."
)


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A query parameter."""
    return build_parameter_type(name, schema, "query", required=False, description=description)


def import_paths(spec: ObjectSpec) -> dict[str, dict[str, Any]]:
    """``/imports/{plural}`` and ``/exports/{plural}`` of ``spec``."""
    text_body = {"schema": {"type": "string"}}
    return {
        f"/imports/{spec.name_plural}": {
            "post": {
                "tags": [TAG],
                "operationId": f"import{spec.name_plural[:1].upper()}{spec.name_plural[1:]}",
                "summary": f"Import {spec.label_plural} from a CSV or NDJSON file",
                "description": IMPORT_HELP,
                "parameters": [
                    query("format", {"type": "string", "enum": ["csv", "ndjson"]}, "Default: by the Content-Type."),
                    query(
                        "mapping",
                        TEXT,
                        'JSON object, column -> field path or null (skip): `{"First": "name.firstName", '
                        '"Domain": "company.domainName.primaryLinkUrl"}`. Unmapped CSV columns are field paths themselves.',
                    ),
                    query(
                        "upsertKey",
                        TEXT,
                        "`id` or a unique field (`emails.primaryEmail`): rows matching a record update it.",
                    ),
                    query(
                        "dryRun",
                        {"type": "string", "enum": ["true", "false"]},
                        "Check and count everything, write nothing.",
                    ),
                    ref("idempotencyKey", "parameters"),
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "text/csv": text_body,
                        "application/x-ndjson": text_body,
                        "multipart/form-data": {
                            "schema": build_object_type(
                                properties={"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
                                required=["file"],
                            )
                        },
                    },
                },
                "responses": {
                    "202": json_response("The job, queued", ENVELOPE),
                    **error_responses(400),
                    "409": ref("Conflict", "responses"),
                    "413": TOO_LARGE,
                    "422": ref("UnprocessableEntity", "responses"),
                },
            }
        },
        f"/exports/{spec.name_plural}": {
            "get": {
                "tags": [TAG],
                "operationId": f"export{spec.name_plural[:1].upper()}{spec.name_plural[1:]}",
                "summary": f"Export every {spec.label_singular} matching a filter (streamed)",
                "description": (
                    "Every matching record (as `GET /{plural}` gives them, depth 0), streamed in keyset pages. "
                    "CSV flattens composite fields to `field.subField` columns; arrays and objects are JSON text; "
                    "text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`...) is written behind a `'`, "
                    "which a CSV import takes off. A list's `depth` other than 0 and `ending_before` are a 400."
                ),
                "parameters": [
                    ref("filter", "parameters"),
                    ref("orderBy", "parameters"),
                    ref("fields", "parameters"),
                    query(
                        "limit",
                        {"type": "integer", "minimum": 0},
                        "At most this many records, the first in `order_by` (default: every matching record).",
                    ),
                    query(
                        "starting_after",
                        TEXT,
                        "Start after the record of this cursor: a list's `pageInfo.endCursor`, with the same `order_by`.",
                    ),
                    query("depth", {"type": "integer", "enum": [0]}, "Exports are at depth 0: relations as their ids."),
                    query("format", {"type": "string", "enum": ["csv", "ndjson"]}, "Default: csv."),
                ],
                "responses": {
                    "200": {
                        "description": "The file",
                        "content": {media: {"schema": {"type": "string"}} for media in CONTENT_TYPES.values()},
                    },
                    **error_responses(400),
                },
            }
        },
    }


def import_rights(path: str, method: str) -> tuple[tuple[str, ...], ...]:
    """Importing needs the right to create and update; exporting the right to read (api-reference 14.3)."""
    return (("update",),) if path.startswith("/imports/") else (("read",),)


def job_paths() -> dict[str, dict[str, Any]]:
    """``/imports/{id}`` and ``/imports/{id}/errors``."""
    job_id = id_path_parameter(description="Id of the import job")
    return {
        "/imports/{id}": {
            "parameters": [job_id],
            "get": {
                "tags": [TAG],
                "operationId": "findOneImport",
                "summary": "An import job: status, counts and progress",
                "responses": {"200": json_response("The job", ENVELOPE), **error_responses(404)},
            },
        },
        "/imports/{id}/errors": {
            "parameters": [job_id],
            "get": {
                "tags": [TAG],
                "operationId": "findImportErrors",
                "summary": "The rows of an import job that failed, with the API's messages",
                "parameters": [query("format", {"type": "string", "enum": ["json", "csv"]}, "Default: json.")],
                "responses": {
                    "200": {
                        "description": "The row errors, by row",
                        "content": {
                            "application/json": {
                                "schema": build_object_type(
                                    properties={"data": build_array_type(ROW_ERROR), "totalCount": {"type": "integer"}},
                                    required=["data", "totalCount"],
                                )
                            },
                            CONTENT_TYPES["csv"]: {"schema": {"type": "string"}},
                        },
                    },
                    **error_responses(400, 404),
                },
            },
        },
    }
