"""The REST routes of one object (api-reference 1.1), with parameters (1.2), bodies and envelopes (1.6).

Paths are relative to the server URL ``/rest``: ``/companies``, ``/companies/{id}``,
``/batch/companies``, ``/restore/companies[/{id}]``, ``/companies/duplicates``,
``/companies/merge`` and ``/companies/groupBy``. ``PUT`` is an alias of ``PATCH`` kept for old
clients and, as in Twenty, left out of the document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.plumbing import build_array_type, build_object_type, build_parameter_type

from api_common.openapi import error_responses, id_path_parameter, json_body, json_response, ref
from core_app.access import READ_ONLY_OBJECTS
from core_app.openapi.schemas import PAGE_INFO, create_name, record_name, update_name
from core_app.services.duplicates import MAX_INPUTS
from core_app.services.merging import MAX_MERGE_RECORDS
from core_app.services.writing import max_batch
from metadata_app.services.names import cap
from metadata_app.specs import ObjectSpec

__all__ = ["PARAMETERS", "allowed_paths", "object_paths"]

FILTER_HELP = (
    'Filter, e.g. `name[ilike]:"%acme%"`, `or(employees[gt]:500,city[eq]:Paris)`, '
    '`emails.primaryEmail[eq]:"ada@acme.com"`, `companyId[in]:[<uuid>,<uuid>]`, `deletedAt[is]:NOT_NULL`. '
    "Comparators: eq, neq, in, containsAny, is (NULL, NOT_NULL), gt, gte, lt, lte, startsWith, endsWith, like, ilike; "
    "conjunctions and(...), or(...), not(...). Through relations: `company.name[eq]:Acme` (to-one), "
    "`people._some|_none|_every.jobTitle[eq]:CEO` (to-many), at most 2 hops by default."
)


def query(name: str, schema: dict[str, Any], description: str, required: bool = False, **extra: Any) -> dict[str, Any]:
    """A query parameter built with drf-spectacular's plumbing."""
    return build_parameter_type(name, schema, "query", required=required, description=description, **extra)


#: Shared parameters: ``#/components/parameters/<key>``.
PARAMETERS: dict[str, dict[str, Any]] = {
    "filter": query("filter", {"type": "string"}, FILTER_HELP),
    "filterRequired": query(
        "filter", {"type": "string", "minLength": 1}, "Required: the records to act on. " + FILTER_HELP, required=True
    ),
    "orderBy": query(
        "order_by",
        {"type": "string"},
        "Sort keys, e.g. `name.lastName[AscNullsLast],createdAt[DescNullsFirst]`; directions AscNullsFirst "
        "(default), AscNullsLast, DescNullsFirst, DescNullsLast; a to-one relation's field too "
        "(`company.name[AscNullsLast]`). `id` is always the last key.",
    ),
    "limit": query(
        "limit",
        {"type": "integer", "minimum": 0},
        "Page size: 60 by default, at most 200 (larger values are capped).",
        default=60,
    ),
    "startingAfter": query(
        "starting_after", {"type": "string"}, "The `pageInfo.endCursor` of the previous page (forward)."
    ),
    "endingBefore": query(
        "ending_before", {"type": "string"}, "The `pageInfo.startCursor` of the next page (backward)."
    ),
    "depth": query(
        "depth", {"type": "integer", "enum": [0, 1, 2]}, "Levels of related records embedded (0 to 2).", default=0
    ),
    "fields": query(
        "fields",
        {"type": "string"},
        "Comma-separated field names to return, e.g. `id,name`; `id` is always returned. "
        "`searchVector` (searchable objects) is returned only when named here.",
    ),
    "softDelete": query(
        "soft_delete",
        {"type": "boolean"},
        "`true` moves the records to the trash; otherwise they are destroyed.",
        default=False,
    ),
    "upsert": query(
        "upsert",
        {"type": "boolean"},
        "`true` updates the record matching `id` or a unique field instead of failing.",
        default=False,
    ),
    "groupBy": query(
        "group_by",
        {"type": "string"},
        'JSON array of dimensions, e.g. `[{"stage":true}]`, `[{"name":{"firstName":true}}]`, `[{"createdAt":{"granularity":"MONTH"}}]` (DAY, MONTH, QUARTER or YEAR on a DATE or DATE_TIME field, in UTC; a group shows the first day of its period).',
        required=True,
    ),
    "aggregate": query(
        "aggregate", {"type": "string"}, 'JSON array of aggregate names, e.g. `["countEmptyName","sumEmployees"]`.'
    ),
    "includeRecordsSample": query(
        "include_records_sample", {"type": "boolean"}, "`true` adds up to 10 records to every group.", default=False
    ),
    "groupOrder": query(
        "order_by",
        {"type": "string"},
        "Order of the groups: group-by fields and requested aggregates, e.g. `stage[AscNullsFirst]` or "
        "`totalCount[DescNullsLast]`; then largest groups first.",
    ),
}


