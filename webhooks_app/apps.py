"""App config of webhooks_app: webhooks, events, deliveries (see issue on webhooks)."""

from django.apps import AppConfig


class WebhooksAppConfig(AppConfig):
    """Webhooks and their delivery log."""

    name = "webhooks_app"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"
