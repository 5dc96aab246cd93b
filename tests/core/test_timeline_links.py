"""Linked activities (api-reference §16.1): a note's or a task's changes told on the records it is linked to.

A note (task) linked to a person through a noteTarget (taskTarget): creating the link writes
``linked-note.created`` on the person; creating, updating, soft-deleting and restoring the note
writes ``linked-note.<action>`` on every record it is linked to, beside ``note.<action>`` on the
note itself. Everything goes through REST and GraphQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.core.helpers import first_value
from tests.statements import cost_of

KEYS = ("name", "properties", "linkedRecordId", "linkedRecordCachedName", "linkedObjectMetadataId")
#: (object, plural, link plural): notes are linked through noteTargets, tasks through taskTargets.
KINDS = [("note", "notes", "noteTargets"), ("task", "tasks", "taskTargets")]


def created(answer: tuple[int, Any]) -> dict[str, Any]:
    """The record of a 201 answer."""
    status, body = answer
    assert status == 201, body
    return first_value(body)


def trail(api, join: str, record_id: str) -> list[dict[str, Any]]:
    """The record's activities through REST, oldest first (``join``: ``targetPersonId``...)."""
    status, body = api.get("/rest/timelineActivities", filter=f"{join}[eq]:{record_id}", order_by="position")
    assert status == 200, body
    return [{key: a[key] for key in KEYS} for a in body["data"]["timelineActivities"]]


def object_id(api, singular: str) -> str:
    """The id of an object, read from the metadata REST API."""
    status, body = api.get("/rest/metadata/objects")
    assert status == 200
    return next(o["id"] for o in body["data"]["objects"] if o["nameSingular"] == singular)


@pytest.fixture
def linked(api) -> dict[str, Any]:
    """A person and a company."""
    ada = created(api.post("/rest/people", {"name": {"firstName": "Ada", "lastName": "Lovelace"}}))
    acme = created(api.post("/rest/companies", {"name": "Acme"}))
    return {"ada": ada["id"], "acme": acme["id"]}


@pytest.mark.parametrize(("singular", "plural", "links"), KINDS)
def test_every_change_of_a_note_is_told_on_the_records_it_is_linked_to(api, linked, singular, plural, links):
    # given: a note linked to Ada and to Acme
    note = created(api.post(f"/rest/{plural}", {"title": "Call"}))["id"]
    kind_id = object_id(api, singular)
    # when
    created(api.post(f"/rest/batch/{links}", [{f"{singular}Id": note, "personId": linked["ada"]}]))
    created(api.post(f"/rest/{links}", {f"{singular}Id": note, "companyId": linked["acme"]}))
    assert api.patch(f"/rest/{plural}/{note}", {"title": "Call back"})[0] == 200
    assert api.delete(f"/rest/{plural}/{note}", soft_delete="true")[0] == 200
    assert api.patch(f"/rest/restore/{plural}/{note}")[0] == 200
    # then: the person's and the company's trails are the same, and the note has its own
    diff = {"diff": {"title": {"before": "Call", "after": "Call back"}}}
    expected = [
        {
            "name": f"linked-{singular}.{action}",
            "properties": properties,
            "linkedRecordId": note,
            "linkedRecordCachedName": name,
            "linkedObjectMetadataId": kind_id,
        }
        for action, properties, name in [
            ("created", {}, "Call"),
            ("updated", diff, "Call back"),
            ("deleted", {}, "Call back"),
            ("restored", {}, "Call back"),
        ]
    ]
    assert trail(api, "targetPersonId", linked["ada"])[1:] == expected
    assert trail(api, "targetCompanyId", linked["acme"])[1:] == expected
    join = f"target{singular.capitalize()}Id"
    assert [(a["name"], a["properties"], a["linkedRecordId"]) for a in trail(api, join, note)] == [
        (f"{singular}.created", {}, None),
        (f"{singular}.updated", diff, None),
        (f"{singular}.deleted", {}, None),
        (f"{singular}.restored", {}, None),
    ]


def test_a_note_created_before_its_links_has_no_linked_activity_yet(api, linked):
    # when
    created(api.post("/rest/notes", {"title": "Alone"}))
    # then
    assert [a["name"] for a in trail(api, "targetPersonId", linked["ada"])] == ["person.created"]


