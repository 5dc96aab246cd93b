"""URL map. Patterns are static; views resolve objects through the workspace's schema snapshot."""

from django.contrib import admin
from django.urls import path, re_path

from apikeys_app.views import ApiKeysView
from config.rest import json_error
from metadata_app.rest.views import MetadataView

UUIDISH = r"[^/]+"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("rest/metadata/apiKeys", ApiKeysView.as_view()),
    path("rest/metadata/apiKeys/<str:pk>", ApiKeysView.as_view()),
    path("rest/metadata/<str:resource>", MetadataView.as_view()),
    path("rest/metadata/<str:resource>/<str:pk>", MetadataView.as_view()),
]


def not_found(request, exception=None):
    """Unknown URLs answer in the API's error format."""
    return json_error(404, f"Cannot {request.method} {request.path}")


def server_error(request):
    """Crashes answer in the API's error format, without details."""
    return json_error(500, "Internal server error")


handler404 = not_found
handler500 = server_error
