"""The metadata OpenAPI document: objects, fields, API keys and webhooks (api-reference 3.2, 5, 6).

Usage::

    from metadata_app.openapi import build_metadata_document

    body = build_metadata_document(snapshot)   # {"paths", "components", "tags"}

Paths are relative to the server URL ``/rest``. Objects and fields answer in Twenty's legacy
envelopes (``{data: {objects: [...]}, pageInfo, totalCount}``, ``{data: {createOneObject: ...}}``);
API keys and webhooks in ``{data: [...], pageInfo, totalCount}`` and ``{data: {...}}``. The
routes are static; the document is still built per snapshot (the field-type enum is the
workspace's table) and memoised on it by :class:`WorkspaceOpenApiView`, which both documents'
views derive from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.plumbing import build_array_type, build_object_type, build_parameter_type

from api_common.openapi import (
    DATE_TIME,
    UUID,
    OpenApiDocumentView,
    common_components,
    error_responses,
    id_path_parameter,
    json_body,
    json_response,
    nullable,
    page_info_schema,
    ref,
    root_document,
)
from api_common.throttling import authentication_failed, check_throttles
from apikeys_app.authentication import AuthenticationError, authenticate_header
from guards_app.conf import rate_limit_enabled
from metadata_app.field_types import FIELD_TYPES
from metadata_app.registry import schema_registry
from metadata_app.services.fields import SYSTEM_ONLY_TYPES, UNIQUE_TYPES
from metadata_app.services.objects import LABEL_IDENTIFIER_TYPES
from metadata_app.specs import SchemaSnapshot
from roles_app.checks import permissions_of
from roles_app.flags import API_KEYS_AND_WEBHOOKS, DATA_MODEL, ENFORCED, ROLES, WORKSPACE

__all__ = ["TITLE", "MetadataOpenApiView", "WorkspaceOpenApiView", "build_metadata_document"]

TITLE = "Metadata API"
DESCRIPTION = (
    "The data model of this workspace (objects and fields), its API keys and its webhooks with their "
    "delivery log. Send `Authorization: Bearer <API key>`. Errors are `{statusCode, error, messages}`."
)
STRING, BOOLEAN, INTEGER = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}
TEXT_OR_NULL = nullable(STRING)
ID_EXAMPLE = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"


def obj(
    properties: dict[str, Any], required: list[str] | None = None, closed: bool = False, description: str = ""
) -> dict[str, Any]:
    """An object schema; ``closed`` refuses unknown properties (the services answer 400 for them)."""
    extra = {"additionalProperties": False} if closed else {}
    return build_object_type(properties=properties, required=required, description=description, **extra)


def field_schemas() -> dict[str, dict[str, Any]]:
    """``Field`` and its create and update bodies."""
    option = obj(
        {
            "id": dict(UUID),
            "label": STRING,
            "value": {"type": "string", "pattern": "^[A-Z0-9]+(_[A-Z0-9]+)*$"},
            "color": STRING,
            "position": {"type": "number"},
        },
        ["label", "value"],
    )
    summary = obj(
        {"id": dict(UUID), "nameSingular": STRING, "namePlural": STRING}, ["id", "nameSingular", "namePlural"]
    )
    relation = obj(
        {
            "type": {"type": "string", "enum": ["MANY_TO_ONE", "ONE_TO_MANY"]},
            "sourceObjectMetadata": summary,
            "targetObjectMetadata": summary,
            "sourceFieldMetadata": obj({"id": dict(UUID), "name": STRING}, ["id", "name"]),
            "targetFieldMetadata": nullable(obj({"id": dict(UUID), "name": STRING}, ["id", "name"])),
        },
        ["type", "sourceObjectMetadata", "targetObjectMetadata", "sourceFieldMetadata", "targetFieldMetadata"],
    )
    types = {"type": "string", "enum": list(FIELD_TYPES)}
    shared = {
        "label": STRING,
        "description": TEXT_OR_NULL,
        "icon": TEXT_OR_NULL,
        "isNullable": BOOLEAN,
        "isUnique": {
            "type": "boolean",
            "description": "No two records hold the same value; only on "
            + ", ".join(UNIQUE_TYPES)
            + " (a composite by its primary sub-field).",
        },
        "isIndexed": {
            "type": "boolean",
            "description": "Keep the field in the index path so sorts and filters on it use an index "
            "(unique fields and relation join columns always are). Speed only, never results.",
        },
        "isSearchable": {
            "type": "boolean",
            "description": "A search field: its values are found by `search` and `searchVector[search]` "
            "(TEXT, FULL_NAME, EMAILS, PHONES, LINKS).",
        },
        "isActive": BOOLEAN,
        "isLabelSyncedWithName": BOOLEAN,
        "defaultValue": {"description": "JSON; strings may be quoted Twenty-style (`\"'NEW'\"`)."},
        "options": nullable(build_array_type(option)),
        "settings": nullable({"type": "object"}),
    }
    field = obj(
        {
            "id": dict(UUID),
            "type": types,
            "name": STRING,
            **{k: v for k, v in shared.items() if k not in ("options", "settings")},
            "isCustom": BOOLEAN,
            "isSystem": BOOLEAN,
            "options": nullable(build_array_type({"type": "object"})),
            "settings": nullable({"type": "object"}),
            "objectMetadataId": dict(UUID),
            "relation": nullable(relation),
            "createdAt": dict(DATE_TIME),
            "updatedAt": dict(DATE_TIME),
        },
        [
            "id",
            "type",
            "name",
            "label",
            "isCustom",
            "isActive",
            "isSystem",
            "isNullable",
            "isUnique",
            "objectMetadataId",
            "createdAt",
            "updatedAt",
        ],
    )
    payload = obj(
        {
            "targetObjectMetadataId": dict(UUID),
            "targetFieldLabel": STRING,
            "targetFieldIcon": TEXT_OR_NULL,
            "targetFieldName": STRING,
            "type": {"type": "string", "enum": ["MANY_TO_ONE", "ONE_TO_MANY"]},
        },
        ["targetObjectMetadataId", "type"],
        closed=True,
    )
    create = obj(
        {
            "objectMetadataId": dict(UUID),
            # ACTOR and POSITION are the server's own fields (createdBy, position): not created.
            "type": {"type": "string", "enum": [t for t in FIELD_TYPES if t not in SYSTEM_ONLY_TYPES]},
            "name": {"type": "string", "pattern": "^[a-z][a-zA-Z0-9]*$", "maxLength": 63},
            **shared,
            "relationCreationPayload": nullable(payload),
        },
        ["objectMetadataId", "type", "name", "label"],
        closed=True,
        description="A new field; RELATION fields need `relationCreationPayload`.",
    )
    update = obj({"name": {"type": "string", "pattern": "^[a-z][a-zA-Z0-9]*$", "maxLength": 63}, **shared}, closed=True)
    return {"Field": field, "Field_Create": create, "Field_Update": update}


def object_schemas() -> dict[str, dict[str, Any]]:
    """``Object`` and its create and update bodies."""
    name = {"type": "string", "pattern": "^[a-z][a-zA-Z0-9]*$", "maxLength": 63}
    texts = {"labelSingular": STRING, "labelPlural": STRING, "description": TEXT_OR_NULL, "icon": TEXT_OR_NULL}
    criteria = build_array_type(build_array_type(STRING))
    output = obj(
        {
            "id": dict(UUID),
            "nameSingular": STRING,
            "namePlural": STRING,
            **texts,
            "isCustom": BOOLEAN,
            "isRemote": BOOLEAN,
            "isActive": BOOLEAN,
            "isSystem": BOOLEAN,
            "isSearchable": BOOLEAN,
            "isLabelSyncedWithName": BOOLEAN,
            "labelIdentifierFieldMetadataId": nullable(dict(UUID)),
            "imageIdentifierFieldMetadataId": nullable(dict(UUID)),
            "duplicateCriteria": criteria,
            "createdAt": dict(DATE_TIME),
            "updatedAt": dict(DATE_TIME),
            "fields": build_array_type(ref("Field")),
        },
        [
            "id",
            "nameSingular",
            "namePlural",
            "labelSingular",
            "labelPlural",
            "isCustom",
            "isActive",
            "isSystem",
            "createdAt",
            "updatedAt",
        ],
    )
    create = obj(
        {"nameSingular": name, "namePlural": name, **texts, "isLabelSyncedWithName": BOOLEAN, "isSearchable": BOOLEAN},
        ["nameSingular", "namePlural", "labelSingular", "labelPlural"],
        closed=True,
        description="A custom object; it gets the default fields (id, name, createdAt, ...).",
    )
    update = obj(
        {
            "nameSingular": name,
            "namePlural": name,
            **texts,
            "isLabelSyncedWithName": BOOLEAN,
            "isActive": BOOLEAN,
            "isSearchable": BOOLEAN,
            "labelIdentifierFieldMetadataId": {
                **nullable(dict(UUID)),
                "description": "The field that names the records: an active field of the object, of type "
                + ", ".join(LABEL_IDENTIFIER_TYPES)
                + ".",
            },
            "imageIdentifierFieldMetadataId": nullable(dict(UUID)),
            "duplicateCriteria": criteria,
        },
        closed=True,
    )
    return {"Object": output, "Object_Create": create, "Object_Update": update}


def key_and_webhook_schemas() -> dict[str, dict[str, Any]]:
    """API keys, webhooks and deliveries."""
    instant = nullable(dict(DATE_TIME))
    api_key_props = {
        "id": dict(UUID),
        "name": STRING,
        "expiresAt": instant,
        "revokedAt": instant,
        "lastUsedAt": instant,
        "tokenLast4": STRING,
        "roleId": {**nullable(dict(UUID)), "description": "The role the key holds (what it may do)."},
        "createdAt": dict(DATE_TIME),
        "updatedAt": dict(DATE_TIME),
    }
    api_key = obj(api_key_props, list(api_key_props))
    with_token = obj(
        {**api_key_props, "token": {"type": "string", "description": "Shown once: store it now."}},
        [*api_key_props, "token"],
    )
    operation = {
        "type": "string",
        "pattern": r"^(\*|[a-z][a-zA-Z0-9]*)\.(\*|created|updated|deleted|destroyed|restored)$",
    }
    webhook_filter = {
        "type": ["string", "null"],
        "description": "The REST filter grammar, checked on the record after the change, e.g. "
        "`stage[eq]:CUSTOMER,amount.amountMicros[gt]:1000000000`; null delivers every change.",
    }
    webhook_fields = {
        "type": ["array", "null"],
        "items": {"type": "string"},
        "description": "Field names: an update is delivered only when it changed one of them; null for any update. "
        "Each is a field (or join column) of an object the operations name; with `*`, of at least one object.",
    }
    webhook_props = {
        "id": dict(UUID),
        "targetUrl": STRING,
        "operations": build_array_type(operation),
        "filter": webhook_filter,
        "fields": webhook_fields,
        "description": TEXT_OR_NULL,
        "createdAt": dict(DATE_TIME),
        "updatedAt": dict(DATE_TIME),
        "deletedAt": instant,
        "isFailing": BOOLEAN,
        "failingSince": instant,
        "consecutiveFailures": {"type": "integer", "minimum": 0},
    }
    webhook = obj(webhook_props, list(webhook_props))
    with_secret = obj(
        {**webhook_props, "secret": {"type": "string", "description": "Shown once: signs every call."}},
        [*webhook_props, "secret"],
    )
    webhook_input = {
        "targetUrl": {"type": "string", "format": "uri", "description": "An absolute http(s) URL."},
        "operations": {**build_array_type(operation), "minItems": 1, "description": 'Default `["*.*"]`.'},
        "filter": webhook_filter,
        "fields": {**webhook_fields, "maxItems": 100},
        "description": TEXT_OR_NULL,
        "secret": {"type": "string", "minLength": 1, "maxLength": 512},
    }
    attempt_props = {
        "number": INTEGER,
        "attemptedAt": dict(DATE_TIME),
        "durationMs": INTEGER,
        "statusCode": nullable(INTEGER),
        "succeeded": BOOLEAN,
        "error": TEXT_OR_NULL,
        "responseExcerpt": STRING,
    }
    delivery_props = {
        "id": dict(UUID),
        "webhookId": dict(UUID),
        "eventId": dict(UUID),
        "eventName": STRING,
        "objectMetadata": obj({"id": dict(UUID), "nameSingular": STRING}, ["id", "nameSingular"]),
        "recordId": dict(UUID),
        "eventDate": dict(DATE_TIME),
        "status": {"type": "string", "enum": ["PENDING", "SUCCEEDED", "FAILED", "CANCELLED"]},
        "attemptCount": INTEGER,
        "lastStatusCode": nullable(INTEGER),
        "nextAttemptAt": instant,
        "deliveredAt": instant,
        "createdAt": dict(DATE_TIME),
        "updatedAt": dict(DATE_TIME),
        "attempts": build_array_type(obj(attempt_props, list(attempt_props))),
    }
    return {
        "ApiKey": api_key,
        "ApiKey_WithToken": with_token,
        "ApiKey_Create": obj(
            {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "expiresAt": instant,
                "roleId": {**nullable(dict(UUID)), "description": "Default: the workspace's default role."},
            },
            ["name"],
            closed=True,
            description="A key may be given only a role the caller's own role covers.",
        ),
        "ApiKey_Update": obj(
            {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "expiresAt": instant,
                "revokedAt": instant,
                "roleId": dict(UUID),
            },
            closed=True,
            description="`revokedAt` set to any instant revokes the key, for good.",
        ),
        "Webhook": webhook,
        "Webhook_WithSecret": with_secret,
        "Webhook_Create": obj(webhook_input, ["targetUrl"], closed=True),
        "Webhook_Update": obj(webhook_input, closed=True),
        "Delivery": obj(delivery_props, list(delivery_props)),
    }


def page_parameters() -> list[dict[str, Any]]:
    """``limit``, ``starting_after`` and ``ending_before`` of the metadata lists (id cursors)."""
    return [
        build_parameter_type("limit", {"type": "integer", "minimum": 0}, "query", description="Page size (capped)."),
        build_parameter_type(
            "starting_after", dict(UUID), "query", description="Id of the last row of the previous page."
        ),
        build_parameter_type("ending_before", dict(UUID), "query", description="Id of the first row of the next page."),
    ]


def listing(items: dict[str, Any], key: str | None) -> dict[str, Any]:
    """A list envelope: ``{data: {key: [...]}}`` (legacy) or ``{data: [...]}``, with pageInfo and totalCount."""
    rows = build_array_type(items)
    data = obj({key: rows}, [key]) if key else rows
    return obj(
        {"data": data, "pageInfo": ref("PageInfo"), "totalCount": {"type": "integer", "minimum": 0}},
        ["data", "pageInfo", "totalCount"],
    )


def data(schema: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    """``{data: {key: schema}}`` or ``{data: schema}``."""
    return obj({"data": obj({key: schema}, [key]) if key else schema}, ["data"])


def op(tag: str, operation_id: str, summary: str, responses: dict[str, Any], **rest: Any) -> dict[str, Any]:
    """One operation."""
    return {"tags": [tag], "operationId": operation_id, "summary": summary, **rest, "responses": responses}


def resource_paths(tag: str, plural: str, cap: str, legacy: bool, with_token: str | None = None) -> dict[str, Any]:
    """``/metadata/{plural}`` and ``/metadata/{plural}/{id}`` of one resource."""
    singular = plural[:-1]
    out = ref(cap)
    created = ref(with_token) if with_token else out

    def one_key(verb: str) -> str | None:
        return f"{verb}One{cap}" if legacy else None

    return {
        f"/metadata/{plural}": {
            "get": op(
                tag,
                f"list{cap}s",
                f"List {plural}",
                {
                    "200": json_response(f"A page of {plural}", listing(out, plural if legacy else None)),
                    **error_responses(400),
                },
                parameters=page_parameters(),
            ),
            "post": op(
                tag,
                f"create{cap}",
                f"Create a {singular}",
                {
                    "201": json_response(f"The created {singular}", data(created, one_key("create"))),
                    **error_responses(400, 404),
                },
                requestBody=json_body(ref(f"{cap}_Create")),
            ),
        },
        f"/metadata/{plural}/{{id}}": {
            "parameters": [id_path_parameter(description=f"Id of the {singular}")],
            "get": op(
                tag,
                f"get{cap}",
                f"Get a {singular}",
                {
                    "200": json_response(f"The {singular}", data(out, singular if legacy else None)),
                    **error_responses(400, 404),
                },
            ),
            "patch": op(
                tag,
                f"update{cap}",
                f"Update a {singular}",
                {
                    "200": json_response(f"The updated {singular}", data(out, one_key("update"))),
                    **error_responses(400, 404),
                },
                requestBody=json_body(ref(f"{cap}_Update")),
            ),
            "delete": op(
                tag,
                f"delete{cap}",
                f"Delete a {singular}",
                {
                    "200": json_response(f"The deleted {singular}", data(out, one_key("delete"))),
                    **error_responses(400, 404),
                },
            ),
        },
    }


def delivery_paths() -> dict[str, Any]:
    """The delivery log of a webhook, and redelivery."""
    webhook_id = id_path_parameter(description="Id of the webhook")
    delivery_id = id_path_parameter("deliveryId", "Id of the delivery")
    status = build_parameter_type(
        "status",
        {"type": "string", "enum": ["PENDING", "SUCCEEDED", "FAILED", "CANCELLED"]},
        "query",
        description="Only deliveries in this status.",
    )
    return {
        "/metadata/webhooks/{id}/deliveries": {
            "parameters": [webhook_id],
            "get": op(
                "webhooks",
                "listWebhookDeliveries",
                "A webhook's delivery log, oldest first",
                {
                    "200": json_response("A page of deliveries with their attempts", listing(ref("Delivery"), None)),
                    **error_responses(400, 404),
                },
                parameters=[status, *page_parameters()],
            ),
        },
        "/metadata/webhooks/{id}/deliveries/{deliveryId}": {
            "parameters": [webhook_id, delivery_id],
            "get": op(
                "webhooks",
                "getWebhookDelivery",
                "One delivery with its attempts",
                {"200": json_response("The delivery", data(ref("Delivery"))), **error_responses(400, 404)},
            ),
        },
        "/metadata/webhooks/{id}/replay": {
            "parameters": [webhook_id],
            "post": op(
                "webhooks",
                "replayWebhookEvents",
                "Queue again, for this webhook, the events of a time or cursor range, in order, with their event ids",
                {
                    "202": json_response(
                        "How many events were queued",
                        data(
                            obj(
                                {"webhookId": dict(UUID), "queued": {"type": "integer", "minimum": 0}},
                                ["webhookId", "queued"],
                            )
                        ),
                    ),
                    **error_responses(400, 404),
                },
                requestBody=json_body(
                    obj(
                        {
                            "since": {**dict(DATE_TIME), "description": "Events at or after this instant."},
                            "until": {**dict(DATE_TIME), "description": "Events before this instant."},
                            "after": {"type": "string", "description": "A feed cursor: events after it."},
                            "upTo": {"type": "string", "description": "A feed cursor: events up to it, included."},
                        },
                        [],
                    )
                ),
            ),
        },
        "/metadata/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
            "parameters": [webhook_id, delivery_id],
            "post": op(
                "webhooks",
                "redeliverWebhookDelivery",
                "Send a delivery again now, with a fresh retry budget",
                {"202": json_response("Queued", data(ref("Delivery"))), **error_responses(400, 404)},
            ),
        },
    }


def role_and_workspace_schemas() -> dict[str, dict[str, Any]]:
    """Roles (read-only here; they change through ``/metadata``) and the workspace's settings."""
    maybe = {"type": ["boolean", "null"]}
    role_id = {"id": dict(UUID), "roleId": dict(UUID)}
    flag = obj({**role_id, "flag": STRING}, ["id", "roleId", "flag"])
    object_permission = obj(
        {
            **role_id,
            "objectMetadataId": dict(UUID),
            "canReadObjectRecords": maybe,
            "canUpdateObjectRecords": maybe,
            "canSoftDeleteObjectRecords": maybe,
            "canDestroyObjectRecords": maybe,
            "restrictedFields": {"type": "object", "description": "By field id: `{canRead, canUpdate}`."},
        },
        ["objectMetadataId"],
    )
    field_permission = obj(
        {
            **role_id,
            "objectMetadataId": dict(UUID),
            "fieldMetadataId": dict(UUID),
            "canReadFieldValue": maybe,
            "canUpdateFieldValue": maybe,
        },
        ["id", "roleId", "objectMetadataId", "fieldMetadataId"],
    )
    booleans = (
        "isEditable canBeAssignedToUsers canBeAssignedToAgents canBeAssignedToApiKeys canUpdateAllSettings "
        "canAccessAllTools canReadAllObjectRecords canUpdateAllObjectRecords canSoftDeleteAllObjectRecords "
        "canDestroyAllObjectRecords"
    ).split()
    lists = {
        "permissionFlags": build_array_type(flag),
        "objectPermissions": build_array_type(object_permission),
        "fieldPermissions": build_array_type(field_permission),
        "apiKeys": build_array_type(
            obj(
                {
                    "id": dict(UUID),
                    "name": STRING,
                    "expiresAt": nullable(dict(DATE_TIME)),
                    "revokedAt": nullable(dict(DATE_TIME)),
                },
                ["id", "name"],
            )
        ),
        **{
            name: build_array_type({})
            for name in (
                "workspaceMembers",
                "agents",
                "rowLevelPermissionPredicates",
                "rowLevelPermissionPredicateGroups",
            )
        },
    }
    role = obj(
        {
            "id": dict(UUID),
            "universalIdentifier": nullable(dict(UUID)),
            "label": STRING,
            "description": TEXT_OR_NULL,
            "icon": TEXT_OR_NULL,
            **dict.fromkeys(booleans, BOOLEAN),
            **lists,
        },
        ["id", "label", *booleans, *lists],
    )
    days = {"type": "integer"}
    workspace = obj(
        {
            "id": dict(UUID),
            "displayName": STRING,
            "logo": TEXT_OR_NULL,
            "createdAt": dict(DATE_TIME),
            "updatedAt": dict(DATE_TIME),
            "activationStatus": {"type": "string", "enum": ["ACTIVE"]},
            "metadataVersion": INTEGER,
            "trashRetentionDays": {**days, "minimum": 0, "maximum": 3650},
            "eventLogRetentionDays": {**days, "minimum": 1, "maximum": 3650},
            "defaultRoleId": nullable(dict(UUID)),
            "workspaceUrls": obj({"customUrl": TEXT_OR_NULL, "subdomainUrl": STRING}, ["customUrl", "subdomainUrl"]),
        },
        [
            "id",
            "displayName",
            "createdAt",
            "updatedAt",
            "activationStatus",
            "trashRetentionDays",
            "eventLogRetentionDays",
            "workspaceUrls",
        ],
    )
    update = obj(
        {
            "displayName": {"type": "string", "minLength": 1, "maxLength": 255},
            "logo": TEXT_OR_NULL,
            "trashRetentionDays": {
                **days,
                "minimum": 0,
                "maximum": 3650,
                "description": "Records trashed longer ago are destroyed by the daily purge (0: at its next run).",
            },
            "eventLogRetentionDays": {**days, "minimum": 1, "maximum": 3650},
            "defaultRoleId": {**dict(UUID), "description": "The role of API keys created without one."},
        },
        closed=True,
        description="Other keys of Twenty's `UpdateWorkspaceInput` are accepted when null and refused otherwise.",
    )
    return {"Role": role, "Workspace": workspace, "Workspace_Update": update}


