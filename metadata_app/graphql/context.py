"""What every resolver of the metadata schema receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from apikeys_app.authentication import AuthenticationError
from apikeys_app.models import ApiKey
from metadata_app.models import Workspace

__all__ = ["MetadataContext", "workspace_of"]


@dataclass(frozen=True)
class MetadataContext:
    """The request and the API key it was authenticated with (None for introspection-only requests)."""

    request: HttpRequest
    api_key: ApiKey | None


def workspace_of(info: Any) -> Workspace:
    """The caller's workspace; an ``AuthenticationError`` when the request carried no valid key.

    The view authenticates every operation that is not pure introspection before executing it,
    so this only guards against a resolver reached some other way.
    """
    api_key = getattr(info.context, "api_key", None)
    if api_key is None:
        raise AuthenticationError("Missing Authorization header. Send 'Authorization: Bearer <API key>'.")
    return api_key.workspace
