"""``depth`` (0, 1, 2) and ``fields`` (api-reference 1.2, 1.6): MANY_TO_ONE relations embedded as
objects, ONE_TO_MANY as arrays capped at 60 per relation and parent, at each level.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.helpers import bad_request, first_value

#: Relations of a person and a company in a new workspace, with nothing linked.
#: Their ``timelineActivities`` are left out by ``without_timeline`` (each write adds activities, api-reference
#: §16) and checked on their own.
PERSON_RELATIONS: dict[str, Any] = {
    "company": None,
    "pointOfContactForOpportunities": [],
    "noteTargets": [],
    "taskTargets": [],
    "attachments": [],
}
COMPANY_RELATIONS: dict[str, Any] = {
    "accountOwner": None,
    "people": [],
    "opportunities": [],
    "noteTargets": [],
    "taskTargets": [],
    "attachments": [],
}


def without_timeline(value: Any) -> Any:
    """``value`` without its embedded ``timelineActivities`` lists, at every level."""
    if isinstance(value, dict):
        return {k: without_timeline(v) for k, v in value.items() if k != "timelineActivities"}
    if isinstance(value, list):
        return [without_timeline(item) for item in value]
    return value


def by_id(*records: dict) -> list[dict]:
    """Embedded ONE_TO_MANY lists come in id order, the default order of every list in both APIs."""
    return sorted(records, key=lambda record: record["id"])


def with_relations(record: dict, defaults: dict, **relations) -> dict:
    """``record`` with its relation keys (``defaults``, overridden by ``relations``)."""
    return {**record, **defaults, **relations}


@pytest.fixture
def acme(records):
    """A company with two people and an opportunity whose point of contact is the first person."""
    company = records.company("Acme", domain="acme.com")
    ada = records.person("Ada", "Lovelace", "ada@acme.com", companyId=company["id"])
    alan = records.person("Alan", "Turing", companyId=company["id"])
    deal = records.opportunity("Big deal", companyId=company["id"], pointOfContactId=ada["id"])
    return {"company": company, "ada": ada, "alan": alan, "deal": deal}


def test_depth_0_returns_join_ids_and_no_relation(api, acme):
    # when
    status, body = api.get(f"/rest/people/{acme['ada']['id']}", depth="0")
    # then
    assert status == 200
    assert body == {"data": {"person": acme["ada"]}}
    assert body["data"]["person"]["companyId"] == acme["company"]["id"]


def test_depth_defaults_to_0(api, acme):
    assert api.get(f"/rest/people/{acme['ada']['id']}") == (200, {"data": {"person": acme["ada"]}})


def test_depth_1_embeds_many_to_one_as_object_and_one_to_many_as_arrays(api, acme):
    # when
    status, body = api.get(f"/rest/people/{acme['ada']['id']}", depth="1")
    # then
    assert status == 200
    assert without_timeline(body) == {
        "data": {
            "person": with_relations(
                acme["ada"],
                PERSON_RELATIONS,
                company=acme["company"],
                pointOfContactForOpportunities=[acme["deal"]],
            )
        }
    }


def test_depth_1_on_the_one_side_lists_the_related_records_in_id_order(api, acme):
    # when
    status, body = api.get(f"/rest/companies/{acme['company']['id']}", depth="1")
    # then
    assert status == 200
    assert without_timeline(body) == {
        "data": {
            "company": with_relations(
                acme["company"],
                COMPANY_RELATIONS,
                people=by_id(acme["ada"], acme["alan"]),
                opportunities=[acme["deal"]],
            )
        }
    }


def test_depth_2_embeds_the_relations_of_the_related_records(api, acme):
    # when
    status, body = api.get(f"/rest/people/{acme['ada']['id']}", depth="2")
    # then
    deal = with_relations(
        acme["deal"],
        {},
        company=acme["company"],
        pointOfContact=acme["ada"],
        noteTargets=[],
        taskTargets=[],
        attachments=[],
    )
    company = with_relations(
        acme["company"], COMPANY_RELATIONS, people=by_id(acme["ada"], acme["alan"]), opportunities=[acme["deal"]]
    )
    assert status == 200
    assert without_timeline(body) == {
        "data": {
            "person": with_relations(
                acme["ada"],
                PERSON_RELATIONS,
                company=company,
                pointOfContactForOpportunities=[deal],
            )
        }
    }


def test_depth_2_on_the_one_side_embeds_each_related_record_with_its_relations(api, acme):
    # when
    status, body = api.get(f"/rest/companies/{acme['company']['id']}", depth="2")
    # then
    ada = with_relations(
        acme["ada"], PERSON_RELATIONS, company=acme["company"], pointOfContactForOpportunities=[acme["deal"]]
    )
    alan = with_relations(acme["alan"], PERSON_RELATIONS, company=acme["company"])
    deal = with_relations(
        acme["deal"],
        {},
        company=acme["company"],
        pointOfContact=acme["ada"],
        noteTargets=[],
        taskTargets=[],
        attachments=[],
    )
    assert status == 200
    assert without_timeline(body) == {
        "data": {
            "company": with_relations(
                acme["company"],
                COMPANY_RELATIONS,
                people=by_id(ada, alan),
                opportunities=[deal],
            )
        }
    }


def test_depth_applies_to_every_record_of_a_list(api, records, acme):
    # given
    other = records.company("Globex")
    grace = records.person("Grace", companyId=other["id"])
    # when
    status, body = api.get("/rest/companies", depth="1", order_by="name")
    # then
    assert status == 200
    assert without_timeline(body["data"]["companies"]) == [
        with_relations(
            acme["company"], COMPANY_RELATIONS, people=by_id(acme["ada"], acme["alan"]), opportunities=[acme["deal"]]
        ),
        with_relations(other, COMPANY_RELATIONS, people=[grace]),
    ]


def test_one_to_many_is_capped_at_60_records_per_parent(api, records):
    # given
    big, small = records.company("Big"), records.company("Small")
    crowd = records.batch("people", [{"name": {"firstName": f"P{n:02d}"}, "companyId": big["id"]} for n in range(61)])
    lone = records.person("Lone", companyId=small["id"])
    # when
    status, body = api.get("/rest/companies", depth="1", order_by="name")
    # then
    assert status == 200
    big_out, small_out = body["data"]["companies"]
    assert big_out["people"] == by_id(*crowd)[:60]
    assert small_out["people"] == [lone]


def test_soft_deleted_related_records_are_not_embedded(api, acme):
    # given
    api.delete(f"/rest/people/{acme['alan']['id']}", soft_delete="true")
    api.delete(f"/rest/companies/{acme['company']['id']}", soft_delete="true")
    # when
    status, body = api.get(f"/rest/people/{acme['ada']['id']}", depth="1")
    # then
    assert status == 200
    assert body["data"]["person"]["companyId"] == acme["company"]["id"]
    assert body["data"]["person"]["company"] is None


def test_depth_on_create_embeds_the_relations_of_the_new_record(api, acme):
    # when
    status, body = api.post(
        "/rest/people", {"name": {"firstName": "Grace"}, "companyId": acme["company"]["id"]}, depth="1"
    )
    # then
    assert status == 201
    created = first_value(body)
    assert created["company"] == acme["company"]
    assert created["pointOfContactForOpportunities"] == created["noteTargets"] == created["taskTargets"] == []
    assert [a["name"] for a in created["timelineActivities"]] == ["person.created"]


def test_depth_1_embeds_the_timeline_of_the_record(api, acme):
    # given
    api.patch(f"/rest/people/{acme['ada']['id']}", {"jobTitle": "Countess"})
    timeline = api.get("/rest/timelineActivities", filter=f"targetPersonId[eq]:{acme['ada']['id']}")[1]
    # when
    status, body = api.get(f"/rest/people/{acme['ada']['id']}", depth="1")
    # then
    assert status == 200
    assert body["data"]["person"]["timelineActivities"] == timeline["data"]["timelineActivities"]
    assert [a["name"] for a in timeline["data"]["timelineActivities"]] == ["person.created", "person.updated"]


def test_depth_on_update_embeds_the_relations_of_the_updated_record(api, records, acme):
    # given
    other = records.company("Globex")
    # when
    status, body = api.patch(f"/rest/people/{acme['alan']['id']}", {"companyId": other["id"]}, depth="1")
    # then
    assert status == 200
    assert body["data"]["updatePerson"]["company"] == other


@pytest.mark.parametrize("depth", ["3", "-1", "one", "1.0"])
def test_depth_other_than_0_1_2_is_a_400(api, acme, depth):
    answer = api.get(f"/rest/people/{acme['ada']['id']}", depth=depth)
    assert answer == bad_request(f"'depth={depth}' parameter invalid. Allowed values are 0, 1, 2")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda api, acme: api.post("/rest/people", {"name": {"firstName": "New"}}, depth="5"), id="create_one"
        ),
        pytest.param(
            lambda api, acme: api.post("/rest/batch/people", [{"name": {"firstName": "New"}}], depth="5"),
            id="create_many",
        ),
        pytest.param(
            lambda api, acme: api.patch(f"/rest/people/{acme['ada']['id']}", {"jobTitle": "New"}, depth="5"),
            id="update_one",
        ),
        pytest.param(
            lambda api, acme: api.patch("/rest/people", {"jobTitle": "New"}, filter="jobTitle[eq]:", depth="5"),
            id="update_many",
        ),
        pytest.param(
            lambda api, acme: api.patch(f"/rest/restore/people/{acme['ada']['id']}", depth="5"), id="restore_one"
        ),
    ],
)
def test_a_bad_depth_refuses_a_write_before_it_happens(api, acme, call):
    # given
    before = api.get("/rest/people", filter="or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)", order_by="position")
    # when
    answer = call(api, acme)
    # then
    assert answer == bad_request("'depth=5' parameter invalid. Allowed values are 0, 1, 2")
    assert (
        api.get("/rest/people", filter="or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)", order_by="position") == before
    )


# --- fields ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        pytest.param("name", ["id", "name"], id="id_always_returned"),
        pytest.param("id,name", ["id", "name"], id="id_and_name"),
        pytest.param("name,emails,companyId", ["id", "name", "emails", "companyId"], id="composite_and_join_id"),
        pytest.param(" name , city ", ["id", "name", "city"], id="spaces_ignored"),
    ],
)
def test_fields_selects_the_returned_keys(api, acme, fields, keys):
    # when
    status, body = api.get("/rest/people", fields=fields, order_by="name.firstName")
    # then
    assert status == 200
    assert body["data"]["people"] == [{key: person[key] for key in keys} for person in (acme["ada"], acme["alan"])]


def test_fields_may_be_repeated(api, acme):
    status, body = api.get("/rest/people", fields=["name", "jobTitle"], order_by="name.firstName")
    assert status == 200
    assert body["data"]["people"] == [
        {"id": p["id"], "name": p["name"], "jobTitle": ""} for p in (acme["ada"], acme["alan"])
    ]


@pytest.mark.parametrize(
    ("fields", "unknown"),
    [
        pytest.param("nope", "nope", id="one_unknown"),
        pytest.param("name,nope,zip", "nope, zip", id="several_unknown"),
        pytest.param("name.firstName", "name.firstName", id="sub_field"),
    ],
)
def test_unknown_fields_are_a_400_naming_them(api, fields, unknown):
    answer = api.get("/rest/people", fields=fields)
    assert answer == bad_request(f"'fields' parameter invalid. Unknown or unreadable fields on 'person': {unknown}")


def test_fields_also_selects_the_embedded_relations(api, acme):
    # when
    status, body = api.get("/rest/people", fields="name,company", depth="1", order_by="name.firstName")
    # then
    assert status == 200
    assert body["data"]["people"] == [
        {"id": p["id"], "name": p["name"], "company": acme["company"]} for p in (acme["ada"], acme["alan"])
    ]
