"""App config of apikeys_app: API keys and the authentication shared by REST and GraphQL."""

from django.apps import AppConfig


class ApiKeysAppConfig(AppConfig):
    """API keys: opaque tokens shown once, stored as keyed digests."""

    name = "apikeys_app"
    verbose_name = "API keys"
    default_auto_field = "django.db.models.BigAutoField"
