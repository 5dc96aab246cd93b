"""Create, change and delete roles and their permissions, with Twenty's rules and messages (14.1, 14.2).

Every function takes the workspace, Twenty's camelCase input, and ``caller``: the permissions of
the API key asking (None for trusted callers: the admin, management commands, seeding). A caller
may only hand out what its own role grants: the role a change leaves, or a role assigned to a
key, must be covered by the caller's role (:func:`check_grant`), so no key widens itself or
another key. Each change runs in one transaction and bumps the role's version.

Objects and fields are the metadata app's, reached through the foreign keys (this app sits below
the metadata app).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from api_common.inputs import unknown_keys
from roles_app.errors import PermissionDenied
from roles_app.flags import PERMISSION_FLAGS
from roles_app.models import FieldPermission, ObjectPermission, PermissionFlag, Role
from roles_app.permissions import RolePermissions, compile_role

__all__ = [
    "assignable_role",
    "check_grant",
    "create_role",
    "default_role",
    "default_role_id",
    "delete_role",
    "get_role",
    "seed_standard_roles",
    "update_role",
    "upsert_field_permissions",
    "upsert_object_permissions",
    "upsert_permission_flags",
]

#: Role attributes by input key; flags of Twenty's ``CreateRoleInput`` / ``UpdateRolePayload``.
ROLE_TEXTS = {"label": "label", "description": "description", "icon": "icon"}
ROLE_BOOLEANS = {
    "canUpdateAllSettings": "can_update_all_settings",
    "canReadAllObjectRecords": "can_read_all_object_records",
    "canUpdateAllObjectRecords": "can_update_all_object_records",
    "canSoftDeleteAllObjectRecords": "can_soft_delete_all_object_records",
    "canDestroyAllObjectRecords": "can_destroy_all_object_records",
    "canBeAssignedToUsers": "can_be_assigned_to_users",
    "canBeAssignedToApiKeys": "can_be_assigned_to_api_keys",
}
#: Accepted for Twenty's clients and ignored: agents and tools are not offered (14.2).
ROLE_IGNORED = frozenset({"canAccessAllTools", "canBeAssignedToAgents"})
OBJECT_RIGHTS = {
    "canReadObjectRecords": "can_read_object_records",
    "canUpdateObjectRecords": "can_update_object_records",
    "canSoftDeleteObjectRecords": "can_soft_delete_object_records",
    "canDestroyObjectRecords": "can_destroy_object_records",
}
FIELD_RIGHTS = {"canReadFieldValue": "can_read_field_value", "canUpdateFieldValue": "can_update_field_value"}

WRITE_WITHOUT_READ = "Cannot give writing permission without reading permission"
WRITE_ON_UNREADABLE = "Cannot give update permission to non-readable object"
NOT_EDITABLE = "Role is not editable"


def object_model() -> Any:
    """The metadata app's ``ObjectMetadata`` (through the foreign key: this app may not import it)."""
    return ObjectPermission._meta.get_field("object_metadata").related_model


def field_model() -> Any:
    """The metadata app's ``FieldMetadata``."""
    return FieldPermission._meta.get_field("field_metadata").related_model


def invalid(message: str) -> ValidationError:
    """A 400 / ``BAD_USER_INPUT``."""
    return ValidationError(message, code="INVALID_INPUT")


