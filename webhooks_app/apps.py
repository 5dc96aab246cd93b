"""App config of webhooks_app: webhooks, events, deliveries (see issue on webhooks)."""

from django.apps import AppConfig


class WebhooksAppConfig(AppConfig):
    """Webhooks and their delivery log; connects the receiver that turns record changes into events."""

    name = "webhooks_app"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from metadata_app.graphql.schema import register_extension
        from webhooks_app import events  # noqa: F401  (connects on_records_changed)
        from webhooks_app.graphql import WebhookMutations, WebhookQueries

        register_extension(WebhookQueries, WebhookMutations)
