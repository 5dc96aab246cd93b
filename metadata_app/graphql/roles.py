"""Roles on ``/metadata`` (Twenty 2.x names, api-reference 14.1, 14.2): read, create, change, delete,
set object, field and settings permissions, and assign a role to an API key.

Everything but ``assignRoleToApiKey`` and ``getApiKeyRoles`` needs the ``ROLES`` permission; those
two are API-key management (``API_KEYS_AND_WEBHOOKS``). Every change goes through
``roles_app.services`` with the caller's permissions, so a key hands out only what it holds.
"""

from __future__ import annotations

from typing import Any

import graphene

from apikeys_app import services as key_services
from metadata_app.graphql.context import workspace_of
from metadata_app.graphql.inputs import to_service_input
from metadata_app.graphql.role_types import (
    FieldPermissionNode,
    ObjectPermissionNode,
    RoleNode,
    RolePermissionFlagNode,
)
from metadata_app.graphql.scalars import UUID
from roles_app import services
from roles_app.checks import flag_required, permissions_of, require_any_flag
from roles_app.flags import API_KEYS_AND_WEBHOOKS, ROLES
from roles_app.models import Role
from roles_app.permissions import RolePermissions
from roles_app.serialize import field_permission_to_api, flag_to_api, object_permission_to_api, role_to_api

__all__ = ["RoleMutations", "RoleQueries"]


def caller_of(info: Any) -> RolePermissions:
    """The permissions of the key that sent the request."""
    return permissions_of(getattr(info.context, "api_key", None))


class RoleFlags:
    """The flags of ``CreateRoleInput`` and ``UpdateRolePayload``."""

    can_update_all_settings = graphene.Boolean()
    can_access_all_tools = graphene.Boolean()
    can_read_all_object_records = graphene.Boolean()
    can_update_all_object_records = graphene.Boolean()
    can_soft_delete_all_object_records = graphene.Boolean()
    can_destroy_all_object_records = graphene.Boolean()
    can_be_assigned_to_users = graphene.Boolean()
    can_be_assigned_to_agents = graphene.Boolean()
    can_be_assigned_to_api_keys = graphene.Boolean()


class CreateRoleInput(RoleFlags, graphene.InputObjectType):
    """A new role; every right not given is false."""

    id = UUID()
    label = graphene.String(required=True)
    description = graphene.String()
    icon = graphene.String()


class UpdateRolePayload(RoleFlags, graphene.InputObjectType):
    """An update patch of a role: only the keys sent change."""

    label = graphene.String()
    description = graphene.String()
    icon = graphene.String()


class UpdateRoleInput(graphene.InputObjectType):
    """``{ id, update: UpdateRolePayload }``."""

    id = UUID(required=True)
    update = graphene.InputField(graphene.NonNull(UpdateRolePayload))


class ObjectPermissionInput(graphene.InputObjectType):
    """A role's rights on one object; a null right defers to the role-wide one."""

    object_metadata_id = UUID(required=True)
    can_read_object_records = graphene.Boolean()
    can_update_object_records = graphene.Boolean()
    can_soft_delete_object_records = graphene.Boolean()
    can_destroy_object_records = graphene.Boolean()


class UpsertObjectPermissionsInput(graphene.InputObjectType):
    """``{ roleId, objectPermissions }``."""

    role_id = UUID(required=True)
    object_permissions = graphene.List(graphene.NonNull(ObjectPermissionInput), required=True)


class FieldPermissionInput(graphene.InputObjectType):
    """A restriction on one field: ``false`` or null (true is refused: field permissions only restrict)."""

    object_metadata_id = UUID(required=True)
    field_metadata_id = UUID(required=True)
    can_read_field_value = graphene.Boolean()
    can_update_field_value = graphene.Boolean()


class UpsertFieldPermissionsInput(graphene.InputObjectType):
    """``{ roleId, fieldPermissions }``."""

    role_id = UUID(required=True)
    field_permissions = graphene.List(graphene.NonNull(FieldPermissionInput), required=True)


class UpsertPermissionFlagsInput(graphene.InputObjectType):
    """``{ roleId, permissionFlagKeys }``: the role's flags become exactly these."""

    role_id = UUID(required=True)
    permission_flag_keys = graphene.List(graphene.NonNull(graphene.String), required=True)


def argument(input_type: type[graphene.InputObjectType]) -> graphene.Argument:
    """A required input argument."""
    return graphene.Argument(graphene.NonNull(input_type))


