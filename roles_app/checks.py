"""Checks of the permission flags, for the views and resolvers that need one (api-reference 14.3).

- REST: :class:`RoleFlagPermission` is a default DRF permission class (``config/settings.py``);
  a view declares ``permission_flag`` (every method) or ``write_permission_flag`` (POST, PATCH,
  PUT, DELETE) and the class refuses callers whose role lacks it::

      class ApiKeysView(APIView):
          permission_flag = API_KEYS_AND_WEBHOOKS

- GraphQL: :func:`flag_required` wraps a resolver of ``/metadata``::

      @staticmethod
      @flag_required(DATA_MODEL)
      def resolve_create_one_object(root, info, input): ...

The caller is an authenticated API key: its ``permissions`` (``roles_app.permissions``) were
attached by the authenticator, from the role read with the key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from roles_app.errors import PermissionDenied
from roles_app.flags import FLAG_PURPOSES
from roles_app.permissions import NO_ROLE, RolePermissions

__all__ = [
    "RoleFlagPermission",
    "flag_required",
    "permissions_of",
    "require_any_flag",
    "require_flag",
    "require_reading_everything",
]


def permissions_of(api_key: Any) -> RolePermissions:
    """The permissions of ``api_key``'s role (nothing for a missing key)."""
    return getattr(api_key, "permissions", None) or NO_ROLE


def require_flag(permissions: RolePermissions, flag: str) -> None:
    """Refuse (403) unless the role holds ``flag`` (or ``canUpdateAllSettings``)."""
    if not permissions.has_flag(flag):
        raise PermissionDenied.to(f"{FLAG_PURPOSES.get(flag, flag)} (the {flag} permission)")


def require_any_flag(permissions: RolePermissions, *flags: str) -> None:
    """Refuse (403) unless the role holds one of ``flags``; the refusal names the last (the narrowest that would do)."""
    if not any(permissions.has_flag(flag) for flag in flags):
        require_flag(permissions, flags[-1])


def require_reading_everything(permissions: RolePermissions, purpose: str) -> None:
    """Refuse (403) unless the role reads every record and field: what ``purpose`` hands out (a
    webhook's payloads: whole records) must not reach further than the role itself."""
    if not permissions.reads_everything:
        raise PermissionDenied.to(f"{purpose}: its role cannot read every record and field")


class RoleFlagPermission(BasePermission):
    """DRF permission: the caller's role holds the view's ``permission_flag`` / ``write_permission_flag``,
    and reads everything for the methods in the view's ``methods_reading_everything``."""

    def has_permission(self, request: Any, view: Any) -> bool:
        flag = getattr(view, "permission_flag", None)
        if flag is None and request.method not in SAFE_METHODS:
            flag = getattr(view, "write_permission_flag", None)
        if flag is not None:
            require_flag(permissions_of(request.auth), flag)
        if request.method in getattr(view, "methods_reading_everything", ()):
            require_reading_everything(permissions_of(request.auth), "point webhooks at records")
        return True


def flag_required(
    flag: str, reading_everything: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a GraphQL resolver so that it runs only for keys whose role holds ``flag`` (and, given
    ``reading_everything``, the purpose of the resolver, reads every record and field)."""

    def decorate(resolver: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(resolver)
        def wrapper(root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            permissions = permissions_of(getattr(info.context, "api_key", None))
            require_flag(permissions, flag)
            if reading_everything:
                require_reading_everything(permissions, reading_everything)
            return resolver(root, info, *args, **kwargs)

        return wrapper

    return decorate
