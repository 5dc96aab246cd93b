"""Rate limits per API key, set per workspace, and per client address for failed authentication.

:class:`ApiKeyRateThrottle` is DRF's throttle of every API (REST views run it after
authentication; the GraphQL endpoints through ``api_common.throttling``). Per request it makes
one round trip to the buckets (``guards_app.buckets``: Redis or the database), none when
``RATE_LIMIT_ENABLED`` is off:

- it takes a token from the key's bucket (``requests`` per ``window`` of the workspace's
  :class:`~guards_app.models.RateLimitPolicy`, else the defaults) and, in the same call, reads
  the bucket of failed authentications of the caller's address;
- beyond the key's limit, or while its address is blocked, the request is refused with 429 and
  ``Retry-After`` before the view does anything (so nothing is written);
- every refused key (401) takes a token from its address's bucket of failed authentications;
  once it is empty the answer is a 429 instead, and so is every request from that address,
  with a valid key or not, until a token has refilled: guessing keys gets one try per
  ``RATE_LIMIT_FAILED_AUTH_WINDOW / RATE_LIMIT_FAILED_AUTH`` seconds, and a right guess is not
  told from a wrong one while blocked.

With Redis, the take usually travels with the API key's check: :func:`take_with_generation` rides
with ``apikeys_app.key_cache`` (the settings name it as ``API_KEY_CHECK_RIDER``), so a request
whose key this process keeps sends one Redis command for both, and the throttle uses the token
taken then (:class:`Prefetched`). A request its role refuses after that (403) has spent its token.

The :class:`Quota` of the bucket consulted is kept on the request; ``guards_app.middleware``
writes it as ``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset`` and
``RateLimit-Policy`` (draft-ietf-httpapi-ratelimit-headers-06) on the answer, whatever it is.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from rest_framework.throttling import BaseThrottle

from api_common.errors import ApiError, TooManyRequests
from guards_app import buckets, conf
from guards_app.models import RateLimitPolicy

__all__ = ["ApiKeyRateThrottle", "Prefetched", "Quota", "client_address", "policy_for", "take_with_generation"]

#: Workspaces whose policy a process keeps, least recently used dropped first.
POLICY_CACHE_SIZE = 10_000
_policies: OrderedDict[Any, tuple[Any, tuple[int, int]]] = OrderedDict()


@dataclass(frozen=True)
class Quota:
    """What a bucket says after a request: its size and window, what is left and when it is full again."""

    limit: int
    window: int
    remaining: int
    reset: int

    @classmethod
    def of(cls, taken: buckets.Taken) -> Quota:
        return cls(taken.capacity, taken.window, max(0, int(taken.tokens + 1e-9)), taken.seconds_until(taken.capacity))

    def headers(self) -> dict[str, str]:
        """The draft's header fields."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }


def policy_for(workspace: Any) -> tuple[int, int]:
    """``(requests, window seconds)`` of ``workspace``'s keys.

    Cached per process and keyed by the workspace's ``updated_at``, which every request reads
    with its API key and which a policy change touches: a change applies to every process's
    next request, and an unchanged policy costs no query.
    """
    version = workspace.updated_at
    cached = _policies.get(workspace.pk)
    if cached is not None and cached[0] == version:
        _policies.move_to_end(workspace.pk)
        return cached[1]
    row = RateLimitPolicy.objects.filter(workspace_id=workspace.pk).values_list("requests", "window_seconds").first()
    policy = (row[0], row[1]) if row else (conf.rate_limit_requests(), conf.rate_limit_window())
    _policies[workspace.pk] = (version, policy)
    _policies.move_to_end(workspace.pk)
    while len(_policies) > POLICY_CACHE_SIZE:
        _policies.popitem(last=False)
    return policy


