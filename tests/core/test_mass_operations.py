"""Update, delete, destroy and restore many by filter (api-reference 1.1, 1.3, 2.7): the filter is
mandatory, at most 100 records per request, all or nothing.
"""

from __future__ import annotations

import pytest

from tests.core.helpers import INSTANT, actor, bad_request, ids_of
from webhooks_app.models import Event


def mandatory(verb: str, noun: str) -> tuple[int, dict]:
    """The 400 of a mass operation without a filter."""
    return bad_request(
        f"Filters are mandatory for bulk {verb} operations. Please provide at least one filter to "
        f"prevent accidental {noun} of all records."
    )


TOO_MANY = bad_request(
    "Too many records: the filter matches more than 100 records; narrow it down (at most 100 per request)"
)


def every_company(api) -> list[dict]:
    """Every company, live or trashed, by position."""
    status, body = api.get(
        "/rest/companies", filter="or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)", order_by="position", limit="200"
    )
    assert status == 200, body
    return body["data"]["companies"]


@pytest.fixture
def trio(records):
    """Three companies: two with 10 employees, one with 500."""
    return records.batch(
        "companies",
        [{"name": "Small A", "employees": 10}, {"name": "Big", "employees": 500}, {"name": "Small B", "employees": 10}],
    )


# --- filter mandatory ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "verb", "noun"),
    [
        pytest.param(
            lambda api, **q: api.patch("/rest/companies", {"name": "x"}, **q), "update", "update", id="update_patch"
        ),
        pytest.param(
            lambda api, **q: api.put("/rest/companies", {"name": "x"}, **q), "update", "update", id="update_put"
        ),
        pytest.param(
            lambda api, **q: api.delete("/rest/companies", soft_delete="true", **q),
            "delete",
            "deletion",
            id="soft_delete",
        ),
        pytest.param(lambda api, **q: api.delete("/rest/companies", **q), "destroy", "destruction", id="destroy"),
        pytest.param(
            lambda api, **q: api.patch("/rest/restore/companies", **q), "restore", "restoration", id="restore"
        ),
    ],
)
def test_mass_operation_without_a_filter_is_a_400_and_changes_nothing(api, trio, call, verb, noun):
    # given
    before = every_company(api)
    # when
    answer = call(api)
    # then
    assert answer == mandatory(verb, noun)
    assert every_company(api) == before


@pytest.mark.parametrize("filter", ["", "  "], ids=["empty", "blank"])
def test_an_empty_filter_counts_as_no_filter(api, trio, filter):
    assert api.delete("/rest/companies", filter=filter) == mandatory("destroy", "destruction")
    assert every_company(api) == trio


# --- update many ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_many_updates_the_matching_records_only(api, trio, method):
    # given
    small_a, big, small_b = trio
    # when
    status, body = getattr(api, method)("/rest/companies", {"idealCustomerProfile": True}, filter="employees[lt]:100")
    # then
    assert status == 200
    expected = [
        {**company, "idealCustomerProfile": True, "updatedAt": INSTANT, "updatedBy": actor()}
        for company in (small_a, small_b)
    ]
    assert body == {"data": {"updateCompanies": expected}}
    assert every_company(api) == [body["data"]["updateCompanies"][0], big, body["data"]["updateCompanies"][1]]


def test_update_many_matching_nothing_returns_an_empty_list(api, trio):
    assert api.patch("/rest/companies", {"name": "x"}, filter="employees[gt]:1000") == (
        200,
        {"data": {"updateCompanies": []}},
    )
    assert every_company(api) == trio


def test_update_many_leaves_soft_deleted_records_alone(api, trio):
    # given
    small_a, _big, small_b = trio
    api.delete(f"/rest/companies/{small_b['id']}", soft_delete="true")
    # when
    status, body = api.patch("/rest/companies", {"name": "Renamed"}, filter="employees[eq]:10")
    # then
    assert status == 200
    assert ids_of(body["data"]["updateCompanies"]) == [small_a["id"]]


