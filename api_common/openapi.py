"""What the two OpenAPI documents share, and the view that serves them (api-reference 7).

``GET /rest/open-api/core`` and ``GET /rest/open-api/metadata`` answer, with a valid key in the
``Authorization`` header, the document of that key's workspace; without one (or with a key that
is refused), the base document: no paths, status 200, as Twenty does. A refused key is named in
``x-authentication-error`` so the docs page can say what is wrong with it.

This module knows no app: which workspace a request is for, and how its document is built, is
the subclass's ``workspace_document`` (``metadata_app.openapi.WorkspaceOpenApiView``)::

    class CoreOpenApiView(WorkspaceOpenApiView):
        title = "Core API"
        build = staticmethod(build_core_document)      # (snapshot) -> {"paths", "components", ...}
        memo_name = "openapi:core"

Documents are built from the workspace's schema snapshot and memoised on it, so a data-model
change shows on the next request. drf-spectacular
serves them: its ``SpectacularAPIView`` (content negotiation between JSON and YAML, the
download name), its settings for the root object (``build_root_object`` under
``patched_settings``, OpenAPI 3.1) and its ``plumbing`` builders. Its generator is not used to
walk URL patterns: records are dynamic, so paths come from the snapshot instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import (
    build_array_type,
    build_basic_type,
    build_bearer_security_scheme_object,
    build_object_type,
    build_parameter_type,
    build_root_object,
)
from drf_spectacular.renderers import OpenApiJsonRenderer2, OpenApiYamlRenderer, OpenApiYamlRenderer2
from drf_spectacular.settings import patched_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.mediatypes import _MediaType

from api_common.errors import ERROR_NAMES
from api_common.openapi_limits import RATE_LIMIT_SENTENCE, add_rate_limits

__all__ = [
    "DATE_TIME",
    "OAS_VERSION",
    "SECURITY",
    "UUID",
    "JsonRenderer",
    "OpenApiDocumentView",
    "base_document",
    "common_components",
    "error_responses",
    "id_path_parameter",
    "json_body",
    "json_response",
    "nullable",
    "page_info_schema",
    "ref",
    "root_document",
]

OAS_VERSION = "3.1.0"
#: Every operation takes the API key as a bearer token.
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
UUID: dict[str, Any] = build_basic_type(OpenApiTypes.UUID)  # type: ignore[assignment]
DATE_TIME: dict[str, Any] = build_basic_type(OpenApiTypes.DATETIME)  # type: ignore[assignment]


def ref(name: str, kind: str = "schemas") -> dict[str, str]:
    """A ``$ref`` to ``#/components/{kind}/{name}``."""
    return {"$ref": f"#/components/{kind}/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null."""
    if isinstance(schema.get("type"), str) and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def page_info_schema() -> dict[str, Any]:
    """``pageInfo`` of every list (api-reference 1.5)."""
    cursor = nullable({"type": "string"})
    return build_object_type(
        properties={
            "hasNextPage": {"type": "boolean"},
            "hasPreviousPage": {"type": "boolean"},
            "startCursor": cursor,
            "endCursor": cursor,
        },
        required=["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"],
    )


def error_schema() -> dict[str, Any]:
    """The body of every REST error (api-reference 1.7)."""
    return build_object_type(
        properties={
            "statusCode": {"type": "integer", "examples": [400]},
            "error": {"type": "string", "examples": ["BadRequestException"]},
            "messages": build_array_type({"type": "string"}),
        },
        required=["statusCode", "error", "messages"],
        description="Every error: the HTTP status, the exception name and messages that say what to fix.",
    )


#: Shared response components: ``#/components/responses/<name>``.
ERROR_RESPONSES = {
    400: ("BadRequest", "Bad input: the messages name what to fix; nothing was written."),
    401: ("Unauthorized", "Missing, malformed, unknown, expired or revoked API key."),
    403: (
        "Forbidden",
        "The API key's role does not allow this (`PermissionsException`): an object, a field or a setting "
        "it may not read or change; nothing was written.",
    ),
    404: ("NotFound", "No such record (or resource) in this workspace."),
}


def error_responses(*statuses: int) -> dict[str, Any]:
    """``responses`` entries for the given error statuses (401 and 403 are always there)."""
    return {str(status): ref(ERROR_RESPONSES[status][0], "responses") for status in sorted({401, 403, *statuses})}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A response with a JSON body."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_body(schema: dict[str, Any], description: str = "", required: bool = True) -> dict[str, Any]:
    """A JSON request body."""
    body: dict[str, Any] = {"required": required, "content": {"application/json": {"schema": schema}}}
    if description:
        body["description"] = description
    return body


def id_path_parameter(name: str = "id", description: str = "A UUID.") -> dict[str, Any]:
    """A UUID path parameter."""
    return build_parameter_type(name, dict(UUID), "path", required=True, description=description)


def common_components(error_name: str) -> dict[str, Any]:
    """Components both documents have: the bearer scheme, the error body and its responses."""
    responses = {
        name: json_response(f"{description} ({status} {ERROR_NAMES[status]})", ref(error_name))
        for status, (name, description) in ERROR_RESPONSES.items()
    }
    return {
        "securitySchemes": {"bearerAuth": build_bearer_security_scheme_object("Authorization", "Bearer", "API key")},
        "responses": responses,
        "schemas": {error_name: error_schema()},
    }


def root_document(
    title: str, description: str, body: dict[str, Any] | None, rate_limited: bool = False
) -> dict[str, Any]:
    """The whole document: drf-spectacular's root object (OpenAPI 3.1) around ``body``.

    ``body`` holds ``paths``, ``components``, ``tags`` and ``webhooks``; None gives the base
    document (no paths) answered without a valid key. ``rate_limited``: the server rate limits
    (``RATE_LIMIT_ENABLED``), so every keyed answer carries the ``RateLimit-*`` headers and may be a 429.
    """
    body = body or {}
    if rate_limited:
        description = f"{description} {RATE_LIMIT_SENTENCE}"
    settings = {
        "OAS_VERSION": OAS_VERSION,
        "TITLE": title,
        "VERSION": "1.0.0",
        "DESCRIPTION": description,
        "SERVERS": [{"url": "/rest", "description": "This server"}],
        "TAGS": body.get("tags", []),
    }
    components = body.get("components") or {
        "securitySchemes": {"bearerAuth": build_bearer_security_scheme_object("Authorization", "Bearer", "API key")},
    }
    with patched_settings(settings):
        root = build_root_object(
            paths=body.get("paths", {}), components=components, webhooks=body.get("webhooks"), version=None
        )
    root["security"] = SECURITY
    error = ((root.get("components") or {}).get("responses") or {}).get("BadRequest")
    if rate_limited and root.get("paths") and error is not None:
        add_rate_limits(root, error["content"]["application/json"]["schema"])  # every keyed answer is rate limited
    return root


class JsonRenderer(OpenApiJsonRenderer2):
    """``application/json``, compact unless the client asks for an indent."""

    def get_indent(self, accepted_media_type: Any, renderer_context: Any) -> Any:
        return JSONRenderer.get_indent(self, accepted_media_type, renderer_context)


class QualityNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, honouring the quality of each ``Accept`` entry (RFC 9110, 12.5.1).

    DRF ranks entries by how specific they are and reads ``q`` only as a parameter, so
    ``application/json;q=0, application/yaml`` got JSON. Here entries are tried by falling ``q``
    (then the more specific first, then in the header's order) and ``q=0`` means "not this".
    """

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> tuple[Any, str]:
        format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if format:
            renderers = self.filter_renderers(renderers, format)
        ranked = []
        for index, token in enumerate(self.get_accept_list(request)):
            media = _MediaType(token)
            try:
                quality = float(media.params.get("q", 1))
            except ValueError:
                quality = 1.0
            if quality > 0:
                ranked.append((-quality, -media.precedence, index, media))
        for _, _, _, media in sorted(ranked, key=lambda entry: entry[:3]):
            for renderer in renderers:
                if _MediaType(renderer.media_type).match(media):
                    params = (f"{key}={value}" for key, value in media.params.items() if key != "q")
                    return renderer, ";".join((renderer.media_type, *params))
        raise exceptions.NotAcceptable(available_renderers=renderers)


class DocumentGenerator(SchemaGenerator):
    """drf-spectacular's generator, asked for one workspace's document instead of walking URLs."""

    view: OpenApiDocumentView

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        return self.view.document(request)


class OpenApiDocumentView(SpectacularAPIView):
    """Serve one OpenAPI document: the workspace's with a valid key, else the base document.

    Subclasses set ``title``, ``description`` and ``memo_name`` and implement
    ``workspace_document(request)``.
    """

    authentication_classes = []  # the key is optional here: read by document()
    permission_classes = [AllowAny]
    renderer_classes = [JsonRenderer, OpenApiYamlRenderer, OpenApiYamlRenderer2]
    content_negotiation_class = QualityNegotiation
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    memo_name: ClassVar[str] = ""

    @property
    def generator_class(self) -> Callable[..., DocumentGenerator]:  # type: ignore[override]
        def make(**kwargs: Any) -> DocumentGenerator:
            generator = DocumentGenerator(**kwargs)
            generator.view = self
            return generator

        return make

    def _get_filename(self, request: Any, version: Any) -> str:
        return f"{self.memo_name.replace(':', '-')}.{self.perform_content_negotiation(request, force=True)[0].format}"

    def workspace_document(self, request: Any) -> tuple[dict[str, Any] | None, str | None]:
        """``(document, None)`` for the workspace the request's key opens, else ``(None, why)``.

        ``why`` is None when the request carried no key at all.
        """
        raise NotImplementedError

    def document(self, request: Any) -> dict[str, Any]:
        """The document for the request's key, or the base document naming why the key was refused."""
        document, refusal = self.workspace_document(request)
        if document is not None:
            return document
        base = base_document(self.title, self.description)
        if refusal:
            base["x-authentication-error"] = refusal
        return base


_BASES: dict[tuple[str, str], dict[str, Any]] = {}


def base_document(title: str, description: str) -> dict[str, Any]:
    """A fresh copy of the base document (built once per process: it depends on no workspace)."""
    key = (title, description)
    if key not in _BASES:
        _BASES[key] = root_document(title, description, None)
    return copy.deepcopy(_BASES[key])