def role_paths() -> dict[str, Any]:
    """``/metadata/roles`` and ``/metadata/roles/{id}`` (read-only)."""
    return {
        "/metadata/roles": {
            "get": op(
                "roles",
                "listRoles",
                "List roles",
                {"200": json_response("A page of roles", listing(ref("Role"), None)), **error_responses(400, 403)},
                parameters=page_parameters(),
            )
        },
        "/metadata/roles/{id}": {
            "parameters": [id_path_parameter(description="Id of the role")],
            "get": op(
                "roles",
                "getRole",
                "Get a role",
                {"200": json_response("The role", data(ref("Role"))), **error_responses(400, 403, 404)},
            ),
        },
    }


def workspace_paths(can_update: bool) -> dict[str, Any]:
    """``/metadata/workspace``: read, and change with the ``WORKSPACE`` permission."""
    item: dict[str, Any] = {
        "get": op(
            "workspace",
            "getCurrentWorkspace",
            "The workspace of the API key, with its settings",
            {"200": json_response("The workspace", data(ref("Workspace"), "currentWorkspace")), **error_responses()},
        )
    }
    if can_update:
        item["patch"] = op(
            "workspace",
            "updateWorkspace",
            "Change the workspace's settings",
            {
                "200": json_response("The workspace", data(ref("Workspace"), "updateWorkspace")),
                **error_responses(400, 403),
            },
            requestBody=json_body(ref("Workspace_Update")),
        )
    return {"/metadata/workspace": item}


