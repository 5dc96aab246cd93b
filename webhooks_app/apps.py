"""App config of webhooks_app: webhooks, events, deliveries (see issue on webhooks)."""

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def restore_event_clock(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: SQLite's event counter trigger is back if a table rebuild dropped it."""
    from webhooks_app.models import ensure_event_clock

    ensure_event_clock(connections[using])


class WebhooksAppConfig(AppConfig):
    """Webhooks and their delivery log; connects the receiver that turns record changes into events."""

    name = "webhooks_app"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apikeys_app.authentication import register_workspace_fact
        from core_app.graphql.synthesis import register_query_field
        from metadata_app.graphql.schema import register_extension
        from webhooks_app import (
            events,  # noqa: F401  (connects on_records_changed)
            receivers,  # noqa: F401  (deletes a deleted workspace's events)
        )
        from webhooks_app.events import HAS_LIVE_WEBHOOKS
        from webhooks_app.graphql import EVENTS_FIELD, WebhookMutations, WebhookQueries, events_field
        from webhooks_app.models import Webhook

        register_workspace_fact("has_live_webhooks", HAS_LIVE_WEBHOOKS, read_from=[Webhook])
        register_extension(WebhookQueries, WebhookMutations)
        register_query_field(EVENTS_FIELD, events_field)  # the event feed on /graphql
        post_migrate.connect(restore_event_clock, sender=self)
