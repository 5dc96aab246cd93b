"""``/docs``: the API docs page, and the GraphiQL pages it embeds (api-reference 7).

The page asks for an API key, keeps it in the tab's ``sessionStorage`` (key ``crm.apiKey``, the
one the GraphiQL page reads) and sends it only in the ``Authorization`` header: never in a URL,
so never in a server log. It checks the key by fetching ``/rest/open-api/core`` (a refused key
gets the base document, whose ``x-authentication-error`` says why), then shows the core and
metadata REST references in Swagger UI (drf-spectacular-sidecar, served offline) with "try it"
calls carrying the key, and GraphiQL for ``/graphql`` and ``/metadata``.

No key reaches the server through these views: they only render templates.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from guards_app.conf import rate_limit_enabled

__all__ = ["PLAYGROUNDS", "docs_page", "graphiql_page"]

#: GraphiQL playgrounds of the docs page: name -> (GraphQL endpoint, title).
PLAYGROUNDS = {"core": ("/graphql", "Core GraphQL"), "metadata": ("/metadata", "Metadata GraphQL")}


@require_GET
def docs_page(request: HttpRequest) -> HttpResponse:
    """The docs page: key login, REST references, GraphQL playgrounds."""
    return render(request, "docs.html", {"playgrounds": PLAYGROUNDS, "rate_limited": rate_limit_enabled()})


@require_GET
@xframe_options_sameorigin
def graphiql_page(request: HttpRequest, name: str) -> HttpResponse:
    """GraphiQL for one endpoint, framed by the docs page (same origin only)."""
    if name not in PLAYGROUNDS:
        raise Http404(f"No playground {name}")
    endpoint = PLAYGROUNDS[name][0]
    return render(
        request, "graphiql.html", {"endpoint": endpoint, "endpoint_json": json.dumps(endpoint), "embedded": True}
    )
