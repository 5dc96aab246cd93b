"""WSGI entry point (``granian ... config.wsgi:application``, ``gunicorn config.wsgi``).

API requests go through ``settings.API_MIDDLEWARE``, every other request (admin, settings pages,
docs, static files) through the whole ``settings.MIDDLEWARE``. Importing it sets the process's
garbage collector thresholds (``config.collector``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
browser_application = get_wsgi_application()  # sets Django up: the imports below need it

from collections.abc import Callable, Iterable  # noqa: E402
from typing import Any  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpResponse  # noqa: E402

from config import collector  # noqa: E402

#: Paths served through the API chain: every record, metadata and GraphQL route.
API_PREFIXES = ("/rest/", "/graphql", "/metadata")


class ApiWSGIHandler(WSGIHandler):
    """Django's WSGI handler with ``settings.API_MIDDLEWARE`` as its middleware."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds a chain from settings.MIDDLEWARE only; the list is swapped while this one
        # handler is built, once, when the module is imported.
        everything = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = everything


api_application = ApiWSGIHandler()
collector.tune()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Serve API paths through ``api_application``, everything else through ``browser_application``."""
    if environ.get("PATH_INFO", "").startswith(API_PREFIXES):
        response = api_application(environ, start_response)
        if isinstance(response, HttpResponse):
            return whole(response)
        return response
    return browser_application(environ, start_response)


def whole(response: HttpResponse) -> list[bytes]:
    """A complete answer as a one-item list, closed at once (Django's ``request_finished`` runs).

    granian writes a list of one ``bytes`` straight out; any other iterable it streams, taking the
    GIL from its own thread for every item and once more to find the end.
    """
    try:
        return [response.content]
    finally:
        response.close()
