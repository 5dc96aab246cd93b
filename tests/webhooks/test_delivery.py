"""Deliveries to a real receiver on 127.0.0.1: signature, payload, retries with the same event id,
the delivery log, redelivery, the failing marker, redirects, timeouts and the SSRF guard."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401
from tests.webhooks.conftest import created
from webhooks_app.models import Delivery, Event
from webhooks_app.recovery import requeue_lost_deliveries
from webhooks_app.tasks import retry_delay

seeded_workspace_ids = seeded_workspaces("module")

INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
ADA = {"name": {"firstName": "Ada", "lastName": "Lovelace"}}


def twenty_receiver_accepts(secret: str, headers: dict[str, str], raw_body: bytes) -> bool:
    """What a receiver written for Twenty checks (api-reference.md 6.4)."""
    timestamp = headers["X-Twenty-Webhook-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}:{raw_body.decode()}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Twenty-Webhook-Signature"])


def parse(instant: str) -> datetime:
    """An API instant as a datetime."""
    return datetime.fromisoformat(instant.replace("Z", "+00:00"))


def test_signature_and_headers_verify_as_a_twenty_receiver_checks_them(api, hooks, receiver, run_worker):
    # given
    hook = hooks.create(receiver.url())
    person = created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    [request] = receiver.at("/hook")
    headers = request.headers
    assert twenty_receiver_accepts(hook["secret"], headers, request.body)
    assert not twenty_receiver_accepts("another secret", headers, request.body)
    assert headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"\d{13}", headers["X-Twenty-Webhook-Timestamp"])
    assert abs(int(headers["X-Twenty-Webhook-Timestamp"]) - time.time() * 1000) < 60_000
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Twenty-Webhook-Nonce"])
    [delivery] = hooks.deliveries(hook["id"])
    assert headers["X-Twenty-Webhook-Event-Id"] == delivery["eventId"]
    assert headers["X-Twenty-Webhook-Delivery-Id"] == delivery["id"]
    assert headers["X-Twenty-Webhook-Attempt"] == "1"
    assert hook["secret"] not in request.body.decode()
    assert request.json()["record"]["id"] == person["id"]


def test_payload_has_twentys_keys_in_order_and_the_record_as_the_api_shows_it(
    api, hooks, receiver, run_worker, workspace
):
    # given
    hook = hooks.create(receiver.url())
    person = created(api.post("/rest/people", ADA))
    created(api.patch(f"/rest/people/{person['id']}", {"jobTitle": "Analyst", "city": "London"}))

    # when
    run_worker()

    # then
    first, second = (r.json() for r in sorted(receiver.at("/hook"), key=lambda r: r.json()["eventName"]))
    person_object = api.get("/rest/metadata/objects", limit=100)[1]["data"]["objects"]
    person_object_id = next(o["id"] for o in person_object if o["nameSingular"] == "person")
    common = {
        "targetUrl": receiver.url(),
        "objectMetadata": {"id": person_object_id, "nameSingular": "person"},
        "workspaceId": str(workspace.pk),
        "webhookId": hook["id"],
    }
    assert list(first) == [
        "targetUrl",
        "eventName",
        "objectMetadata",
        "workspaceId",
        "webhookId",
        "eventDate",
        "record",
    ]
    assert first == {**common, "eventName": "person.created", "eventDate": first["eventDate"], "record": person}
    assert list(second) == [
        "targetUrl",
        "eventName",
        "objectMetadata",
        "workspaceId",
        "webhookId",
        "eventDate",
        "record",
        "updatedFields",
        "before",
    ]
    current = api.get(f"/rest/people/{person['id']}")[1]["data"]["person"]
    assert second == {
        **common,
        "eventName": "person.updated",
        "eventDate": second["eventDate"],
        "record": current,
        "updatedFields": ["jobTitle", "city"],
        "before": {"jobTitle": person["jobTitle"], "city": person["city"]},
    }
    assert INSTANT.fullmatch(first["eventDate"]) and INSTANT.fullmatch(second["eventDate"])
    assert b", " not in receiver.at("/hook")[0].body and b": " not in receiver.at("/hook")[0].body


def test_receiver_answering_500_twice_then_200_gets_the_event_three_times_with_the_same_event_id(
    api, hooks, receiver, run_worker
):
    # given
    hook = hooks.create(receiver.url())
    receiver.script("/hook", 500, 500, 200)
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    requests = receiver.at("/hook")
    assert len(requests) == 3
    assert {r.headers["X-Twenty-Webhook-Event-Id"] for r in requests} == {hooks.deliveries(hook["id"])[0]["eventId"]}
    assert len({r.headers["X-Twenty-Webhook-Delivery-Id"] for r in requests}) == 1
    assert [r.headers["X-Twenty-Webhook-Attempt"] for r in requests] == ["1", "2", "3"]
    assert len({r.body for r in requests}) == 1
    assert all(twenty_receiver_accepts(hook["secret"], r.headers, r.body) for r in requests)
    [delivery] = hooks.deliveries(hook["id"])
    assert (delivery["status"], delivery["attemptCount"], delivery["lastStatusCode"]) == ("SUCCEEDED", 3, 200)
    assert [(a["number"], a["statusCode"], a["succeeded"], a["error"]) for a in delivery["attempts"]] == [
        (1, 500, False, None),
        (2, 500, False, None),
        (3, 200, True, None),
    ]
    assert delivery["attempts"][0]["responseExcerpt"] == '{"answered":500}'
    assert all(isinstance(a["durationMs"], int) and INSTANT.fullmatch(a["attemptedAt"]) for a in delivery["attempts"])
    assert INSTANT.fullmatch(delivery["deliveredAt"]) and delivery["nextAttemptAt"] is None


def test_a_failed_attempt_schedules_the_next_one_with_exponential_backoff(api, hooks, receiver, run_worker, settings):
    # given
    settings.WEBHOOKS_RETRY_BASE_DELAY, settings.WEBHOOKS_RETRY_FACTOR, settings.WEBHOOKS_RETRY_JITTER = 80, 3, 0.2
    hook = hooks.create(receiver.url())
    receiver.script("/hook", 503)
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then: one attempt made, the retry waits 80 s +/- 20 % and is not due yet
    assert len(receiver.at("/hook")) == 1
    [delivery] = hooks.deliveries(hook["id"])
    assert delivery["status"] == "PENDING"
    waited = (parse(delivery["nextAttemptAt"]) - parse(delivery["attempts"][0]["attemptedAt"])).total_seconds()
    assert 64 <= waited <= 96.5
    job = DBTaskResult.objects.get(status="READY")
    assert job.args_kwargs == {"args": [delivery["id"]], "kwargs": {}}
    assert abs((job.run_after - parse(delivery["nextAttemptAt"])).total_seconds()) < 0.001


@pytest.mark.parametrize(
    ("base", "factor", "jitter", "low", "high"),
    [
        (80, 3, 0, [80, 240, 720, 2160, 6480, 19440, 58320], [80, 240, 720, 2160, 6480, 19440, 58320]),
        (80, 3, 0.2, [64, 192, 576, 1728, 5184, 15552, 46656], [96, 288, 864, 2592, 7776, 23328, 69984]),
        (0, 3, 0.2, [0] * 7, [0] * 7),
    ],
    ids=["defaults_without_jitter", "defaults", "zero_base"],
)
def test_retry_delays_grow_exponentially_within_the_jitter(settings, base, factor, jitter, low, high):
    # given
    settings.WEBHOOKS_RETRY_BASE_DELAY, settings.WEBHOOKS_RETRY_FACTOR, settings.WEBHOOKS_RETRY_JITTER = (
        base,
        factor,
        jitter,
    )

    # when
    delays = [retry_delay(n).total_seconds() for n in range(1, 8)]

    # then
    assert all(lo - 1e-6 <= d <= hi + 1e-6 for d, lo, hi in zip(delays, low, high)), delays


def test_default_schedule_spans_about_a_day_over_eight_attempts(settings):
    # given
    settings.WEBHOOKS_RETRY_BASE_DELAY, settings.WEBHOOKS_RETRY_FACTOR, settings.WEBHOOKS_RETRY_JITTER = 80, 3, 0
    settings.WEBHOOKS_MAX_ATTEMPTS = 8

    # when
    total = sum((retry_delay(n) for n in range(1, 8)), timedelta())

    # then
    assert timedelta(hours=20) <= total <= timedelta(hours=28)


def test_delivery_is_given_up_after_the_last_attempt(api, hooks, receiver, run_worker, settings):
    # given
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    hook = hooks.create(receiver.url())
    receiver.script("/hook", 500, 502, 504, 200)
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    assert len(receiver.at("/hook")) == 3
    [delivery] = hooks.deliveries(hook["id"])
    assert (delivery["status"], delivery["attemptCount"], delivery["nextAttemptAt"]) == ("FAILED", 3, None)
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 502, 504]
    assert hooks.deliveries(hook["id"], status="FAILED") == [delivery]
    assert hooks.deliveries(hook["id"], status="SUCCEEDED") == []
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_webhook_that_keeps_failing_is_marked_failing_until_a_delivery_succeeds(
    api, hooks, receiver, run_worker, settings
):
    # given
    settings.WEBHOOKS_MAX_ATTEMPTS, settings.WEBHOOKS_FAILING_AFTER = 2, 3
    hook = hooks.create(receiver.url())
    receiver.script("/hook", *[500] * 4)
    created(api.post("/rest/people", ADA))
    run_worker()
    path = f"/rest/metadata/webhooks/{hook['id']}"
    after_two = api.get(path)[1]["data"]

    # when
    created(api.post("/rest/people", {"name": {"firstName": "Grace", "lastName": "Hopper"}}))
    run_worker()
    failing = api.get(path)[1]["data"]
    failed = hooks.deliveries(hook["id"], status="FAILED")
    status, redelivered = api.post(f"{path}/deliveries/{failed[0]['id']}/redeliver")
    run_worker()
    healthy = api.get(path)[1]["data"]

    # then
    assert (after_two["isFailing"], after_two["consecutiveFailures"]) == (False, 2)
    assert (failing["isFailing"], failing["consecutiveFailures"]) == (True, 4)
    assert INSTANT.fullmatch(failing["failingSince"])
    assert len(failed) == 2
    assert (status, redelivered["data"]["status"]) == (202, "PENDING")
    assert (healthy["isFailing"], healthy["failingSince"], healthy["consecutiveFailures"]) == (False, None, 0)


def test_redelivery_sends_the_same_event_again_as_a_new_attempt(api, hooks, receiver, run_worker):
    # given
    hook = hooks.create(receiver.url())
    created(api.post("/rest/people", ADA))
    run_worker()
    [delivery] = hooks.deliveries(hook["id"])

    # when
    status, answer = api.post(f"/rest/metadata/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver")
    run_worker()

    # then
    assert status == 202
    assert (answer["data"]["id"], answer["data"]["status"], answer["data"]["attemptCount"]) == (
        delivery["id"],
        "PENDING",
        1,
    )
    first, second = receiver.at("/hook")
    assert (
        first.headers["X-Twenty-Webhook-Event-Id"] == second.headers["X-Twenty-Webhook-Event-Id"] == delivery["eventId"]
    )
    assert (first.headers["X-Twenty-Webhook-Attempt"], second.headers["X-Twenty-Webhook-Attempt"]) == ("1", "2")
    assert first.body == second.body
    [after] = hooks.deliveries(hook["id"])
    assert (after["status"], after["attemptCount"]) == ("SUCCEEDED", 2)
    assert api.get(f"/rest/metadata/webhooks/{hook['id']}/deliveries/{delivery['id']}") == (200, {"data": after})


def test_redelivery_takes_over_from_a_scheduled_retry(api, hooks, receiver, run_worker, settings):
    # given: a failed attempt whose retry waits far in the future
    settings.WEBHOOKS_RETRY_BASE_DELAY = 3600
    hook = hooks.create(receiver.url())
    receiver.script("/hook", 500)
    created(api.post("/rest/people", ADA))
    run_worker()
    [delivery] = hooks.deliveries(hook["id"])
    scheduled = Delivery.objects.get(pk=delivery["id"]).task_id

    # when
    api.post(f"/rest/metadata/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver")
    run_worker()
    DBTaskResult.objects.filter(pk=scheduled).update(run_after=DBTaskResult.objects.get(pk=scheduled).enqueued_at)
    run_worker()

    # then: the old retry found another job in charge and sent nothing
    assert len(receiver.at("/hook")) == 2
    assert DBTaskResult.objects.get(pk=scheduled).return_value == "skipped: succeeded"
    assert hooks.deliveries(hook["id"])[0]["attemptCount"] == 2


def test_redirects_are_not_followed(api, hooks, receiver, run_worker):
    # given
    hook = hooks.create(receiver.url())
    receiver.script("/hook", (302, {"Location": receiver.url("/elsewhere")}, 0), 200)
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    assert receiver.at("/elsewhere") == []
    assert [(a["statusCode"], a["succeeded"]) for a in hooks.deliveries(hook["id"])[0]["attempts"]] == [
        (302, False),
        (200, True),
    ]


def test_a_receiver_slower_than_the_timeout_counts_as_a_failed_attempt(api, hooks, receiver, run_worker, settings):
    # given
    settings.WEBHOOKS_TIMEOUT = 0.3
    hook = hooks.create(receiver.url())
    receiver.script("/hook", (200, {}, 0.8), 200)
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    first, second = hooks.deliveries(hook["id"])[0]["attempts"]
    assert (first["statusCode"], first["succeeded"], first["error"]) == (None, False, "Timed out after 0.3 s")
    assert 250 <= first["durationMs"] < 800
    assert (second["statusCode"], second["succeeded"]) == (200, True)


def test_an_answer_trickled_a_byte_at_a_time_still_times_out_at_the_timeout(api, hooks, run_worker, settings):
    # given: a receiver that sends its status line, then one header line every 0.2 s for 3 s; each
    # read is quicker than the timeout, the whole answer is not
    settings.WEBHOOKS_TIMEOUT = 0.5
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def trickle() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for n in range(15):
                time.sleep(0.2)
                try:
                    conn.sendall(f"X-Drip-{n}: 1\r\n".encode())
                except OSError:
                    return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    hook = hooks.create(f"http://127.0.0.1:{server.getsockname()[1]}/hook")
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    [attempt] = hooks.deliveries(hook["id"])[0]["attempts"]
    assert (attempt["statusCode"], attempt["error"]) == (None, "Timed out after 0.5 s")
    assert 450 <= attempt["durationMs"] < 1200
    server.close()


def test_credentials_in_the_url_are_sent_as_basic_authentication(api, hooks, receiver, run_worker):
    # given
    hooks.create(receiver.url("/hook").replace("http://", "http://zapier:s%40cret@"))
    created(api.post("/rest/people", ADA))
    # when
    run_worker()
    # then: as an HTTP client (Twenty's axios) sends them
    [received] = receiver.at("/hook")
    assert received.headers["Authorization"] == "Basic " + base64.b64encode(b"zapier:s@cret").decode()


def test_connection_errors_are_logged_and_retried(api, hooks, run_worker, settings):
    # given: a port nobody listens on
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook = hooks.create(f"http://127.0.0.1:{port}/hook")
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    [delivery] = hooks.deliveries(hook["id"])
    assert delivery["status"] == "FAILED"
    assert [a["error"].split(":")[0] for a in delivery["attempts"]] == [
        "ConnectionRefusedError",
        "ConnectionRefusedError",
    ]


def test_ssrf_guard_refuses_loopback_when_private_targets_are_not_allowed(api, hooks, receiver, run_worker, settings):
    # given: a webhook made while local targets were allowed
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    hook = hooks.create(receiver.url())
    named = hooks.create(f"http://{socket.gethostname()}:{receiver.port}/named")
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    created(api.post("/rest/people", ADA))

    # when
    run_worker()

    # then
    assert receiver.requests == []
    for webhook in (hook, named):
        [delivery] = hooks.deliveries(webhook["id"])
        assert delivery["status"] == "FAILED"
        assert delivery["attempts"][0]["error"] == "Webhook URL resolves to a private/internal IP address"


def test_deleting_a_webhook_cancels_its_pending_deliveries(api, hooks, receiver, run_worker):
    # given
    hook = hooks.create(receiver.url())
    created(api.post("/rest/people", ADA))

    # when
    api.delete(f"/rest/metadata/webhooks/{hook['id']}")
    run_worker()

    # then
    assert receiver.requests == []
    assert list(Delivery.objects.values_list("status", flat=True)) == ["CANCELLED"]


def test_a_change_queues_its_delivery_job_in_the_same_transaction(api, hooks, receiver):
    # given
    hook = hooks.create(receiver.url())

    # when
    person = created(api.post("/rest/people", ADA))

    # then
    event = Event.objects.get(record_id=person["id"])
    delivery = Delivery.objects.get(event=event)
    job = DBTaskResult.objects.get()
    assert (str(delivery.webhook_id), delivery.status, delivery.task_id) == (hook["id"], "PENDING", job.id)
    assert (job.status, job.task_path, job.args_kwargs) == (
        "READY",
        "webhooks_app.tasks.deliver_webhook",
        {"args": [str(delivery.pk)], "kwargs": {}},
    )
    assert json.loads(event.record) == person


def test_a_lost_job_is_requeued_and_the_delivery_still_arrives_once(api, hooks, receiver, run_worker):
    # given: a worker claimed the job, then died before running it
    hook = hooks.create(receiver.url())
    created(api.post("/rest/people", ADA))
    DBTaskResult.objects.ready().get_locked().claim("worker-that-died")
    run_worker()
    assert receiver.requests == []

    # when
    first, second = io.StringIO(), io.StringIO()
    call_command("requeue_webhook_deliveries", "--stale-after", "0", stdout=first)
    run_worker()
    call_command("requeue_webhook_deliveries", "--stale-after", "0", stdout=second)
    run_worker()

    # then
    assert (first.getvalue(), second.getvalue()) == (
        "Requeued 1 webhook deliveries.\n",
        "Requeued 0 webhook deliveries.\n",
    )
    assert len(receiver.at("/hook")) == 1
    assert hooks.deliveries(hook["id"])[0]["status"] == "SUCCEEDED"


def test_a_fresh_running_job_is_not_taken_for_lost(api, hooks, receiver):
    # given
    hooks.create(receiver.url())
    created(api.post("/rest/people", ADA))
    DBTaskResult.objects.ready().get_locked().claim("busy-worker")

    # when / then
    assert requeue_lost_deliveries(stale_after=600) == 0


def test_pruning_deletes_old_settled_events_and_keeps_pending_ones(api, hooks, receiver, run_worker):
    # given: two old events, one delivered and one still pending, and a recent one
    hooks.create(receiver.url())
    created(api.post("/rest/people", ADA))
    run_worker()
    created(api.post("/rest/people", ADA))
    Event.objects.update(occurred_at=datetime(2020, 1, 1, tzinfo=UTC))
    created(api.post("/rest/people", ADA))
    output = io.StringIO()

    # when
    call_command("prune_webhook_events", "--days", "30", stdout=output)

    # then
    assert output.getvalue() == "Deleted 3 rows (events, deliveries and attempts) older than 30 days.\n"
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["PENDING", "PENDING"]


def test_pruning_with_fewer_days_than_the_feed_promises_is_refused(api, settings):
    # given: a cursor into the last days would silently skip what such a prune deletes
    settings.EVENTS_RETENTION_DAYS = 30
    created(api.post("/rest/people", ADA))
    # when / then
    with pytest.raises(CommandError, match=r"^--days must be at least EVENTS_RETENTION_DAYS \(30\)"):
        call_command("prune_webhook_events", "--days", "0", stdout=io.StringIO())
    assert Event.objects.count() == 1


def test_pruning_without_days_keeps_each_workspaces_events_for_its_retention(
    api, other_api, workspace, other_workspace
):
    # given: events of 40 days ago in both workspaces; this one keeps its log 30 days, the other 90
    created(api.post("/rest/people", ADA))
    created(other_api.post("/rest/people", ADA))
    Event.objects.update(occurred_at=timezone.now() - timedelta(days=40))
    assert api.patch("/rest/metadata/workspace", {"eventLogRetentionDays": 30})[0] == 200
    output = io.StringIO()

    # when
    call_command("prune_webhook_events", stdout=output)

    # then
    assert (
        output.getvalue()
        == "Deleted 1 rows (events, deliveries and attempts) older than their workspace's retention.\n"
    )
    assert list(Event.objects.values_list("workspace_id", flat=True)) == [other_workspace.pk]
