"""Every record change through the record service becomes exactly the expected events, in the
transaction of the change, matched per workspace and per operation (api-reference.md 6.2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from apikeys_app.services import create_api_key
from core_app.services import writing
from core_app.services.context import RecordContext, api_actor
from metadata_app.models import Workspace
from metadata_app.registry import schema_registry
from metadata_app.services.workspaces import create_workspace
from tests.conftest import ApiClient
from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401
from tests.webhooks.conftest import created
from webhooks_app.events import LIVE_WEBHOOKS, matches
from webhooks_app.models import Delivery, Event

seeded_workspace_ids = seeded_workspaces("module")


def person(api: ApiClient, first: str, **extra: Any) -> str:
    """Create a person through REST; return its id."""
    return created(api.post("/rest/people", {"name": {"firstName": first, "lastName": "Test"}, **extra}))["id"]


def company(api: ApiClient, name: str) -> str:
    """Create a company through REST; return its id."""
    return created(api.post("/rest/companies", {"name": name}))["id"]


def soft_deleted(api: ApiClient, first: str) -> str:
    """A person in the trash."""
    record_id = person(api, first)
    assert api.delete(f"/rest/people/{record_id}", soft_delete="true")[0] == 200
    return record_id


def in_filter(ids: list[str]) -> str:
    """A REST filter selecting ``ids``."""
    return f"id[in]:[{','.join(ids)}]"


class Including:
    """Equal to any list holding at least ``items``, in their order."""

    def __init__(self, *items: str) -> None:
        self.items = list(items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, list) and [item for item in other if item in self.items] == self.items

    def __repr__(self) -> str:
        return f"Including{self.items}"


def by_name(events: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Events sorted by name (the order of deliveries is not guaranteed)."""
    return sorted(events, key=lambda event: event[0])


# Each case: (set-up through REST returning state, the action under test, expected (eventName, updatedFields)).
ACTIONS: list[tuple[str, Callable, Callable, list[tuple[str, Any]]]] = [
    ("create_one", lambda api: None, lambda api, _: person(api, "Ada"), [("person.created", None)]),
    (
        "create_batch",
        lambda api: None,
        lambda api, _: api.post("/rest/batch/people", [{"name": {"firstName": "A"}}, {"name": {"firstName": "B"}}]),
        [("person.created", None), ("person.created", None)],
    ),
    (
        "update_one",
        lambda api: person(api, "Ada"),
        lambda api, pid: api.patch(f"/rest/people/{pid}", {"jobTitle": "CTO", "city": "Paris"}),
        [("person.updated", ["jobTitle", "city"])],
    ),
    (
        "update_to_the_values_the_record_holds",
        lambda api: person(api, "Ada", city="Paris"),
        lambda api, pid: api.patch(f"/rest/people/{pid}", {"city": "Paris", "name": {"firstName": "Ada"}}),
        [],
    ),
    (
        "update_reports_only_what_changed_in_field_order",
        lambda api: person(api, "Ada"),
        lambda api, pid: api.patch(f"/rest/people/{pid}", {"city": "Rome", "jobTitle": "", "name": {"lastName": "L"}}),
        [("person.updated", ["name", "city"])],
    ),
    (
        "mass_update_leaves_out_a_record_holding_the_value",
        lambda api: [person(api, "A", city="Oslo"), person(api, "B")],
        lambda api, ids: api.patch("/rest/people", {"city": "Oslo"}, filter=in_filter(ids)),
        [("person.updated", ["city"])],
    ),
    (
        "soft_delete_one",
        lambda api: person(api, "Ada"),
        lambda api, pid: api.delete(f"/rest/people/{pid}", soft_delete="true"),
        [("person.deleted", None)],
    ),
    (
        "destroy_one",
        lambda api: person(api, "Ada"),
        lambda api, pid: api.delete(f"/rest/people/{pid}"),
        [("person.destroyed", None)],
    ),
    (
        "destroy_soft_deleted",
        lambda api: soft_deleted(api, "Ada"),
        lambda api, pid: api.delete(f"/rest/people/{pid}"),
        [("person.destroyed", None)],
    ),
    (
        "restore_one",
        lambda api: soft_deleted(api, "Ada"),
        lambda api, pid: api.patch(f"/rest/restore/people/{pid}"),
        [("person.restored", None)],
    ),
    (
        "upsert_creating",
        lambda api: None,
        lambda api, _: api.post(
            "/rest/people", {"name": {"firstName": "Ada"}, "emails": {"primaryEmail": "ada@example.com"}}, upsert="true"
        ),
        [("person.created", None)],
    ),
    (
        "upsert_updating_by_id",
        lambda api: person(api, "Ada"),
        lambda api, pid: api.post("/rest/people", {"id": pid, "jobTitle": "CFO"}, upsert="true"),
        [("person.updated", ["jobTitle"])],
    ),
    (
        "upsert_updating_by_unique_email",
        lambda api: person(api, "Ada", emails={"primaryEmail": "ada@example.com"}),
        lambda api, _: api.post(
            "/rest/batch/people", [{"emails": {"primaryEmail": "ada@example.com"}, "city": "Rome"}], upsert="true"
        ),
        [("person.updated", ["city"])],  # the matched email is no change
    ),
    (
        "mass_update",
        lambda api: [person(api, "A"), person(api, "B")],
        lambda api, ids: api.patch("/rest/people", {"city": "Oslo"}, filter=in_filter(ids)),
        [("person.updated", ["city"]), ("person.updated", ["city"])],
    ),
    (
        "mass_soft_delete",
        lambda api: [person(api, "A"), person(api, "B")],
        lambda api, ids: api.delete("/rest/people", filter=in_filter(ids), soft_delete="true"),
        [("person.deleted", None), ("person.deleted", None)],
    ),
    (
        "mass_restore",
        lambda api: [soft_deleted(api, "A"), soft_deleted(api, "B")],
        lambda api, ids: api.patch("/rest/restore/people", filter=in_filter(ids)),
        [("person.restored", None), ("person.restored", None)],
    ),
    (
        "mass_destroy",
        lambda api: [person(api, "A"), person(api, "B")],
        lambda api, ids: api.delete("/rest/people", filter=in_filter(ids)),
        [("person.destroyed", None), ("person.destroyed", None)],
    ),
    (
        "destroy_unlinks_dependents",
        lambda api: (cid := company(api, "Acme"), person(api, "A", companyId=cid))[0],
        lambda api, cid: api.delete(f"/rest/companies/{cid}"),
        [("company.destroyed", None), ("person.updated", ["companyId"])],
    ),
    (
        "merge",
        lambda api: [person(api, "Ada"), person(api, "Bob", jobTitle="CEO", city="Rome")],
        lambda api, ids: api.patch("/rest/people/merge", {"ids": ids, "conflictPriorityIndex": 0}),
        # The record service also lists composite fields whose stored form the merge normalised.
        [("person.deleted", None), ("person.updated", Including("jobTitle", "city"))],
    ),
]


