"""What every authenticated operation of both OpenAPI documents says about rate limits.

:func:`add_rate_limits` adds, to every operation that takes the API key, the ``RateLimit-*``
headers on each of its answers and the 429 answer (``Retry-After``, the error format). The
headers and the 429 are components of the document (``#/components/headers/RateLimit-Limit``,
``#/components/responses/TooManyRequests``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["RATE_LIMIT_HEADERS", "RATE_LIMIT_SENTENCE", "add_rate_limits", "header"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def header(description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    """A header object."""
    return {"description": description, "schema": schema, "example": example}


#: ``#/components/headers/<name>`` (draft-ietf-httpapi-ratelimit-headers-06).
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": header(
        "Requests the API key may make per window (its token bucket's size).", {"type": "integer"}, 100
    ),
    "RateLimit-Remaining": header("Requests left now.", {"type": "integer", "minimum": 0}, 99),
    "RateLimit-Reset": header("Seconds until the bucket is full again.", {"type": "integer", "minimum": 0}, 1),
    "RateLimit-Policy": header(
        "The limit and its window in seconds: `<requests>;w=<seconds>`.", {"type": "string"}, "100;w=60"
    ),
}
#: What a document's description says of rate limits when the server applies them.
RATE_LIMIT_SENTENCE = (
    "Every answer carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (429 with `Retry-After` "
    "beyond the key's limit)."
)
RETRY_AFTER = header("Seconds until a request is allowed again.", {"type": "integer", "minimum": 1}, 20)


def add_rate_limits(root: dict[str, Any], error_schema: dict[str, Any]) -> None:
    """Give every operation with security the rate-limit headers and the 429 answer (in place)."""
    components = root.setdefault("components", {})
    headers = components.setdefault("headers", {})
    headers.update(RATE_LIMIT_HEADERS)
    headers["Retry-After"] = RETRY_AFTER
    limit_headers = {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS}
    components.setdefault("responses", {})["TooManyRequests"] = {
        "description": (
            "Over the API key's rate limit, or too many failed authentications from this address "
            "(429 TooManyRequestsException); nothing was done. Retry after `Retry-After` seconds."
        ),
        "headers": {**limit_headers, "Retry-After": {"$ref": "#/components/headers/Retry-After"}},
        "content": {
            "application/json": {
                "schema": error_schema,
                "example": {
                    "statusCode": 429,
                    "error": "TooManyRequestsException",
                    "messages": [
                        "Too many requests for this API key (at most 100 per 60 seconds); try again in 1 seconds"
                    ],
                },
            }
        },
    }
    for item in (root.get("paths") or {}).values():
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict) or operation.get("security") == []:
                continue
            responses = operation.setdefault("responses", {})
            for response in responses.values():
                if "$ref" not in response:
                    response.setdefault("headers", {}).update(limit_headers)
            responses.setdefault("429", {"$ref": "#/components/responses/TooManyRequests"})
