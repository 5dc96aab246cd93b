"""``updateWorkspace`` on ``/metadata`` (api-reference 15): the ``WORKSPACE`` permission is needed."""

from __future__ import annotations

from typing import Any

import graphene

from metadata_app.graphql.context import workspace_of
from metadata_app.graphql.inputs import to_service_input
from metadata_app.graphql.scalars import JSON, UUID
from metadata_app.graphql.types import WorkspaceNode
from metadata_app.rest.serialize import base_url, workspace_to_api
from metadata_app.services.workspaces import update_workspace
from roles_app.checks import flag_required
from roles_app.flags import WORKSPACE

__all__ = ["UpdateWorkspaceInput", "WorkspaceMutations"]

WorkspaceDiscoverability = graphene.Enum(
    "WorkspaceDiscoverability", [(v, v) for v in ("PUBLIC", "MEMBERS_AND_INVITEES", "HIDDEN")]
)
AiModelTier = graphene.Enum("AiModelTier", [(v, v) for v in ("extraFast", "fast", "balanced", "smart", "extraSmart")])


class UpdateWorkspaceInput(graphene.InputObjectType):
    """Twenty's ``UpdateWorkspaceInput``. ``displayName``, ``logo``, ``trashRetentionDays``,
    ``eventLogRetentionDays`` and ``defaultRoleId`` change the workspace; every other key is accepted
    when null and refused otherwise (``Workspace setting '<name>' is not supported``)."""

    display_name = graphene.String()
    logo = graphene.String()
    trash_retention_days = graphene.Float(description="Whole days, 0 to 3650 (0: trashed records go at the next run).")
    event_log_retention_days = graphene.Float(description="Whole days, 1 to 3650.")
    default_role_id = UUID()
    subdomain = graphene.String()
    custom_domain = graphene.String()
    invite_hash = graphene.String()
    is_public_invite_link_enabled = graphene.Boolean()
    is_campaign_click_tracking_enabled = graphene.Boolean()
    workspace_discoverability = graphene.Field(WorkspaceDiscoverability)
    allow_impersonation = graphene.Boolean()
    is_google_auth_enabled = graphene.Boolean()
    is_microsoft_auth_enabled = graphene.Boolean()
    is_password_auth_enabled = graphene.Boolean()
    is_google_auth_bypass_enabled = graphene.Boolean()
    is_microsoft_auth_bypass_enabled = graphene.Boolean()
    is_password_auth_bypass_enabled = graphene.Boolean()
    is_two_factor_authentication_enforced = graphene.Boolean()
    ai_chat_model_tier = graphene.Field(AiModelTier)
    ai_agent_model_tier = graphene.Field(AiModelTier)
    is_auto_model_selection_enabled = graphene.Boolean()
    ai_model_id_by_tier = graphene.Field(JSON)
    ai_evaluation_model_id = graphene.String()
    ai_additional_instructions = graphene.String()
    editable_profile_fields = graphene.List(graphene.NonNull(graphene.String))
    is_internal_messages_import_enabled = graphene.Boolean()


class WorkspaceMutations(graphene.ObjectType):
    """Change the workspace's settings."""

    update_workspace = graphene.NonNull(WorkspaceNode, data=graphene.Argument(graphene.NonNull(UpdateWorkspaceInput)))

    @staticmethod
    @flag_required(WORKSPACE)
    def resolve_update_workspace(root: Any, info: Any, data: Any) -> dict[str, Any]:
        """Apply the settings given; answers the workspace as ``currentWorkspace`` would."""
        values = to_service_input(data)
        if values.get("defaultRoleId") is not None:
            values["defaultRoleId"] = str(values["defaultRoleId"])
        workspace = update_workspace(workspace_of(info), values)
        return workspace_to_api(workspace, base_url(info.context.request))
