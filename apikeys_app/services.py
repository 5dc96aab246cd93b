"""Create, update, revoke, delete and re-issue API keys; tokens are returned once, never stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from api_common.inputs import YEARS_MESSAGE, check_input, in_utc
from apikeys_app.models import ApiKey
from apikeys_app.tokens import new_token
from roles_app.models import Role
from roles_app.permissions import RolePermissions, permissions_for
from roles_app.services import assignable_role, check_grant, default_role

__all__ = [
    "assign_role",
    "create_api_key",
    "delete_api_key",
    "get_api_key",
    "live_api_keys",
    "regenerate_token",
    "revoke_api_key",
    "update_api_key",
]

CREATE_KEYS = frozenset({"name", "expiresAt", "revokedAt", "roleId"})
UPDATE_KEYS = frozenset({"name", "expiresAt", "revokedAt", "roleId"})


def parse_instant(value: Any, key: str) -> datetime | None:
    """Return an ISO 8601 date-time (naive means UTC), or None for null."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(
            f"{key} must be an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z", code="INVALID_INPUT"
        ) from None
    try:
        return in_utc(moment)
    except ValueError:
        raise ValidationError(f"{key}: {YEARS_MESSAGE}, got {value}", code="INVALID_INPUT") from None


def clean_name(value: Any) -> str:
    """A key's name: a non-empty string of at most 200 characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValidationError("name is required: a non-empty string of at most 200 characters", code="INVALID_INPUT")
    return value.strip()


def clean_expiry(value: Any) -> datetime | None:
    """An expiry must lie in the future."""
    moment = parse_instant(value, "expiresAt")
    if moment is not None and moment <= timezone.now():
        raise ValidationError("expiresAt must be in the future", code="INVALID_INPUT")
    return moment


def live_api_keys(workspace: Any) -> QuerySet[ApiKey]:
    """The keys of ``workspace`` not deleted (revoked and expired ones included), by id."""
    return ApiKey.objects.filter(workspace=workspace, deleted_at__isnull=True).order_by("pk")


def get_api_key(workspace: Any, key_id: Any) -> ApiKey:
    """Return a (not deleted) key of ``workspace``; 404 otherwise."""
    try:
        pk = uuid.UUID(str(key_id))
    except ValueError:
        raise ValidationError(f"'{key_id}' is not a valid UUID", code="INVALID_UUID") from None
    api_key = live_api_keys(workspace).filter(pk=pk).first()
    if api_key is None:
        raise Http404(f"API key {key_id} not found")
    return api_key


def role_to_hold(workspace: Any, role_id: Any, caller: RolePermissions | None) -> Role:
    """The role a key is given: ``role_id``, or the workspace's default role when it is null.

    A caller (the permissions of the key asking; None for trusted callers) may hand out only a
    role its own role covers (``roles_app.services.check_grant``).
    """
    if role_id is None:
        fallback = default_role(workspace)
        if fallback is None:
            raise ValidationError("The workspace has no default role; give a roleId", code="INVALID_INPUT")
        role_id = fallback.pk
    role = assignable_role(workspace, role_id)
    check_grant(caller, permissions_for(role.pk, role.version), workspace)
    return role


@transaction.atomic
def create_api_key(workspace: Any, data: Any, caller: RolePermissions | None = None) -> tuple[ApiKey, str]:
    """Create a key holding ``roleId`` (else the default role); return it with its token, never shown again."""
    data = check_input(data, CREATE_KEYS)
    name, expires_at = clean_name(data.get("name")), clean_expiry(data.get("expiresAt"))
    role = role_to_hold(workspace, data.get("roleId"), caller)
    # Twenty's input carries ``revokedAt`` too: null (what clients send) or a time, which revokes the
    # key at once, as on update.
    revoked = data.get("revokedAt") is not None and parse_instant(data["revokedAt"], "revokedAt") is not None
    token = new_token()
    api_key = ApiKey.objects.create(
        workspace=workspace,
        name=name,
        expires_at=expires_at,
        revoked_at=timezone.now() if revoked else None,
        role=role,
        key_id=token.key_id,
        digest=token.digest,
        last4=token.last4,
    )
    return api_key, token.token


@transaction.atomic
def update_api_key(workspace: Any, key_id: Any, data: Any, caller: RolePermissions | None = None) -> ApiKey:
    """Rename a key, change its expiry or role, or revoke it (``revokedAt`` set; a revocation is final)."""
    api_key = get_api_key(workspace, key_id)
    data = check_input(data, UPDATE_KEYS)
    if "name" in data:
        api_key.name = clean_name(data["name"])
    if "expiresAt" in data:
        api_key.expires_at = clean_expiry(data["expiresAt"])
    if "roleId" in data:
        if data["roleId"] is None:
            raise ValidationError("roleId must be the id of a role", code="INVALID_INPUT")
        api_key.role = role_to_hold(workspace, data["roleId"], caller)
    if "revokedAt" in data:
        if data["revokedAt"] is None and api_key.revoked_at is not None:
            raise ValidationError("A revoked API key cannot be reinstated; create a new key", code="INVALID_INPUT")
        if data["revokedAt"] is not None and api_key.revoked_at is None:
            parse_instant(data["revokedAt"], "revokedAt")
            api_key.revoked_at = timezone.now()
    api_key.save()
    return api_key


@transaction.atomic
def assign_role(workspace: Any, key_id: Any, role_id: Any, caller: RolePermissions | None = None) -> ApiKey:
    """Give a key another role (Twenty's ``assignRoleToApiKey``)."""
    api_key = get_api_key(workspace, key_id)
    api_key.role = role_to_hold(workspace, role_id, caller)
    api_key.save(update_fields=["role", "updated_at"])
    return api_key


def revoke_api_key(workspace: Any, key_id: Any) -> ApiKey:
    """Revoke a key now; its token stops working on the next request."""
    api_key = get_api_key(workspace, key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


def delete_api_key(workspace: Any, key_id: Any) -> ApiKey:
    """Soft-delete a key (it disappears from lists and stops working)."""
    api_key = get_api_key(workspace, key_id)
    api_key.deleted_at = timezone.now()
    api_key.revoked_at = api_key.revoked_at or api_key.deleted_at
    api_key.save(update_fields=["deleted_at", "revoked_at", "updated_at"])
    return api_key


def regenerate_token(
    workspace: Any, key_id: Any, expires_at: Any = None, caller: RolePermissions | None = None
) -> tuple[ApiKey, str]:
    """Issue a new token for a key (the old one stops working); refuse revoked or expired keys.

    A token is the key's rights: a caller may only issue one for a key whose role its own covers.
    """
    api_key = get_api_key(workspace, key_id)
    role = api_key.role or default_role(workspace)
    if role is not None:
        check_grant(caller, permissions_for(role.pk, role.version), workspace)
    if api_key.revoked_at is not None:
        raise ValidationError("This API Key is revoked", code="API_KEY_REVOKED")
    if expires_at is not None:
        api_key.expires_at = clean_expiry(expires_at)
    if api_key.is_expired:
        raise ValidationError("This API Key has expired", code="API_KEY_EXPIRED")
    token = new_token()
    api_key.key_id, api_key.digest, api_key.last4 = token.key_id, token.digest, token.last4
    api_key.save()
    return api_key, token.token
