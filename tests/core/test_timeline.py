"""The timeline (api-reference §16) and attachments (§17): written in the writing transaction, read like any object.

Everything goes through the public APIs: records are written through REST or GraphQL and their
activities read back through both.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys_app.services import create_api_key
from metadata_app.models import FieldMetadata, ObjectMetadata
from metadata_app.standard_objects import install_timeline_and_attachments
from tests.core.conftest import client_for
from tests.core.helpers import INSTANT, UUID, actor, create_custom_object, first_value
from tests.statements import cost_of, sent
from webhooks_app.models import Event

ACTIVITY_KEYS = ("name", "properties", "targetPersonId", "workspaceMemberId", "linkedRecordId")
GQL_ACTIVITIES = """
query ($id: UUID!) {
  timelineActivities(filter: {targetPersonId: {eq: $id}}, orderBy: [{happensAt: DescNullsLast}]) {
    totalCount edges { node { name properties targetPersonId workspaceMemberId linkedRecordId happensAt } }
  }
}
"""


def person(api, first: str = "Ada", **extra: Any) -> str:
    """Create a person through REST; return its id."""
    status, body = api.post("/rest/people", {"name": {"firstName": first, "lastName": "Lovelace"}, **extra})
    assert status == 201, body
    return body["data"]["createPerson"]["id"]


def activities(api, person_id: str) -> list[dict[str, Any]]:
    """The person's activities through REST, newest first (the typical read of api-reference §16.2)."""
    status, body = api.get(
        "/rest/timelineActivities", filter=f"targetPersonId[eq]:{person_id}", order_by="happensAt[DescNullsLast]"
    )
    assert status == 200, body
    return [{k: a[k] for k in ACTIVITY_KEYS} for a in body["data"]["timelineActivities"]]


def test_a_create_writes_one_activity_without_a_diff(api):
    # when
    ada = person(api, jobTitle="CTO")
    # then
    assert activities(api, ada) == [
        {
            "name": "person.created",
            "properties": {},
            "targetPersonId": ada,
            "workspaceMemberId": None,
            "linkedRecordId": None,
        }
    ]


def test_an_update_writes_the_diff_in_api_form(api):
    # given
    ada = person(api, jobTitle="CTO", emails={"primaryEmail": "ada@acme.com"})
    # when
    api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO", "name": {"lastName": "Byron"}, "city": ""})
    # then: unchanged values (city) are left out; composites are whole objects
    assert activities(api, ada)[0] == {
        "name": "person.updated",
        "properties": {
            "diff": {
                "jobTitle": {"before": "CTO", "after": "CEO"},
                "name": {
                    "before": {"firstName": "Ada", "lastName": "Lovelace"},
                    "after": {"firstName": "Ada", "lastName": "Byron"},
                },
            }
        },
        "targetPersonId": ada,
        "workspaceMemberId": None,
        "linkedRecordId": None,
    }


def test_an_update_that_changes_nothing_writes_nothing(api):
    # given
    ada = person(api, jobTitle="CTO")
    # when
    api.patch(f"/rest/people/{ada}", {"jobTitle": "CTO"})
    # then
    assert [a["name"] for a in activities(api, ada)] == ["person.created"]


def test_updates_within_the_window_merge_first_before_last_after(api):
    # given
    ada = person(api, jobTitle="CTO")
    # when
    api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})
    api.patch(f"/rest/people/{ada}", {"jobTitle": "Chair", "city": "London"})
    # then
    assert [(a["name"], a["properties"]) for a in activities(api, ada)] == [
        (
            "person.updated",
            {"diff": {"jobTitle": {"before": "CTO", "after": "Chair"}, "city": {"before": "", "after": "London"}}},
        ),
        ("person.created", {}),
    ]


def test_updates_outside_the_window_do_not_merge(api, settings):
    # given
    settings.TIMELINE_MERGE_WINDOW_SECONDS = 0
    ada = person(api, jobTitle="CTO")
    # when
    api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})
    api.patch(f"/rest/people/{ada}", {"jobTitle": "Chair"})
    # then
    assert [a["properties"] for a in activities(api, ada)] == [
        {"diff": {"jobTitle": {"before": "CEO", "after": "Chair"}}},
        {"diff": {"jobTitle": {"before": "CTO", "after": "CEO"}}},
        {},
    ]


