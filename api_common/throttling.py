"""The rate limits every API applies, wherever its requests are authenticated.

Rate limits are DRF throttle classes (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``, named in
the settings, so this module imports no app). DRF's views run them after authentication; the
GraphQL endpoints, which are no DRF views, run them through :func:`check_throttles`. A throttle
refuses a request by raising an ``ApiError`` (``TooManyRequests``, with ``Retry-After``), so
both API styles answer it in their own error format.

A throttle class may also limit failed authentications: its ``authentication_failed(request,
error)`` is called for every refused key (REST's exception handler, the GraphQL endpoints) and
returns the error to answer (the same, or a ``TooManyRequests``).
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from api_common.errors import ApiError, TooManyRequests, Unauthenticated

__all__ = ["authentication_failed", "check_throttles"]


def throttle_classes() -> list[type[BaseThrottle]]:
    """The configured throttle classes (api_settings has imported the dotted paths of the settings)."""
    return cast("list[type[BaseThrottle]]", api_settings.DEFAULT_THROTTLE_CLASSES)


def check_throttles(request: Any, view: Any, auth: Any) -> None:
    """Run the configured throttles for a request authenticated as ``auth`` (set as ``request.auth``, as DRF does)."""
    request.auth = auth
    for throttle_class in throttle_classes():
        throttle = throttle_class()
        if not throttle.allow_request(request, view):
            wait = throttle.wait()
            raise TooManyRequests("Too many requests; slow down", retry_after=max(1, int(wait or 1)))


def authentication_failed(request: Any, error: Unauthenticated) -> ApiError:
    """The error to answer a refused key with, after the throttles counted the failure."""
    answer: ApiError = error
    for throttle_class in throttle_classes():
        hook = getattr(throttle_class, "authentication_failed", None)
        if hook is not None:
            answer = hook(request, answer)
    return answer
