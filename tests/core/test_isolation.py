"""Workspace isolation on every core route: a key of workspace A never reads, counts, updates,
deletes, restores or links to workspace B's records, and gets 404 or 400 without seeing them.
"""

from __future__ import annotations

import pytest

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace
from tests.core.conftest import Records, client_for
from tests.core.helpers import bad_request, create_custom_object, not_found


@pytest.fixture(scope="module")
def theirs(seeded_workspace_ids, django_db_blocker) -> dict:
    """Workspace B, written once for the module: a company, a person working there, a person in
    the trash, and a client of B (``client``) to check that nothing of B changed."""
    with django_db_blocker.unblock():
        _, token = create_api_key(Workspace.objects.get(pk=seeded_workspace_ids[1]), {"name": "their key"})
        client = client_for(token)
        records = Records(client)
        company = records.company("Globex", domain="globex.com")
        person = records.person("Hank", "Scorpio", "hank@globex.com", companyId=company["id"])
        trashed = records.person("Old", email="old@globex.com")
        assert client.delete(f"/rest/people/{trashed['id']}", soft_delete="true")[0] == 200
    return {"company": company, "person": person, "trashed": trashed, "client": client}


@pytest.fixture
def ours(records):
    """Workspace A: one company and one person."""
    return {"company": records.company("Acme"), "person": records.person("Ada")}


def snapshot_of(theirs: dict) -> dict:
    """Everything workspace B holds, live and trashed, as B's key sees it."""
    every = "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"
    return {
        plural: theirs["client"].get(f"/rest/{plural}", filter=every, order_by="position")[1]
        for plural in ("companies", "people")
    }


def test_find_many_lists_and_counts_only_the_callers_records(api, ours, theirs):
    # when
    companies = api.get("/rest/companies")
    people = api.get("/rest/people", filter="or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)")
    # then
    assert (companies[1]["data"]["companies"], companies[1]["totalCount"]) == ([ours["company"]], 1)
    assert (people[1]["data"]["people"], people[1]["totalCount"]) == ([ours["person"]], 1)


@pytest.mark.parametrize(
    "filter",
    [
        pytest.param("id[eq]:{id}", id="id_eq"),
        pytest.param("id[in]:[{id}]", id="id_in"),
        pytest.param("name[eq]:Globex", id="by_value"),
        pytest.param("domainName.primaryLinkUrl[eq]:globex.com", id="by_unique_value"),
    ],
)
def test_filters_never_reach_another_workspace(api, ours, theirs, filter):
    answer = api.get("/rest/companies", filter=filter.format(id=theirs["company"]["id"]))
    assert answer == (
        200,
        {
            "data": {"companies": []},
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        },
    )


def test_a_cursor_of_another_workspace_only_pages_the_callers_records(api, ours, theirs):
    cursor = theirs["client"].get("/rest/companies", limit="1")[1]["pageInfo"]["startCursor"]
    status, body = api.get("/rest/companies", starting_after=cursor)
    assert status == 200
    assert all(c["id"] != theirs["company"]["id"] for c in body["data"]["companies"])
    assert body["totalCount"] == 1


ONE_RECORD_ROUTES = [
    pytest.param(lambda api, rid: api.get(f"/rest/companies/{rid}"), id="find_one"),
    pytest.param(lambda api, rid: api.patch(f"/rest/companies/{rid}", {"name": "Mine"}), id="update_one"),
    pytest.param(lambda api, rid: api.put(f"/rest/companies/{rid}", {"name": "Mine"}), id="update_one_put"),
    pytest.param(lambda api, rid: api.delete(f"/rest/companies/{rid}"), id="destroy_one"),
    pytest.param(lambda api, rid: api.delete(f"/rest/companies/{rid}", soft_delete="true"), id="soft_delete_one"),
    pytest.param(lambda api, rid: api.patch(f"/rest/restore/companies/{rid}"), id="restore_one"),
    pytest.param(lambda api, rid: api.get(f"/rest/companies/{rid}", depth="2"), id="find_one_depth_2"),
]


@pytest.mark.parametrize("route", ONE_RECORD_ROUTES)
def test_routes_on_one_record_of_another_workspace_are_404_and_change_nothing(api, ours, theirs, route):
    # given
    before = snapshot_of(theirs)
    record_id = theirs["company"]["id"]
    # when / then
    assert route(api, record_id) == not_found("companies", record_id)
    assert snapshot_of(theirs) == before


def test_restore_of_a_trashed_record_of_another_workspace_is_a_404(api, ours, theirs):
    before = snapshot_of(theirs)
    assert api.patch(f"/rest/restore/people/{theirs['trashed']['id']}") == not_found("people", theirs["trashed"]["id"])
    assert snapshot_of(theirs) == before


MASS_ROUTES = [
    pytest.param(lambda api, f: api.patch("/rest/people", {"jobTitle": "Mine"}, filter=f), id="update_many"),
    pytest.param(lambda api, f: api.put("/rest/people", {"jobTitle": "Mine"}, filter=f), id="update_many_put"),
    pytest.param(lambda api, f: api.delete("/rest/people", filter=f), id="destroy_many"),
    pytest.param(lambda api, f: api.delete("/rest/people", filter=f, soft_delete="true"), id="soft_delete_many"),
    pytest.param(lambda api, f: api.patch("/rest/restore/people", filter=f), id="restore_many"),
]


