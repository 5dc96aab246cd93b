"""Roles of a workspace and their permissions (Twenty 2.x's ``Role``, ``ObjectPermission``,
``FieldPermission`` and ``RolePermissionFlag``).

A role grants rights on every object (``can…AllObjectRecords``); an object permission overrides
them for one object (a null keeps the role's value); a field permission only restricts (a
``False``, never a ``True``). ``version`` grows with every change of the role or of its
permissions, in the same transaction, so every process recompiles a role the request after it
changed (see ``roles_app.permissions``).

Workspaces, objects and fields are referenced by name: this app sits below the metadata app.
"""

from __future__ import annotations

import time
import uuid

from django.db import models
from django.db.models import F

__all__ = ["FieldPermission", "ObjectPermission", "PermissionFlag", "Role"]


def initial_version() -> int:
    """A new role's version: the time in microseconds, above every version of a role deleted before.

    Compiled permissions are kept per role id while their version is not older than the key's
    (``roles_app.permissions``); a role created again with a deleted role's id (a client may
    choose it), in any workspace, must not be served the old one's rights. Each change adds one.
    """
    return time.time_ns() // 1000


class Role(models.Model):
    """A named set of rights that API keys hold (each key holds one role)."""

    class Standard(models.TextChoices):
        """The roles every workspace is seeded with (api-reference 14.2)."""

        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey("metadata_app.Workspace", on_delete=models.CASCADE, related_name="roles")
    label = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    icon = models.CharField(max_length=100, null=True, blank=True)
    # Which seeded role this is (None for custom roles).
    standard = models.CharField(max_length=20, choices=Standard.choices, null=True, blank=True, editable=False)
    is_editable = models.BooleanField(default=True)
    can_be_assigned_to_users = models.BooleanField(default=True)
    can_be_assigned_to_api_keys = models.BooleanField(default=True)
    can_update_all_settings = models.BooleanField(default=False)
    can_read_all_object_records = models.BooleanField(default=False)
    can_update_all_object_records = models.BooleanField(default=False)
    can_soft_delete_all_object_records = models.BooleanField(default=False)
    can_destroy_all_object_records = models.BooleanField(default=False)
    version = models.PositiveBigIntegerField(default=initial_version, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "label"]
        constraints = [models.UniqueConstraint(fields=["workspace", "label"], name="uniq_role_label")]

    def __str__(self) -> str:
        return self.label

    def bump_version(self) -> None:
        """Mark the role as changed (one UPDATE, in the caller's transaction).

        Saved, not updated through a queryset: the save's signal tells the API keys' cache
        (``apikeys_app.key_cache``, which this app cannot import) that the version changed.
        """
        self.version = F("version") + 1
        self.save(update_fields=["version", "updated_at"])
        self.refresh_from_db(fields=["version", "updated_at"])


class ObjectPermission(models.Model):
    """A role's rights on one object, overriding the role-wide ones (a null keeps the role's value)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="object_permissions")
    object_metadata = models.ForeignKey("metadata_app.ObjectMetadata", on_delete=models.CASCADE, related_name="+")
    can_read_object_records = models.BooleanField(null=True, blank=True)
    can_update_object_records = models.BooleanField(null=True, blank=True)
    can_soft_delete_object_records = models.BooleanField(null=True, blank=True)
    can_destroy_object_records = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["role", "object_metadata"], name="uniq_object_permission")]


class FieldPermission(models.Model):
    """A restriction of a role on one field: ``False`` takes the right away, null leaves it to the object."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="field_permissions")
    object_metadata = models.ForeignKey("metadata_app.ObjectMetadata", on_delete=models.CASCADE, related_name="+")
    field_metadata = models.ForeignKey("metadata_app.FieldMetadata", on_delete=models.CASCADE, related_name="+")
    can_read_field_value = models.BooleanField(null=True, blank=True)
    can_update_field_value = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["role", "field_metadata"], name="uniq_field_permission")]


class PermissionFlag(models.Model):
    """A settings permission a role holds (``DATA_MODEL``, ``ROLES``...; see ``roles_app.flags``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permission_flags")
    flag = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["flag"]
        constraints = [models.UniqueConstraint(fields=["role", "flag"], name="uniq_permission_flag")]