@pytest.mark.parametrize(
    ("setup", "action", "expected"), [case[1:] for case in ACTIONS], ids=[case[0] for case in ACTIONS]
)
def test_every_action_produces_exactly_the_expected_events(api, hooks, receiver, run_worker, setup, action, expected):
    # given
    state = setup(api)
    hooks.create(receiver.url())
    before = set(Event.objects.values_list("id", flat=True))

    # when
    answer = action(api, state)
    run_worker()

    # then
    assert answer is None or isinstance(answer, str) or answer[0] in (200, 201), answer
    new_events = Event.objects.exclude(id__in=before)
    assert by_name([(e.name, e.updated_fields) for e in new_events]) == by_name(expected)
    received = [(r.json()["eventName"], r.json().get("updatedFields")) for r in receiver.at("/hook")]
    assert by_name(received) == by_name(expected)
    assert {r.headers["X-Twenty-Webhook-Event-Id"] for r in receiver.at("/hook")} == {str(e.id) for e in new_events}


def test_deleted_and_destroyed_events_carry_the_last_state_of_the_record(api, hooks, receiver, run_worker):
    # given
    soft_id = person(api, "Soft", jobTitle="Temp")
    hard_id = person(api, "Hard", jobTitle="Gone")
    hooks.create(receiver.url())

    # when
    api.delete(f"/rest/people/{soft_id}", soft_delete="true")
    api.delete(f"/rest/people/{hard_id}")
    run_worker()

    # then
    records = {r.json()["eventName"]: r.json()["record"] for r in receiver.at("/hook")}
    assert (records["person.deleted"]["id"], records["person.deleted"]["jobTitle"]) == (soft_id, "Temp")
    assert records["person.deleted"]["deletedAt"] is not None
    assert (records["person.destroyed"]["id"], records["person.destroyed"]["jobTitle"]) == (hard_id, "Gone")
    assert records["person.destroyed"]["name"] == {"firstName": "Hard", "lastName": "Test"}


def test_a_batch_with_one_invalid_record_emits_nothing(api, hooks, receiver, run_worker):
    # given
    hooks.create(receiver.url())

    # when
    status, _ = api.post(
        "/rest/batch/people", [{"name": {"firstName": "Fine"}}, {"name": {"firstName": "Bad"}, "shoeSize": 44}]
    )
    run_worker()

    # then
    assert status == 400
    assert Event.objects.count() == Delivery.objects.count() == DBTaskResult.objects.count() == 0
    assert receiver.requests == []


def test_a_write_rolled_back_after_its_events_were_recorded_leaves_no_event_and_no_job(
    workspace, hooks, receiver, run_worker
):
    # given
    hooks.create(receiver.url())
    snapshot = schema_registry.snapshot(workspace)
    ctx = RecordContext(workspace.pk, snapshot, snapshot.by_plural["people"], api_actor("test"))

    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        writing.create_many(ctx, [{"name": {"firstName": "Ghost"}}])
        assert Event.objects.count() == DBTaskResult.objects.count() == 1
        raise RuntimeError("the surrounding transaction fails after the write")
    run_worker()

    # then
    assert Event.objects.count() == Delivery.objects.count() == DBTaskResult.objects.count() == 0
    assert receiver.requests == []


