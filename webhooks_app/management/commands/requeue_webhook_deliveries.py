"""``manage.py requeue_webhook_deliveries``: give a new job to pending deliveries whose job was lost.

Every ``manage.py webhook_worker`` does this by itself every ``WEBHOOKS_RECOVERY_INTERVAL`` seconds;
the command is for running it by hand (or with ``--stale-after`` of your choosing).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from webhooks_app.recovery import requeue_lost_deliveries


class Command(BaseCommand):
    """Requeue deliveries whose worker died or whose job crashed (safe to run at any time)."""

    help = "Queue a new delivery job for every pending webhook delivery whose job was lost."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help=(
                "Seconds after which a job still marked running counts as lost "
                "(default: WEBHOOKS_STALE_AFTER, by default 2 x WEBHOOKS_TIMEOUT + 5 s)."
            ),
        )

    def handle(self, *args, stale_after: float | None, **options):
        count = requeue_lost_deliveries(stale_after)
        self.stdout.write(f"Requeued {count} webhook deliveries.")
