"""Refusals of the role system, in Twenty's shapes (api-reference 14.1, 14.3).

:class:`PermissionDenied` is the one answer to "this key's role may not": REST 403
``{"statusCode": 403, "error": "PermissionsException", "messages": [...]}``, GraphQL
``FORBIDDEN`` with ``subCode: PERMISSION_DENIED``. Every message starts with Twenty's sentence
and then says what was refused, so a client matching Twenty's text still matches::

    raise PermissionDenied.to("destroy people")
    # "Entity performing the request does not have permission to destroy people"
"""

from __future__ import annotations

from api_common.errors import Forbidden

__all__ = ["PERMISSION_DENIED", "PermissionDenied"]

#: Twenty's message for every permission refusal.
PERMISSION_DENIED = "Entity performing the request does not have permission"


class PermissionDenied(Forbidden):
    """403 / ``FORBIDDEN``: the key's role does not grant this; nothing was done."""

    error_name = "PermissionsException"
    user_message = "User does not have permission."
    extensions = {"subCode": "PERMISSION_DENIED"}

    @classmethod
    def to(cls, *what: str) -> PermissionDenied:
        """A refusal of each of ``what`` (``"read people"``), one message each; Twenty's sentence alone without any."""
        if not what:
            return cls(PERMISSION_DENIED)
        return cls(*(f"{PERMISSION_DENIED} to {item}" for item in what))
