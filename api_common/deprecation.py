"""Twenty's deprecated REST aliases (``/rest/webhooks``, ``/rest/apiKeys``): their answers say so."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

__all__ = ["DEPRECATION", "DeprecatedAlias"]

#: 2026-08-10, the date Twenty announces for the end of its ``/rest/webhooks`` and ``/rest/apiKeys`` aliases.
DEPRECATION = "@1786320000"


class DeprecatedAlias:
    """A view mixin: every answer carries ``Deprecation`` and a ``Link`` to ``successor`` (the same
    resource under ``/rest/metadata/...``, with the path's id when there is one)."""

    successor = ""

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        successor = self.successor + (f"/{kwargs['pk']}" if kwargs.get("pk") else "")
        response["Deprecation"] = DEPRECATION
        response["Link"] = f'<{successor}>; rel="successor-version"'
        return response
