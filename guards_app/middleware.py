"""``RateLimit-*`` headers on every answer whose request was rate limited (``guards_app.ratelimit``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

__all__ = ["RateLimitHeadersMiddleware"]


class RateLimitHeadersMiddleware:
    """Write the quota a throttle kept on the request as the answer's ``RateLimit-*`` headers.

    Requests that no bucket was asked about (no API key, limits off) get none; nothing is
    computed here, so the middleware costs an attribute lookup.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        quota = getattr(request, "rate_limit_quota", None)
        if quota is not None:
            for name, value in quota.headers().items():
                response[name] = value
        return response
