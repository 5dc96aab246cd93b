"""App config of webhooks_app: webhooks, events, deliveries (see issue on webhooks)."""

from django.apps import AppConfig


class WebhooksAppConfig(AppConfig):
    """Webhooks and their delivery log; connects the receiver that turns record changes into events."""

    name = "webhooks_app"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core_app.graphql.synthesis import register_query_field
        from metadata_app.graphql.schema import register_extension
        from webhooks_app import events  # noqa: F401  (connects on_records_changed)
        from webhooks_app.graphql import EVENTS_FIELD, WebhookMutations, WebhookQueries, events_field

        register_extension(WebhookQueries, WebhookMutations)
        register_query_field(EVENTS_FIELD, events_field)  # the event feed on /graphql
