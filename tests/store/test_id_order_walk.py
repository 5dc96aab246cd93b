"""Pages in id order of a filter the index answers, when it matches most of the object.

The planner then walks the records in id order and checks each one (``planner.walk_or_sort``),
at most a budget of records; a short page (the budget spent, or the end of the object reached)
is read again from the sorted matches. Whichever way a page is read, every page holds the same
records: walked through forward and backward, the pages give every match once, in id order,
whether the matches are spread over the object or gathered at its end. Counted on SQLite and
PostgreSQL: 400 records, pages of 10 (11 read), so the walk is chosen from 188 matches on
(``MATCHES_PER_PROBE * 11 * 400 < 188 ** 2``) and its budget is the sort's cost, 200 / 8 + 64 = 89 probes.
"""

from __future__ import annotations

from dataclasses import astuple

import pytest

from tests.core.helpers import create_custom_object, create_field
from tests.store.paging import Page, every_page, read_page

pytestmark = pytest.mark.django_db

RECORDS = 400
LIMIT = 10
#: Marks the statements that read records (the walk, the page by ids), not the count.
RECORD_STATEMENTS = "core_app_record r"


@pytest.fixture
def tallies(api, records) -> list[str]:
    """400 ``tally`` records, created in order: ``n`` is 0..399, ``odd`` is ``n % 2``; their ids in id order."""
    object_id = create_custom_object(api, "tally", "tallies")
    for name in ("n", "odd"):
        field = create_field(api, object_id, name, "NUMBER")
        status, body = api.patch(f"/rest/metadata/fields/{field['id']}", {"isIndexed": True})
        assert status == 200, body
    created = records.batch("tallies", ({"name": f"t{n}", "n": n, "odd": n % 2} for n in range(RECORDS)))
    assert [record["n"] for record in created] == list(range(RECORDS))
    return sorted(record["id"] for record in created)


def page(api, filter_: str) -> Page:
    """The first page of ``/rest/tallies`` for ``filter_``, with the statements it sent on records."""
    return read_page(api, "tallies", filter_, LIMIT, RECORD_STATEMENTS)


@pytest.mark.parametrize(
    ("filter_", "matching"),
    [("odd[gte]:1", lambda n: n % 2 == 1), ("n[gte]:200", lambda n: n >= 200)],
    ids=["spread", "gathered at the end"],
)
def test_every_page_holds_the_matches_in_id_order_whether_walked_or_sorted(api, tallies, filter_, matching):
    # given: 200 matches of 400, spread over the object or all among the last created
    expected = [record_id for n, record_id in enumerate(tallies) if matching(n)]

    # when
    walk = every_page(api, "tallies", filter_, LIMIT, RECORD_STATEMENTS, total=200, max_pages=RECORDS)

    # then: before the last record's cursor, every match in id order (the last one itself excluded)
    assert walk.forward == expected
    assert walk.backward == expected[:-1]


def test_spread_matches_fill_the_page_from_a_walk_of_the_first_records(api, tallies):
    # when
    ids, info, total, statements = astuple(page(api, "odd[gte]:1"))

    # then: one count (with the object's size) and one walk of at most 89 records, in id order
    assert ids == tallies[1:20:2] and info["hasNextPage"] is True and total == 200
    assert len(statements) == 1
    assert "ORDER BY r.id ASC LIMIT 89) AS r" in statements[0]


def test_matches_beyond_the_walks_budget_are_read_sorted_instead(api, tallies):
    # when: the first 200 records match nothing, more than the walk's budget of 89
    ids, info, total, statements = astuple(page(api, "n[gte]:200"))

    # then: the walk comes back empty, and the page is read again from the sorted matches
    assert ids == tallies[200:210] and info["hasNextPage"] is True and total == 200
    assert len(statements) == 2
    assert "ORDER BY r.id ASC LIMIT 89) AS r" in statements[0]
    assert "ORDER BY p.record_id ASC LIMIT 11" in statements[1]


def test_few_matches_are_sorted_without_a_walk(api, tallies):
    # when: 187 matches, one fewer than the walk needs (187 ** 2 <= 8 * 11 * 400)
    ids, info, total, statements = astuple(page(api, "n[gte]:213"))

    # then
    assert ids == tallies[213:223] and info["hasNextPage"] is True and total == 187
    assert len(statements) == 1
    assert "ORDER BY p.record_id ASC LIMIT 11" in statements[0]
