"""``GET`` / ``PATCH /rest/metadata/workspace``: the caller's workspace and its settings (api-reference 15).

Answers in the legacy envelope of the metadata REST API: ``{"data": {"currentWorkspace": {...}}}``
and ``{"data": {"updateWorkspace": {...}}}``. Reading needs a key; changing needs the ``WORKSPACE``
permission.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys_app.authentication import api_key_of
from metadata_app.models import Workspace
from metadata_app.rest.serialize import base_url, workspace_to_api
from metadata_app.services.workspaces import update_workspace
from roles_app.flags import WORKSPACE

__all__ = ["WorkspaceView"]


class WorkspaceView(APIView):
    """The workspace of the request's API key."""

    write_permission_flag = WORKSPACE

    def get(self, request: Request) -> Response:
        workspace = Workspace.objects.get(pk=api_key_of(request).workspace_id)
        return Response({"data": {"currentWorkspace": workspace_to_api(workspace, base_url(request))}})

    def patch(self, request: Request) -> Response:
        workspace = update_workspace(api_key_of(request).workspace, request.data)
        return Response({"data": {"updateWorkspace": workspace_to_api(workspace, base_url(request))}})

    put = patch
