"""The API edge's settings, read at call time (tests and operators may change them; nothing is read at import).

Every name here is a Django setting of ``config/settings.py`` filled from the environment
variable of the same name; the defaults repeat the documented ones for settings modules that
leave a name out.
"""

from __future__ import annotations

from django.conf import settings

__all__ = [
    "graphql_max_depth",
    "graphql_max_fields",
    "graphql_max_root_resolvers",
    "max_json_depth",
    "max_request_body_bytes",
]


def setting(name: str, default: int) -> int:
    """The integer setting ``name``, or ``default`` when it is not set."""
    return int(getattr(settings, name, default))


def graphql_max_depth() -> int:
    """Deepest selection a GraphQL operation may nest (``GRAPHQL_MAX_DEPTH``, default 8)."""
    return setting("GRAPHQL_MAX_DEPTH", 8)


def graphql_max_root_resolvers() -> int:
    """Root fields per GraphQL operation (``GRAPHQL_MAX_ROOT_RESOLVERS``, default 20, as Twenty)."""
    return setting("GRAPHQL_MAX_ROOT_RESOLVERS", 20)


def graphql_max_fields() -> int:
    """Fields a GraphQL document may select in all (``GRAPHQL_MAX_FIELDS``, default 2000, Twenty's complexity cap)."""
    return setting("GRAPHQL_MAX_FIELDS", 2000)


def graphql_max_tokens() -> int:
    """Tokens a GraphQL document may hold: 10 per field it may select (20,000 by default; a field
    with an alias and arguments is about five).

    Parsing stops there, before the document is authenticated or counted: a document of a
    million aliases cost tens of seconds of parsing, key or no key.
    """
    return max(1000, 10 * graphql_max_fields())


def max_json_depth() -> int:
    """Levels of arrays and objects a JSON body (or GraphQL ``variables``) may nest (``MAX_JSON_DEPTH``, default 128)."""
    return setting("MAX_JSON_DEPTH", 128)


def max_request_body_bytes() -> int:
    """Largest request body accepted, in bytes (``MAX_REQUEST_BODY_BYTES``, default 10 MiB)."""
    return setting("MAX_REQUEST_BODY_BYTES", 10 * 1024 * 1024)
