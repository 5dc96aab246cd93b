"""Workspaces and their runtime data model: objects and fields.

Every row here is scoped to one workspace. Every change to an object or a field bumps
``Workspace.metadata_version`` in the same transaction (see ``signals.py``), which is how the
schema registry of every process learns that its snapshot is stale.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models, transaction

from metadata_app.signals_data import object_has_records, workspace_deleting

__all__ = ["FieldMetadata", "ObjectMetadata", "Workspace", "WorkspaceQuerySet"]


class WorkspaceQuerySet(models.QuerySet):
    """Workspaces; ``delete()`` removes each one's tenant rows set-wise before Django's cascade."""

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete the workspaces and everything they own, in one transaction.

        ``workspace_deleting`` is sent for each workspace first, so that records, events,
        deliveries, imports... are gone by whole-table statements before the collector looks for
        dependent rows; what it then collects is the data model, roles, keys and webhooks.
        """
        with transaction.atomic(using=self.db):
            for workspace_id in list(self.values_list("pk", flat=True)):
                workspace_deleting.send(sender=Workspace, workspace_id=workspace_id)
            return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class Workspace(models.Model):
    """A tenant: owns a data model, records, API keys, roles and webhooks, and sees nothing else.

    Its settings are api-reference section 15's: ``trash_retention_days`` (records trashed longer
    ago are destroyed by the trash purge job), ``event_log_retention_days`` (the webhook delivery
    log) and ``default_role`` (the role of API keys created without one).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(max_length=255)
    logo = models.TextField(null=True, blank=True)
    trash_retention_days = models.PositiveIntegerField(default=14)
    event_log_retention_days = models.PositiveIntegerField(default=90)
    default_role = models.ForeignKey(
        "roles_app.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metadata_version = models.PositiveBigIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """Delete the workspace and everything it owns, in one transaction (see ``WorkspaceQuerySet.delete``)."""
        with transaction.atomic(using=using):
            workspace_deleting.send(sender=Workspace, workspace_id=self.pk)
            return super().delete(using=using, keep_parents=keep_parents)


class ObjectMetadata(models.Model):
    """An object of a workspace's data model (``person``/``people``, or a custom one)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="objects_metadata")
    name_singular = models.CharField(max_length=63)
    name_plural = models.CharField(max_length=63)
    label_singular = models.CharField(max_length=200)
    label_plural = models.CharField(max_length=200)
    description = models.TextField(blank=True, null=True)
    icon = models.CharField(max_length=100, blank=True, null=True)
    is_custom = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    is_system = models.BooleanField(default=False)
    is_searchable = models.BooleanField(default=True)
    is_label_synced_with_name = models.BooleanField(default=False)
    label_identifier_field_metadata_id = models.UUIDField(null=True, blank=True)
    image_identifier_field_metadata_id = models.UUIDField(null=True, blank=True)
    duplicate_criteria = models.JSONField(default=list, blank=True)
    # Storage keys ever handed out on this object; a key is never reused, so a deleted field's
    # data can never be picked up by a new field of the same name (see FieldMetadata.storage_key).
    used_storage_keys = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    #: Set on the copy ``delete_object`` returns: the fields deleted with the object.
    deleted_fields: list[FieldMetadata]

    class Meta:
        verbose_name = "object"
        ordering = ["name_singular"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name_singular"], name="uniq_object_singular"),
            models.UniqueConstraint(fields=["workspace", "name_plural"], name="uniq_object_plural"),
        ]

    def __str__(self) -> str:
        return f"{self.name_singular} ({self.workspace_id})"

    def records_exist(self) -> bool:
        """Return True when the record store holds records of this object (asked through a signal)."""
        return any(result for _, result in object_has_records.send(sender=ObjectMetadata, obj=self))


class FieldMetadata(models.Model):
    """A field of an object; its ``type`` names a class in the field-type table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="fields_metadata")
    object = models.ForeignKey(ObjectMetadata, on_delete=models.CASCADE, related_name="fields")
    type = models.CharField(max_length=30)
    name = models.CharField(max_length=63)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True, null=True)
    icon = models.CharField(max_length=100, blank=True, null=True)
    is_custom = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    is_system = models.BooleanField(default=False)
    is_nullable = models.BooleanField(default=True)
    is_unique = models.BooleanField(default=False)
    # Marked for the index path (sort and filter through an index); unique fields and relation
    # join columns are indexed whatever this says (see ``effective_is_indexed``).
    is_indexed = models.BooleanField(default=False)
    # A search field (api-reference §13.2): its values are tokenised into the search index.
    is_searchable = models.BooleanField(default=False)
    is_label_synced_with_name = models.BooleanField(default=False)
    default_value = models.JSONField(null=True, blank=True)
    options = models.JSONField(null=True, blank=True)
    settings = models.JSONField(null=True, blank=True)
    # Key of this field's value inside Record.data; fixed at creation, never renamed.
    storage_key = models.CharField(max_length=80, editable=False)
    relation_target_object = models.ForeignKey(
        ObjectMetadata, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    relation_target_field = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "field"
        ordering = ["object_id", "created_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["object", "name"], name="uniq_field_name"),
            models.UniqueConstraint(fields=["object", "storage_key"], name="uniq_field_storage_key"),
        ]

    def __str__(self) -> str:
        return f"{self.object.name_singular}.{self.name}"

    @property
    def effective_is_indexed(self) -> bool:
        """True when the index path keeps this field's values: marked, unique, or a join column."""
        relation_type = (self.settings or {}).get("relationType")
        return bool(self.is_indexed or self.is_unique or (self.type == "RELATION" and relation_type == "MANY_TO_ONE"))

    @property
    def column_backed(self) -> bool:
        """True for system fields stored in a Record column rather than in ``Record.data``."""
        return self.is_system
