"""Sums and averages past a number's range: null (JSON has no infinity), never a 500.

PostgreSQL sums exactly (numeric), so an average of huge values is still right there; SQLite sums
in floating point, where the running sum itself overflows and the average is null too.
"""

from __future__ import annotations

from django.db import connection

from tests.core.helpers import create_custom_object, create_field


def test_a_sum_past_the_range_of_a_number_is_null_on_both_apis(api):
    # given: two records holding huge floats, in one group
    gadget = create_custom_object(api, "gadget", "gadgets")
    create_field(api, gadget, "qty", "NUMBER")
    assert api.post("/rest/batch/gadgets", [{"name": "a", "qty": 1e308}, {"name": "a", "qty": 1e308}])[0] == 201
    average = 1e308 if connection.vendor == "postgresql" else None
    # when
    status, body = api.get("/rest/gadgets/groupBy", group_by='[{"name": true}]', aggregate='["sumQty", "avgQty"]')
    graphql = api.post("/graphql", {"query": "{ gadgets { sumQty avgQty } }"})
    # then
    assert status == 200, body
    assert body == [{"groupByDimensionValues": ["a"], "totalCount": 2, "sumQty": None, "avgQty": average}]
    assert graphql == (200, {"data": {"gadgets": {"sumQty": None, "avgQty": average}}})