def params(*names: str) -> list[dict[str, str]]:
    """References to shared parameters."""
    return [ref(name, "parameters") for name in names]


def envelope(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    """``{"data": {key: schema}}``."""
    return build_object_type(
        properties={"data": build_object_type(properties={key: schema}, required=[key])}, required=["data"]
    )


def deleted(many: bool) -> dict[str, Any]:
    """``{id}`` of a deleted record (or an array of them)."""
    one = build_object_type(properties={"id": {"type": "string", "format": "uuid"}}, required=["id"])
    return build_array_type(one) if many else one


def operation(
    spec: ObjectSpec, operation_id: str, summary: str, responses: dict[str, Any], **rest: Any
) -> dict[str, Any]:
    """One operation of ``spec``, tagged with its plural name."""
    return {"tags": [spec.name_plural], "operationId": operation_id, "summary": summary, **rest, "responses": responses}


def collection_item(spec: ObjectSpec) -> dict[str, Any]:
    """``/{plural}``: find many, create one, update many, delete many."""
    one, many, record = cap(spec.name_singular), cap(spec.name_plural), ref(record_name(spec))
    records = build_array_type(record)
    found = build_object_type(
        properties={
            "data": build_object_type(properties={spec.name_plural: records}, required=[spec.name_plural]),
            "totalCount": {"type": "integer", "minimum": 0, "description": "Records matching the filter, all pages."},
            "pageInfo": ref(PAGE_INFO),
        },
        required=["data", "totalCount", "pageInfo"],
    )
    return {
        "get": operation(
            spec,
            f"findMany{many}",
            f"List {spec.label_plural}",
            {"200": json_response(f"A page of {spec.label_plural}", found), **error_responses(400)},
            parameters=params("filter", "orderBy", "limit", "startingAfter", "endingBefore", "depth", "fields"),
        ),
        "post": operation(
            spec,
            f"createOne{one}",
            f"Create a {spec.label_singular}",
            {"201": json_response("The created record", envelope(f"create{one}", record)), **error_responses(400)},
            parameters=params("upsert", "depth"),
            requestBody=json_body(ref(create_name(spec))),
        ),
        "patch": operation(
            spec,
            f"updateMany{many}",
            f"Update the {spec.label_plural} matching a filter (at most 100)",
            {"200": json_response("The updated records", envelope(f"update{many}", records)), **error_responses(400)},
            parameters=params("filterRequired", "depth"),
            requestBody=json_body(ref(update_name(spec))),
        ),
        "delete": operation(
            spec,
            f"deleteMany{many}",
            f"Delete the {spec.label_plural} matching a filter (at most 100)",
            {
                "200": json_response("Ids of the deleted records", envelope(f"delete{many}", deleted(True))),
                **error_responses(400),
            },
            parameters=params("filterRequired", "softDelete"),
        ),
    }


def record_item(spec: ObjectSpec) -> dict[str, Any]:
    """``/{plural}/{id}``: find one, update one, delete one."""
    one, record = cap(spec.name_singular), ref(record_name(spec))
    return {
        "parameters": [id_path_parameter(description=f"Id of the {spec.label_singular}")],
        "get": operation(
            spec,
            f"findOne{one}",
            f"Get a {spec.label_singular}",
            {"200": json_response("The record", envelope(spec.name_singular, record)), **error_responses(400, 404)},
            parameters=params("depth", "fields"),
        ),
        "patch": operation(
            spec,
            f"updateOne{one}",
            f"Update a {spec.label_singular}",
            {"200": json_response("The updated record", envelope(f"update{one}", record)), **error_responses(400, 404)},
            parameters=params("depth"),
            requestBody=json_body(ref(update_name(spec))),
        ),
        "delete": operation(
            spec,
            f"deleteOne{one}",
            f"Delete a {spec.label_singular}",
            {
                "200": json_response("Id of the deleted record", envelope(f"delete{one}", deleted(False))),
                **error_responses(400, 404),
            },
            parameters=params("softDelete"),
        ),
    }


def bounded_array(items: dict[str, Any], least: int, most: int) -> dict[str, Any]:
    """An array of ``least`` to ``most`` ``items`` (drf-spectacular's own bounds are string keywords)."""
    return {**build_array_type(items), "minItems": least, "maxItems": most}


def extra_items(spec: ObjectSpec) -> dict[str, dict[str, Any]]:
    """Batch create, restore (one and many), duplicates, merge and group by."""
    one, many, record = cap(spec.name_singular), cap(spec.name_plural), ref(record_name(spec))
    records = build_array_type(record)
    plural = spec.name_plural
    duplicates_body = {
        "oneOf": [
            build_object_type(
                properties={"data": bounded_array(ref(create_name(spec)), 1, MAX_INPUTS)},
                required=["data"],
                additionalProperties=False,
            ),
            build_object_type(
                properties={"ids": bounded_array({"type": "string", "format": "uuid"}, 1, MAX_INPUTS)},
                required=["ids"],
                additionalProperties=False,
            ),
        ]
    }
    duplicates = build_object_type(
        properties={
            "data": build_array_type(
                build_object_type(
                    properties={
                        f"{spec.name_singular}Duplicates": records,
                        "totalCount": {"type": "integer"},
                        "pageInfo": ref(PAGE_INFO),
                    },
                    required=[f"{spec.name_singular}Duplicates", "totalCount", "pageInfo"],
                )
            )
        },
        required=["data"],
    )
    merge_body = build_object_type(
        properties={
            "ids": {**bounded_array({"type": "string", "format": "uuid"}, 2, MAX_MERGE_RECORDS), "uniqueItems": True},
            "conflictPriorityIndex": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_MERGE_RECORDS - 1,
                "description": "Which record wins conflicts (its index in `ids`, below the number of ids).",
            },
            "dryRun": {"type": "boolean", "description": "`true` returns the merged record without writing anything."},
        },
        required=["ids"],
        additionalProperties=False,
    )
    group = build_object_type(
        properties={
            "groupByDimensionValues": build_array_type({}),
            "totalCount": {"type": "integer"},
            "records": {**records, "description": "With `include_records_sample=true`."},
        },
        required=["groupByDimensionValues", "totalCount"],
        additionalProperties={"description": "The requested aggregates (`countEmptyName`, `sumEmployees`, ...)."},
    )
    return {
        f"/batch/{plural}": {
            "post": operation(
                spec,
                f"createMany{many}",
                f"Create {spec.label_plural} (at most {max_batch()}, all or nothing)",
                {
                    "201": json_response("The created records", envelope(f"create{many}", records)),
                    **error_responses(400),
                },
                parameters=params("upsert", "depth"),
                requestBody=json_body(bounded_array(ref(create_name(spec)), 1, max_batch())),
            )
        },
        f"/restore/{plural}": {
            "patch": operation(
                spec,
                f"restoreMany{many}",
                f"Restore the deleted {spec.label_plural} matching a filter",
                {
                    "200": json_response("The restored records", envelope(f"restore{many}", records)),
                    **error_responses(400),
                },
                parameters=params("filterRequired", "depth"),
            )
        },
        f"/restore/{plural}/{{id}}": {
            "parameters": [id_path_parameter(description=f"Id of the deleted {spec.label_singular}")],
            "patch": operation(
                spec,
                f"restoreOne{one}",
                f"Restore a deleted {spec.label_singular}",
                {
                    "200": json_response("The restored record", envelope(f"restore{one}", record)),
                    **error_responses(400, 404),
                },
                parameters=params("depth"),
            ),
        },
        f"/{plural}/duplicates": {
            "post": operation(
                spec,
                f"find{one}Duplicates",
                f"Find duplicates of {spec.label_plural}",
                {
                    "200": json_response("Duplicates of each given record or id", duplicates),
                    **error_responses(400, 404),
                },
                parameters=params("depth"),
                requestBody=json_body(duplicates_body, "Records (`data`) or ids (`ids`) to look for duplicates of"),
            )
        },
        f"/{plural}/merge": {
            "patch": operation(
                spec,
                f"merge{many}",
                f"Merge {spec.label_plural} into one",
                {
                    "200": json_response("The merged record", envelope(f"merge{one}", record)),
                    **error_responses(400, 404),
                },
                parameters=params("depth"),
                requestBody=json_body(merge_body),
            )
        },
        f"/{plural}/groupBy": {
            "get": operation(
                spec,
                f"groupBy{many}",
                f"Group {spec.label_plural} with aggregates",
                {"200": json_response("Groups, largest first", build_array_type(group)), **error_responses(400)},
                parameters=params("groupBy", "aggregate", "includeRecordsSample", "groupOrder", "filter", "limit"),
            )
        },
    }


