"""Rate limits you can see (api-reference §8; README, "Rate limits"): a token bucket per API key, configurable per workspace,
``RateLimit-*`` headers on every answer, 429 with ``Retry-After`` beyond, nothing written; failed
authentication limited per client address. Every test runs on both backends (database, Redis)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api_common.redis_client import client_for
from apikeys_app import key_cache
from apikeys_app.models import ApiKey
from apikeys_app.services import create_api_key
from guards_app.models import RateLimitPolicy
from guards_app.ratelimit import client_address
from metadata_app.services.workspaces import create_workspace
from tests.guards.conftest import Caller, rate_headers, stored
from tests.metadata.helpers import error

pytestmark = pytest.mark.django_db

PEOPLE = "{ people { totalCount } }"


def quota(limit: int, remaining: int, reset: int, window: int = 60, retry_after: int | None = None) -> dict[str, str]:
    headers = {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": f"{limit};w={window}",
    }
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers


def too_many(message: str) -> dict:
    return {"statusCode": 429, "error": "TooManyRequestsException", "messages": [message]}


KEY_LIMIT = "Too many requests for this API key (at most 3 per 60 seconds); try again in {} seconds"
ADDRESS_LIMIT = "Too many failed authentications from this address (at most 2 per 60 seconds); try again in {} seconds"


def test_every_answer_carries_the_key_quota(limits, caller):
    # when: 3 per 60 s is one token every 20 s
    answers = [caller.call("GET", "/rest/companies") for _ in range(3)]
    # then
    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert [rate_headers(response) for _, response, _ in answers] == [
        quota(3, 2, 20),
        quota(3, 1, 40),
        quota(3, 0, 60),
    ]


def test_beyond_the_limit_a_write_is_a_429_with_retry_after_and_writes_nothing(limits, caller):
    # given
    for n in range(3):
        assert caller.call("POST", "/rest/companies", {"name": f"Acme {n}"})[0] == 201
    # when
    status, response, body = caller.call("POST", "/rest/companies", {"name": "One too many"})
    # then
    assert (status, body) == (429, too_many(KEY_LIMIT.format(20)))
    assert rate_headers(response) == quota(3, 0, 60, retry_after=20)
    assert sorted(stored().values_list("data__name", flat=True)) == ["Acme 0", "Acme 1", "Acme 2"]


def test_the_bucket_refills_one_token_per_interval(limits, caller):
    # given: an empty bucket
    for _ in range(3):
        caller.call("GET", "/rest/companies")
    # when
    limits.advance(19)
    early = caller.call("GET", "/rest/companies")
    limits.advance(1)
    on_time = caller.call("GET", "/rest/companies")
    # then
    assert (early[0], early[2], rate_headers(early[1])) == (
        429,
        too_many(KEY_LIMIT.format(1)),
        quota(3, 0, 41, retry_after=1),
    )
    assert (on_time[0], rate_headers(on_time[1])) == (200, quota(3, 0, 60))


def test_each_key_has_a_bucket_of_its_own(limits, caller, workspace):
    # given
    for _ in range(3):
        caller.call("GET", "/rest/companies")
    other = Caller(create_api_key(workspace, {"name": "second key"})[1])
    # when
    status, response, _ = other.call("GET", "/rest/companies")
    # then
    assert (status, rate_headers(response)) == (200, quota(3, 2, 20))


def test_a_workspace_policy_applies_to_the_next_request(limits, caller, workspace):
    # given: the default policy has been used (and cached)
    assert rate_headers(caller.call("GET", "/rest/companies")[1]) == quota(3, 2, 20)
    # when
    RateLimitPolicy.objects.create(workspace=workspace, requests=10, window_seconds=5)
    status, response, _ = caller.call("GET", "/rest/companies")
    # then: the bucket keeps its 2 tokens, now of a 10-token bucket refilling at 2 per second
    assert (status, rate_headers(response)) == (200, quota(10, 1, 5, window=5))


def test_the_policy_of_another_workspace_does_not_apply(limits, caller, other_workspace):
    RateLimitPolicy.objects.create(workspace=other_workspace, requests=10, window_seconds=5)
    assert rate_headers(caller.call("GET", "/rest/companies")[1]) == quota(3, 2, 20)


def test_graphql_answers_carry_the_quota_and_refuse_beyond_it(limits, caller):
    # when: /graphql and /metadata share the key's bucket
    first = caller.graphql(PEOPLE)
    second = caller.graphql("{ currentWorkspace { id } }", path="/metadata")
    third = caller.graphql(PEOPLE)
    fourth = caller.graphql(PEOPLE)
    # then
    assert [rate_headers(answer[1]) for answer in (first, second, third)] == [
        quota(3, 2, 20),
        quota(3, 1, 40),
        quota(3, 0, 60),
    ]
    assert fourth[0] == 429
    assert fourth[2] == {
        "errors": [
            {
                "message": KEY_LIMIT.format(20),
                "extensions": {"code": "TOO_MANY_REQUESTS", "userFriendlyMessage": KEY_LIMIT.format(20)},
            }
        ]
    }
    assert rate_headers(fourth[1]) == quota(3, 0, 60, retry_after=20)


def test_a_graphql_mutation_beyond_the_limit_writes_nothing(limits, caller):
    for _ in range(3):
        caller.call("GET", "/rest/companies")
    status, _, _ = caller.graphql('mutation { createCompany(data: {name: "Late"}) { id } }')
    assert status == 429
    assert stored().count() == 0


def test_metadata_rest_is_limited_too(limits, caller):
    status, response, _ = caller.call("GET", "/rest/metadata/objects")
    assert (status, rate_headers(response)) == (200, quota(3, 2, 20))


def test_failed_authentications_are_limited_per_address(limits, token):
    # given
    guesser = Caller("crm_0123456789abcdef_wrong")
    # when
    answers = [guesser.call("GET", "/rest/companies") for _ in range(3)]
    # then: two 401s, then 429
    assert [(status, body["error"]) for status, _, body in answers] == [
        (401, "UnauthorizedException"),
        (401, "UnauthorizedException"),
        (429, "TooManyRequestsException"),
    ]
    assert [rate_headers(response) for _, response, _ in answers] == [
        quota(2, 1, 30),
        quota(2, 0, 60),
        quota(2, 0, 60, retry_after=30),
    ]
    assert answers[2][2] == too_many(ADDRESS_LIMIT.format(30))


def test_a_blocked_address_is_refused_even_with_a_valid_key(limits, token):
    # given: the address used up its failed authentications
    for _ in range(2):
        Caller("crm_0123456789abcdef_wrong").call("GET", "/rest/companies")
    # when
    status, response, body = Caller(token).call("GET", "/rest/companies")
    # then: a right key is not told from a wrong one while blocked
    assert (status, body) == (429, too_many(ADDRESS_LIMIT.format(30)))
    assert rate_headers(response) == quota(2, 0, 60, retry_after=30)
    # and once a token has refilled, the valid key works again
    limits.advance(30)
    assert Caller(token).call("GET", "/rest/companies")[0] == 200


def test_other_addresses_are_not_blocked(limits, token):
    for _ in range(3):
        Caller("crm_0123456789abcdef_wrong").call("GET", "/rest/companies")
    status, response, _ = Caller(token, address="10.0.0.9").call("GET", "/rest/companies")
    assert (status, rate_headers(response)) == (200, quota(3, 2, 20))


def test_failed_authentications_on_graphql_count_and_are_refused_with_429(limits):
    guesser = Caller("crm_0123456789abcdef_wrong")
    answers = [guesser.graphql(PEOPLE) for _ in range(3)]
    assert [status for status, _, _ in answers] == [200, 200, 429]
    assert [body["errors"][0]["extensions"]["code"] for _, _, body in answers] == [
        "UNAUTHENTICATED",
        "UNAUTHENTICATED",
        "TOO_MANY_REQUESTS",
    ]
    assert rate_headers(answers[2][1]) == quota(2, 0, 60, retry_after=30)


def test_limits_cost_one_statement_on_the_database_none_on_redis_and_nothing_when_off(limits, caller, settings):
    # given: caches warm (the key's last use recorded, the schema and the policy loaded)
    caller.call("GET", "/rest/companies")
    settings.RATE_LIMIT_ENABLED = False
    caller.call("GET", "/rest/companies")
    # when
    with CaptureQueriesContext(connection) as off:
        status, response, _ = caller.call("GET", "/rest/companies")
    settings.RATE_LIMIT_ENABLED = True
    with CaptureQueriesContext(connection) as on:
        caller.call("GET", "/rest/companies")
    # then
    assert (status, rate_headers(response)) == (200, {})
    taken = [q["sql"] for q in on.captured_queries if "guards_app_ratebucket" in q["sql"]]
    assert len(on) - len(off) == len(taken) == (1 if limits.backend == "database" else 0)


class RedisCommands:
    """The commands this process sends to the Redis of ``REDIS_URL`` (its client's own calls, run as they are)."""

    def __init__(self, monkeypatch, url: str) -> None:
        self.sent: list[str] = []
        client = client_for(url)
        execute = client.execute_command

        def recording(*args, **options):
            self.sent.append(str(args[0]).upper())
            return execute(*args, **options)

        monkeypatch.setattr(client, "execute_command", recording)

    def during(self, call):
        """The commands ``call()`` sends."""
        self.sent.clear()
        call()
        return list(self.sent)


def test_a_kept_key_is_checked_and_takes_its_token_in_one_redis_command(limits, caller, settings, monkeypatch):
    # given: the first request reads the key and records its use, the second reads and keeps the
    # recorded row; 40 s later the bucket is full again
    if limits.backend != "redis":
        pytest.skip("nothing is kept without Redis")
    key_cache._kept.clear()
    commands = RedisCommands(monkeypatch, settings.REDIS_URL)
    reading = [commands.during(lambda: caller.call("GET", "/rest/companies")) for _ in range(2)]
    limits.advance(40)
    # when
    answers = []
    kept = commands.during(lambda: answers.append(caller.call("GET", "/rest/companies")))
    kept += commands.during(lambda: answers.append(caller.graphql(PEOPLE)))
    # then: the generation read alone, then the take; once kept, one command does both
    assert reading == [["GET", "EVALSHA"], ["GET", "EVALSHA"]]
    assert kept == ["EVALSHA", "EVALSHA"]
    assert [rate_headers(response) for _, response, _ in answers] == [quota(3, 2, 20), quota(3, 1, 40)]


def test_a_kept_key_changed_elsewhere_is_read_again_in_the_same_request(limits, caller, token, monkeypatch):
    # given: this process keeps the key's row
    if limits.backend != "redis":
        pytest.skip("nothing is kept without Redis")
    key_cache._kept.clear()
    assert caller.call("GET", "/rest/companies")[0] == 200
    assert caller.call("GET", "/rest/companies")[0] == 200
    assert key_cache.kept_row(token.split("_")[1]) is not None
    # when: another process revokes the key (the row here is not told; Redis' generation is)
    ApiKey.objects.filter(key_id=token.split("_")[1]).update(revoked_at=timezone.now())
    key_cache.replace_generation()
    status, _, body = caller.call("GET", "/rest/companies")
    # then
    assert (status, body) == (401, error(401, "This API key has been revoked."))


def test_a_wrong_secret_for_a_kept_key_spends_none_of_its_requests(limits, caller, token):
    # given
    if limits.backend != "redis":
        pytest.skip("nothing is kept without Redis")
    key_cache._kept.clear()
    caller.call("GET", "/rest/companies")
    caller.call("GET", "/rest/companies")
    key_id = token.split("_")[1]
    assert key_cache.kept_row(key_id) is not None
    # when: the key's public part with a made-up secret
    guess = Caller(f"crm_{key_id}_{'x' * 43}", address="203.0.113.5")
    status, _, body = guess.call("GET", "/rest/companies")
    # then: refused, and the key still has its last token
    assert (status, body) == (401, error(401, "Unknown API key."))
    status, response, _ = caller.call("GET", "/rest/companies")
    assert (status, rate_headers(response)) == (200, quota(3, 0, 60))


def test_anonymous_introspection_and_documents_are_not_limited(limits):
    anonymous = Caller(None)
    status, response, _ = anonymous.call("GET", "/rest/open-api/core")
    assert (status, rate_headers(response)) == (200, {})
    status, response, _ = anonymous.graphql("{ __schema { queryType { name } } }")
    assert (status, rate_headers(response)) == (200, {})


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        pytest.param(0, "203.0.113.7", "198.51.100.1", "203.0.113.7", id="no_proxy_ignores_the_header"),
        pytest.param(1, "", "198.51.100.1, 203.0.113.9", "203.0.113.9", id="one_proxy_takes_the_last_entry"),
        pytest.param(2, "", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1", id="two_proxies"),
        pytest.param(1, "", "", "unknown", id="nothing_known"),
        pytest.param(0, "2001:db8::1", "", "2001:db8::1", id="ipv6"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(settings, proxies, remote, forwarded, expected):
    # given
    settings.RATE_LIMIT_PROXY_COUNT = proxies

    class Request:
        META = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}

    # then
    assert client_address(Request()) == expected


def test_an_unreachable_redis_lets_requests_through_without_headers(limits, caller, settings, caplog):
    # given: nothing listens on port 1
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    # when
    status, response, _ = caller.call("GET", "/rest/companies")
    # then
    assert (status, rate_headers(response)) == (200, {})
    assert "Rate limits off for this request: Redis did not answer" in caplog.text


# --- concurrency: counting is atomic across processes and machines -------------------------------
# These tests commit (transaction=True) and the database is flushed after each: keep them last.

THREADS, CALLS = 8, 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_take_exactly_the_bucket(limits, settings):
    # given: a committed workspace and key, 10 requests per hour (no refill during the test)
    if limits.backend == "database" and connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: nothing concurrent to count")
    settings.RATE_LIMIT_REQUESTS, settings.RATE_LIMIT_WINDOW = 10, 3600
    key, token = create_api_key(create_workspace("Burst"), {"name": "burst key"})
    # The key's first use writes last_used_at; eight first uses at once on SQLite's shared-cache
    # test database fail at once (no busy timeout there, unlike the WAL file of a deployment):
    # the key is used "now" already, so that only the bucket is raced.
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            caller = Caller(token)
            barrier.wait(timeout=10)
            for _ in range(CALLS):
                status = caller.call("GET", "/rest/companies")[0]
                with lock:
                    statuses.append(status)
        finally:
            connection.close()

    # when: 40 requests at once on 8 connections
    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert sorted(statuses) == [200] * 10 + [429] * 30


@pytest.mark.django_db(transaction=True)
def test_a_take_in_autocommit_commits_lazily_without_changing_the_session(limits):
    # given: the database backend on PostgreSQL, a committed key, no transaction around the request
    if limits.backend != "database" or connection.vendor != "postgresql":
        pytest.skip("lazy commits are the PostgreSQL bucket's")
    key, token = create_api_key(create_workspace("Lazy"), {"name": "lazy key"})
    # when
    status, response, _ = Caller(token).call("GET", "/rest/companies")
    # then: the token is taken, and the next statements of the connection commit synchronously again
    assert (status, rate_headers(response)) == (200, quota(3, 2, 20))
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
        cursor.execute("SELECT tokens, allowed FROM guards_app_ratebucket WHERE name = %s", [f"key:{key.pk}"])
        assert cursor.fetchone() == (2.0, True)


def test_the_openapi_documents_count_failed_authentications_and_tell_no_key_while_blocked(limits, token):
    # given
    guesser = Caller("crm_0123456789abcdef_wrong")
    # when: wrong keys on the workspace's document (a 200 with the base document, while allowed)
    answers = [guesser.call("GET", "/rest/open-api/core") for _ in range(3)]
    status, _, body = Caller(token).call("GET", "/rest/open-api/metadata")
    # then: counted as on every API, and a right key is refused alike while the address is blocked
    assert [status for status, _, _ in answers] == [200, 200, 429]
    assert answers[2][2] == too_many(ADDRESS_LIMIT.format(30))
    assert (status, body) == (429, too_many(ADDRESS_LIMIT.format(30)))
    limits.advance(30)
    assert Caller(token).call("GET", "/rest/open-api/core")[0] == 200
