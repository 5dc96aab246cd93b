"""What both GraphQL endpoints (``/graphql`` and ``/metadata``) share at the HTTP edge."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBadRequest
from graphene_django.views import GraphQLView, HttpError

from api_common.rest import nul_path

__all__ = ["NUL_MESSAGE", "NulRefusingMixin"]

NUL_MESSAGE = "Text must not contain NUL characters (\\u0000)."


class NulRefusingMixin:
    """Refuse operations carrying NUL characters, in variables or as ``\\u0000`` in the query.

    PostgreSQL can store NUL in neither text nor jsonb, so such a value would otherwise fail
    deep inside a write or a filter.
    """

    @staticmethod
    def get_graphql_params(request: Any, data: Any) -> tuple[Any, Any, Any, Any]:
        params = GraphQLView.get_graphql_params(request, data)
        query, variables = params[0], params[1]
        if (isinstance(query, str) and ("\\u0000" in query or "\x00" in query)) or nul_path(variables) is not None:
            raise HttpError(HttpResponseBadRequest(NUL_MESSAGE))
        return params
