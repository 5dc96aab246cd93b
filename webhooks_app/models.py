"""Webhooks, the events they are told about, and the log of every delivery attempt.

- ``Webhook``: a workspace's subscription (target URL, operations, secret); soft-deleted.
- ``Event``: one record change, written in the transaction of the change (``events.py``).
- ``Delivery``: one event for one matching webhook; a background job sends it and retries it
  (``tasks.py``); ``task_id`` names the one job currently in charge of it.
- ``DeliveryAttempt``: one HTTP call of a delivery, successful or not.

Events and deliveries have time-ordered ids (UUID version 7), so ordering by id is ordering by
creation, which the id-cursor pagination of the metadata REST lists relies on.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

# The record store's UUID version 7; named here too, where the migrations find it as a default.
from core_app.store.ids import time_ordered_uuid

__all__ = ["Delivery", "DeliveryAttempt", "Event", "Webhook", "default_operations", "time_ordered_uuid"]


def default_operations() -> list[str]:
    """Every action of every object."""
    return ["*.*"]


class Webhook(models.Model):
    """A workspace's subscription: record events matching ``operations`` are POSTed to ``target_url``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A string reference keeps this app's models free of imports from the metadata app.
    workspace = models.ForeignKey("metadata_app.Workspace", on_delete=models.CASCADE, related_name="webhooks")
    target_url = models.TextField()
    operations = models.JSONField(default=default_operations)
    description = models.TextField(null=True, blank=True)
    secret = models.CharField(max_length=512, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "deleted_at"], name="webhook_workspace_live")]

    def __str__(self) -> str:
        return self.target_url

    @property
    def is_failing(self) -> bool:
        """True while the latest attempts have kept failing (see ``WEBHOOKS_FAILING_AFTER``)."""
        return self.failing_since is not None


class Event(models.Model):
    """One change of one record, as webhooks describe it (``person.updated`` and the record)."""

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    workspace = models.ForeignKey("metadata_app.Workspace", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=140)
    object_id = models.UUIDField()
    object_name = models.CharField(max_length=63)
    record_id = models.UUIDField()
    # The record's API form as JSON text, so its key order survives (PostgreSQL's jsonb would
    # reorder keys) and each delivery embeds it without parsing it again.
    record = models.TextField()
    updated_fields = models.JSONField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["occurred_at"], name="webhook_event_occurred")]

    def __str__(self) -> str:
        return f"{self.name} {self.record_id}"


class Delivery(models.Model):
    """One event for one webhook; its ``status`` says whether it still has to be sent."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "pending"
        SUCCEEDED = "SUCCEEDED", "succeeded"
        FAILED = "FAILED", "failed (attempts exhausted)"
        CANCELLED = "CANCELLED", "cancelled (webhook deleted)"

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # Attempts since the delivery was created or last redelivered by hand: the retry budget.
    round_attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The job in charge; any other job that finds this delivery leaves it alone.
    task_id = models.UUIDField(null=True, blank=True)
    last_status_code = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["webhook", "id"], name="webhook_delivery_log"),
            models.Index(fields=["status"], name="webhook_delivery_pending", condition=Q(status="PENDING")),
        ]

    def __str__(self) -> str:
        return f"{self.event.name} -> {self.webhook.target_url} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP call of a delivery: when, how long, what came back or what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts", db_index=False)
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.IntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.TextField(blank=True, default="")
    response_excerpt = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number")]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"
