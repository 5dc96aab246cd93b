"""App config of apikeys_app: API keys and the authentication shared by REST and GraphQL."""

from django.apps import AppConfig


class ApiKeysAppConfig(AppConfig):
    """API keys: opaque tokens shown once, stored as keyed digests."""

    name = "apikeys_app"
    verbose_name = "API keys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apikeys_app import key_cache
        from apikeys_app.models import ApiKey

        # The key statement reads keys, their workspace and their role (apikeys_app.authentication):
        # the models are reached through the key's relations, so this app imports no other.
        workspace, role = (ApiKey._meta.get_field(name).related_model for name in ("workspace", "role"))
        key_cache.watch(ApiKey, workspace, role)  # type: ignore[arg-type]
