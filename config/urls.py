"""URL map. Patterns are static; views resolve objects through the workspace's schema snapshot."""

import sys

from django.contrib import admin
from django.urls import include, path, re_path

from api_common.errors import BadRequest, InternalError, NotFound, database_refusal
from api_common.rest import json_error
from apikeys_app.views import ApiKeysView, LegacyApiKeysView
from core_app.docs_views import docs_page, graphiql_page
from core_app.graphql.views import WorkspaceGraphQLView
from core_app.openapi.views import CoreOpenApiView
from core_app.rest.views import InvalidPathView, RecordsView, SearchView
from metadata_app.graphql.views import MetadataGraphQLView
from metadata_app.openapi import MetadataOpenApiView
from metadata_app.rest.views import MetadataView
from metadata_app.rest.workspace import WorkspaceView
from roles_app.views import RolesView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql", WorkspaceGraphQLView.as_view()),
    path("metadata", MetadataGraphQLView.as_view()),
    # OpenAPI documents (before the generic rest/<plural>/<id> patterns).
    path("rest/open-api/core", CoreOpenApiView.as_view()),
    path("rest/open-api/metadata", MetadataOpenApiView.as_view()),
    path("open-api/core", CoreOpenApiView.as_view()),
    path("open-api/metadata", MetadataOpenApiView.as_view()),
    path("docs", docs_page, name="docs"),
    path("docs/graphiql/<str:name>", graphiql_page, name="docs-graphiql"),
    path("settings/", include("settings_ui.urls")),
    path("rest/metadata/apiKeys", ApiKeysView.as_view()),
    path("rest/metadata/apiKeys/<str:pk>", ApiKeysView.as_view()),
    path("rest/apiKeys", LegacyApiKeysView.as_view()),
    path("rest/apiKeys/<str:pk>", LegacyApiKeysView.as_view()),
    path("rest/metadata/roles", RolesView.as_view()),
    path("rest/metadata/roles/<str:pk>", RolesView.as_view()),
    path("rest/metadata/workspace", WorkspaceView.as_view()),
    path("", include("webhooks_app.urls")),
    path("", include("transfers_app.urls")),
    path("rest/metadata/<str:resource>", MetadataView.as_view()),
    path("rest/metadata/<str:resource>/<str:pk>", MetadataView.as_view()),
    path("rest/search", SearchView.as_view()),
    path("rest/batch/<str:plural>", RecordsView.as_view(mode="batch")),
    path("rest/restore/<str:plural>", RecordsView.as_view(mode="restore")),
    path("rest/restore/<str:plural>/<str:record_id>", RecordsView.as_view(mode="restore")),
    path("rest/<str:plural>", RecordsView.as_view()),
    path("rest/<str:plural>/<str:record_id>", RecordsView.as_view()),
    re_path(r"^rest(?:/(?P<rest>.*))?$", InvalidPathView.as_view()),  # /rest and /rest/ too: JSON, not Django's page
]


def not_found(request, exception=None):
    """Unknown URLs answer in the API's error format."""
    return json_error(NotFound(f"Cannot {request.method} {request.path}"))


def server_error(request):
    """Crashes answer in the API's error format, without details; a database that cannot answer,
    raised outside any view (a middleware), is a 503 like everywhere else."""
    error = sys.exc_info()[1]
    refusal = database_refusal(error) if error is not None else None
    return json_error(refusal or InternalError("Internal server error"))


def bad_request(request, exception=None):
    """Requests Django refuses before any view (a host not in ``ALLOWED_HOSTS``...) answer in the
    API's error format, saying why (Django's message names the setting to change)."""
    return json_error(BadRequest(str(exception) if exception is not None and str(exception) else "Bad Request"))


handler400 = bad_request
handler404 = not_found
handler500 = server_error