def parse_uuid(value: Any, key: str) -> uuid.UUID:
    """``value`` as a UUID; a 400 naming ``key`` otherwise."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise invalid(f"{key} '{value}' is not a valid UUID") from None


def check_keys(data: Any, allowed: set[str], what: str) -> dict[str, Any]:
    """``data`` as an object holding only ``allowed`` keys."""
    unknown = unknown_keys(data, allowed)
    if unknown is None:
        raise invalid(f"{what} must be a JSON object")
    if unknown:
        raise invalid(f"Unknown properties of {what}: {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return data


def boolean(data: dict[str, Any], key: str, nullable: bool) -> bool | None:
    """A boolean input (null only where ``nullable``)."""
    value = data[key]
    if value is None and nullable:
        return None
    if not isinstance(value, bool):
        raise invalid(f"{key} must be {'true, false or null' if nullable else 'true or false'}")
    return value


# -- reading --------------------------------------------------------------------------------------


def get_role(workspace: Any, role_id: Any) -> Role:
    """The role ``role_id`` of ``workspace``; 404 for any other id (another workspace's included)."""
    pk = parse_uuid(role_id, "id")
    role = Role.objects.filter(pk=pk, workspace=workspace).first()
    if role is None:
        raise Http404(f"Role with id {role_id} not found in workspace")
    return role


def default_role_id(workspace: Any) -> uuid.UUID | None:
    """The id of the role of keys created without one, as stored now."""
    return type(workspace).objects.filter(pk=workspace.pk).values_list("default_role_id", flat=True).first()


def default_role(workspace: Any) -> Role | None:
    """The role of keys created without one (``Workspace.defaultRole``)."""
    role_id = default_role_id(workspace)
    return Role.objects.filter(pk=role_id).first() if role_id else None


def assignable_role(workspace: Any, role_id: Any, key: str = "roleId") -> Role:
    """A role of ``workspace`` that API keys may hold; 400 otherwise (14.1's messages), naming the
    input ``key`` when it is no UUID."""
    pk = parse_uuid(role_id, key)
    role = Role.objects.filter(pk=pk, workspace=workspace).first()
    if role is None:
        raise invalid(f"Role with id {role_id} not found in workspace")
    if not role.can_be_assigned_to_api_keys:
        raise invalid(f"Role '{role.label}' cannot be assigned to API keys")
    return role


def object_names(workspace: Any) -> tuple[list[str], dict[str, str]]:
    """Ids of the workspace's objects, and API names of its objects and fields by id (for messages)."""
    objects = {
        str(pk): name
        for pk, name in object_model().objects.filter(workspace=workspace).values_list("id", "name_singular")
    }
    fields = {
        str(pk): f"{objects.get(str(obj), obj)}.{name}"
        for pk, obj, name in field_model().objects.filter(workspace=workspace).values_list("id", "object_id", "name")
    }
    return list(objects), {**objects, **fields}


def check_grant(caller: RolePermissions | None, granted: RolePermissions, workspace: Any) -> None:
    """Refuse (403) when ``granted`` holds a right the caller's own role does not hold."""
    if caller is None or (caller.all_settings and caller.all_records):
        return  # a trusted caller, or a role holding every right (Admin)
    object_ids, names = object_names(workspace)
    missing = caller.missing_from(granted, object_ids, names)
    if missing:
        raise PermissionDenied.to(f"grant rights its own role does not hold: {'; '.join(missing)}")


def settle(role: Role, caller: RolePermissions | None) -> Role:
    """After a change of ``role`` (in its transaction): bump its version and check the caller covers it."""
    role.bump_version()
    check_grant(caller, compile_role(role), role.workspace)
    return role


# -- roles ----------------------------------------------------------------------------------------


def seed_standard_roles(workspace: Any) -> tuple[Role, Role]:
    """Create Admin (every right, not editable) and Member (every record right, no settings); Admin is the default."""
    admin = Role.objects.create(
        workspace=workspace,
        label="Admin",
        description="Admin role",
        icon="IconUserCog",
        standard=Role.Standard.ADMIN,
        is_editable=False,
        can_update_all_settings=True,
        can_read_all_object_records=True,
        can_update_all_object_records=True,
        can_soft_delete_all_object_records=True,
        can_destroy_all_object_records=True,
    )
    member = Role.objects.create(
        workspace=workspace,
        label="Member",
        description="Member role",
        icon="IconUser",
        standard=Role.Standard.MEMBER,
        is_editable=True,
        can_update_all_settings=False,
        can_read_all_object_records=True,
        can_update_all_object_records=True,
        can_soft_delete_all_object_records=True,
        can_destroy_all_object_records=True,
    )
    type(workspace).objects.filter(pk=workspace.pk).update(default_role=admin)
    workspace.default_role_id = admin.pk
    return admin, member


def apply_role_input(role: Role, data: dict[str, Any]) -> None:
    """Set the attributes given in ``data`` on ``role`` (unsaved), checking each value."""
    for key, attribute in ROLE_TEXTS.items():
        if key not in data:
            continue
        value = data[key]
        if key == "label":
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                raise invalid("label is required: a non-empty string of at most 200 characters")
            value = value.strip()
        elif value is not None and not isinstance(value, str):
            raise invalid(f"{key} must be a string or null")
        setattr(role, attribute, value)
    for key, attribute in ROLE_BOOLEANS.items():
        if key in data:
            setattr(role, attribute, boolean(data, key, nullable=False))
    writes = (
        role.can_update_all_object_records,
        role.can_soft_delete_all_object_records,
        role.can_destroy_all_object_records,
    )
    if any(writes) and not role.can_read_all_object_records:
        raise invalid(WRITE_WITHOUT_READ)
    if Role.objects.filter(workspace_id=role.workspace_id, label=role.label).exclude(pk=role.pk).exists():
        raise invalid("A role with this label already exists")


@transaction.atomic
def create_role(workspace: Any, data: Any, caller: RolePermissions | None = None) -> Role:
    """Create a custom role (editable; rights default to none)."""
    data = check_keys(data, {"id", *ROLE_TEXTS, *ROLE_BOOLEANS, *ROLE_IGNORED}, "the role")
    if "label" not in data:
        raise invalid("label is required: a non-empty string of at most 200 characters")
    role = Role(workspace=workspace, is_editable=True)
    if data.get("id") is not None:
        role.pk = parse_uuid(data["id"], "id")
        if Role.objects.filter(pk=role.pk).exists():
            # The same answer whichever workspace holds it: another's roles are not found by id.
            raise invalid(f"Role id {role.pk} is not available; leave id out to get a new one")
    apply_role_input(role, data)
    role.save()
    return settle(role, caller)


def editable_role(workspace: Any, role_id: Any) -> Role:
    """A role that may be changed; Admin is not (Twenty's ``Role is not editable``, 400)."""
    role = get_role(workspace, role_id)
    if not role.is_editable:
        raise invalid(NOT_EDITABLE)
    return role


@transaction.atomic
def update_role(workspace: Any, role_id: Any, data: Any, caller: RolePermissions | None = None) -> Role:
    """Apply an update patch to a role."""
    data = check_keys(data, {*ROLE_TEXTS, *ROLE_BOOLEANS, *ROLE_IGNORED}, "the update")
    role = editable_role(workspace, role_id)
    apply_role_input(role, data)
    if not role.can_be_assigned_to_api_keys and default_role_id(workspace) == role.pk:
        # Keys created without a role, and those of a deleted role, get the default one.
        raise invalid(
            f"Role '{role.label}' is the workspace's default role: API keys must be able to hold it "
            "(choose another defaultRoleId first)"
        )
    role.save()
    return settle(role, caller)


@transaction.atomic
def delete_role(workspace: Any, role_id: Any, caller: RolePermissions | None = None) -> str:
    """Delete a role; the keys holding it get the workspace's default role. Return its id."""
    role = editable_role(workspace, role_id)
    fallback = default_role(workspace)
    if fallback is None or fallback.pk == role.pk:
        raise invalid("Default role cannot be deleted")
    # The keys that move to the default role must not gain through it what the caller lacks.
    if role.api_keys.exists():
        check_grant(caller, compile_role(fallback), workspace)
        role.api_keys.update(role=fallback)
    role.delete()
    return str(role_id)


# -- permissions ----------------------------------------------------------------------------------


def workspace_object(workspace: Any, object_id: Any) -> Any:
    """An object of the workspace; 400 ``Object metadata not found`` otherwise."""
    pk = parse_uuid(object_id, "objectMetadataId")
    found = object_model().objects.filter(pk=pk, workspace=workspace).first()
    if found is None:
        raise invalid("Object metadata not found")
    return found


@transaction.atomic
def upsert_object_permissions(
    workspace: Any, role_id: Any, items: Any, caller: RolePermissions | None = None
) -> list[ObjectPermission]:
    """Set a role's rights on objects; keys left out keep their value, a null defers to the role's."""
    role = editable_role(workspace, role_id)
    if not isinstance(items, list):
        raise invalid("objectPermissions must be an array")
    seen: set[Any] = set()
    for raw in items:
        item = check_keys(raw, {"objectMetadataId", *OBJECT_RIGHTS}, "an object permission")
        obj = workspace_object(workspace, item.get("objectMetadataId"))
        if obj.pk in seen:
            raise invalid(f"Cannot accept more than one objectPermission for object {obj.pk} in input.")
        seen.add(obj.pk)
        if obj.is_system:
            raise invalid("Cannot add object permission on system object")
        permission = ObjectPermission.objects.filter(role=role, object_metadata=obj).first() or ObjectPermission(
            role=role, object_metadata=obj
        )
        for key, attribute in OBJECT_RIGHTS.items():
            if key in item:
                setattr(permission, attribute, boolean(item, key, nullable=True))
        readable = resolved(permission.can_read_object_records, role.can_read_all_object_records)
        writes = (
            resolved(permission.can_update_object_records, role.can_update_all_object_records),
            resolved(permission.can_soft_delete_object_records, role.can_soft_delete_all_object_records),
            resolved(permission.can_destroy_object_records, role.can_destroy_all_object_records),
        )
        if not readable and any(writes):
            raise invalid(WRITE_ON_UNREADABLE)
        permission.save()
    settle(role, caller)
    return list(ObjectPermission.objects.filter(role=role))


def resolved(own: bool | None, role_wide: bool) -> bool:
    """An object's right: its own value, else the role's."""
    return role_wide if own is None else own


@transaction.atomic
def upsert_field_permissions(
    workspace: Any, role_id: Any, items: Any, caller: RolePermissions | None = None
) -> list[FieldPermission]:
    """Restrict a role on fields (only ``false`` or null); a permission left with two nulls is removed."""
    role = editable_role(workspace, role_id)
    if not isinstance(items, list):
        raise invalid("fieldPermissions must be an array")
    rights = compile_role(role)
    seen: set[Any] = set()
    for raw in items:
        item = check_keys(raw, {"objectMetadataId", "fieldMetadataId", *FIELD_RIGHTS}, "a field permission")
        field_id = parse_uuid(item.get("fieldMetadataId"), "fieldMetadataId")
        if field_id in seen:
            raise invalid(f"Cannot accept more than one fieldPermission for field {field_id} in input.")
        seen.add(field_id)
        values = {key: boolean(item, key, nullable=True) for key in FIELD_RIGHTS if key in item}
        if any(value is True for value in values.values()):
            raise invalid("Field permission can only introduce a restriction")
        obj = workspace_object(workspace, item.get("objectMetadataId"))
        if obj.is_system:
            raise invalid("Cannot add field permission on system object")
        field = field_model().objects.filter(pk=field_id, object=obj).first()
        if field is None:
            raise invalid("Field metadata not found")
        if field.name == "id":
            raise invalid("The id of a record is always readable: 'id' cannot be restricted")
        object_rights = rights.on(str(obj.pk))
        if not object_rights.read:
            raise invalid("Field restriction only makes sense on readable object")
        if values.get("canUpdateFieldValue") is False and not object_rights.update:
            raise invalid("Field restriction on update only makes sense on updatable object")
        permission = FieldPermission.objects.filter(role=role, field_metadata=field).first()
        if permission is None and all(value is None for value in values.values()):
            raise invalid("Empty field permission not allowed")
        permission = permission or FieldPermission(role=role, object_metadata=obj, field_metadata=field)
        for key, value in values.items():
            setattr(permission, FIELD_RIGHTS[key], value)
        if permission.can_read_field_value is None and permission.can_update_field_value is None:
            if permission.pk and not permission._state.adding:
                permission.delete()
            continue
        permission.save()
    settle(role, caller)
    return list(FieldPermission.objects.filter(role=role))


@transaction.atomic
def upsert_permission_flags(
    workspace: Any, role_id: Any, keys: Any, caller: RolePermissions | None = None
) -> list[PermissionFlag]:
    """Set a role's permission flags to exactly ``keys`` (Twenty's ``PermissionFlagType`` values)."""
    role = editable_role(workspace, role_id)
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise invalid("permissionFlagKeys must be an array of strings")
    unknown = sorted(set(keys) - PERMISSION_FLAGS)
    if unknown:
        raise invalid(f"Invalid permission setting (unknown value): {', '.join(unknown)}")
    PermissionFlag.objects.filter(role=role).exclude(flag__in=keys).delete()
    held = set(PermissionFlag.objects.filter(role=role).values_list("flag", flat=True))
    PermissionFlag.objects.bulk_create([PermissionFlag(role=role, flag=key) for key in sorted(set(keys) - held)])
    settle(role, caller)
    return list(PermissionFlag.objects.filter(role=role))