def read_only(paths: dict[str, Any]) -> dict[str, Any]:
    """``paths`` without their writing operations."""
    return {
        path: {method: operation for method, operation in item.items() if method in ("get", "parameters")}
        for path, item in paths.items()
    }


TAGS = {
    "objects": "Objects of the data model, with their fields",
    "fields": "Fields; a RELATION creates a field on both objects",
    "apiKeys": "API keys: the token is returned once, at creation",
    "webhooks": "Webhooks and their delivery log; the secret is returned once, at creation",
    "roles": "Roles: what API keys may read and change (changed through /metadata)",
    "workspace": "The workspace's settings: name, logo, trash retention, default role",
}


def build_metadata_document(snapshot: SchemaSnapshot, flags: frozenset[str] = ENFORCED) -> dict[str, Any]:
    """Paths, components and tags of the metadata REST API, for a key holding the permission ``flags``.

    Objects and fields are readable by every key and changed with ``DATA_MODEL``; API keys and
    webhooks need ``API_KEYS_AND_WEBHOOKS``, roles ``ROLES``; the workspace is readable by every
    key and changed with ``WORKSPACE``.
    """
    components = common_components("Error")
    components["schemas"].update(
        {
            "PageInfo": page_info_schema(),
            **object_schemas(),
            **field_schemas(),
            **key_and_webhook_schemas(),
            **role_and_workspace_schemas(),
        }
    )
    components["schemas"] = dict(sorted(components["schemas"].items()))
    data_model = {
        **resource_paths("objects", "objects", "Object", legacy=True),
        **resource_paths("fields", "fields", "Field", legacy=True),
    }
    paths = data_model if DATA_MODEL in flags else read_only(data_model)
    if API_KEYS_AND_WEBHOOKS in flags:
        paths.update(resource_paths("apiKeys", "apiKeys", "ApiKey", legacy=False, with_token="ApiKey_WithToken"))
        paths.update(resource_paths("webhooks", "webhooks", "Webhook", legacy=False, with_token="Webhook_WithSecret"))
        paths.update(delivery_paths())
    if ROLES in flags:
        paths.update(role_paths())
    paths.update(workspace_paths(WORKSPACE in flags))
    used = {
        tag
        for item in paths.values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", ())
    }
    tags = [{"name": name, "description": text} for name, text in TAGS.items() if name in used]
    return {"paths": paths, "components": components, "tags": tags}


