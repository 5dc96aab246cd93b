"""Indexing changes speed only, never results.

A custom object holds records with every kind of awkward value: no value, ties, negative and
huge numbers, unicode, empty strings, and texts longer than the index keeps (``TEXT_PREFIX``)
that share the whole kept prefix. Every ordering (four directions, walked page by page forward
and backward) and every comparator gives the same answer, cursors included, before and after the
fields are marked ``isIndexed``, on SQLite and PostgreSQL; orderings also equal an order computed
here from the contract (byte order for text, numbers as numbers, option order, then id).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core_app.store.keys import TEXT_PREFIX
from tests.core.helpers import create_custom_object, create_field

pytestmark = pytest.mark.django_db

LONG = "L" * TEXT_PREFIX
TITLES = [
    None, None, "", "", "b", "a", "A", "é", "ü", "Zürich", "z", "aa", "a b", LONG + "b", LONG + "a", LONG,
    LONG + "a", LONG[:-1], "0", "10", "9", "%_\\", "\ud7ffz", "b", None, "\U0010ffff\U0010ffff", "🙂", "ab",
    LONG + "c", "Ω",
]  # fmt: skip
SCORES = [None, 0, -1, 1, 2.5, -2.5, 1e15, -1e15, 3, 3, None, 0.1, 7, 7, 7, 2, 1, 0, -0.5, 100,
          None, 5, 5, 4, 3, 2, 1, 9007199254740993, 6, 8]  # fmt: skip
FLAGS = [None, True, False] * 10
DAYS = [None, "2024-01-01", "2023-12-31", "2024-01-01", "1999-05-05", None] * 5
TIERS = [None, "LOW", "MID", "HIGH", "MID", "LOW"] * 5
LAST_NAMES = ["Smith", "", None, "smith", "Ng", LONG + "x", LONG + "y", "Ng", "Ärger", "Zed"] * 3
FIELDS = ("title", "score", "flag", "day", "tier", "who")
OPTIONS = [
    {"label": v.title(), "value": v, "position": i, "color": "red"} for i, v in enumerate(("LOW", "MID", "HIGH"))
]
DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")


@pytest.fixture
def probes(api, records) -> dict[str, Any]:
    """The ``probe`` object with its fields, and its 30 records as created."""
    object_id = create_custom_object(api, "probe", "probes")
    fields = {
        "title": create_field(api, object_id, "title", "TEXT"),
        "score": create_field(api, object_id, "score", "NUMBER"),
        "flag": create_field(api, object_id, "flag", "BOOLEAN"),
        "day": create_field(api, object_id, "day", "DATE"),
        "tier": create_field(api, object_id, "tier", "SELECT", options=OPTIONS),
        "who": create_field(api, object_id, "who", "FULL_NAME"),
    }
    bodies = []
    for n in range(30):
        body: dict[str, Any] = {"name": f"probe {n}"}
        for key, values in (("title", TITLES), ("score", SCORES), ("flag", FLAGS), ("day", DAYS), ("tier", TIERS)):
            if values[n] is not None:
                body[key] = values[n]
        if LAST_NAMES[n] is not None:
            body["who"] = {"firstName": f"F{n % 4}", "lastName": LAST_NAMES[n]}
        bodies.append(body)
    created = records.batch("probes", bodies)
    return {"fields": fields, "records": created}


def mark_indexed(api, probes: dict[str, Any], indexed: bool) -> None:
    """Mark every probe field indexed (or not) through the metadata API."""
    for field in probes["fields"].values():
        status, body = api.patch(f"/rest/metadata/fields/{field['id']}", {"isIndexed": indexed})
        assert status == 200, body
        assert body["data"]["updateOneField"]["isIndexed"] is indexed


def walk(api, order_by: str, limit: int = 4, **params: Any) -> dict[str, list[Any]]:
    """Every page of ``/rest/probes`` in ``order_by``: forward, then backward from the last record's cursor.

    Each page is ``(ids, pageInfo, totalCount)``.
    """
    forward: list[Any] = []
    backward: list[Any] = []
    after = None
    for _ in range(60):  # 30 records: a walk longer than that is a bug, not a long list
        query = {"order_by": order_by, "limit": str(limit), **params}
        if after:
            query["starting_after"] = after
        status, body = api.get("/rest/probes", **query)
        assert status == 200, body
        forward.append(([r["id"] for r in body["data"]["probes"]], body["pageInfo"], body["totalCount"]))
        if not body["pageInfo"]["hasNextPage"]:
            break
        after = body["pageInfo"]["endCursor"]
    else:
        raise AssertionError(f"forward walk of {order_by} {params} does not end: {forward[-3:]}")
    before = forward[-1][1]["endCursor"]
    while before:
        assert len(backward) < 60, f"backward walk of {order_by} {params} does not end: {backward[-3:]}"
        status, body = api.get("/rest/probes", order_by=order_by, limit=str(limit), ending_before=before, **params)
        assert status == 200, body
        backward.append(([r["id"] for r in body["data"]["probes"]], body["pageInfo"], body["totalCount"]))
        before = body["pageInfo"]["startCursor"] if body["pageInfo"]["hasPreviousPage"] else None
    return {"forward": forward, "backward": backward}


def ids_of(pages: list[Any]) -> list[str]:
    """The ids of ``pages``, concatenated."""
    return [record_id for ids, _, _ in pages for record_id in ids]


def expected_order(probes: dict[str, Any], path: str, direction: str) -> list[str]:
    """The contract's order: nulls where the direction says, text by code point (byte order),
    numbers as numbers, options by position, then id ascending."""
    rows = probes["records"]
    head, _, sub = path.partition(".")

    def value(record: dict[str, Any]) -> Any:
        found = record.get(head)
        if sub:
            found = (found or {}).get(sub)
        if head == "tier" and found is not None:
            return ("LOW", "MID", "HIGH").index(found)
        if head == "score" and found is not None:
            return float(found)
        return found

    descending, nulls_first = direction.startswith("Desc"), direction.endswith("NullsFirst")
    present = sorted((r for r in rows if value(r) is not None), key=lambda r: r["id"])
    present.sort(key=value, reverse=descending)
    missing = sorted((r for r in rows if value(r) is None), key=lambda r: r["id"])
    ordered = missing + present if nulls_first else present + missing
    return [r["id"] for r in ordered]


PATHS = ("title", "score", "flag", "day", "tier", "who.lastName")


def test_every_ordering_walks_every_record_once_in_the_contracts_order_indexed_or_not(api, probes):
    # given: the answers without the index path
    unindexed = {(path, d): walk(api, f"{path}[{d}]") for path in PATHS for d in DIRECTIONS}
    # when
    mark_indexed(api, probes, True)
    indexed = {(path, d): walk(api, f"{path}[{d}]") for path in PATHS for d in DIRECTIONS}
    # then
    for (path, direction), pages in indexed.items():
        assert pages == unindexed[(path, direction)], (path, direction)
        assert {total for _, _, total in pages["forward"]} == {30}
        assert ids_of(pages["forward"]) == expected_order(probes, path, direction), (path, direction)


def test_backward_pages_end_where_forward_pages_start(api, probes):
    mark_indexed(api, probes, True)
    for path in PATHS:
        for direction in DIRECTIONS:
            pages = walk(api, f"{path}[{direction}]", limit=7)
            backward = [record_id for ids, _, _ in reversed(pages["backward"]) for record_id in ids]
            # Backward pages come in normal order and cover everything before the last record.
            assert backward == ids_of(pages["forward"])[:-1], (path, direction)


FILTERS = [
    "title[eq]:a",
    'title[eq]:""',
    "title[neq]:a",
    "title[in]:[a,b,Zürich]",
    "title[gt]:a",
    "title[gte]:a",
    "title[lt]:b",
    "title[lte]:b",
    "title[startsWith]:a",
    "title[startsWith]:L",
    "title[startsWith]:%_",
    "title[startsWith]:\ud7ff",
    "title[startsWith]:\U0010ffff",
    "title[startsWith]:🙂",
    "not(title[startsWith]:a)",
    "title[is]:NULL",
    "title[is]:NOT_NULL",
    f"title[eq]:{LONG}a",
    f"title[gt]:{LONG}a",
    f"title[lt]:{LONG}",
    f"title[startsWith]:{LONG}",
    "not(title[eq]:a)",
    "not(title[is]:NULL)",
    "score[eq]:7",
    "score[neq]:7",
    "score[gt]:2.5",
    "score[gte]:-1",
    "score[lt]:0",
    "score[lte]:0",
    "score[in]:[1,2,3]",
    "score[eq]:9007199254740993",
    "score[eq]:9007199254740992",
    "score[is]:NULL",
    "not(score[gt]:1)",
    "flag[eq]:true",
    "flag[eq]:false",
    "flag[neq]:true",
    "flag[is]:NULL",
    "day[gte]:2024-01-01",
    "day[lt]:2024-01-01",
    "day[eq]:2024-01-01",
    "tier[eq]:MID",
    "tier[in]:[LOW,HIGH]",
    "tier[neq]:LOW",
    "tier[is]:NULL",
    "who.lastName[eq]:Ng",
    "who.lastName[startsWith]:sm",
    "who.lastName[gt]:Smith",
    "who.lastName[is]:NULL",
    "and(score[gt]:0,flag[eq]:true)",
    "and(title[is]:NOT_NULL,score[lt]:5,tier[eq]:LOW)",
    "or(title[eq]:a,score[eq]:7)",
    "or(not(flag[eq]:true),tier[is]:NULL)",
    "and(title[ilike]:%a%,score[gt]:0)",
]


def test_every_comparator_finds_the_same_records_indexed_or_not(api, probes):
    # given
    unindexed = {f: walk(api, "name[AscNullsFirst]", limit=5, filter=f) for f in FILTERS}
    # when
    mark_indexed(api, probes, True)
    # then
    for f in FILTERS:
        assert walk(api, "name[AscNullsFirst]", limit=5, filter=f) == unindexed[f], f


def test_an_indexed_prefix_finds_exactly_the_texts_starting_with_it(api, probes):
    # given: prefixes whose key range ends at an awkward code point (before the surrogates, the
    # last one, a character outside the first plane) or holds LIKE's own characters
    mark_indexed(api, probes, True)
    for prefix, count in (("%_", 1), ("\ud7ff", 1), ("\U0010ffff", 1), ("🙂", 1), ("a", 4), (LONG[:-1], 6)):
        # when
        pages = walk(api, "name[AscNullsFirst]", limit=5, filter=f"title[startsWith]:{prefix}")
        # then
        expected = {r["id"] for r in probes["records"] if (r.get("title") or "").startswith(prefix)}
        assert len(expected) == count, prefix
        assert set(ids_of(pages["forward"])) == expected, prefix
        assert pages["forward"][0][2] == count, prefix


def test_indexed_filters_and_orderings_combine(api, probes):
    mark_indexed(api, probes, False)
    plain = [walk(api, f"score[{d}],title", limit=3, filter="tier[is]:NOT_NULL") for d in DIRECTIONS]
    mark_indexed(api, probes, True)
    assert [walk(api, f"score[{d}],title", limit=3, filter="tier[is]:NOT_NULL") for d in DIRECTIONS] == plain


def test_graphql_pages_from_the_end_agree_indexed_or_not(gql, api, probes):
    query = "{ probes(last: 4, orderBy: [{title: AscNullsFirst}]) { edges { cursor node { id } } totalCount } }"
    before = gql.data(query)
    mark_indexed(api, probes, True)
    assert gql.data(query) == before
    assert before["probes"]["totalCount"] == 30


def test_marked_fields_are_read_through_the_index_path(api, probes):
    # given
    mark_indexed(api, probes, True)
    # when
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/rest/probes", order_by="title", filter="score[gt]:1")[0] == 200
    # then: the page walks the title index and the score condition is a range of the index
    sqls = [q["sql"] for q in captured.captured_queries]
    (page,) = [sql for sql in sqls if "JOIN core_app_recordindex s" in sql]
    assert "core_app_recordindex p WHERE p.workspace_id" in page
    # and the count reads the index alone
    (count,) = [sql for sql in sqls if sql.startswith("SELECT (SELECT COUNT(*)")]
    assert "core_app_record " not in count and "FROM core_app_recordindex p" in count
