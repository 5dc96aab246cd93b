"""``manage.py purge_guards``: delete expired idempotency keys and idle rate-limit buckets now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from guards_app.tasks import purge


class Command(BaseCommand):
    help = "Delete expired idempotency keys and rate-limit buckets that have refilled (the task worker does it hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge()
        self.stdout.write(f"Deleted {deleted['idempotency_keys']} idempotency keys and {deleted['buckets']} buckets")
