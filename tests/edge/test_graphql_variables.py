"""Variables that do not fit their types, on both endpoints: a 400 whose message shows the value as the
JSON the client sent (``{"nosuch": 1}``, ``null``, ``true``), not as Python writes it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.edge.test_graphql_documents import refusal

PEOPLE = "query($filter: PersonFilterInput) { people(filter: $filter) { totalCount } }"
FIRST = "query($first: Int) { people(first: $first) { totalCount } }"
INCLUDED = "query($only: [String!]) { search(searchInput: \"a\", limit: 1, includedObjectNameSingulars: $only) { pageInfo { hasNextPage } } }"  # fmt: skip
CREATE = "mutation($data: PersonCreateInput!) { createPerson(data: $data) { id } }"


@pytest.mark.parametrize(
    ("query", "variables", "message", "column"),
    [
        pytest.param(
            PEOPLE,
            {"filter": {"nosuch": 1}},
            "Variable '$filter' got invalid value {\"nosuch\": 1}; Field 'nosuch' is not defined by type "
            "'PersonFilterInput'.",
            7,
            id="object",
        ),
        pytest.param(
            INCLUDED,
            {"only": ["person", None]},
            "Variable '$only' got invalid value null at 'only[1]'; Expected non-nullable type 'String!' not to be null.",
            7,
            id="null-in-a-list",
        ),
        pytest.param(
            FIRST,
            {"first": True},
            "Variable '$first' got invalid value true; Int cannot represent non-integer value: true",
            7,
            id="boolean",
        ),
        pytest.param(
            FIRST,
            {"first": "ten"},
            'Variable \'$first\' got invalid value "ten"; Int cannot represent non-integer value: "ten"',
            7,
            id="text",
        ),
        pytest.param(
            CREATE,
            {"data": {"name": {"firstName": ["Ada", None, False, {"é": 1.5}]}}},
            "Variable '$data' got invalid value [\"Ada\", null, false, {\"é\": 1.5}] at 'data.name.firstName'; "
            'String cannot represent a non string value: ["Ada", null, false, {"é": 1.5}]',
            10,
            id="nested-path",
        ),
    ],
)
def test_a_variable_of_the_wrong_type_is_shown_as_the_json_sent(api, query, variables, message, column):
    assert api.post("/graphql", {"query": query, "variables": variables}) == (400, refusal(message, 1, column))


def test_a_large_value_is_shown_within_graphql_cores_bounds(api):
    # given: a long text, a list of 12 items and arrays nested 3 deep
    value: dict[str, Any] = {"text": "x" * 300, "items": list(range(12)), "deep": [[[1]]]}
    # when
    status, body = api.post("/graphql", {"query": FIRST, "variables": {"first": value}})
    # then: text cut in the middle, the first 5 and last 4 items, the third level elided
    shown = (
        '{"text": "' + "x" * 117 + "..." + "x" * 118 + '", "items": [0, 1, 2, 3, 4, ..., 8, 9, 10, 11], '
        '"deep": [[...]]}'
    )
    message = f"Variable '$first' got invalid value {shown}; Int cannot represent non-integer value: {shown}"
    assert (status, body) == (400, refusal(message, 1, 7))


def test_every_value_error_of_a_request_is_reworded_and_other_errors_kept(api):
    # given: two bad values in one variable, a null for a non-null variable
    query = "query($only: [String!], $limit: Int!) { search(searchInput: \"a\", limit: $limit, includedObjectNameSingulars: $only) { pageInfo { hasNextPage } } }"  # fmt: skip
    # when
    status, body = api.post("/graphql", {"query": query, "variables": {"only": [None, 7, "person"], "limit": None}})
    # then
    assert status == 400
    assert [error["message"] for error in body["errors"]] == [
        "Variable '$only' got invalid value null at 'only[0]'; Expected non-nullable type 'String!' not to be null.",
        "Variable '$only' got invalid value 7 at 'only[1]'; String cannot represent a non string value: 7",
        "Variable '$limit' of non-null type 'Int!' must not be null.",
    ]


def test_the_metadata_endpoint_shows_the_json_sent_too(api):
    # when
    answer = api.post(
        "/metadata", {"query": "query ($id: UUID!) { object(id: $id) { id } }", "variables": {"id": "nope"}}
    )
    # then
    message = 'Variable \'$id\' got invalid value "nope"; UUID cannot represent value: "nope"'
    assert answer == (400, refusal(message, 1, 8))
