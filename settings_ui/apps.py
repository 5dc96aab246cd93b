"""The settings pages app: its templates live in ``settings_ui/templates/settings/``."""

from django.apps import AppConfig

__all__ = ["SettingsUiConfig"]


class SettingsUiConfig(AppConfig):
    """Settings → API & Webhooks (staff pages; no models)."""

    name = "settings_ui"
    verbose_name = "Settings pages"
