"""Output types of roles on ``/metadata``: Twenty 2.x's ``Role`` and its permissions (api-reference 14.1).

They resolve from the dicts of ``roles_app.serialize`` (the shapes ``GET /rest/metadata/roles``
returns), so both APIs give the same values. Agents, workspace members, tools and row-level
predicates are not offered (14.2): their lists are empty and their flags false.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphene.utils.str_converters import to_camel_case

from metadata_app.graphql.scalars import JSON, UUID, DateTime

__all__ = [
    "AgentNode",
    "ApiKeyForRoleNode",
    "FieldPermissionNode",
    "ObjectPermissionNode",
    "RoleNode",
    "RolePermissionFlagNode",
    "WorkspaceMemberNode",
]


def camel_resolver(attname: str, default_value: Any, root: Any, info: Any, **args: Any) -> Any:
    """Read a shaped dict by the camelCase name of the field."""
    return root.get(to_camel_case(attname), default_value)


class Shaped:
    """Meta options of a type resolving from a shaped dict."""

    default_resolver = staticmethod(camel_resolver)


class RolePermissionFlagNode(graphene.ObjectType):
    """A settings permission a role holds (``DATA_MODEL``, ``ROLES``...)."""

    class Meta(Shaped):
        name = "RolePermissionFlag"

    id = graphene.NonNull(UUID)
    role_id = graphene.NonNull(UUID)
    flag = graphene.NonNull(graphene.String)


class ObjectPermissionNode(graphene.ObjectType):
    """A role's rights on one object (null: the role-wide right applies)."""

    class Meta(Shaped):
        name = "ObjectPermission"

    id = UUID()
    role_id = UUID()
    object_metadata_id = graphene.NonNull(UUID)
    can_read_object_records = graphene.Boolean()
    can_update_object_records = graphene.Boolean()
    can_soft_delete_object_records = graphene.Boolean()
    can_destroy_object_records = graphene.Boolean()
    restricted_fields = graphene.Field(JSON, description="Field restrictions of the role on this object, by field id.")


class FieldPermissionNode(graphene.ObjectType):
    """A restriction of a role on one field."""

    class Meta(Shaped):
        name = "FieldPermission"

    id = graphene.NonNull(UUID)
    object_metadata_id = graphene.NonNull(UUID)
    field_metadata_id = graphene.NonNull(UUID)
    role_id = graphene.NonNull(UUID)
    can_read_field_value = graphene.Boolean()
    can_update_field_value = graphene.Boolean()


class ApiKeyForRoleNode(graphene.ObjectType):
    """An API key holding a role."""

    class Meta(Shaped):
        name = "ApiKeyForRole"

    id = graphene.NonNull(UUID)
    name = graphene.NonNull(graphene.String)
    expires_at = graphene.Field(DateTime)
    revoked_at = graphene.Field(DateTime)


class WorkspaceMemberNode(graphene.ObjectType):
    """A workspace member (this product has none: lists of them are empty)."""

    class Meta(Shaped):
        name = "WorkspaceMember"

    id = graphene.NonNull(UUID)
    user_email = graphene.String()


class AgentNode(graphene.ObjectType):
    """An AI agent (not offered: lists of them are empty)."""

    class Meta(Shaped):
        name = "Agent"

    id = graphene.NonNull(UUID)
    name = graphene.String()
    label = graphene.String()


class RoleNode(graphene.ObjectType):
    """A role: what the API keys holding it may read and change."""

    class Meta(Shaped):
        name = "Role"

    id = graphene.NonNull(UUID)
    universal_identifier = UUID()
    label = graphene.NonNull(graphene.String)
    description = graphene.String()
    icon = graphene.String()
    is_editable = graphene.NonNull(graphene.Boolean)
    can_be_assigned_to_users = graphene.NonNull(graphene.Boolean)
    can_be_assigned_to_agents = graphene.NonNull(graphene.Boolean)
    can_be_assigned_to_api_keys = graphene.NonNull(graphene.Boolean)
    api_keys = graphene.NonNull(graphene.List(graphene.NonNull(ApiKeyForRoleNode)))
    workspace_members = graphene.NonNull(graphene.List(graphene.NonNull(WorkspaceMemberNode)))
    agents = graphene.NonNull(graphene.List(graphene.NonNull(AgentNode)))
    can_update_all_settings = graphene.NonNull(graphene.Boolean)
    can_access_all_tools = graphene.NonNull(graphene.Boolean)
    can_read_all_object_records = graphene.NonNull(graphene.Boolean)
    can_update_all_object_records = graphene.NonNull(graphene.Boolean)
    can_soft_delete_all_object_records = graphene.NonNull(graphene.Boolean)
    can_destroy_all_object_records = graphene.NonNull(graphene.Boolean)
    permission_flags = graphene.List(graphene.NonNull(RolePermissionFlagNode))
    object_permissions = graphene.List(graphene.NonNull(ObjectPermissionNode))
    field_permissions = graphene.List(graphene.NonNull(FieldPermissionNode))
    row_level_permission_predicates = graphene.NonNull(graphene.List(graphene.NonNull(JSON)))
    row_level_permission_predicate_groups = graphene.NonNull(graphene.List(graphene.NonNull(JSON)))
