"""One authenticator for every API: ``Authorization: Bearer <token>`` -> API key -> workspace.

:func:`authenticate_header` is the shared core (REST and GraphQL both call it); it raises
:class:`AuthenticationError` with a message that says what is wrong with the key.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions

from api_common.errors import Unauthenticated
from apikeys_app.models import ApiKey
from apikeys_app.tokens import digest, split_token

__all__ = ["ApiKeyAuthentication", "ApiKeyPrincipal", "AuthenticationError", "authenticate_header"]

#: ``last_used_at`` is written at most this often per key, to keep reads free of writes.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class AuthenticationError(Unauthenticated):
    """The request carries no usable API key; ``message`` says why (401 / ``UNAUTHENTICATED``)."""


class ApiKeyPrincipal:
    """The authenticated caller: an API key acting for its workspace."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.workspace = api_key.workspace

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


def authenticate_header(header: str | None) -> ApiKey:
    """Return the active API key named by an ``Authorization`` header value (workspace loaded)."""
    if not header:
        raise AuthenticationError("Missing Authorization header. Send 'Authorization: Bearer <API key>'.")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("Malformed Authorization header. Expected 'Bearer <API key>'.")
    parts = split_token(token)
    if parts is None:
        raise AuthenticationError("Malformed API key. Keys look like 'crm_<16 hex characters>_<secret>'.")
    key_id, secret = parts
    api_key = ApiKey.objects.select_related("workspace").filter(key_id=key_id).first()
    if api_key is None or not hmac.compare_digest(api_key.digest, digest(secret)) or api_key.deleted_at:
        raise AuthenticationError("Unknown API key.")
    if api_key.revoked_at is not None:
        raise AuthenticationError("This API key has been revoked.")
    if api_key.is_expired:
        raise AuthenticationError("This API key has expired.")
    touch(api_key)
    return api_key


def touch(api_key: ApiKey) -> None:
    """Record the key's use, at most once per ``LAST_USED_RESOLUTION``."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """DRF authentication through :func:`authenticate_header`; every failure is a 401."""

    def authenticate(self, request: Any) -> tuple[ApiKeyPrincipal, ApiKey]:
        try:
            api_key = authenticate_header(request.META.get("HTTP_AUTHORIZATION"))
        except AuthenticationError as error:
            raise exceptions.AuthenticationFailed(error.message) from None
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Any) -> str:
        return "Bearer"