def client_address(request: Any) -> str:
    """The caller's address: ``REMOTE_ADDR``, or behind ``RATE_LIMIT_PROXY_COUNT`` proxies the entry
    of ``X-Forwarded-For`` the nearest of them added (entries left of it are the client's word)."""
    meta = request.META
    hops = conf.proxy_count()
    address = meta.get("REMOTE_ADDR") or ""
    if hops > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            address = forwarded[-min(hops, len(forwarded))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address[:100] or "unknown"


@dataclass(frozen=True)
class Prefetched:
    """A take done while the request's key was checked: for which key, under which policy, and its outcome."""

    key_pk: Any
    policy: tuple[int, int]
    taken: buckets.Taken | None  # None: Redis did not answer (the request goes through unlimited)


def django_request(request: Any) -> Any:
    """The Django request under a DRF one (or the request itself)."""
    return getattr(request, "_request", request)


def take_with_generation(api_key: Any, request: Any, generation_key: str) -> bytes | None:
    """Take the key's token and read ``generation_key`` in one Redis command (an ``apikeys_app.key_cache.Rider``).

    Sends nothing (None) when limits are off, the buckets are not in Redis, or there is no request
    to keep the outcome on; the outcome waits on the request for the throttle.
    """
    if request is None or not conf.rate_limit_enabled():
        return None
    backend = buckets.backend()
    if not isinstance(backend, buckets.RedisBuckets):
        return None
    policy = policy_for(api_key.workspace)
    taken = backend.take(f"key:{api_key.pk}", *policy, watch=f"auth:{client_address(request)}", read=generation_key)
    django_request(request).rate_limit_prefetched = Prefetched(api_key.pk, policy, taken)
    return None if taken is None else taken.read


def take(request: Any, api_key: Any, policy: tuple[int, int]) -> buckets.Taken | None:
    """The key's take for this request: the one done with its check when it fits, else one now."""
    prefetched = getattr(django_request(request), "rate_limit_prefetched", None)
    if prefetched is not None:
        django_request(request).rate_limit_prefetched = None  # one request, one token
        if prefetched.key_pk == api_key.pk and prefetched.policy == policy:
            return prefetched.taken
    return buckets.backend().take(f"key:{api_key.pk}", *policy, watch=f"auth:{client_address(request)}")


def remember(request: Any, quota: Quota) -> None:
    """Keep ``quota`` on the Django request, for the headers of the answer."""
    django_request(request).rate_limit_quota = quota


def address_blocked(request: Any, taken: buckets.Taken) -> TooManyRequests:
    """The refusal of a request from an address out of failed authentications (its quota kept for the headers)."""
    limit, window = conf.failed_auth_limit(), conf.failed_auth_window()
    level = buckets.Taken(False, taken.watched or 0.0, limit, window)
    remember(request, Quota.of(level))
    wait = max(1, level.seconds_until(1))
    return TooManyRequests(
        f"Too many failed authentications from this address (at most {limit} per {window} seconds); "
        f"try again in {wait} seconds",
        retry_after=wait,
    )


class ApiKeyRateThrottle(BaseThrottle):
    """Token bucket per API key (workspace policy), refusing with 429 and ``Retry-After`` beyond it."""

    def allow_request(self, request: Any, view: Any) -> bool:
        api_key = getattr(request, "auth", None)
        if not conf.rate_limit_enabled() or api_key is None or not hasattr(api_key, "workspace"):
            return True
        requests, window = policy = policy_for(api_key.workspace)
        taken = take(request, api_key, policy)
        if taken is None:
            return True
        if taken.watched is not None and taken.watched < 1:
            raise address_blocked(request, taken)
        remember(request, Quota.of(taken))
        if not taken.allowed:
            wait = max(1, taken.seconds_until(1))
            raise TooManyRequests(
                f"Too many requests for this API key (at most {requests} per {window} seconds); "
                f"try again in {wait} seconds",
                retry_after=wait,
            )
        return True

    @staticmethod
    def authentication_failed(request: Any, error: ApiError) -> ApiError:
        """Count a refused key against its address; past the limit, answer 429 instead of 401."""
        if not conf.rate_limit_enabled():
            return error
        limit, window = conf.failed_auth_limit(), conf.failed_auth_window()
        taken = buckets.backend().take(f"auth:{client_address(request)}", limit, window)
        if taken is None:
            return error
        remember(request, Quota.of(taken))
        if taken.allowed:
            return error
        wait = max(1, taken.seconds_until(1))
        return TooManyRequests(
            f"Too many failed authentications from this address (at most {limit} per {window} seconds); "
            f"try again in {wait} seconds",
            retry_after=wait,
        )
