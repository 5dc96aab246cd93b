"""Routes of the webhook REST API; included by ``config/urls.py`` before the generic patterns."""

from django.urls import path

from webhooks_app.views import DeliveriesView, EventsView, LegacyWebhooksView, RedeliverView, ReplayView, WebhooksView

urlpatterns = [
    path("rest/metadata/webhooks", WebhooksView.as_view()),
    path("rest/metadata/webhooks/<str:pk>", WebhooksView.as_view()),
    path("rest/metadata/webhooks/<str:pk>/deliveries", DeliveriesView.as_view()),
    path("rest/metadata/webhooks/<str:pk>/deliveries/<str:delivery_id>", DeliveriesView.as_view()),
    path("rest/metadata/webhooks/<str:pk>/deliveries/<str:delivery_id>/redeliver", RedeliverView.as_view()),
    path("rest/metadata/webhooks/<str:pk>/replay", ReplayView.as_view()),
    path("rest/events", EventsView.as_view()),
    path("rest/webhooks", LegacyWebhooksView.as_view()),
    path("rest/webhooks/<str:pk>", LegacyWebhooksView.as_view()),
]
