"""The record store: every record of every object of every workspace, in one table.

Field values live in ``Record.data`` (JSON), keyed by each field's immutable storage key;
system fields have columns. Uniqueness of ``isUnique`` fields is enforced by the database
through ``UniqueValue``: one row per (field, value), written in the same transaction as the
record, so two concurrent writers can never both insert the same value.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace

__all__ = ["Record", "UniqueValue"]


class Record(models.Model):
    """One record of one object. Every query is scoped by workspace and object first."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    object = models.ForeignKey(ObjectMetadata, on_delete=models.CASCADE, related_name="+", db_index=False)
    data = models.JSONField(default=dict)
    position = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.JSONField(null=True, blank=True)
    updated_by = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            # Scoping plus the default order (id) and keyset pagination on it.
            models.Index(fields=["object", "id"], name="record_object_id"),
            models.Index(fields=["object", "position"], name="record_object_position"),
            models.Index(fields=["workspace", "object", "deleted_at"], name="record_scope_deleted"),
        ]
        # PostgreSQL also gets one GIN (jsonb_path_ops) index on data: see migration 0002.

    def __str__(self) -> str:
        return str(self.id)


class UniqueValue(models.Model):
    """A value of a unique field held by a record; the unique constraint makes it exclusive."""

    object = models.ForeignKey(ObjectMetadata, on_delete=models.CASCADE, related_name="+", db_index=False)
    field = models.ForeignKey(FieldMetadata, on_delete=models.CASCADE, related_name="+", db_index=False)
    # DO_NOTHING: the record service deletes a record's values itself, which keeps record
    # deletion a single fast DELETE (no per-row cascade collection).
    record = models.ForeignKey(Record, on_delete=models.DO_NOTHING, related_name="+")
    value = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["field", "value"], name="uniq_field_value")]
        indexes = [models.Index(fields=["object", "field"], name="unique_value_object")]