def test_update_many_with_an_invalid_value_is_a_400_and_changes_nothing(api, trio):
    answer = api.patch("/rest/companies", {"employees": "many"}, filter="employees[eq]:10")
    assert answer == bad_request("Invalid value for field 'employees': expected a number, got \"many\"")
    assert every_company(api) == trio


@pytest.mark.parametrize("which", [0, 2], ids=["first_id", "second_id"])
def test_update_many_giving_one_records_id_is_a_400_whichever_record_it_is(api, trio, which):
    # when: the patch holds the id of one of the two matched records
    answer = api.patch("/rest/companies", {"id": trio[which]["id"]}, filter="employees[eq]:10")
    # then: the other record refuses it, whichever comes first
    assert answer == bad_request("Field 'id' is read-only")
    assert every_company(api) == trio


def test_update_many_giving_one_unique_value_to_two_records_is_a_400_and_changes_nothing(api, trio):
    # when
    answer = api.patch("/rest/companies", {"domainName": {"primaryLinkUrl": "same.com"}}, filter="employees[eq]:10")
    # then
    # then: the value is free; it is the update that would give it twice
    assert answer == bad_request(
        f"Duplicate value for unique field 'domainName.primaryLinkUrl': 'same.com' would be given to several "
        f"records of this update ({trio[0]['id']} and {trio[2]['id']})"
    )
    assert every_company(api) == trio


def test_update_many_with_an_invalid_filter_is_a_400(api, trio):
    answer = api.patch("/rest/companies", {"name": "x"}, filter="employees[like]:1%")
    assert answer == bad_request(
        "'filter' invalid. Comparator 'like' cannot be used on 'employees' (NUMBER); allowed: "
        "eq, gt, gte, in, is, lt, lte, neq"
    )


# --- delete, destroy and restore many -------------------------------------------------------------


def test_soft_delete_many_moves_the_matching_records_to_the_trash(api, trio):
    # given
    small_a, big, small_b = trio
    # when
    answer = api.delete("/rest/companies", filter="employees[eq]:10", soft_delete="true")
    # then
    assert answer == (200, {"data": {"deleteCompanies": [{"id": small_a["id"]}, {"id": small_b["id"]}]}})
    assert ids_of(api.get("/rest/companies")[1]["data"]["companies"]) == [big["id"]]
    trashed = api.get("/rest/companies", filter="deletedAt[is]:NOT_NULL", order_by="position")[1]["data"]["companies"]
    assert trashed == [
        {**small_a, "deletedAt": INSTANT, "updatedAt": INSTANT},
        {**small_b, "deletedAt": INSTANT, "updatedAt": INSTANT},
    ]


def test_destroy_many_removes_the_matching_records_for_good(api, trio):
    # given
    small_a, big, small_b = trio
    # when
    answer = api.delete("/rest/companies", filter=f"id[in]:[{small_a['id']},{big['id']}]")
    # then
    assert answer == (200, {"data": {"deleteCompanies": [{"id": small_a["id"]}, {"id": big["id"]}]}})
    assert every_company(api) == [small_b]


def test_destroy_many_also_removes_soft_deleted_matches_named_by_the_filter(api, trio):
    # given
    small_a, big, small_b = trio
    api.delete(f"/rest/companies/{small_a['id']}", soft_delete="true")
    # when
    answer = api.delete("/rest/companies", filter="deletedAt[is]:NOT_NULL")
    # then
    assert answer == (200, {"data": {"deleteCompanies": [{"id": small_a["id"]}]}})
    assert every_company(api) == [big, small_b]


def test_restore_many_restores_the_matching_records_of_the_trash(api, trio):
    # given
    _small_a, big, small_b = trio
    api.delete("/rest/companies", filter="employees[eq]:10", soft_delete="true")
    # when
    status, body = api.patch("/rest/restore/companies", filter=f"id[eq]:{small_b['id']}")
    # then
    assert status == 200
    assert body == {"data": {"restoreCompanies": [{**small_b, "updatedAt": INSTANT}]}}
    assert ids_of(api.get("/rest/companies", order_by="position")[1]["data"]["companies"]) == [big["id"], small_b["id"]]


