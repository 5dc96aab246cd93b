"""The key statement's rows kept per process (``apikeys_app.key_cache``), with Redis' generation.

"Another process" is this one with its memory put back as it was before a change: what a second
server process would still hold. The change's transaction commits for real
(``django_capture_on_commit_callbacks(execute=True)``), which is when the generation is replaced.
The Redis of these tests is the guards suite's (database 7 of 127.0.0.1:6379, one per xdist worker); without it they
are skipped, except under CI, where ``.ci/run`` starts one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys_app import key_cache
from apikeys_app.models import ApiKey
from apikeys_app.services import create_api_key
from metadata_app.registry import schema_registry
from roles_app import services as roles
from tests.guards.conftest import REDIS_URL, redis_reachable
from tests.metadata.helpers import error
from tests.seeding import fast_client
from webhooks_app.models import Delivery

KEYS = "/rest/metadata/apiKeys"


@pytest.fixture
def kept(settings) -> Iterator[None]:
    """Keys kept with Redis' generation (as with ``REDIS_URL`` set in production), none kept yet."""
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}; .ci/run starts it")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    settings.KEY_CACHE_SECONDS = 30
    key_cache._kept.clear()
    yield
    key_cache._kept.clear()


@pytest.fixture
def caller(workspace, kept, api):
    """A client with a key of its own, whose row is kept after its first two requests (read, then touched).

    It comes after ``api`` (the key making the changes): creating a key is a change too.
    """
    api_key, token = create_api_key(workspace, {"name": "cached"})
    client = fast_client(token)
    for _ in range(2):
        assert client.get("/rest/companies", limit=1)[0] == 200
    client.api_key = api_key
    return client


def key_statements(client, path: str) -> tuple[int, int]:
    """(status, statements reading the API key table) of one GET."""
    with CaptureQueriesContext(connection) as captured:
        status, _ = client.get(path)
    return status, sum("apikeys_app_apikey" in query["sql"] for query in captured.captured_queries)


def another_process_after(change, django_capture_on_commit_callbacks) -> None:
    """Run ``change`` (committing it), then restore the kept rows as another process still holds them."""
    held = dict(key_cache._kept)
    assert held, "the caller's row is kept before the change"
    with django_capture_on_commit_callbacks(execute=True):
        change()
    key_cache._kept.update(held)


def test_a_kept_key_is_read_once_then_touched_once_then_not_again(workspace, kept):
    # given
    _, token = create_api_key(workspace, {"name": "cached"})
    client = fast_client(token)
    # when
    reads = [key_statements(client, "/rest/companies?limit=1") for _ in range(4)]
    # then: the first request reads and touches (last_used_at), the second reads the touched row
    assert reads == [(200, 2), (200, 1), (200, 0), (200, 0)]


@pytest.mark.parametrize(
    "redis_url",
    # none (the embedded default); one that does not answer (nothing listens on port 1)
    [pytest.param("", id="without_redis"), pytest.param("redis://127.0.0.1:1/0", id="redis_not_answering")],
)
def test_without_an_answering_redis_every_request_reads_its_key(workspace, settings, redis_url):
    # given
    settings.REDIS_URL = redis_url
    key_cache._kept.clear()
    _, token = create_api_key(workspace, {"name": "uncached"})
    client = fast_client(token)
    # when
    reads = [key_statements(client, "/rest/companies?limit=1") for _ in range(3)]
    # then
    assert reads == [(200, 2), (200, 1), (200, 1)]
    assert key_cache._kept == {}


def test_another_process_sees_a_revocation_on_its_next_request(caller, api, django_capture_on_commit_callbacks):
    # when
    another_process_after(
        lambda: api.patch(f"{KEYS}/{caller.api_key.pk}", {"revokedAt": "2024-01-01T00:00:00Z"}),
        django_capture_on_commit_callbacks,
    )
    # then
    assert caller.get("/rest/companies", limit=1) == (401, error(401, "This API key has been revoked."))


def test_another_process_sees_a_deletion_on_its_next_request(caller, api, django_capture_on_commit_callbacks):
    another_process_after(lambda: api.delete(f"{KEYS}/{caller.api_key.pk}"), django_capture_on_commit_callbacks)
    assert caller.get("/rest/companies", limit=1) == (401, error(401, "Unknown API key."))


def test_another_process_sees_a_new_field_on_its_next_request(
    caller, api, workspace, django_capture_on_commit_callbacks
):
    # given
    companies = schema_registry.current(workspace.pk).by_plural["companies"].id
    body = {"objectMetadataId": str(companies), "type": "TEXT", "name": "tier", "label": "Tier"}
    # when
    another_process_after(lambda: api.post("/rest/metadata/fields", body), django_capture_on_commit_callbacks)
    status, answer = caller.post("/rest/companies", {"name": "Kept Ltd", "tier": "gold"})
    # then: a stale data model would refuse the field as unknown
    assert (status, answer["data"]["createCompany"]["tier"]) == (201, "gold")


def test_another_process_sees_a_new_role_and_a_changed_role(caller, api, workspace, django_capture_on_commit_callbacks):
    # given
    reader = roles.create_role(workspace, {"label": "Reader", "canReadAllObjectRecords": True})
    assert caller.get("/rest/companies", limit=1)[0] == 200  # kept again: a new role is a change too
    # when: the key is given a role that cannot write
    another_process_after(
        lambda: api.patch(f"{KEYS}/{caller.api_key.pk}", {"roleId": str(reader.pk)}),
        django_capture_on_commit_callbacks,
    )
    # then
    assert caller.post("/rest/companies", {"name": "Refused"})[0] == 403
    # when: the role is changed to write (its version, bumped without a queryset signal of its own)
    another_process_after(
        lambda: roles.update_role(workspace, reader.pk, {"canUpdateAllObjectRecords": True}),
        django_capture_on_commit_callbacks,
    )
    # then
    assert caller.post("/rest/companies", {"name": "Allowed"})[0] == 201


def test_another_process_sees_a_new_webhook_on_its_next_write(caller, api, django_capture_on_commit_callbacks):
    # when
    another_process_after(
        lambda: api.post("/rest/metadata/webhooks", {"targetUrl": "https://example.com/hook"}),
        django_capture_on_commit_callbacks,
    )
    status, _ = caller.post("/rest/companies", {"name": "Hooked"})
    # then: a stale row would say the workspace has no live webhook, and plan no delivery
    assert (status, Delivery.objects.count()) == (201, 1)


def test_a_change_no_signal_reports_is_seen_once_the_row_is_not_kept(caller, settings):
    # given: a write behind the models' back (a shell's queryset update) tells no process
    ApiKey.objects.filter(pk=caller.api_key.pk).update(revoked_at=datetime(2024, 1, 1, tzinfo=UTC))
    # then: the kept row still answers
    assert caller.get("/rest/companies", limit=1)[0] == 200
    # when: rows are not kept (KEY_CACHE_SECONDS bounds their age in production)
    settings.KEY_CACHE_SECONDS = 0
    # then
    assert caller.get("/rest/companies", limit=1) == (401, error(401, "This API key has been revoked."))
