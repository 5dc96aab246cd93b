"""Roles as the APIs return them: Twenty 2.x's ``Role`` with its permissions (api-reference 14.1, 14.2).

The same dicts answer ``GET /rest/metadata/roles`` and back the ``Role`` type of ``/metadata``.
Agents, tools, workspace members and row-level predicates are not offered: their fields are
``[]`` or ``false``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from roles_app.models import FieldPermission, ObjectPermission, PermissionFlag, Role

__all__ = ["field_permission_to_api", "flag_to_api", "object_permission_to_api", "role_to_api"]


def iso(moment: Any) -> str | None:
    """ISO 8601 UTC with milliseconds, or None."""
    if not moment:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def object_permission_to_api(permission: ObjectPermission, fields: list[FieldPermission]) -> dict[str, Any]:
    """An object permission, with the role's restrictions on the object's fields (``restrictedFields``)."""
    return {
        "id": str(permission.pk),
        "roleId": str(permission.role_id),
        "objectMetadataId": str(permission.object_metadata_id),
        "canReadObjectRecords": permission.can_read_object_records,
        "canUpdateObjectRecords": permission.can_update_object_records,
        "canSoftDeleteObjectRecords": permission.can_soft_delete_object_records,
        "canDestroyObjectRecords": permission.can_destroy_object_records,
        "restrictedFields": {
            str(field.field_metadata_id): {
                "canRead": field.can_read_field_value,
                "canUpdate": field.can_update_field_value,
            }
            for field in fields
            if field.object_metadata_id == permission.object_metadata_id
        },
    }


def field_permission_to_api(permission: FieldPermission) -> dict[str, Any]:
    """A field permission."""
    return {
        "id": str(permission.pk),
        "roleId": str(permission.role_id),
        "objectMetadataId": str(permission.object_metadata_id),
        "fieldMetadataId": str(permission.field_metadata_id),
        "canReadFieldValue": permission.can_read_field_value,
        "canUpdateFieldValue": permission.can_update_field_value,
    }


def flag_to_api(flag: PermissionFlag) -> dict[str, Any]:
    """A permission flag of a role."""
    return {"id": str(flag.pk), "roleId": str(flag.role_id), "flag": flag.flag}


def role_to_api(role: Role) -> dict[str, Any]:
    """A role with its flags, object and field permissions and the API keys holding it (four queries)."""
    fields = list(role.field_permissions.all())
    keys = role.api_keys.filter(deleted_at__isnull=True).order_by("pk")
    return {
        "id": str(role.pk),
        "universalIdentifier": None,
        "label": role.label,
        "description": role.description,
        "icon": role.icon,
        "isEditable": role.is_editable,
        "canBeAssignedToUsers": role.can_be_assigned_to_users,
        "canBeAssignedToAgents": False,
        "canBeAssignedToApiKeys": role.can_be_assigned_to_api_keys,
        "canUpdateAllSettings": role.can_update_all_settings,
        "canAccessAllTools": False,
        "canReadAllObjectRecords": role.can_read_all_object_records,
        "canUpdateAllObjectRecords": role.can_update_all_object_records,
        "canSoftDeleteAllObjectRecords": role.can_soft_delete_all_object_records,
        "canDestroyAllObjectRecords": role.can_destroy_all_object_records,
        "permissionFlags": [flag_to_api(flag) for flag in role.permission_flags.all()],
        "objectPermissions": [object_permission_to_api(p, fields) for p in role.object_permissions.all()],
        "fieldPermissions": [field_permission_to_api(p) for p in fields],
        "apiKeys": [
            {"id": str(k.pk), "name": k.name, "expiresAt": iso(k.expires_at), "revokedAt": iso(k.revoked_at)}
            for k in keys
        ],
        "workspaceMembers": [],
        "agents": [],
        "rowLevelPermissionPredicates": [],
        "rowLevelPermissionPredicateGroups": [],
    }
