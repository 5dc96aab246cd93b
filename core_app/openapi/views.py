"""``GET /rest/open-api/core`` (alias ``/open-api/core``): the workspace's core OpenAPI document."""

from __future__ import annotations

from core_app.openapi import DESCRIPTION, TITLE, build_core_document
from metadata_app.openapi import WorkspaceOpenApiView

__all__ = ["CoreOpenApiView"]


class CoreOpenApiView(WorkspaceOpenApiView):
    """The core document for the key's workspace, or the base document without a valid key."""

    title = TITLE
    description = DESCRIPTION
    memo_name = "openapi:core"
    build = staticmethod(build_core_document)
