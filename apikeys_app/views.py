"""``/rest/metadata/apiKeys[/{id}]``: list, get, create (token returned once), patch, delete; and Twenty's
deprecated alias ``/rest/apiKeys[/{id}]``."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api_common.deprecation import DeprecatedAlias
from api_common.errors import BadRequest
from api_common.pagination import paginate_by_id
from apikeys_app import services
from apikeys_app.authentication import api_key_of
from apikeys_app.models import ApiKey
from roles_app.flags import API_KEYS_AND_WEBHOOKS

__all__ = ["ApiKeysView", "LegacyApiKeysView", "api_key_to_api"]


def iso(moment: Any) -> str | None:
    """ISO 8601 UTC with milliseconds (an instant given with another offset is converted first)."""
    if not moment:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def api_key_to_api(api_key: ApiKey) -> dict[str, Any]:
    """An API key as the API returns it (never its token or digest)."""
    return {
        "id": str(api_key.pk),
        "name": api_key.name,
        "expiresAt": iso(api_key.expires_at),
        "revokedAt": iso(api_key.revoked_at),
        "lastUsedAt": iso(api_key.last_used_at),
        "tokenLast4": api_key.last4,
        "roleId": str(api_key.role_id) if api_key.role_id else None,
        "createdAt": iso(api_key.created_at),
        "updatedAt": iso(api_key.updated_at),
    }


class ApiKeysView(APIView):
    """API keys of the caller's workspace, in the ``{data, pageInfo, totalCount}`` envelope.

    Every method needs the ``API_KEYS_AND_WEBHOOKS`` permission; a key is given only a role the
    caller's own role covers.
    """

    permission_flag = API_KEYS_AND_WEBHOOKS

    def get(self, request: Request, pk: str | None = None) -> Response:
        workspace = api_key_of(request).workspace
        if pk is not None:
            return Response({"data": api_key_to_api(services.get_api_key(workspace, pk))})
        page = paginate_by_id(services.live_api_keys(workspace), request.query_params, default=60, maximum=1000)
        return Response(
            {"data": [api_key_to_api(k) for k in page.rows], "pageInfo": page.page_info, "totalCount": page.total_count}
        )

    def post(self, request: Request, pk: str | None = None) -> Response:
        if pk is not None:
            raise BadRequest("Remove the id from the path to create an API key: POST /rest/metadata/apiKeys")
        caller = api_key_of(request)
        api_key, token = services.create_api_key(caller.workspace, request.data, caller.permissions)
        return Response({"data": {**api_key_to_api(api_key), "token": token}}, status=201)

    def patch(self, request: Request, pk: str | None = None) -> Response:
        if pk is None:
            raise BadRequest(
                "update apiKey query invalid. Id missing. eg: /rest/metadata/apiKeys/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56",
            )
        caller = api_key_of(request)
        api_key = services.update_api_key(caller.workspace, pk, request.data, caller.permissions)
        return Response({"data": api_key_to_api(api_key)})

    put = patch

    def delete(self, request: Request, pk: str | None = None) -> Response:
        if pk is None:
            raise BadRequest(
                "delete apiKey query invalid. Id missing. eg: /rest/metadata/apiKeys/0d4389ef-ea9c-4ae8-ada1-1cddc440fb56",
            )
        return Response({"data": api_key_to_api(services.delete_api_key(api_key_of(request).workspace, pk))})


class LegacyApiKeysView(DeprecatedAlias, ApiKeysView):
    """``/rest/apiKeys[/{id}]``: Twenty's deprecated alias, with raw arrays and objects instead of the
    ``{data: ...}`` envelopes, marked deprecated in favour of ``/rest/metadata/apiKeys``."""

    successor = "/rest/metadata/apiKeys"

    def get(self, request: Request, pk: str | None = None) -> Response:
        workspace = api_key_of(request).workspace
        if pk is not None:
            return Response(api_key_to_api(services.get_api_key(workspace, pk)))
        return Response([api_key_to_api(k) for k in services.live_api_keys(workspace)])

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        # The envelope's ``data`` is what the alias answers alone (errors keep their shape).
        if isinstance(response.data, dict) and set(response.data) == {"data"}:
            response.data = response.data["data"]
        return super().finalize_response(request, response, *args, **kwargs)