class WorkspaceOpenApiView(OpenApiDocumentView):
    """An OpenAPI document of the workspace the request's API key opens, memoised on its snapshot.

    Subclasses set ``build(snapshot)`` besides the title, description and memo name.
    """

    build: ClassVar[Callable[..., dict[str, Any]]]  # (snapshot, *what the variant depends on) -> document

    def workspace_document(self, request: Any) -> tuple[dict[str, Any] | None, str | None]:
        header = request.META.get("HTTP_AUTHORIZATION")
        try:
            api_key = authenticate_header(header, request)
        except AuthenticationError as error:
            if not header:
                return None, None
            # A refused key counts against its address as on every API, so the documents are no
            # oracle for guessing keys: past the limit, a 429 (and below, with a right key too).
            answer = authentication_failed(request, error)
            if answer is not error:
                raise answer from None
            return None, error.message
        check_throttles(request, self, api_key)
        snapshot = schema_registry.snapshot(api_key.workspace)
        variant, build = self.variant(api_key, snapshot)
        name = f"{self.memo_name}:{variant}" if variant else self.memo_name
        limited = rate_limit_enabled()
        name += "" if limited else ":unlimited"
        document = schema_registry.memo(
            snapshot, name, lambda: root_document(self.title, self.description, build(), limited)
        )
        return document, None

    def variant(self, api_key: Any, snapshot: SchemaSnapshot) -> tuple[str, Callable[[], dict[str, Any]]]:
        """What ``api_key``'s document depends on besides the snapshot ("" for the whole document), and its builder.

        Keys whose roles grant the same things share a variant, so a document is built once per
        (metadata version, variant).
        """
        build = type(self).build
        return "", lambda: build(snapshot)


class MetadataOpenApiView(WorkspaceOpenApiView):
    """``GET /rest/open-api/metadata`` (alias ``/open-api/metadata``): the routes the key's permission flags open."""

    title = TITLE
    description = DESCRIPTION
    memo_name = "openapi:metadata"
    build = staticmethod(build_metadata_document)

    def variant(self, api_key: Any, snapshot: SchemaSnapshot) -> tuple[str, Callable[[], dict[str, Any]]]:
        flags = frozenset(flag for flag in ENFORCED if permissions_of(api_key).has_flag(flag))
        variant = "" if flags == ENFORCED else ",".join(sorted(flags)) or "none"
        return variant, lambda: build_metadata_document(snapshot, flags)