def test_restore_many_ignores_live_records(api, trio):
    assert api.patch("/rest/restore/companies", filter="employees[gt]:0") == (200, {"data": {"restoreCompanies": []}})


def test_mass_delete_matching_nothing_returns_an_empty_list(api, trio):
    assert api.delete("/rest/companies", filter="name[eq]:Nobody") == (200, {"data": {"deleteCompanies": []}})
    assert every_company(api) == trio


# --- at most 100 records --------------------------------------------------------------------------


@pytest.fixture
def hundred_and_one(records):
    """101 companies: 100 called "bulk" and one called "last"."""
    return records.batch("companies", [{"name": "bulk", "employees": n} for n in range(100)] + [{"name": "last"}])


@pytest.mark.parametrize(
    ("call", "outcome"),
    [
        pytest.param(
            lambda api, f: api.patch("/rest/companies", {"idealCustomerProfile": True}, filter=f),
            "updateCompanies",
            id="update",
        ),
        pytest.param(
            lambda api, f: api.delete("/rest/companies", filter=f, soft_delete="true"),
            "deleteCompanies",
            id="soft_delete",
        ),
        pytest.param(lambda api, f: api.delete("/rest/companies", filter=f), "deleteCompanies", id="destroy"),
    ],
)
def test_mass_operation_matching_101_records_is_a_400_and_changes_nothing(api, hundred_and_one, call, outcome):
    # when
    answer = call(api, "createdAt[is]:NOT_NULL")
    # then
    assert answer == TOO_MANY
    assert every_company(api) == hundred_and_one


@pytest.mark.parametrize(
    ("call", "outcome", "remaining"),
    [
        pytest.param(
            lambda api, f: api.patch("/rest/companies", {"idealCustomerProfile": True}, filter=f),
            "updateCompanies",
            101,
            id="update",
        ),
        pytest.param(
            lambda api, f: api.delete("/rest/companies", filter=f, soft_delete="true"),
            "deleteCompanies",
            1,
            id="soft_delete",
        ),
        pytest.param(lambda api, f: api.delete("/rest/companies", filter=f), "deleteCompanies", 1, id="destroy"),
    ],
)
def test_mass_operation_matching_exactly_100_records_is_carried_out(api, hundred_and_one, call, outcome, remaining):
    # when
    status, body = call(api, "name[eq]:bulk")
    # then
    assert status == 200
    assert ids_of(body["data"][outcome]) == ids_of(hundred_and_one[:100])
    assert api.get("/rest/companies")[1]["totalCount"] == remaining


def test_restore_many_of_101_records_is_a_400_and_of_100_records_works(api, hundred_and_one):
    # given
    api.delete("/rest/companies", filter="name[eq]:bulk", soft_delete="true")
    api.delete("/rest/companies", filter="name[eq]:last", soft_delete="true")
    # when
    too_many = api.patch("/rest/restore/companies", filter="createdAt[is]:NOT_NULL")
    hundred = api.patch("/rest/restore/companies", filter="name[eq]:bulk")
    # then
    assert too_many == TOO_MANY
    assert hundred[0] == 200
    assert ids_of(hundred[1]["data"]["restoreCompanies"]) == ids_of(hundred_and_one[:100])
    assert api.get("/rest/companies")[1]["totalCount"] == 100


def test_an_empty_patch_changes_nothing_on_one_record_or_many(api):
    # given
    ada = api.post("/rest/people", {"name": {"firstName": "Ada"}, "city": "Paris"})[1]["data"]["createPerson"]
    # when
    one = api.patch(f"/rest/people/{ada['id']}", {})
    many = api.patch("/rest/people", {}, filter=f"id[eq]:{ada['id']}")
    # then: the record as it was, updatedAt included
    assert one[0] == 200 and one[1]["data"]["updatePerson"]["updatedAt"] == ada["updatedAt"]
    assert many[0] == 200 and [p["updatedAt"] for p in many[1]["data"]["updatePeople"]] == [ada["updatedAt"]]
    assert api.get(f"/rest/people/{ada['id']}")[1]["data"]["person"]["updatedAt"] == ada["updatedAt"]


