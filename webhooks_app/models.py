"""Webhooks, the events they are told about, and the log of every delivery attempt.

- ``Webhook``: a workspace's subscription (target URL, operations, secret); soft-deleted.
- ``Event``: one record change, written in the transaction of the change (``events.py``).
- ``Delivery``: one event for one matching webhook; a background job sends it and retries it
  (``tasks.py``); ``task_id`` names the one job currently in charge of it.
- ``DeliveryAttempt``: one HTTP call of a delivery, successful or not.

Events and deliveries have time-ordered ids (UUID version 7, monotonic within a process), so
ordering by id is ordering by creation, which the id-cursor pagination of the metadata REST lists
relies on. An event also carries ``xid``, the commit-order key of the event feed (``feed.py``):
the writing transaction's id on PostgreSQL, a counter bumped by a trigger on SQLite (whose writes
are serialised, so insertion order is commit order).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

# The record store's UUID version 7 (one implementation; the migrations find it here as a default).
from core_app.store.ids import time_ordered_uuid, uuid_millis

__all__ = [
    "SQLITE_EVENT_CLOCK",
    "CurrentTransactionId",
    "Delivery",
    "DeliveryAttempt",
    "Event",
    "Webhook",
    "default_operations",
    "ensure_event_clock",
    "time_ordered_uuid",
    "uuid_millis",
]

#: SQLite's source of ``Event.xid``: a one-row counter and the trigger that bumps it for each new
#: event (as migration 0002 creates them). Idempotent, and run again after every ``migrate``
#: (``WebhooksAppConfig``): SQLite rebuilds a table for most schema changes, dropping its triggers.
SQLITE_EVENT_CLOCK = (
    "CREATE TABLE IF NOT EXISTS webhooks_app_eventclock (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO webhooks_app_eventclock (id, value) SELECT 1, COALESCE(MAX(xid), 0) FROM webhooks_app_event",
    "CREATE TRIGGER IF NOT EXISTS webhooks_app_event_xid AFTER INSERT ON webhooks_app_event FOR EACH ROW "
    "WHEN NEW.xid = 0 BEGIN "
    "UPDATE webhooks_app_eventclock SET value = value + 1 WHERE id = 1; "
    "UPDATE webhooks_app_event SET xid = (SELECT value FROM webhooks_app_eventclock WHERE id = 1) "
    "WHERE rowid = NEW.rowid; "
    "END",
)


def ensure_event_clock(connection: Any) -> None:
    """Create SQLite's event counter and trigger when missing (nothing on other databases)."""
    if connection.vendor != "sqlite":
        return
    tables = connection.introspection.table_names()
    if "webhooks_app_event" not in tables:
        return  # not migrated yet
    with connection.cursor() as cursor:
        for statement in SQLITE_EVENT_CLOCK:
            cursor.execute(statement)


class CurrentTransactionId(models.Func):
    """The column default of ``Event.xid``: the writing transaction's id on PostgreSQL.

    ``pg_current_xact_id()`` is a 64-bit ``xid8`` (it never wraps around), cast through text to
    bigint. SQLite has no transaction id: the default there is 0 and a trigger (migration 0002)
    replaces it with the next value of a counter.
    """

    output_field = models.BigIntegerField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra: Any,
    ) -> tuple[str, list[Any]]:
        return "0", []

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return "(pg_current_xact_id()::text::bigint)", []


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
    # A REST filter (api-reference 1.3) on the record after the change; None delivers every change.
    filter = models.TextField(null=True, blank=True)
    # Field names: an update is delivered only when it changed one of them; None for any update.
    fields = models.JSONField(null=True, blank=True)
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
    # No constraint in the database: every record write adds events, and the check (a lookup of
    # the workspace row, locked FOR KEY SHARE until the commit) cost each one a statement and made
    # concurrent writers of a workspace share a lock on its row. Deleting a workspace through the
    # ORM still deletes its events (Django cascades itself). No index of its own either: the feed's
    # index starts with the workspace.
    workspace = models.ForeignKey(
        "metadata_app.Workspace", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    name = models.CharField(max_length=140)
    object_id = models.UUIDField()
    object_name = models.CharField(max_length=63)
    record_id = models.UUIDField()
    # The record's API form as JSON text, so its key order survives (PostgreSQL's jsonb would
    # reorder keys) and each delivery embeds it without parsing it again.
    record = models.TextField()
    updated_fields = models.JSONField(null=True, blank=True)
    # Updates: the values before the change of the updated fields, as JSON text (key order kept).
    before = models.TextField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    # The commit-order key of the event feed (see the module's docstring).
    xid = models.BigIntegerField(db_default=CurrentTransactionId(), editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["occurred_at"], name="webhook_event_occurred"),
            models.Index(fields=["workspace", "xid", "id"], name="webhook_event_feed"),
        ]

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
