"""Fixtures of the guards suite: a clock that tests move, rate limits on, and both bucket backends.

The Redis tests use database 7 of the Redis on 127.0.0.1:6379 (8, 9... under pytest-xdist's
second, third... worker: the API keys' generation key is one per database) and a key prefix of
their own, deleted afterwards. Without a reachable Redis they are skipped, except under CI (``CI=true``),
where ``.ci/run`` starts one and a missing Redis is a failure.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from apikeys_app.services import create_api_key
from core_app.models import Record
from guards_app import buckets, ratelimit
from metadata_app.models import ObjectMetadata, Workspace
from tests.seeding import other_workspace, seeded_workspaces, workspace  # noqa: F401  (fixtures)

seeded_workspace_ids = seeded_workspaces("module")


def stored():
    """Records of every workspace, each statement naming them (the suite refuses store statements without one).

    The timeline's activities (api-reference §16) are left out: they follow every write, and are tested on their own.
    """
    timeline = list(ObjectMetadata.objects.filter(name_singular="timelineActivity").values_list("pk", flat=True))
    return Record.objects.filter(workspace_id__in=list(Workspace.objects.values_list("pk", flat=True))).exclude(
        object_id__in=timeline
    )


def worker_redis_url() -> str:
    """Database 7 of the local Redis, plus the pytest-xdist worker's number (``gw1`` -> 8).

    The key prefix keeps the tests' buckets apart, but the API keys' generation is one key per
    database, and a test counting Redis commands must not see another worker bump it.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"redis://127.0.0.1:6379/{7 + int(worker.removeprefix('gw'))}"


REDIS_URL = worker_redis_url()
START = 1_800_000_000.0


class Clock:
    """The time the buckets see: fixed, moved by the test."""

    def __init__(self) -> None:
        self.now = START
        self.backend = ""

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(buckets, "clock", fixed)
    return fixed


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(params=["database", "redis"])
def backend(request, settings) -> Iterator[str]:
    """Each test runs on the database's buckets, then on Redis's."""
    ratelimit._policies.clear()
    if request.param == "redis":
        if not redis_reachable():
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not reachable at {REDIS_URL}; .ci/run starts it")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        prefix = f"test:{uuid.uuid4().hex}:"
        settings.REDIS_URL = REDIS_URL
        settings.RATE_LIMIT_REDIS_PREFIX = prefix
        yield "redis"
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        return
    settings.REDIS_URL = ""
    yield "database"


@pytest.fixture
def limits(settings, clock, backend) -> Clock:
    """Rate limits on: 3 requests per 60 s per key, 2 failed authentications per 60 s per address."""
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_REQUESTS = 3
    settings.RATE_LIMIT_WINDOW = 60
    settings.RATE_LIMIT_FAILED_AUTH = 2
    settings.RATE_LIMIT_FAILED_AUTH_WINDOW = 60
    settings.RATE_LIMIT_PROXY_COUNT = 0
    clock.backend = backend
    return clock


class Caller:
    """HTTP calls with an API key (or none), from one client address, answering (status, headers, body)."""

    def __init__(self, token: str | None, address: str = "127.0.0.1") -> None:
        self.client = Client()
        self.token = token
        self.address = address

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
        extra = {
            "REMOTE_ADDR": self.address,
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()},
        }
        if self.token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        data = json.dumps(body) if body is not None else ""
        call = getattr(self.client, method.lower())
        if method.upper() == "GET":
            response = call(path, **extra)
        else:
            response = call(path, data=data, content_type="application/json", **extra)
        content = response.content
        return response.status_code, response, (json.loads(content) if content else None)

    def graphql(self, query: str, path: str = "/graphql", headers: dict[str, str] | None = None):
        return self.call("POST", path, {"query": query}, headers)


def rate_headers(response) -> dict[str, str]:
    """The answer's rate-limit headers (and ``Retry-After``)."""
    return {name: response[name] for name in response.headers if name.startswith("RateLimit") or name == "Retry-After"}


@pytest.fixture
def token(workspace) -> str:
    return create_api_key(workspace, {"name": "limited key"})[1]


@pytest.fixture
def caller(token) -> Caller:
    return Caller(token)