def events_of(record_id: str) -> list[tuple[str, list[str] | None]]:
    """``(name, updatedFields)`` of the record's events, oldest first (the rows the feed pages over;
    the feed itself shows them once committed, after the test's transaction)."""
    rows = Event.objects.filter(record_id=record_id).order_by("occurred_at", "id")
    return [(event.name, event.updated_fields) for event in rows]


def test_a_patch_of_the_values_a_record_holds_changes_nothing_through_either_api(api):
    # given
    ada = api.post("/rest/people", {"name": {"firstName": "Ada"}, "city": "Paris"})[1]["data"]["createPerson"]
    same = {"city": "Paris", "name": {"firstName": "Ada"}, "emails": {"primaryEmail": ""}}
    mutation = 'mutation($id: UUID!) { updatePerson(id: $id, data: {city: "Paris"}) { updatedAt } }'
    # when
    one = api.patch(f"/rest/people/{ada['id']}", same)
    many = api.patch("/rest/people", same, filter=f"id[eq]:{ada['id']}")
    graphql = api.post("/graphql", {"query": mutation, "variables": {"id": ada["id"]}})
    # then: the record as it was, updatedAt included, and no event
    assert one[0] == 200 and one[1]["data"]["updatePerson"]["updatedAt"] == ada["updatedAt"]
    assert many[0] == 200 and [p["updatedAt"] for p in many[1]["data"]["updatePeople"]] == [ada["updatedAt"]]
    assert graphql == (200, {"data": {"updatePerson": {"updatedAt": ada["updatedAt"]}}})
    assert events_of(ada["id"]) == [("person.created", None)]


def test_updated_fields_follow_the_objects_field_order_through_either_api(api):
    # given: the same change given in opposite orders
    ids = [api.post("/rest/people", {"name": {"firstName": n}})[1]["data"]["createPerson"]["id"] for n in "AB"]
    mutation = 'mutation($id: UUID!) { updatePerson(id: $id, data: {city: "Rome", jobTitle: "CTO"}) { id } }'
    # when
    assert api.patch(f"/rest/people/{ids[0]}", {"city": "Rome", "jobTitle": "CTO"})[0] == 200
    assert api.post("/graphql", {"query": mutation, "variables": {"id": ids[1]}})[0] == 200
    # then
    for record_id in ids:
        assert events_of(record_id)[-1] == ("person.updated", ["jobTitle", "city"])


def test_duplicates_of_an_id_that_names_no_record_are_a_404_as_merge_answers(api):
    # given
    ada = api.post("/rest/people", {"name": {"firstName": "Ada"}})[1]["data"]["createPerson"]
    missing = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
    message = f"Record {missing} not found in people"
    # when
    duplicates = api.post("/rest/people/duplicates", {"ids": [missing]})
    merge = api.patch("/rest/people/merge", {"ids": [ada["id"], missing], "conflictPriorityIndex": 0})
    # then
    expected = (404, {"statusCode": 404, "error": "NotFoundException", "messages": [message]})
    assert duplicates == merge == expected


def test_restoring_a_record_not_in_the_trash_answers_it_as_it_is_and_announces_nothing(api):
    # given
    ada = api.post("/rest/people", {"name": {"firstName": "Ada"}})[1]["data"]["createPerson"]
    activities = api.get("/rest/timelineActivities", filter=f"targetPersonId[eq]:{ada['id']}")[1]["totalCount"]
    # when
    status, body = api.patch(f"/rest/restore/people/{ada['id']}", {})
    # then: the record as stored (its updatedAt, so its ETag, unchanged), no new activity
    assert (status, body["data"]["restorePerson"]["updatedAt"]) == (200, ada["updatedAt"])
    assert api.get(f"/rest/people/{ada['id']}")[1]["data"]["person"]["updatedAt"] == ada["updatedAt"]
    assert api.get("/rest/timelineActivities", filter=f"targetPersonId[eq]:{ada['id']}")[1]["totalCount"] == activities
