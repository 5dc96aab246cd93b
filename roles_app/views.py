"""``GET /rest/metadata/roles[/{id}]``: the workspace's roles, read-only (api-reference 14.2).

Lists answer ``{data: [...], pageInfo, totalCount}`` (id cursors, as API keys); one role
``{data: {...}}``. Both need the ``ROLES`` permission. Roles change through ``/metadata``.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_common.pagination import paginate_by_id
from roles_app.flags import ROLES
from roles_app.models import Role
from roles_app.serialize import role_to_api
from roles_app.services import get_role

__all__ = ["RolesView"]


class RolesView(APIView):
    """Roles of the caller's workspace, with their permissions and the keys holding them."""

    permission_flag = ROLES

    def get(self, request: Request, pk: str | None = None) -> Response:
        workspace = request.auth.workspace  # type: ignore[union-attr]  # an API key (apikeys_app, a layer above)
        if pk is not None:
            return Response({"data": role_to_api(get_role(workspace, pk))})
        page = paginate_by_id(Role.objects.filter(workspace=workspace), request.query_params, default=60, maximum=1000)
        return Response(
            {
                "data": [role_to_api(role) for role in page.rows],
                "pageInfo": page.page_info,
                "totalCount": page.total_count,
            }
        )
