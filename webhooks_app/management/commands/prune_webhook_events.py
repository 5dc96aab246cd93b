"""``manage.py prune_webhook_events [--days N]``: delete old events whose deliveries are all settled.

``--days`` is at least ``EVENTS_RETENTION_DAYS`` (the feed's promise). Without it, each workspace keeps its events for the longer of ``EVENTS_RETENTION_DAYS``
(the event feed's retention, 30 by default) and its own ``eventLogRetentionDays`` (the delivery
log's, api-reference 15; 90 unless changed through ``updateWorkspace``).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from metadata_app.models import Workspace
from webhooks_app.conf import events_retention_days
from webhooks_app.models import Delivery, Event


class Command(BaseCommand):
    """Events (and their deliveries and attempts) older than ``--days`` or their workspace's retention; pending ones are kept."""

    help = (
        "Delete webhook events older than --days (default: the longer of EVENTS_RETENTION_DAYS and each "
        "workspace's eventLogRetentionDays), with their delivery log, unless a delivery is pending."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=float,
            default=None,
            help="Age in days of the events to delete (default: the longer of EVENTS_RETENTION_DAYS and each "
            "workspace's eventLogRetentionDays).",
        )

    def handle(self, *args, days: float | None, **options):
        now = timezone.now()
        pending = Delivery.objects.filter(status=Delivery.Status.PENDING).values("event_id")
        events = Event.objects.exclude(pk__in=pending)
        if days is not None:
            if days < events_retention_days():
                # The feed and replay promise that much history, and an older cursor is a 410: below
                # it, a client's cursor would silently skip what was deleted.
                raise CommandError(
                    f"--days must be at least EVENTS_RETENTION_DAYS ({events_retention_days():g}), the history the "
                    "event feed promises; set EVENTS_RETENTION_DAYS lower to keep less"
                )
            deleted, _ = events.filter(occurred_at__lt=now - timedelta(days=days)).delete()
            self.stdout.write(f"Deleted {deleted} rows (events, deliveries and attempts) older than {days:g} days.")
            return
        deleted = 0
        # One statement per distinct retention, not per workspace: there are few distinct values.
        retentions = Workspace.objects.values_list("event_log_retention_days", flat=True).distinct()
        feed_days = events_retention_days()
        for retention in sorted(set(retentions)):
            workspaces = Workspace.objects.filter(event_log_retention_days=retention).values("pk")
            # The feed promises EVENTS_RETENTION_DAYS of events, whatever the delivery log keeps.
            cutoff = now - timedelta(days=max(retention, feed_days))
            count, _ = events.filter(workspace__in=workspaces, occurred_at__lt=cutoff).delete()
            deleted += count
        self.stdout.write(
            f"Deleted {deleted} rows (events, deliveries and attempts) older than their workspace's retention."
        )
