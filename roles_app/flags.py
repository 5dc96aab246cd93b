"""Permission flags (Twenty 2.x ``PermissionFlagType``) and the four this product enforces.

A role holds a flag when it is listed on the role or when the role has ``canUpdateAllSettings``.
Every flag of Twenty's enum is accepted and stored; only :data:`ENFORCED` ones decide anything
(api-reference 14.2, 14.3).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "API_KEYS_AND_WEBHOOKS",
    "DATA_MODEL",
    "ENFORCED",
    "FLAG_PURPOSES",
    "PERMISSION_FLAGS",
    "ROLES",
    "WORKSPACE",
]

API_KEYS_AND_WEBHOOKS: Final = "API_KEYS_AND_WEBHOOKS"
DATA_MODEL: Final = "DATA_MODEL"
ROLES: Final = "ROLES"
WORKSPACE: Final = "WORKSPACE"

#: The flags that guard something here.
ENFORCED: Final = frozenset({API_KEYS_AND_WEBHOOKS, DATA_MODEL, ROLES, WORKSPACE})

#: Every value of Twenty's ``PermissionFlagType`` (2.43); the others are stored and have no effect.
PERMISSION_FLAGS: Final = frozenset(
    {
        "AI",
        "AI_SETTINGS",
        API_KEYS_AND_WEBHOOKS,
        "APPLICATIONS",
        "BILLING",
        "CODE_INTERPRETER_TOOL",
        "CONNECTED_ACCOUNTS",
        DATA_MODEL,
        "DOWNLOAD_FILE",
        "EXPORT_CSV",
        "HTTP_REQUEST_TOOL",
        "IMPERSONATE",
        "IMPORT_CSV",
        "LAYOUTS",
        "MARKETPLACE_APPS",
        "PROFILE_INFORMATION",
        ROLES,
        "SECURITY",
        "SEND_EMAIL_TOOL",
        "SSO_BYPASS",
        "UPLOAD_FILE",
        "VIEWS",
        "WORKFLOWS",
        WORKSPACE,
        "WORKSPACE_MEMBERS",
    }
)

#: What each enforced flag lets a key do, for refusal messages.
FLAG_PURPOSES: Final = {
    API_KEYS_AND_WEBHOOKS: "manage API keys and webhooks",
    DATA_MODEL: "change the data model",
    ROLES: "manage roles",
    WORKSPACE: "change the workspace settings",
}