def test_the_merge_look_up_reads_the_windows_activities_not_the_records_whole_history(api, settings):
    # given: twenty activities of one person, then a pause longer than the window
    settings.TIMELINE_MERGE_WINDOW_SECONDS = 0
    ada = person(api, jobTitle="CTO")
    for n in range(20):
        api.patch(f"/rest/people/{ada}", {"jobTitle": f"CTO {n}"})
    settings.TIMELINE_MERGE_WINDOW_SECONDS = 1
    time.sleep(1.1)
    # when: two updates within the window
    with sent() as statements:
        api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})
        api.patch(f"/rest/people/{ada}", {"jobTitle": "Chair"})
    # then: the second merged into the activity of the first
    found = activities(api, ada)
    assert len(found) == 22
    assert found[0]["properties"] == {"diff": {"jobTitle": {"before": "CTO 19", "after": "Chair"}}}
    # and each look-up, sent again now, reads that one activity and none of the twenty before the pause
    look_ups = [(sql, params) for sql, params in statements if "p.record_id >= " in sql]
    assert len(look_ups) == 2
    latest = found_id(api, ada)
    with connection.cursor() as cursor:
        for sql, params in look_ups:
            cursor.execute(sql, params)
            assert [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()] == [latest]


def found_id(api, person_id: str) -> str:
    """The id of the person's latest activity."""
    status, body = api.get(
        "/rest/timelineActivities",
        filter=f"targetPersonId[eq]:{person_id}",
        order_by="happensAt[DescNullsLast]",
        limit=1,
    )
    assert status == 200, body
    return body["data"]["timelineActivities"][0]["id"]


def test_another_api_key_does_not_merge_into_the_first_keys_activity(api, workspace):
    # given
    ada = person(api, jobTitle="CTO")
    api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})
    other_key = client_for(create_api_key(workspace, {"name": "import key"})[1])
    # when
    other_key.patch(f"/rest/people/{ada}", {"jobTitle": "Chair"})
    # then
    _status, body = api.get("/rest/timelineActivities", filter=f"targetPersonId[eq]:{ada}", order_by="happensAt")
    assert [(a["updatedBy"]["name"], a["properties"]) for a in body["data"]["timelineActivities"]] == [
        ("test key", {}),
        ("test key", {"diff": {"jobTitle": {"before": "CTO", "after": "CEO"}}}),
        ("import key", {"diff": {"jobTitle": {"before": "CEO", "after": "Chair"}}}),
    ]


def test_two_keys_with_the_same_name_do_not_merge_into_each_others_activity(api, workspace):
    # given: a second key named as the first ("test key")
    ada = person(api, jobTitle="CTO")
    api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})
    namesake = client_for(create_api_key(workspace, {"name": "test key"})[1])
    mutation = 'mutation ($id: UUID!) { updatePerson(id: $id, data: {jobTitle: "Chair"}) { id } }'
    # when: the namesake updates through GraphQL, then the first key again through REST
    status, body = namesake.post("/graphql", {"query": mutation, "variables": {"id": ada}})
    assert status == 200 and "errors" not in body, body
    api.patch(f"/rest/people/{ada}", {"jobTitle": "Founder"})
    # then: the first key's second update merges into its own activity, across the namesake's
    _status, body = api.get("/rest/timelineActivities", filter=f"targetPersonId[eq]:{ada}", order_by="happensAt")
    assert [(a["updatedBy"]["name"], a["properties"]) for a in body["data"]["timelineActivities"]] == [
        ("test key", {}),
        ("test key", {"diff": {"jobTitle": {"before": "CTO", "after": "Founder"}}}),
        ("test key", {"diff": {"jobTitle": {"before": "CEO", "after": "Chair"}}}),
    ]


