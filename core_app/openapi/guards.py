"""The record routes' ``Idempotency-Key``, ``ETag``, ``If-None-Match`` and ``If-Match`` in the core document.

:func:`add_write_guards` completes the paths built by ``core_app.openapi.paths``: every write
takes ``Idempotency-Key`` (answers 409, 422; replays carry ``Idempotent-Replayed``); reading one
record answers an ``ETag`` and takes ``If-None-Match`` (304); writing one record (update, delete,
restore) or records by filter takes ``If-Match`` (412). See ``core_app.rest.conditional`` and
``guards_app.idempotency`` for the behaviour.
"""

from __future__ import annotations

from typing import Any

from api_common.openapi_limits import header

__all__ = ["add_write_guards"]

#: ``#/components/parameters/<key>``. No ``example``: Swagger UI's "Try it out" sends a header's
#: example as its value, so every write from the docs page reused one Idempotency-Key (422 from the
#: second on) and one ETag (412).
PARAMETERS: dict[str, dict[str, Any]] = {
    "idempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": (
            "Any unique value (a UUID). The first answer is kept 24 hours with the write; the same request "
            "sent again with this key is answered with it, byte for byte, and `Idempotent-Replayed: true`, "
            "without writing again. Another request with the key: 422; a repeat while the first runs: 409. "
            "A refused request (4xx) keeps nothing: fix it and send it with the same key."
        ),
    },
    "ifMatch": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": (
            "The record's `ETag` as read (or `*`): when the record changed since, the answer is 412 and nothing "
            "is written. Checked with the record locked, in the write's transaction."
        ),
    },
    "ifMatchMany": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": (
            "One `ETag` per record, comma-separated: every record the filter selects must still carry one "
            "of them, else the answer is 412 (naming the records) and nothing is written."
        ),
    },
    "ifNoneMatch": {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "The `ETag` held: 304 without a body when the record has not changed (at `depth=0`).",
    },
}
HEADERS = {
    "ETag": header(
        "The record's version (strong; at `depth=0` only): send it as `If-Match` or `If-None-Match`.",
        {"type": "string"},
        '"q3Yx8mJ0c2VyZGF0YTEyMw"',
    ),
    "Idempotent-Replayed": header(
        "`true` on the stored answer of an earlier request with the same `Idempotency-Key`.",
        {"type": "string", "enum": ["true"]},
        "true",
    ),
}
ERRORS = {
    "409": ("Conflict", 409, "ConflictException", "A request with Idempotency-Key '4f1c…' is still being processed; retry once it has finished"),
    "412": ("PreconditionFailed", 412, "PreconditionFailedException", "Record 0b9e0d8c-2f1a-4c53-9b8e-3d7f6a5c4b21 has changed since its ETag was read (If-Match does not match); read it again"),
    "422": ("UnprocessableEntity", 422, "UnprocessableEntityException", "Idempotency-Key '4f1c…' was already used for a different request; use a new key for a new request"),
}  # fmt: skip


#: What an error answer means beyond its name, where its example tells one case of several.
DESCRIPTIONS = {
    "409": (
        ": a request with the same `Idempotency-Key` is still running, or the workspace's data model"
        " changed while this one was handled (nothing was written). Send it again (`Retry-After`)."
    ),
}


def ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def guard(operation: dict[str, Any], parameters: list[str], errors: list[str], headers: list[str]) -> None:
    """Add header parameters, error answers and success headers to one operation."""
    operation.setdefault("parameters", []).extend(ref("parameters", name) for name in parameters)
    for status, response in operation["responses"].items():
        if status.startswith("2") and "$ref" not in response:
            response.setdefault("headers", {}).update({name: ref("headers", name) for name in headers})
    for status in errors:
        operation["responses"][status] = ref("responses", ERRORS[status][0])


def add_write_guards(paths: dict[str, Any], components: dict[str, Any], error_schema: dict[str, Any]) -> None:
    """Complete the record routes of ``paths`` (in place) and add what they refer to to ``components``."""
    components.setdefault("parameters", {}).update(PARAMETERS)
    components.setdefault("headers", {}).update(HEADERS)
    for status, (name, code, error, message) in ERRORS.items():
        components.setdefault("responses", {})[name] = {
            "description": f"{status} {error}" + DESCRIPTIONS.get(status, ""),
            "content": {
                "application/json": {
                    "schema": error_schema,
                    "example": {"statusCode": code, "error": error, "messages": [message]},
                }
            },
        }
    for path, item in paths.items():
        action = path.rsplit("/", 1)[-1]
        if action in ("duplicates", "groupBy"):
            continue
        one = path.endswith("/{id}")
        by_filter = not one and action != "merge" and not path.startswith("/batch/")
        for method in ("post", "patch", "put", "delete"):
            if method in item:
                condition = ["ifMatch"] if one else (["ifMatchMany"] if by_filter and method != "post" else [])
                headers = ["Idempotent-Replayed"] + (["ETag"] if one or (method == "post" and by_filter) else [])
                errors = ["409", "422"] + (["412"] if condition else [])
                guard(item[method], ["idempotencyKey", *condition], errors, headers)
        if one and "get" in item:
            item["get"]["responses"]["304"] = {
                "description": "Not modified: the `If-None-Match` ETag is the record's; no body.",
                "headers": {"ETag": ref("headers", "ETag")},
            }
            guard(item["get"], ["ifNoneMatch"], [], ["ETag"])
