"""URLs of the settings pages, mounted under ``/settings/`` by ``config.urls``."""

from django.urls import path

from settings_ui.views import (
    api_settings,
    create_key,
    create_webhook,
    delete_webhook,
    redeliver,
    replay,
    revoke_key,
    save_rate_limit,
    test_webhook,
    webhook_detail,
)

__all__ = ["urlpatterns"]

urlpatterns = [
    path("api", api_settings, name="settings-api"),
    path("api/keys", create_key, name="settings-key-create"),
    path("api/keys/<uuid:key_id>/revoke", revoke_key, name="settings-key-revoke"),
    path("api/rate-limit", save_rate_limit, name="settings-rate-limit"),
    path("api/webhooks", create_webhook, name="settings-webhook-create"),
    path("api/webhooks/<uuid:webhook_id>", webhook_detail, name="settings-webhook"),
    path("api/webhooks/<uuid:webhook_id>/delete", delete_webhook, name="settings-webhook-delete"),
    path("api/webhooks/<uuid:webhook_id>/test", test_webhook, name="settings-webhook-test"),
    path("api/webhooks/<uuid:webhook_id>/replay", replay, name="settings-webhook-replay"),
    path(
        "api/webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver", redeliver, name="settings-redeliver"
    ),
]