def test_a_connect_is_a_change_of_the_join_column(api):
    # given
    ada = person(api)
    _status, body = api.post("/rest/companies", {"name": "Acme", "domainName": {"primaryLinkUrl": "acme.com"}})
    acme = body["data"]["createCompany"]["id"]
    # when
    api.patch(
        f"/rest/people/{ada}", {"company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "acme.com"}}}}}
    )
    # then
    assert activities(api, ada)[0]["properties"] == {"diff": {"companyId": {"before": None, "after": acme}}}


def test_soft_delete_and_restore_are_recorded_and_destroy_removes_the_trail(api):
    # given
    ada = person(api)
    # when
    api.delete(f"/rest/people/{ada}", soft_delete="true")
    api.patch(f"/rest/restore/people/{ada}")
    trail = [a["name"] for a in activities(api, ada)]
    api.delete(f"/rest/people/{ada}")
    # then
    assert trail == ["person.restored", "person.deleted", "person.created"]
    assert activities(api, ada) == []


def test_rest_and_graphql_read_the_same_activities(api):
    # given
    ada = person(api, jobTitle="CTO")
    api.patch(f"/rest/people/{ada}", {"jobTitle": "CEO"})
    # when
    status, body = api.post("/graphql", {"query": GQL_ACTIVITIES, "variables": {"id": ada}})
    # then
    assert status == 200 and "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["timelineActivities"]["edges"]]
    assert body["data"]["timelineActivities"]["totalCount"] == 2
    assert [{k: n[k] for k in ACTIVITY_KEYS} for n in nodes] == activities(api, ada)
    assert all(n["happensAt"] == INSTANT for n in nodes)


def test_graphql_writes_are_audited_as_rest_writes(api):
    # given
    mutation = 'mutation ($id: UUID!) { updatePerson(id: $id, data: {jobTitle: "CEO"}) { id } }'
    ada = person(api, jobTitle="CTO")
    # when
    status, body = api.post("/graphql", {"query": mutation, "variables": {"id": ada}})
    # then
    assert status == 200 and "errors" not in body, body
    assert activities(api, ada)[0]["properties"] == {"diff": {"jobTitle": {"before": "CTO", "after": "CEO"}}}


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/rest/timelineActivities", {"name": "person.created"}),
        ("post", "/rest/batch/timelineActivities", [{"name": "person.created"}]),
        ("patch", "/rest/timelineActivities/{id}", {"name": "forged"}),
        ("patch", "/rest/timelineActivities", {"name": "forged"}),
        ("delete", "/rest/timelineActivities/{id}", None),
        ("delete", "/rest/timelineActivities", None),
    ],
)
def test_the_timeline_is_read_only_through_rest(api, method, path, body):
    # given
    ada = person(api)
    activity = api.get("/rest/timelineActivities", filter=f"targetPersonId[eq]:{ada}")[1]["data"]
    activity_id = activity["timelineActivities"][0]["id"]
    params = {"filter": f"id[eq]:{activity_id}"} if not path.endswith("{id}") else {}
    # when
    status, answer = api.request(method.upper(), path.format(id=activity_id), body, **params)
    # then
    assert (status, answer["messages"]) == (400, ["timelineActivities is read-only"])
    assert [a["name"] for a in activities(api, ada)] == ["person.created"]


@pytest.mark.parametrize(
    "mutation",
    [
        'mutation { createTimelineActivity(data: {name: "forged"}) { id } }',
        'mutation { updateTimelineActivities(filter: {name: {eq: "person.created"}}, data: {name: "x"}) { id } }',
        'mutation { deleteTimelineActivities(filter: {name: {eq: "person.created"}}) { id } }',
    ],
)
def test_the_timeline_is_read_only_through_graphql(api, mutation):
    # given
    ada = person(api)
    # when
    status, body = api.post("/graphql", {"query": mutation})
    # then
    assert status == 200
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("timelineActivities is read-only", "BAD_USER_INPUT")
    ]
    assert [a["name"] for a in activities(api, ada)] == ["person.created"]


def test_custom_objects_are_audited(api):
    # given
    create_custom_object(api, "rocket", "rockets")
    # when
    status, body = api.post("/rest/rockets", {"name": "Saturn V"})
    rocket = body["data"]["createRocket"]["id"]
    assert status == 201
    # then
    _status, body = api.get("/rest/timelineActivities", filter=f"targetRocketId[eq]:{rocket}")
    assert [(a["name"], a["targetRocketId"]) for a in body["data"]["timelineActivities"]] == [
        ("rocket.created", rocket)
    ]


def test_activities_emit_no_events_of_their_own(api):
    # when
    person(api)
    # then
    assert not Event.objects.filter(object_name="timelineActivity").exists()


def test_another_workspace_sees_no_activity(api, other_api):
    # given
    ada = person(api)
    # when
    status, body = other_api.get("/rest/timelineActivities", filter=f"targetPersonId[eq]:{ada}")
    by_id = other_api.get("/rest/timelineActivities")
    # then
    assert (status, body["data"], body["totalCount"]) == (200, {"timelineActivities": []}, 0)
    assert by_id[1]["totalCount"] == 0


def batch(size: int) -> list[dict[str, Any]]:
    return [{"name": {"firstName": f"P{i}"}, "jobTitle": "CTO"} for i in range(size)]


