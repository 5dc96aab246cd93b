"""Trash retention (api-reference 15): records trashed longer ago than ``trashRetentionDays`` are destroyed
through the record service, in small transactions, by the purge (``core_app.services.trash``) and
``manage.py purge_trash``.

Records are trashed at chosen instants through the store's writer (``tests/seeding.store_records``),
or by the API and then purged at a later ``now``: real time arithmetic, nothing of ours mocked.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core_app.services.trash import purge_expired_trash, purge_workspace_trash
from metadata_app.models import Workspace
from tests.core.helpers import first_value
from tests.seeding import store_records
from webhooks_app.models import Event

DAY = timedelta(days=1)


def trashed_ids(api, plural: str) -> list[str]:
    """Ids of the trashed records of ``plural``, in id order."""
    status, body = api.get(f"/rest/{plural}", filter="deletedAt[is]:NOT_NULL", order_by="id")
    assert status == 200, body
    return [record["id"] for record in first_value(body)]


def live_ids(api, plural: str) -> list[str]:
    """Ids of the live records of ``plural``, in id order."""
    status, body = api.get(f"/rest/{plural}", order_by="id")
    assert status == 200, body
    return [record["id"] for record in first_value(body)]


def person(first: str) -> dict:
    """Stored data of a person (storage keys are the standard names)."""
    return {"name": {"firstName": first, "lastName": ""}}


def test_records_trashed_longer_ago_than_the_retention_are_destroyed_and_the_others_kept(api, workspace):
    # given: the default retention, 14 days
    now = timezone.now()
    old = store_records(workspace, "person", person("Old"), deleted_at=now - 15 * DAY)[0]
    recent = store_records(workspace, "person", person("Recent"), deleted_at=now - 13 * DAY)[0]
    live = store_records(workspace, "person", person("Live"))[0]

    # when
    report = purge_expired_trash()

    # then
    assert report.destroyed == {str(workspace.pk): 1}
    assert report.failures == []
    assert trashed_ids(api, "people") == [recent.id]
    assert live_ids(api, "people") == [live.id]
    assert api.patch(f"/rest/restore/people/{old.id}")[0] == 404


def test_a_retention_of_zero_days_empties_the_trash_at_the_next_run(api, records):
    # given
    ada = records.person("Ada")
    assert api.delete(f"/rest/people/{ada['id']}", soft_delete="true")[0] == 200
    assert api.patch("/rest/metadata/workspace", {"trashRetentionDays": 0})[0] == 200

    # when
    report = purge_expired_trash(now=timezone.now())

    # then
    assert report.total == 1
    assert trashed_ids(api, "people") == []


def test_a_record_trashed_by_the_api_goes_once_its_retention_has_passed(api, records, workspace):
    # given: trashed now; the purge runs 14 days and a minute later, then 15 days later
    ada = records.person("Ada")
    assert api.delete(f"/rest/people/{ada['id']}", soft_delete="true")[0] == 200
    workspace.refresh_from_db()

    # when
    before = purge_workspace_trash(workspace, now=timezone.now() + 14 * DAY - timedelta(minutes=1))
    after = purge_workspace_trash(workspace, now=timezone.now() + 14 * DAY + timedelta(minutes=1))

    # then
    assert (before, after) == (0, 1)
    assert trashed_ids(api, "people") == []


def test_each_workspace_keeps_its_trash_for_its_own_retention(api, other_api, workspace, other_workspace):
    # given
    Workspace.objects.filter(pk=workspace.pk).update(trash_retention_days=30)
    twenty_days_ago = timezone.now() - 20 * DAY
    mine = store_records(workspace, "person", person("Mine"), deleted_at=twenty_days_ago)[0]
    store_records(other_workspace, "person", person("Theirs"), deleted_at=twenty_days_ago)

    # when
    report = purge_expired_trash()

    # then
    assert report.destroyed == {str(other_workspace.pk): 1}
    assert trashed_ids(api, "people") == [mine.id]
    assert trashed_ids(other_api, "people") == []


def test_the_purge_destroys_through_the_record_service(api, records, workspace):
    # given: a trashed company still named by a live person, holding a unique domain
    acme = records.company("Acme", domain="https://acme.com")
    ada = records.person("Ada", companyId=acme["id"])
    assert api.delete(f"/rest/companies/{acme['id']}", soft_delete="true")[0] == 200

    # when
    purge_workspace_trash(workspace, now=timezone.now() + 15 * DAY)

    # then: the link is cleared, a destroyed event recorded, the unique value released
    assert first_value(api.get(f"/rest/people/{ada['id']}")[1])["companyId"] is None
    events = Event.objects.filter(workspace_id=workspace.pk).order_by("occurred_at", "id")
    assert [(e.name, e.updated_fields) for e in events if e.name.endswith(("destroyed", ".updated"))] == [
        ("person.updated", ["companyId"]),
        ("company.destroyed", None),
    ]
    assert str(events.get(name="company.destroyed").record_id) == acme["id"]
    again = {"name": "Acme again", "domainName": {"primaryLinkUrl": "https://acme.com"}}
    assert api.post("/rest/companies", again)[0] == 201


def test_records_are_destroyed_in_small_transactions(api, workspace, settings):
    # given: five expired records, two per transaction
    settings.TRASH_PURGE_BATCH_SIZE = 2
    expired = store_records(
        workspace, "note", *({"title": f"Note {n}"} for n in range(5)), deleted_at=timezone.now() - 20 * DAY
    )

    # when
    with CaptureQueriesContext(connection) as captured:
        report = purge_expired_trash()

    # then: three DELETEs of at most two records each
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE FROM core_app_record ")]
    assert [sql.split(" IN (")[1].split(")")[0].count(",") + 1 for sql in deletes] == [2, 2, 1]
    assert report.destroyed == {str(workspace.pk): 5}
    assert trashed_ids(api, "notes") == []
    assert len(expired) == 5


def test_the_command_purges_and_says_how_many_per_workspace(api, workspace):
    # given
    store_records(workspace, "task", {"title": "Old"}, {"title": "Older"}, deleted_at=timezone.now() - 40 * DAY)
    out = StringIO()

    # when
    call_command("purge_trash", "--workspace", "Acme", stdout=out)

    # then
    assert out.getvalue() == f"{workspace.pk}: destroyed 2 records\nDestroyed 2 trashed records in 1 workspaces.\n"
    assert trashed_ids(api, "tasks") == []


def test_the_command_refuses_an_unknown_workspace(db):
    with pytest.raises(CommandError, match="No workspace matches 'Nowhere'"):
        call_command("purge_trash", "--workspace", "Nowhere", stdout=StringIO())
