"""API keys on ``/metadata``: list, read, create, update, revoke, and issue a token (shown once).

Every operation needs the ``API_KEYS_AND_WEBHOOKS`` permission; a key is given only a role the
caller's own role covers (``createApiKey``'s ``roleId``, else the workspace's default role).
"""

from __future__ import annotations

from typing import Any

import graphene

from apikeys_app import services
from apikeys_app.models import ApiKey
from metadata_app.graphql.context import workspace_of
from metadata_app.graphql.inputs import (
    CreateApiKeyInput,
    GetApiKeyInput,
    RevokeApiKeyInput,
    UpdateApiKeyInput,
    to_service_input,
)
from metadata_app.graphql.mutations import input_argument
from metadata_app.graphql.scalars import UUID
from metadata_app.graphql.types import ApiKeyNode, ApiKeyTokenNode
from roles_app.checks import flag_required, permissions_of
from roles_app.flags import API_KEYS_AND_WEBHOOKS

__all__ = ["ApiKeyMutations", "ApiKeyQueries"]


class ApiKeyQueries(graphene.ObjectType):
    """Read the workspace's API keys (deleted ones are gone; revoked ones show ``revokedAt``)."""

    api_keys = graphene.NonNull(graphene.List(graphene.NonNull(ApiKeyNode)))
    api_key = graphene.Field(ApiKeyNode, input=input_argument(GetApiKeyInput))

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_api_keys(root: Any, info: Any) -> list[ApiKey]:
        """Every key of the workspace that is not deleted, ordered by id (as the REST list)."""
        return list(ApiKey.objects.filter(workspace=workspace_of(info), deleted_at__isnull=True).order_by("pk"))

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_api_key(root: Any, info: Any, input: Any) -> ApiKey:
        """One key of the workspace; NOT_FOUND for any other id."""
        return services.get_api_key(workspace_of(info), input["id"])


class ApiKeyMutations(graphene.ObjectType):
    """Manage the workspace's API keys. Tokens come only from ``generateApiKeyToken``."""

    create_api_key = graphene.NonNull(ApiKeyNode, input=input_argument(CreateApiKeyInput))
    update_api_key = graphene.Field(ApiKeyNode, input=input_argument(UpdateApiKeyInput))
    revoke_api_key = graphene.Field(ApiKeyNode, input=input_argument(RevokeApiKeyInput))
    generate_api_key_token = graphene.NonNull(
        ApiKeyTokenNode,
        api_key_id=UUID(required=True),
        expires_at=graphene.String(required=True),
    )

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_create_api_key(root: Any, info: Any, input: Any) -> ApiKey:
        """Create a key. As in Twenty, its token is issued by ``generateApiKeyToken``, so none is returned here."""
        caller = permissions_of(info.context.api_key)
        api_key, _token = services.create_api_key(workspace_of(info), to_service_input(input), caller)
        return api_key

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_update_api_key(root: Any, info: Any, input: Any) -> ApiKey:
        """Rename a key, change its expiry, or revoke it."""
        data = to_service_input(input)
        return services.update_api_key(workspace_of(info), data.pop("id"), data, permissions_of(info.context.api_key))

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_revoke_api_key(root: Any, info: Any, input: Any) -> ApiKey:
        """Revoke a key now; its token stops working on the next request."""
        return services.revoke_api_key(workspace_of(info), input["id"])

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_generate_api_key_token(root: Any, info: Any, api_key_id: Any, expires_at: str) -> dict[str, str]:
        """Issue a new token for a key, valid until ``expiresAt``; any earlier token stops working."""
        caller = permissions_of(info.context.api_key)
        _api_key, token = services.regenerate_token(workspace_of(info), api_key_id, expires_at, caller)
        return {"token": token}
