"""The core OpenAPI document of one workspace: every object's routes, schemas and webhook events.

Usage::

    from core_app.openapi import build_core_document

    body = build_core_document(snapshot)     # {"paths", "components", "tags", "webhooks"}
    mine = build_core_document(snapshot, api_key.permissions)   # what that key's role may use
    body["components"]["schemas"]["Company"]["properties"]["employees"]
    # -> {"type": ["number", "null"], "description": "Employees (NUMBER)"}

``CoreOpenApiView`` (a ``metadata_app.openapi.WorkspaceOpenApiView``) wraps it in the root
object and memoises it per snapshot, so a new field appears on the next request. Schemas come from the field-type table
(``FieldType.openapi_schema``), never from a switch on type names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api_common.openapi import common_components, page_info_schema
from core_app.access import READ_ONLY_OBJECTS, record_access, visibility
from core_app.openapi.events import event_components, events_paths
from core_app.openapi.guards import add_write_guards
from core_app.openapi.paths import PARAMETERS, allowed_paths, object_paths
from core_app.openapi.schemas import ERROR, PAGE_INFO, object_schemas
from core_app.openapi.search import search_components, search_paths
from core_app.openapi.webhooks import object_webhooks
from metadata_app.specs import ObjectSpec, SchemaSnapshot
from roles_app.flags import API_KEYS_AND_WEBHOOKS
from roles_app.permissions import RolePermissions

__all__ = ["DESCRIPTION", "TITLE", "build_core_document", "register_paths"]

TITLE = "Core API"
DESCRIPTION = (
    "Records of every object of this workspace, standard and custom, in Twenty's REST dialect. "
    "Send `Authorization: Bearer <API key>`. Errors are `{statusCode, error, messages}`. "
    "Lists page with `limit` and the cursors of `pageInfo`; `depth` embeds related records. "
    "The `webhooks` section describes what a webhook receives for each record event; `GET /rest/events` "
    "lists the same events in commit order; `GET /rest/search` searches every object. "
    "Every write takes an `Idempotency-Key`; a record read alone has an `ETag`, for `If-None-Match` (304) "
    "and `If-Match` (412)."
)


#: Routes other apps add to the document (imports and exports, ``transfers_app``): per object,
#: ``paths(spec) -> {path: item}`` and ``rights(path, method) -> alternatives of rights``; and
#: ``shared() -> {path: item}``, routes of no one object, described when any object is.
ObjectPaths = Callable[[ObjectSpec], dict[str, dict[str, Any]]]
Rights = Callable[[str, str], tuple[tuple[str, ...], ...]]
_extensions: list[tuple[ObjectPaths, Rights, Callable[[], dict[str, dict[str, Any]]]]] = []


def register_paths(paths: ObjectPaths, rights: Rights, shared: Callable[[], dict[str, dict[str, Any]]] = dict) -> None:
    """Describe another app's routes in every core document (called from its ``AppConfig.ready``)."""
    if (paths, rights, shared) not in _extensions:
        _extensions.append((paths, rights, shared))


def build_core_document(snapshot: SchemaSnapshot, permissions: RolePermissions | None = None) -> dict[str, Any]:
    """Paths, components, tags and webhooks for every active object of ``snapshot``, by plural name.

    With ``permissions`` (a key's role), only what the role may use is described: objects it
    reads, their readable fields in records and writable ones in bodies, the routes its rights
    allow, and the webhook payloads when it manages webhooks (``API_KEYS_AND_WEBHOOKS``).
    """
    visible = visibility(snapshot, record_access(permissions))
    objects = sorted(visible.snapshot.objects, key=lambda spec: spec.name_plural)
    components = common_components(ERROR)
    components["schemas"][PAGE_INFO] = page_info_schema()
    components["parameters"] = dict(PARAMETERS)
    paths: dict[str, Any] = {}
    webhooks: dict[str, Any] = {}
    with_webhooks = permissions is None or permissions.has_flag(API_KEYS_AND_WEBHOOKS)
    for spec in objects:
        components["schemas"].update(object_schemas(spec, visible.snapshot, visible.writable(spec)))
        paths.update(allowed_paths(object_paths(spec), spec, visible.rights(spec.id)))
        if with_webhooks and spec.name_singular not in READ_ONLY_OBJECTS:  # the timeline sends no events
            webhooks.update(object_webhooks(spec))
    # The feed: every key reads it, restricted to what its role reads.
    paths.update(events_paths())
    components["schemas"].update(event_components())
    if objects:  # search skips the objects the role cannot read
        paths.update(search_paths())
        components["schemas"].update(search_components())
    tags = [
        {
            "name": spec.name_plural,
            "description": f"{spec.label_plural} ({'custom' if spec.is_custom else 'standard'} object)",
        }
        for spec in objects
    ]
    tags.append({"name": "events", "description": "Record events in commit order: the feed of every change"})
    if objects:
        tags.append({"name": "search", "description": "Search across objects, ranked (Twenty's `search`)"})
    components["schemas"] = dict(sorted(components["schemas"].items()))
    add_write_guards(paths, components, {"$ref": f"#/components/schemas/{ERROR}"})
    # After the guards: an extension's operations say themselves which headers they take.
    for object_paths_of, rights_of, shared in _extensions:
        for spec in objects:
            paths.update(allowed_paths(object_paths_of(spec), spec, visible.rights(spec.id), rights_of))
        if objects:
            paths.update(shared())
    return {"paths": paths, "components": components, "tags": tags, "webhooks": webhooks}
