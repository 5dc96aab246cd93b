"""Instants the store can hold: four-digit years once in UTC (api-reference 4: ISO 8601, stored in UTC).

``9999-12-31T23:59:59-12:00`` is valid ISO 8601 but falls in year 10000 in UTC, and
``1000-01-01T00:30:00+01:00`` in year 999: both are refused with a 400 that says so, wherever an
instant is taken (record values, filters, field defaults, API key expiries, the event feed).
"""

from __future__ import annotations

import pytest

from tests.core.helpers import create_custom_object, create_field

TOO_LATE = "9999-12-31T23:59:59-12:00"
TOO_EARLY = "1000-01-01T00:30:00+01:00"
YEARS = "expected a date-time in the years 1000 to 9999 once in UTC"


def refusal(*messages: str) -> tuple[int, dict]:
    return 400, {"statusCode": 400, "error": "BadRequestException", "messages": list(messages)}


@pytest.fixture
def gadgets(api) -> str:
    """A custom object ``gadget`` with a DATE_TIME field ``at``; its id."""
    gadget = create_custom_object(api, "gadget", "gadgets")
    create_field(api, gadget, "at", "DATE_TIME")
    return gadget


@pytest.mark.parametrize("moment", [TOO_LATE, TOO_EARLY])
def test_a_record_value_out_of_range_is_a_400_and_nothing_is_written(api, gadgets, moment):
    # when
    answer = api.post("/rest/gadgets", {"name": "g", "at": moment})
    # then
    assert answer == refusal(f"Invalid value for field 'at': {YEARS}, got \"{moment}\"")
    assert api.get("/rest/gadgets")[1]["totalCount"] == 0


def test_the_last_instant_of_year_9999_in_utc_is_kept(api, gadgets):
    # when
    status, body = api.post("/rest/gadgets", {"name": "g", "at": "9999-12-31T23:59:59.999+00:00"})
    # then
    assert (status, body["data"]["createGadget"]["at"]) == (201, "9999-12-31T23:59:59.999Z")


@pytest.mark.parametrize("path", ["at", "createdAt"])
@pytest.mark.parametrize("op", ["gt", "eq", "in"])
def test_a_filter_operand_out_of_range_is_a_400(api, gadgets, path, op):
    # given
    operand = f"[{TOO_LATE}]" if op == "in" else TOO_LATE
    # when
    status, body = api.get("/rest/gadgets", filter=f"{path}[{op}]:{operand}")
    # then
    assert (status, body["error"]) == (400, "BadRequestException")
    assert body["messages"] == [f"'filter' invalid. Value for '{path}': {YEARS}, got \"{TOO_LATE}\""]


def test_graphql_refuses_the_same_operand(api, gadgets):
    # when
    status, body = api.post(
        "/graphql", {"query": f'{{ gadgets(filter: {{at: {{gt: "{TOO_LATE}"}}}}) {{ totalCount }} }}'}
    )
    # then
    assert status == 200
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (f"'filter' invalid. Value for 'at': {YEARS}, got \"{TOO_LATE}\"", "BAD_USER_INPUT")
    ]


def test_a_field_default_out_of_range_is_a_400(api, gadgets):
    # when
    status, body = api.post(
        "/rest/metadata/fields",
        {"objectMetadataId": gadgets, "type": "DATE_TIME", "name": "due", "label": "Due", "defaultValue": TOO_LATE},
    )
    # then
    assert (status, body["error"]) == (400, "BadRequestException")
    assert YEARS in body["messages"][0], body


def test_an_api_key_expiry_out_of_range_is_a_400(api):
    # when
    status, body = api.post("/rest/metadata/apiKeys", {"name": "k", "expiresAt": TOO_LATE})
    # then
    assert (status, body["messages"]) == (400, [f"expiresAt: {YEARS}, got {TOO_LATE}"])


@pytest.mark.parametrize(("name", "moment"), [("since", TOO_LATE), ("until", "0001-01-01T00:00:00+01:00")])
def test_an_event_feed_bound_out_of_range_is_a_400(api, name, moment):
    # when
    status, body = api.get("/rest/events", **{name: moment})
    # then
    assert (status, body["messages"]) == (400, [f"'{name}': {YEARS}, got {moment}"])
