"""What one request may cost the database (the faults of one client that could take it down):
the size of a field value and of a record, the conditions of a filter, the values of a list,
the keys of an ordering, and a statement timeout on PostgreSQL. Each refusal is a 400 naming
what to fix, through REST and GraphQL alike, and writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from tests.core.helpers import bad_request

pytestmark = pytest.mark.django_db


def test_a_field_value_over_the_limit_is_a_400_naming_the_field_and_writes_nothing(api):
    # given
    big = "x" * 300_000
    # when
    answer = api.post("/rest/people", {"name": {"firstName": big}, "city": "Paris"})
    # then
    assert answer == bad_request(
        f"Value of field 'name' is {300_000 + 30} bytes of JSON; at most 262144 are allowed per field"
    )
    assert api.get("/rest/people")[1]["totalCount"] == 0


def test_the_field_limit_holds_on_update_and_through_graphql(api, gql, records):
    # given
    person = records.person("Ada")
    big = "y" * 300_000
    # when
    rest = api.patch(f"/rest/people/{person['id']}", {"jobTitle": big})
    error = gql.error(
        "mutation($id: UUID!, $data: PersonUpdateInput!) { updatePerson(id: $id, data: $data) { id } }",
        {"id": person["id"], "data": {"jobTitle": big}},
    )
    # then
    message = f"Value of field 'jobTitle' is {300_002} bytes of JSON; at most 262144 are allowed per field"
    assert rest == bad_request(message)
    assert error["extensions"]["userFriendlyMessage"] == message
    assert api.get(f"/rest/people/{person['id']}")[1]["data"]["person"]["jobTitle"] == ""


@override_settings(MAX_RECORD_BYTES=1000)
def test_a_record_over_the_limit_is_a_400(api):
    answer = api.post("/rest/companies", {"name": "a" * 600, "address": {"addressStreet1": "b" * 600}})
    assert answer[0] == 400
    (message,) = answer[1]["messages"]
    assert message.startswith("The record is ") and message.endswith(
        "bytes of JSON; at most 1000 are allowed per record"
    )


def or_filter(terms: int) -> str:
    """``or(city[eq]:c0,...)`` with ``terms`` conditions."""
    return "or(" + ",".join(f"city[eq]:c{n}" for n in range(terms)) + ")"


def test_a_filter_of_100_conditions_is_taken(api, records):
    records.person("Ada", city="c99")
    status, body = api.get("/rest/people", filter=or_filter(100))
    assert (status, body["totalCount"]) == (200, 1)


def test_a_filter_over_100_conditions_is_a_400(api, gql):
    # when
    rest = api.get("/rest/people", filter=or_filter(101))
    error = gql.error(
        "query($f: PersonFilterInput) { people(filter: $f) { totalCount } }",
        {"f": {"or": [{"city": {"eq": f"c{n}"}} for n in range(101)]}},
    )
    # then
    message = (
        "'filter' invalid. The filter has 101 conditions; at most 100 are allowed. "
        "Use 'in' to compare one field with several values."
    )
    assert rest == bad_request(message)
    assert error["extensions"]["userFriendlyMessage"] == message


def test_a_list_over_500_values_is_a_400(api):
    values = ",".join(f'"c{n}"' for n in range(501))
    answer = api.get("/rest/people", filter=f"city[in]:[{values}]")
    assert answer == bad_request("'filter' invalid. 'city[in]' lists 501 values; at most 500 are allowed per list")


def test_an_ordering_over_10_keys_is_a_400(api, gql):
    # when
    rest = api.get("/rest/people", order_by=",".join(["city"] * 11))
    error = gql.error("query { people(orderBy: [" + ", ".join(["{city: AscNullsFirst}"] * 11) + "]) { totalCount } }")
    # then
    message = "'order_by' invalid. At most 10 sort keys are allowed, got 11"
    assert rest == bad_request(message)
    assert error["extensions"]["userFriendlyMessage"] == message


@pytest.mark.postgres_only
def test_api_sessions_run_under_the_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("10s",)


@pytest.mark.postgres_only
def test_many_conditions_on_a_large_record_read_its_json_once(api, records):
    # given: one record near the size limit, and a filter of 100 conditions on unindexed fields
    records.person("Big", jobTitle="j" * 250_000)
    # when
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '2s'")
    status, body = api.get("/rest/people", filter="or(" + ",".join(f"jobTitle[eq]:t{n}" for n in range(100)) + ")")
    # then: answered well inside the timeout (each condition reads a small value of the lateral)
    assert (status, body["totalCount"]) == (200, 0)