def test_events_of_one_workspace_never_reach_another_workspaces_webhooks(
    api,
    other_api,
    hooks,
    other_hooks,
    receiver,
    run_worker,
    workspace,
    other_workspace,
):
    # given
    hooks.create(receiver.url("/a"))
    other_hooks.create(receiver.url("/b"))

    # when
    person(api, "Ada")
    company(other_api, "Globex")
    run_worker()

    # then
    assert [(r.json()["eventName"], r.json()["workspaceId"]) for r in receiver.at("/a")] == [
        ("person.created", str(workspace.pk))
    ]
    assert [(r.json()["eventName"], r.json()["workspaceId"]) for r in receiver.at("/b")] == [
        ("company.created", str(other_workspace.pk))
    ]


def test_only_webhooks_whose_operations_match_receive_the_event(api, hooks, receiver, run_worker):
    # given
    for path, operations in {
        "/exact": ["person.created"],
        "/any-object": ["*.created"],
        "/any-action": ["person.*"],
        "/all": ["*.*"],
        "/other-object": ["company.*"],
        "/other-action": ["person.updated", "*.deleted"],
    }.items():
        hooks.create(receiver.url(path), operations)

    # when
    person(api, "Ada")
    run_worker()

    # then
    assert sorted({r.path for r in receiver.requests}) == ["/all", "/any-action", "/any-object", "/exact"]
    assert len(receiver.requests) == 4


def test_a_deleted_webhook_receives_nothing_more(api, hooks, receiver, run_worker):
    # given
    hook = hooks.create(receiver.url())
    api.delete(f"/rest/metadata/webhooks/{hook['id']}")

    # when
    person(api, "Ada")
    run_worker()

    # then
    assert receiver.requests == []
    assert Event.objects.count() == 1 and Delivery.objects.count() == 0


def test_changes_are_recorded_as_events_even_without_webhooks(api):
    # when
    record_id = person(api, "Ada")

    # then
    assert list(Event.objects.values_list("name", "record_id")) == [("person.created", uuid.UUID(record_id))]
    assert DBTaskResult.objects.count() == 0


def test_deleting_a_workspace_deletes_its_events_and_no_other(make_client, other_api):
    # given: events of a workspace about to go and of another one (no database constraint ties
    # events to their workspace: the ORM's cascade removes them)
    doomed = create_workspace("Doomed")
    _, token = create_api_key(doomed, {"name": "doomed key"})
    person(make_client(token), "Ada")
    kept = person(other_api, "Grace")

    # when
    Workspace.objects.filter(pk=doomed.pk).delete()

    # then
    assert list(Event.objects.filter(workspace_id=doomed.pk).values_list("name", flat=True)) == []
    assert list(Event.objects.values_list("name", "record_id")) == [("person.created", uuid.UUID(kept))]


def test_a_write_reads_the_webhooks_only_while_the_workspace_has_one(api, hooks, receiver, run_worker):
    def webhook_reads(write: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            write()
        return sum(LIVE_WEBHOOKS.split(" WHERE ")[0] in q["sql"] for q in captured.captured_queries)

    # given: no webhook: a write reads none (the key's statement said there are none)
    assert webhook_reads(lambda: person(api, "Ada")) == 0
    # when: one is created (its delivery sent), then deleted
    hook = hooks.create(receiver.url())
    with_one = webhook_reads(lambda: person(api, "Grace"))
    run_worker()
    assert api.delete(f"/rest/metadata/webhooks/{hook['id']}")[0] == 200
    after_delete = webhook_reads(lambda: person(api, "Linus"))
    run_worker()

    # then: the next write read it and was delivered; after its deletion, none is read again
    assert (with_one, after_delete) == (1, 0)
    assert [r.json()["record"]["name"]["firstName"] for r in receiver.requests] == ["Grace"]


@pytest.mark.parametrize(
    ("operations", "event", "fires"),
    [
        (["*.*"], "person.created", True),
        (["person.created"], "person.created", True),
        (["person.*"], "person.destroyed", True),
        (["*.restored"], "company.restored", True),
        (["person.created"], "person.updated", False),
        (["person.created"], "company.created", False),
        (["company.*"], "person.deleted", False),
        (["*.deleted"], "person.destroyed", False),
        (["*.updated", "company.*"], "company.created", True),
        (["*.updated", "company.*"], "person.created", False),
        (["personAddress.created"], "person.created", False),
        (["person.created"], "personAddress.created", False),
        ([], "person.created", False),
    ],
    ids=lambda value: str(value),
)
def test_wildcard_matching_rules(operations, event, fires):
    object_name, action = event.split(".")
    assert matches(operations, object_name, action) is fires