def needed_rights(spec: ObjectSpec, path: str, method: str) -> tuple[tuple[str, ...], ...]:
    """The rights an operation needs (api-reference 14.3), as alternatives of rights that all must hold."""
    if path.startswith("/restore/"):
        return (("soft_delete",),)
    if path.startswith("/batch/"):
        return (("update",),)
    if path.endswith("/merge"):
        return (("update", "soft_delete"),)
    if path.endswith(("/duplicates", "/groupBy")) or method == "get":
        return (("read",),)
    if method == "delete":  # soft delete or destroy, as ``soft_delete`` says
        return (("soft_delete",), ("destroy",))
    return (("update",),)


def allowed_paths(
    paths: dict[str, dict[str, Any]],
    spec: ObjectSpec,
    rights: Any,
    rights_of: Callable[[str, str], tuple[tuple[str, ...], ...]] | None = None,
) -> dict[str, dict[str, Any]]:
    """``paths`` with only the operations ``rights`` allow (``rights`` None: every one).

    ``rights_of(path, method)`` gives what an operation needs (default: :func:`needed_rights`, the
    record routes'; other apps' routes bring their own). A read-only object (the timeline,
    api-reference §16.2) documents its reads only.
    """
    read_only = spec.name_singular in READ_ONLY_OBJECTS
    if rights is None and not read_only:
        return paths
    if rights_of is None:
        rights_of = lambda path, method: needed_rights(spec, path, method)  # noqa: E731

    def allows(right: str) -> bool:
        return (right == "read" or not read_only) and (rights is None or rights.allows(right))

    kept: dict[str, dict[str, Any]] = {}
    for path, item in paths.items():
        operations = {
            method: operation
            for method, operation in item.items()
            if method == "parameters" or any(all(allows(right) for right in rule) for rule in rights_of(path, method))
        }
        if set(operations) - {"parameters"}:
            kept[path] = operations
    return kept


def object_paths(spec: ObjectSpec) -> dict[str, dict[str, Any]]:
    """Every path of ``spec``."""
    return {
        f"/{spec.name_plural}": collection_item(spec),
        f"/{spec.name_plural}/{{id}}": record_item(spec),
        **extra_items(spec),
    }
