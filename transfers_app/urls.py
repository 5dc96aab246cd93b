"""Routes of imports and exports; included by ``config/urls.py`` before the generic record patterns."""

from django.urls import path

from transfers_app.views import ExportsView, ImportErrorsView, ImportsView

urlpatterns = [
    path("rest/imports/<str:key>", ImportsView.as_view()),
    path("rest/imports/<str:key>/errors", ImportErrorsView.as_view()),
    path("rest/exports/<str:key>", ExportsView.as_view()),
]
