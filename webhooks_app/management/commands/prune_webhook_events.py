"""``manage.py prune_webhook_events``: delete old events whose deliveries are all settled."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from webhooks_app.models import Delivery, Event


class Command(BaseCommand):
    """Events (and their deliveries and attempts) older than ``--days``; pending ones are kept."""

    help = (
        "Delete webhook events older than --days (default 30), with their delivery log, unless a delivery is pending."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=float, default=30.0, help="Age in days of the events to delete (default 30)."
        )

    def handle(self, *args, days: float, **options):
        cutoff = timezone.now() - timedelta(days=days)
        pending = Delivery.objects.filter(status=Delivery.Status.PENDING).values("event_id")
        deleted, _ = Event.objects.filter(occurred_at__lt=cutoff).exclude(pk__in=pending).delete()
        self.stdout.write(f"Deleted {deleted} rows (events, deliveries and attempts) older than {days:g} days.")