def test_the_timeline_costs_a_constant_number_of_queries_per_request(api):
    # given
    api.post("/rest/batch/people", batch(1))  # warms the per-process caches
    counts = {}
    for size in (1, 30):
        # when
        with CaptureQueriesContext(connection) as created:
            status, body = api.post("/rest/batch/people", batch(size))
        assert status == 201
        ids = [p["id"] for p in body["data"]["createPeople"]]
        with CaptureQueriesContext(connection) as updated:
            api.patch("/rest/people", {"jobTitle": "CEO"}, filter=f"id[in]:[{','.join(ids)}]")
        with CaptureQueriesContext(connection) as merged:
            api.patch("/rest/people", {"jobTitle": "Chair"}, filter=f"id[in]:[{','.join(ids)}]")
        counts[size] = (cost_of(created), cost_of(updated), cost_of(merged))
    # then
    assert counts[1] == counts[30]
    _status, body = api.get("/rest/timelineActivities", filter="name[eq]:person.updated", limit="200")
    assert len(body["data"]["timelineActivities"]) == 31
    assert [a["properties"] for a in body["data"]["timelineActivities"]] == [
        {"diff": {"jobTitle": {"before": "CTO", "after": "Chair"}}}
    ] * 31


# --- attachments (api-reference §17) ------------------------------------------------------------------


def test_attachments_are_an_ordinary_object_with_twentys_fields(api):
    # given
    ada = person(api)
    # when
    status, body = api.post(
        "/rest/attachments", {"name": "Contract.pdf", "fullPath": "attachment/contract.pdf", "personId": ada}
    )
    # then
    assert status == 201, body
    attachment = body["data"]["createAttachment"]
    assert {k: attachment[k] for k in ("name", "fullPath", "type", "fileCategory", "personId", "authorId")} == {
        "name": "Contract.pdf",
        "fullPath": "attachment/contract.pdf",
        "type": "",
        "fileCategory": "OTHER",
        "personId": ada,
        "authorId": None,
    }
    assert (attachment["id"], attachment["createdBy"]) == (UUID, actor())
    assert {"companyId", "opportunityId", "noteId", "taskId"} <= set(attachment)


def test_destroying_a_person_destroys_its_attachments(api):
    # given
    ada = person(api)
    api.post("/rest/attachments", {"name": "Contract.pdf", "personId": ada})
    # when
    api.delete(f"/rest/people/{ada}")
    # then
    assert api.get("/rest/attachments")[1]["totalCount"] == 0


def test_custom_objects_get_attachments(api):
    # given
    create_custom_object(api, "rocket", "rockets")
    rocket = api.post("/rest/rockets", {"name": "Saturn V"})[1]["data"]["createRocket"]["id"]
    # when
    status, body = api.post("/rest/attachments", {"name": "Plan.pdf", "rocketId": rocket})
    # then
    assert (status, body["data"]["createAttachment"]["rocketId"]) == (201, rocket)


# --- existing workspaces ------------------------------------------------------------------------------


def test_the_migration_gives_an_existing_workspace_both_objects(api, workspace):
    # given: a workspace as it was before them, with a custom object
    create_custom_object(api, "rocket", "rockets")
    for name in ("timelineActivity", "attachment"):
        obj = ObjectMetadata.objects.get(workspace=workspace, name_singular=name)
        FieldMetadata.objects.filter(relation_target_object=obj).delete()
        obj.delete()
    # when
    installed = install_timeline_and_attachments(workspace)
    again = install_timeline_and_attachments(workspace)
    # then
    assert (installed, again) == (True, False)
    ada = person(api)
    rocket = api.post("/rest/rockets", {"name": "Saturn V"})[1]["data"]["createRocket"]["id"]
    assert [a["name"] for a in activities(api, ada)] == ["person.created"]
    _status, body = api.get("/rest/timelineActivities", filter=f"targetRocketId[eq]:{rocket}")
    assert [a["name"] for a in body["data"]["timelineActivities"]] == ["rocket.created"]
    assert api.post("/rest/attachments", {"name": "x", "rocketId": rocket})[0] == 201
    names = set(
        FieldMetadata.objects.filter(workspace=workspace, object__name_singular="person").values_list("name", flat=True)
    )
    assert {"timelineActivities", "attachments", "noteTargets", "taskTargets"} <= names


def test_an_object_with_a_63_character_name_is_audited_through_a_cut_field_name(api):
    # given: "target" + the name would be 69 characters; a field name has at most 63
    singular, plural = "a" + "b" * 62, "c" + "d" * 62
    create_custom_object(api, singular, plural)
    # when
    status, body = api.post(f"/rest/{plural}", {"name": "Long"})
    record = first_value(body)["id"]
    # then
    join = f"targetA{'b' * 56}Id"
    status, body = api.get("/rest/timelineActivities", filter=f"{join}[eq]:{record}")
    assert (status, [(a["name"], a[join]) for a in body["data"]["timelineActivities"]]) == (
        200,
        [(f"{singular}.created", record)],
    )
