"""App configuration of the request guards."""

from django.apps import AppConfig


class GuardsAppConfig(AppConfig):
    """Rate limits and idempotency keys."""

    name = "guards_app"
    verbose_name = "Rate limits and idempotency"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guards_app import receivers  # noqa: F401  (connects the receivers)
