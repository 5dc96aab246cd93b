"""Filtered counts kept while the object's index does not change (``core_app.store.counts.kept_count``).

These requests run outside any test transaction (``transaction=True``), as a server's reads do:
only there is a count kept. Every answer is compared with the records as they are; a write that
changes the index (a create, an indexed value changed, a trash, a restore, a destroy) makes the
next request count again, and a write that does not (an unindexed field) leaves the kept count
in use.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from core_app.store import counts
from metadata_app.services.workspaces import create_workspace
from tests.core.conftest import client_for
from tests.metadata.helpers import field_id
from tests.statements import sent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(transactional_db):
    """A client of a fresh committed workspace whose people's ``city`` is indexed."""
    from apikeys_app.services import create_api_key

    workspace = create_workspace("Kept counts")
    _, token = create_api_key(workspace, {"name": "test key"})
    client = client_for(token)
    client.city_field = field_id(workspace, "person", "city")
    index_city(client, True)
    return client


def index_city(api, indexed: bool) -> None:
    status, body = api.patch(f"/rest/metadata/fields/{api.city_field}", {"isIndexed": indexed})
    assert status == 200, body


def person(api, first: str, city: str) -> str:
    status, body = api.post("/rest/people", {"name": {"firstName": first, "lastName": "K"}, "city": city})
    assert status == 201, body
    return body["data"]["createPerson"]["id"]


def paris(api, city: str = "Paris", comparison: str = "eq") -> tuple[int, list[str], str]:
    """``totalCount`` and first names of the people in ``city``, and how the count was read:
    ``"counted"`` (the index entries), ``"kept"`` (the counter rows, not the index entries)."""
    with sent() as statements:
        status, body = api.get("/rest/people", filter=f"city[{comparison}]:{city}", order_by="name.firstName")
    assert status == 200, body
    texts = [sql for sql, _ in statements]
    counted = any("COUNT(*)" in sql for sql in texts)
    # a kept count is confirmed by the counter rows, read with the page or alone
    confirmed = any("core_app_recordcount" in sql for sql in texts)
    how = "counted" if counted else "kept" if confirmed else "neither"
    names = [p["name"]["firstName"] for p in body["data"]["people"]]
    return body["totalCount"], names, how


def test_a_filtered_count_is_kept_until_the_index_of_its_object_changes(api):
    # given
    ada = person(api, "Ada", "Paris")
    person(api, "Bob", "Paris")
    cy = person(api, "Cy", "Lyon")
    # then: counted once, then kept
    assert paris(api) == (2, ["Ada", "Bob"], "counted")
    assert paris(api) == (2, ["Ada", "Bob"], "kept")
    # an unindexed field changes nothing the count reads: still kept
    assert api.patch(f"/rest/people/{ada}", {"jobTitle": "CTO"})[0] == 200
    assert paris(api) == (2, ["Ada", "Bob"], "kept")
    # an indexed value moves Cy to Paris
    assert api.patch(f"/rest/people/{cy}", {"city": "Paris"})[0] == 200
    assert paris(api) == (3, ["Ada", "Bob", "Cy"], "counted")
    assert paris(api) == (3, ["Ada", "Bob", "Cy"], "kept")
    # a create
    dee = person(api, "Dee", "Paris")
    assert paris(api) == (4, ["Ada", "Bob", "Cy", "Dee"], "counted")
    # a trash, then a restore
    assert api.delete(f"/rest/people/{ada}", soft_delete="true")[0] == 200
    assert paris(api) == (3, ["Bob", "Cy", "Dee"], "counted")
    assert api.patch(f"/rest/restore/people/{ada}")[0] == 200
    assert paris(api) == (4, ["Ada", "Bob", "Cy", "Dee"], "counted")
    # a destroy
    assert api.delete(f"/rest/people/{dee}")[0] == 200
    assert paris(api) == (3, ["Ada", "Bob", "Cy"], "counted")
    assert paris(api) == (3, ["Ada", "Bob", "Cy"], "kept")


def test_graphql_total_counts_agree_and_share_the_kept_count(api):
    # given
    for first, city in (("Ada", "Paris"), ("Bob", "Lyon"), ("Cy", "Paris")):
        person(api, first, city)
    query = '{ people(filter: {city: {eq: "Paris"}}) { totalCount } }'
    # when
    status, first = api.post("/graphql", {"query": query})
    with sent() as statements:
        status_again, again = api.post("/graphql", {"query": query})
    # then
    assert (status, status_again) == (200, 200)
    assert first == again == {"data": {"people": {"totalCount": 2}}}
    assert not [sql for sql, _ in statements if "COUNT(*)" in sql]
    assert paris(api)[:2] == (2, ["Ada", "Cy"])