@pytest.mark.parametrize("route", MASS_ROUTES)
def test_mass_routes_never_touch_another_workspace(api, ours, theirs, route):
    # given
    before = snapshot_of(theirs)
    ids = ",".join(theirs[name]["id"] for name in ("person", "trashed"))
    # when
    status, body = route(api, f"or(id[in]:[{ids}],deletedAt[is]:NOT_NULL,emails.primaryEmail[like]:%globex.com)")
    # then
    assert status == 200
    assert list(body["data"].values()) == [[]]
    assert snapshot_of(theirs) == before


@pytest.mark.parametrize(
    ("call", "prefix"),
    [
        pytest.param(lambda api, cid: api.post("/rest/people", {"companyId": cid}), "", id="create_one"),
        pytest.param(lambda api, cid: api.post("/rest/people", {"companyId": cid}, upsert="true"), "", id="upsert_one"),
        pytest.param(
            lambda api, cid: api.post("/rest/batch/people", [{"companyId": cid}]), "Record 0: ", id="create_many"
        ),
    ],
)
def test_creating_a_link_to_another_workspaces_record_is_a_400(api, ours, theirs, call, prefix):
    # given
    company_id = theirs["company"]["id"]
    # when
    answer = call(api, company_id)
    # then
    assert answer == bad_request(f"{prefix}Field 'companyId': no company record has id '{company_id}'")
    assert api.get("/rest/people")[1]["totalCount"] == 1


@pytest.mark.parametrize("method", ["patch", "put"])
def test_updating_a_link_to_another_workspaces_record_is_a_400(api, ours, theirs, method):
    company_id = theirs["company"]["id"]
    answer = getattr(api, method)(f"/rest/people/{ours['person']['id']}", {"companyId": company_id})
    assert answer == bad_request(f"Field 'companyId': no company record has id '{company_id}'")
    assert api.get(f"/rest/people/{ours['person']['id']}") == (200, {"data": {"person": ours["person"]}})


def test_update_many_linking_to_another_workspaces_record_is_a_400(api, ours, theirs):
    company_id = theirs["company"]["id"]
    answer = api.patch("/rest/people", {"companyId": company_id}, filter="name.firstName[eq]:Ada")
    assert answer == bad_request(f"Field 'companyId': no company record has id '{company_id}'")


def created_ids(answer) -> list[str]:
    """Ids of the records a create answer returns (one or a batch)."""
    (records,) = answer[1]["data"].values()
    return [record["id"] for record in (records if isinstance(records, list) else [records])]


@pytest.mark.parametrize(
    ("call", "index"),
    [
        pytest.param(lambda api, cid: api.post("/rest/companies", {"id": cid, "name": "Mine"}), 0, id="create_one"),
        pytest.param(
            lambda api, cid: api.post("/rest/companies", {"id": cid, "name": "Mine"}, upsert="true"),
            0,
            id="upsert_one",
        ),
        pytest.param(
            lambda api, cid: api.post("/rest/batch/companies", [{"name": "A"}, {"id": cid, "name": "Mine"}]),
            1,
            id="create_many",
        ),
        pytest.param(
            lambda api, cid: api.post("/rest/batch/companies", [{"id": cid, "name": "Mine"}], upsert="true"),
            0,
            id="upsert_many",
        ),
    ],
)
def test_an_id_another_workspace_uses_is_accepted_and_changes_nothing_there(api, ours, theirs, call, index):
    # given: ids are unique per workspace, so a workspace cannot learn which ids another one holds
    before = snapshot_of(theirs)
    company_id = theirs["company"]["id"]
    # when
    answer = call(api, company_id)
    # then
    assert answer[0] == 201
    assert created_ids(answer)[index] == company_id
    assert api.get(f"/rest/companies/{company_id}")[1]["data"]["company"]["name"] == "Mine"
    assert snapshot_of(theirs) == before
    assert theirs["client"].get(f"/rest/companies/{company_id}") == (200, {"data": {"company": theirs["company"]}})


def test_upsert_never_matches_the_unique_value_of_another_workspace(api, ours, theirs):
    # given
    before = snapshot_of(theirs)
    # when
    status, body = api.post(
        "/rest/people", {"name": {"firstName": "Mine"}, "emails": {"primaryEmail": "hank@globex.com"}}, upsert="true"
    )
    # then
    assert status == 201
    assert body["data"]["createPerson"]["id"] not in (theirs["person"]["id"], ours["person"]["id"])
    assert api.get("/rest/people")[1]["totalCount"] == 2
    assert snapshot_of(theirs) == before


def test_unique_values_are_unique_per_workspace(api, ours, theirs):
    status, body = api.post("/rest/companies", {"name": "Also Globex", "domainName": {"primaryLinkUrl": "globex.com"}})
    assert status == 201
    assert body["data"]["createCompany"]["domainName"]["primaryLinkUrl"] == "globex.com"


def test_depth_never_embeds_records_of_another_workspace(api, ours, theirs):
    status, body = api.get("/rest/companies", depth="2")
    assert status == 200
    assert body["data"]["companies"][0]["people"] == []
    assert body["totalCount"] == 1


def test_custom_objects_of_another_workspace_do_not_exist(api, other_api):
    create_custom_object(other_api, "rocket", "rockets")
    assert other_api.post("/rest/rockets", {"name": "Ariane"})[0] == 201
    assert api.get("/rest/rockets") == bad_request("object 'rockets' not found. eg: companies")
    assert api.post("/rest/rockets", {"name": "Mine"}) == bad_request("object 'rockets' not found. eg: companies")
