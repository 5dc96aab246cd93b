"""``GET /rest/open-api/core`` (alias ``/open-api/core``): the workspace's core OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core_app.openapi import DESCRIPTION, TITLE, build_core_document
from metadata_app.openapi import WorkspaceOpenApiView
from metadata_app.specs import SchemaSnapshot
from roles_app.flags import API_KEYS_AND_WEBHOOKS

__all__ = ["CoreOpenApiView"]


class CoreOpenApiView(WorkspaceOpenApiView):
    """The core document for the key's workspace (what its role may use), or the base document without a valid key."""

    title = TITLE
    description = DESCRIPTION
    memo_name = "openapi:core"
    build = staticmethod(build_core_document)

    def variant(self, api_key: Any, snapshot: SchemaSnapshot) -> tuple[str, Callable[[], dict[str, Any]]]:
        permissions = api_key.permissions
        whole = permissions.all_records and permissions.has_flag(API_KEYS_AND_WEBHOOKS)
        return ("" if whole else permissions.fingerprint), lambda: build_core_document(snapshot, permissions)