def test_counts_read_inside_a_transaction_are_neither_kept_nor_taken_from_memory(api):
    # given: the count is kept
    person(api, "Ada", "Paris")
    assert paris(api) == (1, ["Ada"], "counted")
    assert paris(api) == (1, ["Ada"], "kept")
    kept_before = dict(counts._kept)
    # when: a transaction writes a record of Paris, counts, and rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        person(api, "Bob", "Paris")
        assert paris(api) == (2, ["Ada", "Bob"], "counted")
        raise RuntimeError("roll back")
    # then: memory holds what it held; the count read after is the committed one
    assert counts._kept == kept_before
    assert paris(api) == (1, ["Ada"], "kept")
    assert connection.in_atomic_block is False


def test_kept_counts_are_bounded(api, monkeypatch):
    # given
    monkeypatch.setattr(counts, "KEPT_COUNTS", 2)
    counts._kept.clear()
    person(api, "Ada", "Paris")
    # when: three different filters are counted
    answers = [paris(api, city) for city in ("Paris", "Lyon", "Rome")]
    # then: two are kept, the oldest went
    assert answers == [(1, ["Ada"], "counted"), (0, [], "counted"), (0, [], "counted")]
    assert len(counts._kept) == 2
    assert paris(api, "Rome") == (0, [], "kept")
    assert paris(api, "Paris") == (1, ["Ada"], "counted")


def test_a_count_with_a_list_of_values_is_kept_too(api):
    # given
    for first, city in (("Ada", "Paris"), ("Bob", "Lyon"), ("Cy", "Rome")):
        person(api, first, city)
    # then
    assert paris(api, "[Paris,Lyon]", "in") == (2, ["Ada", "Bob"], "counted")
    assert paris(api, "[Paris,Lyon]", "in") == (2, ["Ada", "Bob"], "kept")
    person(api, "Dee", "Lyon")
    assert paris(api, "[Paris,Lyon]", "in") == (3, ["Ada", "Bob", "Dee"], "counted")


def test_a_field_indexed_again_is_counted_again(api):
    # given: a kept count
    person(api, "Ada", "Paris")
    cy = person(api, "Cy", "Lyon")
    assert paris(api) == (1, ["Ada"], "counted")
    assert paris(api) == (1, ["Ada"], "kept")
    # when: the field leaves the index, Cy moves to Paris (no index entry changes), the field comes back
    index_city(api, False)
    assert api.patch(f"/rest/people/{cy}", {"city": "Paris"})[0] == 200
    index_city(api, True)
    # then: the entries written back are counted
    assert paris(api) == (2, ["Ada", "Cy"], "counted")
    assert paris(api) == (2, ["Ada", "Cy"], "kept")


def test_a_kept_count_is_confirmed_by_the_page_statement_itself(api):
    # given
    for first, city in (("Ada", "Paris"), ("Bob", "Paris"), ("Cy", "Lyon")):
        person(api, first, city)
    assert paris(api)[2] == "counted"
    # when
    with sent() as statements:
        status, body = api.get("/rest/people", filter="city[eq]:Paris", order_by="name.firstName")
    # then: one statement reads the page and the counter rows, none counts
    store = [sql for sql, _ in statements if "core_app_" in sql]
    assert (status, body["totalCount"], len(store)) == (200, 2, 1)
    assert "core_app_recordcount" in store[0] and "COUNT(*)" not in store[0]


def test_a_kept_count_holds_under_an_order_through_a_relation(api):
    # given: people of Paris, two at a company, one at none
    status, body = api.post("/rest/companies", {"name": "Acme"})
    assert status == 201, body
    acme = body["data"]["createCompany"]["id"]
    for first, city, company in (
        ("Ada", "Paris", acme),
        ("Bob", "Paris", None),
        ("Cy", "Paris", acme),
        ("Di", "Rome", acme),
    ):
        status, body = api.post(
            "/rest/people", {"name": {"firstName": first, "lastName": "K"}, "city": city, "companyId": company}
        )
        assert status == 201, body

    def listed() -> tuple[int, list[str], bool]:
        with sent() as statements:
            status, body = api.get(
                "/rest/people", filter="city[eq]:Paris", order_by="company.name[AscNullsLast],name.firstName"
            )
        assert status == 200, body
        counted = any("COUNT(*)" in sql for sql, _ in statements)
        return body["totalCount"], [p["name"]["firstName"] for p in body["data"]["people"]], counted

    # then: counted once, kept after, the same page
    assert listed() == (3, ["Ada", "Cy", "Bob"], True)
    assert listed() == (3, ["Ada", "Cy", "Bob"], False)
    # and a change of the index is counted again
    person(api, "Eve", "Paris")
    assert listed() == (4, ["Ada", "Cy", "Bob", "Eve"], True)