class RoleQueries(graphene.ObjectType):
    """The workspace's roles."""

    get_roles = graphene.NonNull(graphene.List(graphene.NonNull(RoleNode)))
    get_api_key_roles = graphene.NonNull(graphene.List(graphene.NonNull(RoleNode)))

    @staticmethod
    @flag_required(ROLES)
    def resolve_get_roles(root: Any, info: Any) -> list[dict[str, Any]]:
        """Every role of the workspace, oldest first."""
        return [role_to_api(role) for role in Role.objects.filter(workspace=workspace_of(info))]

    @staticmethod
    def resolve_get_api_key_roles(root: Any, info: Any) -> list[dict[str, Any]]:
        """The roles API keys may hold (for whoever manages keys or roles)."""
        caller = caller_of(info)
        require_any_flag(caller, ROLES, API_KEYS_AND_WEBHOOKS)
        roles = Role.objects.filter(workspace=workspace_of(info), can_be_assigned_to_api_keys=True)
        return [role_to_api(role) for role in roles]


class RoleMutations(graphene.ObjectType):
    """Change the workspace's roles and their permissions, and the role of an API key."""

    create_one_role = graphene.NonNull(RoleNode, create_role_input=argument(CreateRoleInput))
    update_one_role = graphene.NonNull(RoleNode, update_role_input=argument(UpdateRoleInput))
    delete_one_role = graphene.NonNull(graphene.String, role_id=UUID(required=True))
    upsert_object_permissions = graphene.NonNull(
        graphene.List(graphene.NonNull(ObjectPermissionNode)),
        upsert_object_permissions_input=argument(UpsertObjectPermissionsInput),
    )
    upsert_field_permissions = graphene.NonNull(
        graphene.List(graphene.NonNull(FieldPermissionNode)),
        upsert_field_permissions_input=argument(UpsertFieldPermissionsInput),
    )
    upsert_permission_flags = graphene.NonNull(
        graphene.List(graphene.NonNull(RolePermissionFlagNode)),
        upsert_permission_flags_input=argument(UpsertPermissionFlagsInput),
    )
    assign_role_to_api_key = graphene.NonNull(
        graphene.Boolean, api_key_id=UUID(required=True), role_id=UUID(required=True)
    )

    @staticmethod
    @flag_required(ROLES)
    def resolve_create_one_role(root: Any, info: Any, create_role_input: Any) -> dict[str, Any]:
        """Create a role."""
        role = services.create_role(workspace_of(info), to_service_input(create_role_input), caller_of(info))
        return role_to_api(role)

    @staticmethod
    @flag_required(ROLES)
    def resolve_update_one_role(root: Any, info: Any, update_role_input: Any) -> dict[str, Any]:
        """Apply an update patch to a role (Admin is not editable)."""
        data = update_role_input
        role = services.update_role(workspace_of(info), data["id"], to_service_input(data["update"]), caller_of(info))
        return role_to_api(role)

    @staticmethod
    @flag_required(ROLES)
    def resolve_delete_one_role(root: Any, info: Any, role_id: Any) -> str:
        """Delete a role; its keys get the default role. Answers the role's id."""
        return services.delete_role(workspace_of(info), role_id, caller_of(info))

    @staticmethod
    @flag_required(ROLES)
    def resolve_upsert_object_permissions(
        root: Any, info: Any, upsert_object_permissions_input: Any
    ) -> list[dict[str, Any]]:
        """Set rights on objects; answers the role's object permissions."""
        data = to_service_input(upsert_object_permissions_input)
        workspace = workspace_of(info)
        permissions = services.upsert_object_permissions(
            workspace, data["roleId"], data["objectPermissions"], caller_of(info)
        )
        fields = list(services.get_role(workspace, data["roleId"]).field_permissions.all())
        return [object_permission_to_api(permission, fields) for permission in permissions]

    @staticmethod
    @flag_required(ROLES)
    def resolve_upsert_field_permissions(
        root: Any, info: Any, upsert_field_permissions_input: Any
    ) -> list[dict[str, Any]]:
        """Restrict fields; answers the role's field permissions."""
        data = to_service_input(upsert_field_permissions_input)
        permissions = services.upsert_field_permissions(
            workspace_of(info), data["roleId"], data["fieldPermissions"], caller_of(info)
        )
        return [field_permission_to_api(permission) for permission in permissions]

    @staticmethod
    @flag_required(ROLES)
    def resolve_upsert_permission_flags(
        root: Any, info: Any, upsert_permission_flags_input: Any
    ) -> list[dict[str, Any]]:
        """Set the role's flags; answers them."""
        data = to_service_input(upsert_permission_flags_input)
        flags = services.upsert_permission_flags(
            workspace_of(info), data["roleId"], data["permissionFlagKeys"], caller_of(info)
        )
        return [flag_to_api(flag) for flag in flags]

    @staticmethod
    @flag_required(API_KEYS_AND_WEBHOOKS)
    def resolve_assign_role_to_api_key(root: Any, info: Any, api_key_id: Any, role_id: Any) -> bool:
        """Give an API key another role (one its caller's role covers)."""
        key_services.assign_role(workspace_of(info), api_key_id, role_id, caller_of(info))
        return True
