"""The event feed (``GET /rest/events``, ``events`` on ``/graphql``) and webhook replay, through HTTP.

These tests commit (``transaction=True``): on PostgreSQL the feed only shows events whose
transaction is below the commit horizon, which a test's own rolled-back transaction never is.
``settled()`` waits until every committed event is below the horizon (another session of the
server holding a transaction open delays it for that long).
"""

from __future__ import annotations

import io
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles_app import services as role_services
from tests.conftest import ApiClient
from tests.webhooks.conftest import created
from webhooks_app.apps import restore_event_clock
from webhooks_app.feed import encode_cursor
from webhooks_app.models import Delivery, Event, time_ordered_uuid

pytestmark = pytest.mark.django_db(transaction=True)

ADA = {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "jobTitle": "Analyst", "city": "London"}


def settled(timeout: float = 60.0) -> None:
    """Wait until every event written so far is below PostgreSQL's commit horizon (SQLite: at once)."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT COALESCE(MAX(xid), 0) < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
                "FROM webhooks_app_event"
            )
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "a transaction of the server stayed open"
            time.sleep(0.05)


def feed(api: ApiClient, **params: Any) -> dict[str, Any]:
    """A 200 page of ``GET /rest/events``, once every event is below the horizon."""
    settled()
    status, body = api.get("/rest/events", **params)
    assert status == 200, body
    return body


def names(page: dict[str, Any]) -> list[str]:
    """``eventName`` of every item of a page."""
    return [item["eventName"] for item in page["data"]]


def object_id(api: ApiClient, name: str) -> str:
    """The id of an object, through the metadata REST API."""
    objects = api.get("/rest/metadata/objects", limit=100)[1]["data"]["objects"]
    return next(o["id"] for o in objects if o["nameSingular"] == name)


def test_the_feed_lists_every_change_as_its_webhook_payload_in_order(api, workspace):
    # given: a person created, updated, soft-deleted, restored and destroyed
    person = created(api.post("/rest/people", ADA))
    updated = created(api.patch(f"/rest/people/{person['id']}", {"jobTitle": "Engineer"}))
    assert api.delete(f"/rest/people/{person['id']}", soft_delete="true")[0] == 200
    restored = created(api.patch(f"/rest/restore/people/{person['id']}"))
    assert api.delete(f"/rest/people/{person['id']}")[0] == 200

    # when
    page = feed(api)

    # then
    events = list(Event.objects.order_by("xid", "id"))
    assert names(page) == [
        "person.created",
        "person.updated",
        "person.deleted",
        "person.restored",
        "person.destroyed",
    ]
    assert [item["eventId"] for item in page["data"]] == [str(e.pk) for e in events]
    assert [item["cursor"] for item in page["data"]] == [encode_cursor(e.xid, e.pk, e.workspace_id) for e in events]
    common = {"objectMetadata": {"id": object_id(api, "person"), "nameSingular": "person"}}
    first, second = page["data"][:2]
    assert list(first) == ["eventId", "cursor", "eventName", "objectMetadata", "workspaceId", "eventDate", "record"]
    assert first == {
        "eventId": str(events[0].pk),
        "cursor": encode_cursor(events[0].xid, events[0].pk, events[0].workspace_id),
        "eventName": "person.created",
        **common,
        "workspaceId": str(workspace.pk),
        "eventDate": events[0].occurred_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "record": person,
    }
    assert second["record"] == updated
    assert second["updatedFields"] == ["jobTitle"]
    assert second["before"] == {"jobTitle": "Analyst"}
    assert page["data"][3]["record"] == restored
    assert page["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": first["cursor"],
        "endCursor": page["data"][-1]["cursor"],
    }


def test_paging_with_after_reads_every_event_once_and_an_empty_page_keeps_the_cursor(api):
    # given: seven people
    status, _ = api.post("/rest/batch/people", [{"name": {"firstName": f"P{n}"}} for n in range(7)])
    assert status == 201

    # when: pages of three
    first = feed(api, limit=3)
    second = feed(api, limit=3, after=first["pageInfo"]["endCursor"])
    third = feed(api, limit=3, after=second["pageInfo"]["endCursor"])
    empty = feed(api, limit=3, after=third["pageInfo"]["endCursor"])

    # then
    seen = [item["record"]["name"]["firstName"] for page in (first, second, third) for item in page["data"]]
    assert seen == [f"P{n}" for n in range(7)]
    assert [first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"], third["pageInfo"]["hasNextPage"]] == [
        True,
        True,
        False,
    ]
    assert empty["data"] == []
    assert empty["pageInfo"]["endCursor"] == third["pageInfo"]["endCursor"]
    assert empty["pageInfo"]["hasPreviousPage"] is True

    # and: a later change shows after the kept cursor
    created(api.post("/rest/people", ADA))
    assert names(feed(api, after=empty["pageInfo"]["endCursor"])) == ["person.created"]


def test_filters_on_object_operation_record_and_time(api):
    # given
    person = created(api.post("/rest/people", ADA))
    other = created(api.post("/rest/people", ADA))
    company = created(api.post("/rest/companies", {"name": "Acme"}))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris"}))
    settled()
    middle = timezone.now()
    time.sleep(0.01)
    created(api.patch(f"/rest/companies/{company['id']}", {"name": "Acme Inc"}))

    # when / then
    assert names(feed(api, objectNameSingular="company")) == ["company.created", "company.updated"]
    assert names(feed(api, operation="updated")) == ["person.updated", "company.updated"]
    assert [i["record"]["id"] for i in feed(api, recordId=person["id"])["data"]] == [person["id"], person["id"]]
    assert names(feed(api, recordId=other["id"])) == ["person.created"]
    assert names(feed(api, since=middle.isoformat())) == ["company.updated"]
    assert names(feed(api, until=middle.isoformat())) == [
        "person.created",
        "person.created",
        "company.created",
        "person.updated",
    ]
    assert names(feed(api, objectNameSingular="person", operation="created", limit=1)) == ["person.created"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"objectNameSingular": "people"},
            "objectNameSingular 'people' is not an object of this workspace. eg: person",
        ),
        (
            {"operation": "upserted"},
            "operation 'upserted' is invalid. Use one of created, updated, deleted, destroyed, restored",
        ),
        ({"recordId": "nope"}, "recordId 'nope' is not a valid UUID"),
        ({"since": "yesterday"}, "'since' must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T09:00:00Z"),
        (
            {"until": "2026-01-01T00:00:00"},
            "'until' must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T09:00:00Z",
        ),
        ({"limit": "ten"}, "limit 'ten' is invalid. Should be an integer"),
        ({"limit": "-1"}, "limit '-1' is invalid. Should be an integer from 1 (at most 200 are returned)"),
        ({"limit": "0"}, "limit '0' is invalid. Should be an integer from 1 (at most 200 are returned)"),
        ({"before": "abc"}, "The event feed pages forward only: give 'after' (an endCursor of this feed)"),
        ({"starting_after": "abc"}, "The event feed pages forward only: give 'after' (an endCursor of this feed)"),
        ({"after": "garbage!"}, "Invalid cursor 'garbage!': use an endCursor or a cursor returned by this feed"),
    ],
)
def test_bad_parameters_are_400_saying_what_to_fix(api, params, message):
    # when
    status, body = api.get("/rest/events", **params)

    # then
    assert (status, body) == (400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]})


def test_limit_is_capped_at_200(api):
    # given
    for start in range(0, 210, 60):
        batch = [{"name": {"firstName": f"P{n}"}} for n in range(start, min(start + 60, 210))]
        assert api.post("/rest/batch/people", batch)[0] == 201

    # when
    page = feed(api, limit=500)

    # then
    assert (len(page["data"]), page["pageInfo"]["hasNextPage"]) == (200, True)


def test_a_cursor_older_than_retention_is_410_naming_the_oldest_cursor(api, settings):
    # given: a cursor of an event 40 days old, and a kept event
    settings.EVENTS_RETENTION_DAYS = 30
    created(api.post("/rest/people", ADA))
    kept = Event.objects.get()
    old_id = uuid.UUID(
        int=(int((timezone.now() - timedelta(days=40)).timestamp() * 1000) << 80) | (0x7 << 76) | (2 << 62)
    )
    old_cursor = encode_cursor(1, old_id, kept.workspace_id)
    settled()

    # when
    status, body = api.get("/rest/events", after=old_cursor)

    # then
    assert status == 410
    assert body["error"] == "GoneException"
    [message] = body["messages"]
    assert message.startswith(f"Cursor '{old_cursor}' is older than the event retention (30 days, since ")
    assert message.endswith(
        f"; the oldest cursor available is '{encode_cursor(kept.xid, kept.pk, kept.workspace_id)}'. "
        "Page from the start (without 'after') to read every event still kept."
    )


def test_events_older_than_retention_leave_the_feed_and_pruning_follows_the_setting(api, settings):
    # given: an event 40 days old, one 20 days old, one new; the feed keeps 30 days, the delivery log 7
    settings.EVENTS_RETENTION_DAYS = 30
    assert api.patch("/rest/metadata/workspace", {"eventLogRetentionDays": 7})[0] == 200
    for first in ("Old", "Middle", "New"):
        created(api.post("/rest/people", {"name": {"firstName": first}}))
    old, middle, _ = Event.objects.order_by("xid", "id")
    Event.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=40))
    Event.objects.filter(pk=middle.pk).update(occurred_at=timezone.now() - timedelta(days=20))

    # when
    page = feed(api)
    output = io.StringIO()
    call_command("prune_webhook_events", stdout=output)

    # then: the 20-day-old event stays for the feed although the delivery log keeps 7 days
    assert [i["record"]["name"]["firstName"] for i in page["data"]] == ["Middle", "New"]
    assert sorted(Event.objects.values_list("pk", flat=True)) == sorted(e.pk for e in Event.objects.exclude(pk=old.pk))
    assert not Event.objects.filter(pk=old.pk).exists()


def test_cursors_tell_nothing_of_other_workspaces_writes(api, other_api):
    # given: a cursor of the workspace, then writes elsewhere, then one more event of its own
    created(api.post("/rest/people", ADA))
    first = feed(api)["data"][0]["cursor"]
    for n in range(5):
        created(other_api.post("/rest/people", {"name": {"firstName": f"Other{n}"}}))
    created(api.post("/rest/people", {"name": {"firstName": "Grace"}}))
    settled()
    # when
    page = feed(api, after=first)
    # then: the cursor is no counter, whatever is decoded from it; the page follows it exactly
    assert [item["record"]["name"]["firstName"] for item in page["data"]] == ["Grace"]
    second = page["data"][0]["cursor"]
    for cursor in (first, second):
        assert str(Event.objects.get(pk=feed_item_id(api, cursor)).xid).encode() not in decoded(cursor)
    assert len(first) == len(second) == 54


def feed_item_id(api: ApiClient, cursor: str) -> str:
    """The event id of the item whose cursor is ``cursor``."""
    return next(item["eventId"] for item in feed(api)["data"] if item["cursor"] == cursor)


def decoded(cursor: str) -> bytes:
    """The bytes of a cursor, as anyone can decode them."""
    import base64

    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def test_another_workspace_sees_none_of_these_events(api, other_api, hooks):
    # given
    hook = hooks.create("https://example.com/hook")
    created(api.post("/rest/people", ADA))
    mine = feed(api)["data"][0]

    # when
    theirs = feed(other_api)
    gql = other_api.post("/graphql", {"query": "{ events { edges { node { eventId } } } }"})
    replay = other_api.post(f"/rest/metadata/webhooks/{hook['id']}/replay", {"since": "2020-01-01T00:00:00Z"})

    # then
    assert theirs == {
        "data": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }
    assert gql == (200, {"data": {"events": {"edges": []}}})
    # a cursor is sealed to its workspace: another one's is no cursor at all
    assert other_api.get("/rest/events", after=mine["cursor"]) == (
        400,
        {
            "statusCode": 400,
            "error": "BadRequestException",
            "messages": [f"Invalid cursor '{mine['cursor']}': use an endCursor or a cursor returned by this feed"],
        },
    )
    assert replay == (
        404,
        {"statusCode": 404, "error": "NotFoundException", "messages": [f"Webhook {hook['id']} not found"]},
    )
    assert Delivery.objects.count() == 1


def test_a_role_sees_only_the_events_of_what_it_reads(api, workspace):
    # given: a role reading people (without their city) and not companies
    role = role_services.create_role(workspace, {"label": "People reader", "canReadAllObjectRecords": True})
    from metadata_app.registry import schema_registry

    snapshot = schema_registry.current(workspace.pk)
    people, companies = snapshot.by_plural["people"], snapshot.by_plural["companies"]
    role_services.upsert_object_permissions(
        workspace, role.pk, [{"objectMetadataId": companies.id, "canReadObjectRecords": False}]
    )
    role_services.upsert_field_permissions(
        workspace,
        role.pk,
        [{"objectMetadataId": people.id, "fieldMetadataId": people.field("city").id, "canReadFieldValue": False}],
    )
    from apikeys_app.services import create_api_key

    reader = ApiClient(create_api_key(workspace, {"name": "reader", "roleId": str(role.pk)})[1])
    person = created(api.post("/rest/people", ADA))
    created(api.post("/rest/companies", {"name": "Acme"}))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris", "jobTitle": "CTO"}))

    hook = api.post("/rest/metadata/webhooks", {"targetUrl": "https://example.com/hook"})[1]["data"]

    # when
    page = feed(reader)
    refused = reader.get("/rest/events", objectNameSingular="company")
    gql_refused = reader.post("/graphql", {"query": '{ events(objectNameSingular: "company") { edges { cursor } } }'})
    replay_refused = reader.post(f"/rest/metadata/webhooks/{hook['id']}/replay", {"since": "2020-01-01T00:00:00Z"})

    # then
    assert names(page) == ["person.created", "person.updated"]
    # the city is hidden, and so is companyId: the role cannot read companies
    assert page["data"][0]["record"] == {k: v for k, v in person.items() if k not in ("city", "companyId")}
    assert page["data"][1]["updatedFields"] == ["jobTitle"]
    assert page["data"][1]["before"] == {"jobTitle": "Analyst"}
    assert refused[0] == 403 and refused[1]["error"] == "PermissionsException"
    assert [m.endswith(" to read companies") for m in refused[1]["messages"]] == [True]
    assert gql_refused[1]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert replay_refused[0] == 403


def test_graphql_events_give_the_same_items_and_cursors_as_rest(api):
    # given
    person = created(api.post("/rest/people", ADA))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris"}))
    created(api.post("/rest/companies", {"name": "Acme"}))
    rest = feed(api, limit=2)
    query = """query Feed($after: ConnectionCursor, $first: Int, $operation: String) {
      events(after: $after, first: $first, operation: $operation) {
        edges { cursor node { eventId cursor eventName objectMetadata { id nameSingular } workspaceId eventDate
                              record updatedFields before } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }"""

    # when
    status, body = api.post("/graphql", {"query": query, "variables": {"first": 2}})
    _, rest_next = api.get("/rest/events", after=rest["pageInfo"]["endCursor"])
    _, gql_next = api.post(
        "/graphql", {"query": query, "variables": {"after": body["data"]["events"]["pageInfo"]["endCursor"]}}
    )
    _, bad = api.post("/graphql", {"query": query, "variables": {"operation": "upserted"}})
    _, empty = api.post("/graphql", {"query": query, "variables": {"first": 0}})

    # then
    assert status == 200
    connection_ = body["data"]["events"]
    nodes = [edge["node"] for edge in connection_["edges"]]
    expected = [{"updatedFields": None, "before": None, **item} for item in rest["data"]]
    assert nodes == [{k: item[k] for k in nodes[0]} for item in expected]
    assert [edge["cursor"] for edge in connection_["edges"]] == [item["cursor"] for item in rest["data"]]
    assert connection_["pageInfo"] == rest["pageInfo"]
    assert [edge["node"]["eventName"] for edge in gql_next["data"]["events"]["edges"]] == names(rest_next)
    assert bad["errors"][0]["message"] == (
        "operation 'upserted' is invalid. Use one of created, updated, deleted, destroyed, restored"
    )
    assert empty["errors"][0]["message"] == (
        "first '0' is invalid. Should be an integer from 1 (at most 200 are returned)"
    )


def test_a_page_is_one_query_whatever_its_size(api):
    # given
    created(api.post("/rest/people", ADA))
    settled()
    with CaptureQueriesContext(connection) as one:
        assert api.get("/rest/events")[0] == 200
    assert api.post("/rest/batch/people", [{"name": {"firstName": f"P{n}"}} for n in range(40)])[0] == 201
    settled()

    # when
    with CaptureQueriesContext(connection) as many:
        status, body = api.get("/rest/events")

    # then
    assert (status, len(body["data"])) == (200, 41)
    assert len(many.captured_queries) == len(one.captured_queries)
    assert sum("webhooks_app_event" in q["sql"] for q in many.captured_queries) == 1


# -- replay ----------------------------------------------------------------------------------------


def test_replay_queues_the_events_of_a_time_range_again_with_their_event_ids(api, hooks, receiver, run_worker):
    # given: three changes delivered once
    hook = hooks.create(receiver.url(), ["person.*"])
    person = created(api.post("/rest/people", ADA))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris"}))
    created(api.post("/rest/companies", {"name": "Acme"}))
    run_worker()
    first_round = [r.headers["X-Twenty-Webhook-Event-Id"] for r in receiver.at("/hook")]

    # when
    status, body = api.post(f"/rest/metadata/webhooks/{hook['id']}/replay", {"since": "2020-01-01T00:00:00Z"})
    run_worker()

    # then
    assert (status, body) == (202, {"data": {"webhookId": hook["id"], "queued": 2}})
    requests = receiver.at("/hook")
    assert [r.headers["X-Twenty-Webhook-Event-Id"] for r in requests[2:]] == first_round
    assert [r.json()["eventName"] for r in requests[2:]] == ["person.created", "person.updated"]
    assert requests[3].json()["before"] == {"city": "London"}
    assert Delivery.objects.filter(webhook_id=hook["id"]).count() == 4


def test_replay_by_cursor_range_and_its_refusals(api, hooks, receiver, run_worker):
    # given
    hook = hooks.create(receiver.url())
    status, _ = api.post("/rest/batch/people", [{"name": {"firstName": f"P{n}"}} for n in range(5)])
    assert status == 201
    cursors = [item["cursor"] for item in feed(api)["data"]]
    path = f"/rest/metadata/webhooks/{hook['id']}/replay"

    # when
    answer = api.post(path, {"after": cursors[0], "upTo": cursors[2]})
    empty = api.post(path, {})
    unknown = api.post(path, {"from": "yesterday"})
    bad_cursor = api.post(path, {"after": "nope!"})
    run_worker()

    # then
    assert answer == (202, {"data": {"webhookId": hook["id"], "queued": 2}})
    replayed = [r.json()["record"]["name"]["firstName"] for r in receiver.at("/hook")[5:]]
    assert replayed == ["P1", "P2"]
    assert empty[0] == 400 and empty[1]["messages"] == [
        "Give the range to replay: 'since' and/or 'until' (ISO 8601 date-times), or 'after' and/or 'upTo' "
        "(cursors of GET /rest/events)"
    ]
    assert unknown[0] == 400 and unknown[1]["messages"] == [
        "Unknown properties from; allowed: after, since, until, upTo"
    ]
    assert bad_cursor[0] == 400


def test_replay_of_a_filtered_webhook_sends_only_what_it_was_delivered(api, hooks, receiver, run_worker):
    # given: a webhook for won opportunities
    hook = hooks.create(receiver.url(), ["opportunity.*"], filter="stage[eq]:CUSTOMER")
    created(api.post("/rest/opportunities", {"name": "Open deal", "stage": "NEW"}))
    won = created(api.post("/rest/opportunities", {"name": "Won deal", "stage": "CUSTOMER"}))
    run_worker()

    # when
    answer = api.post(f"/rest/metadata/webhooks/{hook['id']}/replay", {"since": "2020-01-01T00:00:00Z"})
    run_worker()

    # then
    assert answer == (202, {"data": {"webhookId": hook["id"], "queued": 1}})
    assert [r.json()["record"]["id"] for r in receiver.at("/hook")] == [won["id"], won["id"]]


def test_replay_of_a_webhook_with_fields_sends_the_updates_that_changed_one_of_them(api, hooks, receiver, run_worker):
    # given: a city changed, then given again unchanged, then a job title changed
    hook = hooks.create(receiver.url(), ["person.updated"], fields=["city"])
    person = created(api.post("/rest/people", ADA))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris"}))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris", "jobTitle": "CEO"}))
    run_worker()
    delivered = len(receiver.at("/hook"))

    # when
    answer = api.post(f"/rest/metadata/webhooks/{hook['id']}/replay", {"since": "2020-01-01T00:00:00Z"})
    run_worker()

    # then: the replay selects what the live deliveries selected
    assert (delivered, answer) == (1, (202, {"data": {"webhookId": hook["id"], "queued": 1}}))
    assert [r.json()["before"] for r in receiver.at("/hook")] == [{"city": "London"}, {"city": "London"}]


@pytest.mark.postgres_only
def test_a_transaction_that_commits_after_a_later_one_is_still_read_after_the_cursor(api, workspace):
    """The feed's promise under concurrency: a writer holding its transaction open while a later one
    commits delays the feed; no consumer cursor ever passes an event that commits later."""
    import threading

    from django.db import connections, transaction

    from core_app.services import writing
    from core_app.services.context import RecordContext, api_actor
    from metadata_app.registry import schema_registry

    snapshot = schema_registry.current(workspace.pk)
    spec = snapshot.by_plural["people"]

    def write(first: str, started: threading.Event | None = None, release: threading.Event | None = None) -> None:
        try:
            with transaction.atomic():
                ctx = RecordContext(str(workspace.pk), snapshot, spec, api_actor("test"), None)
                writing.create_many(ctx, [{"name": {"firstName": first}}])
                if started is not None:
                    started.set()
                if release is not None:
                    assert release.wait(30)
        finally:
            connections.close_all()

    # given: a consumer up to date
    created(api.post("/rest/people", {"name": {"firstName": "Before"}}))
    cursor = feed(api)["pageInfo"]["endCursor"]

    # when: A writes and holds its transaction open; B starts later, commits first
    started, release = threading.Event(), threading.Event()
    slow = threading.Thread(target=write, args=("Slow", started, release))
    slow.start()
    assert started.wait(30)
    fast = threading.Thread(target=write, args=("Fast",))
    fast.start()
    fast.join(30)
    while_open = api.get("/rest/events", after=cursor)[1]
    release.set()
    slow.join(30)
    after = feed(api, after=cursor)

    # then: B was held back while A ran; then both come, once each, A (earlier transaction) first
    assert while_open["data"] == []
    assert while_open["pageInfo"]["endCursor"] == cursor
    assert [i["record"]["name"]["firstName"] for i in after["data"]] == ["Slow", "Fast"]
    assert feed(api, after=after["pageInfo"]["endCursor"])["data"] == []


def test_time_ordered_ids_increase_within_a_millisecond():
    # when
    ids = [time_ordered_uuid() for _ in range(2000)]

    # then
    assert ids == sorted(ids, key=lambda value: value.int) and len(set(ids)) == 2000
    assert {value.version for value in ids} == {7}
    assert all(abs(datetime.now(UTC).timestamp() * 1000 - (value.int >> 80)) < 60_000 for value in ids)


def test_sqlite_gets_its_event_counter_back_after_a_table_rebuild_dropped_it(api):
    # given: the trigger gone, as when SQLite rebuilds the event table for a schema change
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's counter; PostgreSQL uses transaction ids")
    created(api.post("/rest/people", ADA))
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER webhooks_app_event_xid")

    # when: what runs after every migrate
    restore_event_clock(sender=None)
    created(api.post("/rest/people", ADA))

    # then
    first, second = Event.objects.order_by("xid", "id")
    assert 0 < first.xid < second.xid


def test_a_deactivated_objects_events_can_still_be_asked_for_by_its_name(api, workspace):
    # given: a custom object with a record, then deactivated (its events stay in the feed)
    status, body = api.post(
        "/rest/metadata/objects",
        {"nameSingular": "gizmo", "namePlural": "gizmos", "labelSingular": "Gizmo", "labelPlural": "Gizmos"},
    )
    assert status == 201, body
    gizmo = created(api.post("/rest/gizmos", {"name": "G1"}))
    assert api.patch(f"/rest/metadata/objects/{body['data']['createOneObject']['id']}", {"isActive": False})[0] == 200
    # when
    every = feed(api)
    asked = api.get("/rest/events", objectNameSingular="gizmo")
    typo = api.get("/rest/events", objectNameSingular="gizmoo")
    # then: as the unfiltered feed shows them; a name of no object is still a 400
    assert [e["record"]["id"] for e in every["data"] if e["objectMetadata"]["nameSingular"] == "gizmo"] == [gizmo["id"]]
    assert (asked[0], [e["eventName"] for e in asked[1]["data"]]) == (200, ["gizmo.created"])
    assert typo == (
        400,
        {
            "statusCode": 400,
            "error": "BadRequestException",
            "messages": ["objectNameSingular 'gizmoo' is not an object of this workspace. eg: person"],
        },
    )