def test_updates_of_a_linked_note_merge_per_record_and_note(api, linked):
    # given: two notes linked to Ada
    notes = [created(api.post("/rest/notes", {"title": title}))["id"] for title in ("One", "Two")]
    created(api.post("/rest/batch/noteTargets", [{"noteId": n, "personId": linked["ada"]} for n in notes]))
    # when: the first note is updated twice, the second once, within the merge window
    api.patch(f"/rest/notes/{notes[0]}", {"title": "One bis"})
    api.patch(f"/rest/notes/{notes[1]}", {"title": "Two bis"})
    api.patch(f"/rest/notes/{notes[0]}", {"title": "One ter"})
    # then: one linked-note.updated per note, the first merged (first before, last after, last title)
    updated = [a for a in trail(api, "targetPersonId", linked["ada"]) if a["name"] == "linked-note.updated"]
    assert [(a["linkedRecordId"], a["linkedRecordCachedName"], a["properties"]) for a in updated] == [
        (notes[0], "One ter", {"diff": {"title": {"before": "One", "after": "One ter"}}}),
        (notes[1], "Two bis", {"diff": {"title": {"before": "Two", "after": "Two bis"}}}),
    ]


def test_a_trashed_link_links_nothing_and_an_empty_update_tells_nothing(api, linked):
    # given: a note linked to Ada and to Acme, the link to Acme trashed
    note = created(api.post("/rest/notes", {"title": "Call"}))["id"]
    created(api.post("/rest/noteTargets", {"noteId": note, "personId": linked["ada"]}))
    link = created(api.post("/rest/noteTargets", {"noteId": note, "companyId": linked["acme"]}))["id"]
    assert api.delete(f"/rest/noteTargets/{link}", soft_delete="true")[0] == 200
    # when
    api.patch(f"/rest/notes/{note}", {"title": "Call"})
    api.patch(f"/rest/notes/{note}", {"title": "Call back"})
    # then
    assert [a["name"] for a in trail(api, "targetPersonId", linked["ada"])] == [
        "person.created",
        "linked-note.created",
        "linked-note.updated",
    ]
    assert [a["name"] for a in trail(api, "targetCompanyId", linked["acme"])] == [
        "company.created",
        "linked-note.created",
    ]


def test_graphql_writes_tell_the_same_linked_activities(api, linked):
    # given
    note = created(api.post("/rest/notes", {"title": "Call"}))["id"]
    link = "mutation ($n: UUID!, $p: UUID!) { createNoteTarget(data: {noteId: $n, personId: $p}) { id } }"
    update = 'mutation ($n: UUID!) { updateNote(id: $n, data: {title: "Call back"}) { id } }'
    # when
    for query, variables in ((link, {"n": note, "p": linked["ada"]}), (update, {"n": note})):
        status, body = api.post("/graphql", {"query": query, "variables": variables})
        assert status == 200 and "errors" not in body, body
    status, body = api.post(
        "/graphql",
        {
            "query": "query ($p: UUID!) { timelineActivities(filter: {targetPersonId: {eq: $p}}, "
            "orderBy: [{position: AscNullsFirst}]) { edges { node { %s } } } }" % " ".join(KEYS),
            "variables": {"p": linked["ada"]},
        },
    )
    # then: GraphQL reads what REST reads
    assert status == 200 and "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["timelineActivities"]["edges"]]
    assert nodes == trail(api, "targetPersonId", linked["ada"])
    assert [(n["name"], n["linkedRecordCachedName"]) for n in nodes] == [
        ("person.created", ""),
        ("linked-note.created", "Call"),
        ("linked-note.updated", "Call back"),
    ]


def test_linked_activities_cost_a_constant_number_of_queries_per_request(api):
    # given: per size, that many people and notes, each note linked to one person
    counts = {}
    for size in (1, 10):
        people = created(api.post("/rest/batch/people", [{"name": {"firstName": f"P{i}"}} for i in range(size)]))
        notes = created(api.post("/rest/batch/notes", [{"title": f"N{i}"} for i in range(size)]))
        links = [{"noteId": n["id"], "personId": p["id"]} for n, p in zip(notes, people)]
        ids = ",".join(n["id"] for n in notes)
        # when
        with CaptureQueriesContext(connection) as linking:
            created(api.post("/rest/batch/noteTargets", links))
        with CaptureQueriesContext(connection) as updating:
            assert api.patch("/rest/notes", {"title": "Renamed"}, filter=f"id[in]:[{ids}]")[0] == 200
        with CaptureQueriesContext(connection) as merging:
            assert api.patch("/rest/notes", {"title": "Again"}, filter=f"id[in]:[{ids}]")[0] == 200
        with CaptureQueriesContext(connection) as trashing:
            assert api.delete("/rest/notes", filter=f"id[in]:[{ids}]", soft_delete="true")[0] == 200
        counts[size] = (cost_of(linking), cost_of(updating), cost_of(merging), cost_of(trashing))
        # then: every person got its note's activities
        for person in people:
            names = [a["name"] for a in trail(api, "targetPersonId", person["id"])]
            assert names == ["person.created", "linked-note.created", "linked-note.updated", "linked-note.deleted"]
    assert counts[1] == counts[10]
