"""Keyset pagination (api-reference 1.5): ``starting_after`` / ``ending_before`` across ties and
nulls in every null ordering, ``pageInfo`` and ``totalCount`` exactly, stability under inserts,
and the 400s for bad cursors.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace
from tests.conftest import ApiClient
from tests.core.conftest import Records, client_for
from tests.core.helpers import bad_request, create_custom_object, create_field, ids_of

RANKS = [1, 1, 1, None, 2, None, 3, 3, None, 5, 5, 5, None]
LABELS = ["b", "a", None, "b", "a", None, "c", "b", None, "a", "c", "b", "a"]
GRADES = ["LOW", None, "HIGH", "LOW", "MID", "HIGH", None, "MID", "LOW", None, "HIGH", "LOW", "MID"]
DONE = [True, False, None, True, None, False, False, True, None, True, False, None, True]
#: SELECT options in position order (not alphabetical).
GRADE_OPTIONS = ["LOW", "MID", "HIGH"]
#: Fixed ids, deliberately not in creation order, so that the id tie-breaker is visible.
ITEM_IDS = [f"d0000000-0000-4000-8000-{(n * 7919) % 100000:012d}" for n in range(1, len(RANKS) + 1)]
ITEMS: list[dict[str, Any]] = [
    # Every other null is written explicitly (stored as JSON null), the others are left out.
    {
        "id": item_id,
        "name": f"item {n}",
        **({"rank": rank} if rank is not None or n % 2 else {}),
        **({"label": label} if label is not None or n % 2 else {}),
        "grade": grade,
        "done": done,
    }
    for n, (item_id, rank, label, grade, done) in enumerate(zip(ITEM_IDS, RANKS, LABELS, GRADES, DONE))
]
TOTAL = len(ITEMS)
INVALID_CURSOR = "Invalid cursor '{}': use a startCursor or endCursor returned with this same order_by"


@pytest.fixture(scope="module")
def reader(seeded_workspace_ids, django_db_blocker) -> ApiClient:
    """A client whose workspace holds 13 ``items`` with ties and nulls in ``rank`` and ``label``."""
    with django_db_blocker.unblock():
        workspace = Workspace.objects.get(pk=seeded_workspace_ids[0])
        _, token = create_api_key(workspace, {"name": "page reader"})
        client = client_for(token)
        item = create_custom_object(client, "item", "items")
        create_field(client, item, "rank", "NUMBER")
        create_field(client, item, "label", "TEXT")
        create_field(client, item, "grade", "SELECT", options=[{"label": v.title(), "value": v} for v in GRADE_OPTIONS])
        create_field(client, item, "done", "BOOLEAN")
        Records(client).batch("items", ITEMS)
    return client


@pytest.fixture(autouse=True)
def fresh_registry():
    """Override of the suite-wide fixture that clears the schema registry around each test.

    No test of this module changes metadata (the data set's objects and fields are created once,
    before the first test), so the snapshot cached by one test is still the current one in the
    next; keeping it saves a rebuild per test. Cold-cache behaviour is covered by every other module.
    """
    yield


def sort_key(direction: str, value: Any) -> tuple:
    """Python's view of one key of the contract's four null orderings (nulls first or last)."""
    nulls_first = direction.endswith("NullsFirst")
    if value is None:
        return (0 if nulls_first else 2, 0)
    if isinstance(value, bool):  # false before true
        value = int(value)
    elif value in GRADE_OPTIONS:  # options sort by position
        value = GRADE_OPTIONS.index(value)
    if direction.startswith("Desc"):
        value = -value if isinstance(value, (int, float)) else (*tuple(-ord(c) for c in value), 0)
    else:
        value = value if isinstance(value, (int, float)) else (*tuple(ord(c) for c in value), -1)
    return (1, value)


def expected_ids(*keys: tuple[str, str]) -> list[str]:
    """Ids of the items ordered by ``(field, direction)`` keys, then by id."""

    def key(item: dict[str, Any]) -> tuple:
        return (*tuple(sort_key(direction, item.get(field)) for field, direction in keys), item["id"])

    return [item["id"] for item in sorted(ITEMS, key=key)]


def page(reader: ApiClient, **params: str) -> dict[str, Any]:
    """One page of items (asserting the 200)."""
    status, body = reader.get("/rest/items", **params)
    assert status == 200, body
    return body


def walk_forward(reader: ApiClient, order_by: str, limit: int) -> list[dict[str, Any]]:
    """Every page from the first, following ``endCursor`` while ``hasNextPage``."""
    pages, params = [], {"order_by": order_by, "limit": str(limit)}
    while True:
        pages.append(page(reader, **params))
        if not pages[-1]["pageInfo"]["hasNextPage"]:
            return pages
        params["starting_after"] = pages[-1]["pageInfo"]["endCursor"]
        assert len(pages) <= TOTAL


def walk_backward(reader: ApiClient, order_by: str, limit: int, cursor: str) -> list[dict[str, Any]]:
    """Every page before ``cursor``, following ``startCursor`` while ``hasPreviousPage``."""
    pages, params = [], {"order_by": order_by, "limit": str(limit), "ending_before": cursor}
    while True:
        pages.append(page(reader, **params))
        if not pages[-1]["pageInfo"]["hasPreviousPage"]:
            return pages[::-1]
        params["ending_before"] = pages[-1]["pageInfo"]["startCursor"]
        assert len(pages) <= TOTAL


ORDERINGS = [
    pytest.param("rank[AscNullsFirst]", [("rank", "AscNullsFirst")], id="number-AscNullsFirst"),
    pytest.param("rank[AscNullsLast]", [("rank", "AscNullsLast")], id="number-AscNullsLast"),
    pytest.param("rank[DescNullsFirst]", [("rank", "DescNullsFirst")], id="number-DescNullsFirst"),
    pytest.param("rank[DescNullsLast]", [("rank", "DescNullsLast")], id="number-DescNullsLast"),
    pytest.param(
        "label[AscNullsLast],rank[DescNullsFirst]",
        [("label", "AscNullsLast"), ("rank", "DescNullsFirst")],
        id="text_then_number",
    ),
    pytest.param(
        "label[DescNullsFirst],rank[AscNullsLast]",
        [("label", "DescNullsFirst"), ("rank", "AscNullsLast")],
        id="text_desc_then_number",
    ),
    pytest.param(
        "grade[DescNullsLast],rank[AscNullsLast]",
        [("grade", "DescNullsLast"), ("rank", "AscNullsLast")],
        id="select_by_option_position_then_number",
    ),
    pytest.param(
        "done[AscNullsFirst],label[DescNullsLast]",
        [("done", "AscNullsFirst"), ("label", "DescNullsLast")],
        id="boolean_then_text",
    ),
    pytest.param("createdAt[DescNullsLast]", [], id="datetime_column_all_tied"),
    pytest.param("", [], id="id_only"),
]


WALKS = [
    pytest.param(*p.values, limit, id=f"{p.id}-limit_{limit}")
    for p in ORDERINGS
    for limit in ((2, 3) if str(p.id).startswith("number-") else (3,))
]


@pytest.mark.parametrize(("order_by", "keys", "limit"), WALKS)
def test_walking_forward_then_backward_visits_every_record_once_in_order(db, reader, order_by, keys, limit):
    # given
    expected = expected_ids(*keys)
    whole = page(reader, order_by=order_by, limit="200")
    # when
    forward = walk_forward(reader, order_by, limit)
    backward = walk_backward(reader, order_by, limit, forward[-1]["pageInfo"]["startCursor"])
    # then: the full list is the contract's order, and both walks cut it the same way
    assert ids_of(whole["data"]["items"]) == expected
    assert [record_id for p in forward for record_id in ids_of(p["data"]["items"])] == expected
    assert [record_id for p in backward + forward[-1:] for record_id in ids_of(p["data"]["items"])] == expected
    assert [len(p["data"]["items"]) for p in forward] == [limit] * (TOTAL // limit) + [TOTAL % limit]
    assert [p["data"] for p in backward] == [p["data"] for p in forward[:-1]]
    assert [p["pageInfo"]["startCursor"] for p in backward] == [p["pageInfo"]["startCursor"] for p in forward[:-1]]
    assert [p["pageInfo"]["endCursor"] for p in backward] == [p["pageInfo"]["endCursor"] for p in forward[:-1]]
    assert {p["totalCount"] for p in forward + backward} == {TOTAL}
    last = len(forward) - 1
    assert [(p["pageInfo"]["hasNextPage"], p["pageInfo"]["hasPreviousPage"]) for p in forward] == (
        [(True, False)] * last + [(False, False)]
    )
    assert [(p["pageInfo"]["hasNextPage"], p["pageInfo"]["hasPreviousPage"]) for p in backward] == (
        [(False, False)] + [(False, True)] * (len(backward) - 1)
    )


def test_start_and_end_cursors_are_those_of_the_first_and_last_records(db, reader):
    # given
    whole = page(reader, order_by="rank[AscNullsLast]", limit="200")
    first_two = page(reader, order_by="rank[AscNullsLast]", limit="2")
    # when: the page after the first record's cursor starts at the second record
    after_first = page(
        reader, order_by="rank[AscNullsLast]", limit="1", starting_after=first_two["pageInfo"]["startCursor"]
    )
    before_second = page(
        reader, order_by="rank[AscNullsLast]", limit="1", ending_before=first_two["pageInfo"]["endCursor"]
    )
    # then
    assert ids_of(after_first["data"]["items"]) == ids_of(whole["data"]["items"])[1:2]
    assert (
        after_first["pageInfo"]["startCursor"]
        == after_first["pageInfo"]["endCursor"]
        == first_two["pageInfo"]["endCursor"]
    )
    assert ids_of(before_second["data"]["items"]) == ids_of(whole["data"]["items"])[:1]
    assert before_second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": first_two["pageInfo"]["startCursor"],
        "endCursor": first_two["pageInfo"]["startCursor"],
    }


def test_page_after_the_last_record_is_empty(db, reader):
    # given
    last = walk_forward(reader, "rank[DescNullsLast]", 5)[-1]
    # when
    body = page(reader, order_by="rank[DescNullsLast]", limit="5", starting_after=last["pageInfo"]["endCursor"])
    # then
    assert body == {
        "data": {"items": []},
        "totalCount": TOTAL,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }


def test_a_page_of_no_record_still_counts_every_record(db, reader):
    # An unfiltered count rides on the page's statement: with no row to carry it, it is read on its own.
    body = page(reader, order_by="rank[AscNullsLast]", limit="0")
    assert (body["data"], body["totalCount"]) == ({"items": []}, TOTAL)


def test_page_before_the_first_record_is_empty(db, reader):
    # given
    first = page(reader, order_by="label[AscNullsFirst]", limit="5")
    # when
    body = page(reader, order_by="label[AscNullsFirst]", limit="5", ending_before=first["pageInfo"]["startCursor"])
    # then
    assert body == {
        "data": {"items": []},
        "totalCount": TOTAL,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }


def test_cursors_apply_to_a_filtered_list_with_its_own_total(db, reader):
    # given: items with a rank of 5 or a null rank, by label
    params = {"order_by": "label[AscNullsLast]", "filter": "or(rank[eq]:5,rank[is]:NULL)", "limit": "3"}
    expected = [
        i["id"]
        for i in sorted(ITEMS, key=lambda i: (sort_key("AscNullsLast", i.get("label")), i["id"]))
        if i.get("rank") in (5, None)
    ]
    # when
    first = page(reader, **params)
    second = page(reader, **params, starting_after=first["pageInfo"]["endCursor"])
    third = page(reader, **params, starting_after=second["pageInfo"]["endCursor"])
    # then
    assert ids_of(first["data"]["items"]) + ids_of(second["data"]["items"]) + ids_of(third["data"]["items"]) == expected
    assert [first["totalCount"], second["totalCount"], third["totalCount"]] == [7, 7, 7]
    assert [first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"], third["pageInfo"]["hasNextPage"]] == [
        True,
        True,
        False,
    ]


def test_records_inserted_between_page_requests_neither_repeat_nor_hide_the_next_records(db, reader):
    # given
    order = "rank[AscNullsLast]"
    before_insert = ids_of(page(reader, order_by=order, limit="200")["data"]["items"])
    first = page(reader, order_by=order, limit="4")
    # when: one record sorts before the cursor, one among the next records, one at the end
    Records(reader).batch("items", [{"name": "early", "rank": 0}, {"name": "middle", "rank": 2.5}, {"name": "late"}])
    middle_id = ids_of(page(reader, filter="name[eq]:middle")["data"]["items"])[0]
    second = page(reader, order_by=order, limit="4", starting_after=first["pageInfo"]["endCursor"])
    # then: the second page continues right after the first page's last record
    assert ids_of(first["data"]["items"]) == before_insert[:4]
    assert ids_of(second["data"]["items"]) == [middle_id, before_insert[4], before_insert[5], before_insert[6]]
    assert second["totalCount"] == TOTAL + 3


def test_a_cursor_stays_valid_after_its_record_is_destroyed(db, reader):
    # given
    order = "rank[DescNullsFirst]"
    whole = ids_of(page(reader, order_by=order, limit="200")["data"]["items"])
    first = page(reader, order_by=order, limit="3")
    # when
    status, _ = reader.delete(f"/rest/items/{whole[2]}")
    second = page(reader, order_by=order, limit="3", starting_after=first["pageInfo"]["endCursor"])
    # then
    assert status == 200
    assert ids_of(second["data"]["items"]) == whole[3:6]


def test_invalid_cursor_is_a_400(db, reader):
    assert reader.get("/rest/items", starting_after="zzz") == bad_request(INVALID_CURSOR.format("zzz"))


@pytest.mark.parametrize("param", ["starting_after", "ending_before"])
def test_cursor_of_another_ordering_is_a_400(db, reader, param):
    # given: a cursor of a two-key ordering, used with the default ordering
    cursor = page(reader, order_by="rank", limit="1")["pageInfo"]["endCursor"]
    # when / then
    assert reader.get("/rest/items", **{param: cursor}) == bad_request(INVALID_CURSOR.format(cursor))


@pytest.mark.parametrize("payload", [b"{}", b"[1, 2", b'"text"'], ids=["object", "broken_json", "string"])
def test_cursor_that_is_base64_of_something_else_is_a_400(db, reader, payload):
    cursor = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    assert reader.get("/rest/items", ending_before=cursor) == bad_request(INVALID_CURSOR.format(cursor))


def test_cursor_whose_datetime_is_not_a_datetime_is_a_400(db, reader):
    cursor = base64.urlsafe_b64encode(b'["yesterday", "d0000000-0000-4000-8000-000000007919"]').decode().rstrip("=")
    answer = reader.get("/rest/items", order_by="createdAt", starting_after=cursor)
    assert answer == bad_request(INVALID_CURSOR.format(cursor))


def test_both_cursors_at_once_are_a_400(db, reader):
    cursor = page(reader, limit="1")["pageInfo"]["endCursor"]
    answer = reader.get("/rest/items", starting_after=cursor, ending_before=cursor)
    assert answer == bad_request("Only one of 'starting_after' and 'ending_before' may be provided")
