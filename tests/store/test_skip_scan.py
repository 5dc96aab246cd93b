"""Pages in id order of a range, prefix or list read key by key (``planner.skip_scan_ids``, PostgreSQL).

From ``SKIP_SCAN_MATCHES`` (2,000) matches, while sorting them costs less than walking the
object (12,000 records, pages of 61: up to 2,420 matches), each distinct key of the range gives
its first ids after the cursor and the page is cut from those; past ``SKIP_SCAN_KEYS`` (32) keys
the statement reads the whole range instead. Either way every page holds what sorting all the
matches gives: walked forward and backward, the pages list every match once, in id order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import astuple
from typing import Any

import pytest
from django.db import connection

from metadata_app.registry import schema_registry
from tests.core.helpers import create_custom_object, create_field
from tests.seeding import store_records
from tests.store.paging import Page, every_page, read_page

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

RECORDS = 12_000
LIMIT = 60
#: Marks the statement that reads a page's ids (and then its records).
ID_STATEMENTS = "r.id = ANY(ARRAY("


@pytest.fixture
def tallies(api, workspace) -> list[dict[str, Any]]:
    """12,000 ``tally`` records: ``band`` one of ``A0``..``A4``, ``B0``..``B4`` (n % 10), ``code`` n % 400
    and ``odd`` n % 2, all three indexed; each as ``{"id", "n"}``, in id order."""
    object_id = create_custom_object(api, "tally", "tallies")
    for name, kind in (("band", "TEXT"), ("code", "NUMBER"), ("odd", "NUMBER")):
        field = create_field(api, object_id, name, kind)
        assert api.patch(f"/rest/metadata/fields/{field['id']}", {"isIndexed": True})[0] == 200
    spec = schema_registry.current(workspace.pk).by_singular["tally"]
    band, code, odd = (spec.by_name[name].storage_key for name in ("band", "code", "odd"))
    rows = store_records(
        workspace,
        "tally",
        *({band: "AB"[n % 10 // 5] + str(n % 5), code: n % 400, odd: n % 2} for n in range(RECORDS)),
    )
    return sorted(({"id": row.id, "n": n} for n, row in enumerate(rows)), key=lambda record: record["id"])


def page(api, filter_: str) -> Page:
    """The first page of ``/rest/tallies`` for ``filter_``, with the statements that read its ids."""
    return read_page(api, "tallies", filter_, LIMIT, ID_STATEMENTS)


CASES = [
    # (filter, which n match, how many, read key by key)
    pytest.param("band[in]:[A1,B3]", lambda n: n % 10 in (1, 8), 2400, True, id="list"),
    pytest.param("band[startsWith]:A", lambda n: n % 10 < 5, 6000, None, id="prefix, walked"),
    pytest.param("band[gte]:B3", lambda n: n % 10 >= 8, 2400, True, id="range"),
    pytest.param("band[lt]:A2", lambda n: n % 10 < 2, 2400, True, id="range below"),
    pytest.param("band[gte]:B3,odd[eq]:1", lambda n: n % 10 == 9, 1200, False, id="fewer than 2,000"),
    pytest.param("code[lt]:70", lambda n: n % 400 < 70, 2100, True, id="more than 32 keys"),
    pytest.param("band[in]:[A1,B3],odd[eq]:0", lambda n: n % 10 == 8, 1200, False, id="list and equality"),
    pytest.param("band[in]:[A1,B3],odd[gte]:0", lambda n: n % 10 in (1, 8), 2400, True, id="list and a probe"),
]


@pytest.mark.parametrize(("filter_", "matching", "total", "by_key"), CASES)
def test_pages_list_every_match_once_in_id_order(
    api, tallies, filter_: str, matching: Callable[[int], bool], total: int, by_key: bool | None
):
    expected = [record["id"] for record in tallies if matching(record["n"])]
    assert len(expected) == total

    # when: every page forward, then backward from the last one's end
    walk = every_page(api, "tallies", filter_, LIMIT, ID_STATEMENTS, total=total, max_pages=RECORDS)

    # then
    assert walk.forward == expected
    assert walk.backward == expected[:-1]
    if by_key is not None:
        assert len(walk.first_statements) == 1
        assert ("p.key = keys.k" in walk.first_statements[0]) is by_key


def test_a_range_of_more_keys_than_the_walk_reads_is_read_whole_by_the_same_statement(api, tallies):
    # when: 70 keys of 30 records each (2,100 matches)
    ids, _, total, statements = astuple(page(api, "code[lt]:70"))

    # then: one statement, which walks 33 keys, then reads the range whole (its plan says which)
    assert total == 2100
    assert ids == [record["id"] for record in tallies if record["n"] % 400 < 70][:LIMIT]
    assert len(statements) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {statements[0]}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # the key-by-key branch is gated off; the whole range is read
    key_by_key, whole = plan.split("One-Time Filter: ")[1:3]
    assert re.match(r"\(\$\d+ <= 32\)", key_by_key) and "(never executed)" in key_by_key, plan
    assert re.match(r"\(\$\d+ > 32\)", whole) and "(never executed)" not in whole, plan
