"""Create workspaces with their standard data model and roles, and change their settings (api-reference 15)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from metadata_app.models import Workspace
from metadata_app.signals_data import data_model_changed
from metadata_app.standard_objects import seed_standard_objects
from roles_app.services import assignable_role, seed_standard_roles

__all__ = ["SETTINGS", "UNSUPPORTED_SETTINGS", "create_workspace", "update_workspace"]

#: The settings a client may change (``UpdateWorkspaceInput``), by input key.
SETTINGS = frozenset({"displayName", "logo", "trashRetentionDays", "eventLogRetentionDays", "defaultRoleId"})
#: Twenty's other ``UpdateWorkspaceInput`` keys: accepted when null, refused otherwise (nothing here uses them).
UNSUPPORTED_SETTINGS = frozenset(
    {
        "subdomain",
        "customDomain",
        "inviteHash",
        "isPublicInviteLinkEnabled",
        "isCampaignClickTrackingEnabled",
        "workspaceDiscoverability",
        "allowImpersonation",
        "isGoogleAuthEnabled",
        "isMicrosoftAuthEnabled",
        "isPasswordAuthEnabled",
        "isGoogleAuthBypassEnabled",
        "isMicrosoftAuthBypassEnabled",
        "isPasswordAuthBypassEnabled",
        "isTwoFactorAuthenticationEnforced",
        "aiChatModelTier",
        "aiAgentModelTier",
        "isAutoModelSelectionEnabled",
        "aiModelIdByTier",
        "aiEvaluationModelId",
        "aiAdditionalInstructions",
        "editableProfileFields",
        "isInternalMessagesImportEnabled",
    }
)
#: Bounds of the retention settings, in days (decision of api-reference 15).
TRASH_RETENTION_DAYS = (0, 3650)
EVENT_LOG_RETENTION_DAYS = (1, 3650)
LOGO_MAX_LENGTH = 2048


def invalid(message: str) -> ValidationError:
    """A 400 / ``BAD_USER_INPUT``."""
    return ValidationError(message, code="INVALID_INPUT")


@transaction.atomic
def create_workspace(display_name: str) -> Workspace:
    """Create a workspace and seed its standard objects, fields and relations, and its Admin and Member roles."""
    if not isinstance(display_name, str) or not display_name.strip():
        raise ValidationError("displayName is required", code="INVALID_INPUT")
    workspace = Workspace.objects.create(display_name=display_name.strip())
    seed_standard_objects(workspace)
    seed_standard_roles(workspace)
    # The store learns of the new data model (the search index's bookkeeping of searched fields).
    data_model_changed.send(sender=Workspace, workspace_id=workspace.pk)
    workspace.refresh_from_db(fields=["metadata_version", "default_role"])
    return workspace


def days(value: Any, key: str, bounds: tuple[int, int]) -> int:
    """A whole number of days within ``bounds`` (GraphQL sends Twenty's ``Float``: 14.0 is 14)."""
    low, high = bounds
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not low <= value <= high  # first: int() of an infinity (GraphQL's 1e400) raises
        or value != int(value)
    ):
        raise invalid(f"{key} must be a whole number of days from {low} to {high}")
    return int(value)


@transaction.atomic
def update_workspace(workspace: Workspace, data: Any) -> Workspace:
    """Change the settings given in ``data`` (Twenty's ``UpdateWorkspaceInput`` keys); return the workspace."""
    if not isinstance(data, dict):
        raise invalid("The body must be a JSON object")
    unknown = sorted(set(data) - SETTINGS - UNSUPPORTED_SETTINGS)
    if unknown:
        raise invalid(f"Unknown properties {', '.join(unknown)}; allowed: {', '.join(sorted(SETTINGS))}")
    unsupported = sorted(key for key in UNSUPPORTED_SETTINGS if data.get(key) is not None)
    if unsupported:
        raise ValidationError([invalid(f"Workspace setting '{key}' is not supported") for key in unsupported])
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    if "displayName" in data:
        name = data["displayName"]
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise invalid("displayName must be a non-empty string of at most 255 characters")
        workspace.display_name = name
    if "logo" in data:
        logo = data["logo"]
        if logo is not None and (not isinstance(logo, str) or len(logo) > LOGO_MAX_LENGTH):
            raise invalid(f"logo must be a URL string of at most {LOGO_MAX_LENGTH} characters, or null")
        workspace.logo = logo
    if "trashRetentionDays" in data:
        workspace.trash_retention_days = days(data["trashRetentionDays"], "trashRetentionDays", TRASH_RETENTION_DAYS)
    if "eventLogRetentionDays" in data:
        workspace.event_log_retention_days = days(
            data["eventLogRetentionDays"], "eventLogRetentionDays", EVENT_LOG_RETENTION_DAYS
        )
    if "defaultRoleId" in data:
        if data["defaultRoleId"] is None:
            raise invalid("defaultRoleId must be the id of a role")
        workspace.default_role = assignable_role(workspace, data["defaultRoleId"], "defaultRoleId")
    workspace.save()
    return workspace
