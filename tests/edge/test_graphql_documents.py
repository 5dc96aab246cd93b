"""Hostile GraphQL documents on both endpoints: fragment cycles, unknown fragments and long
fragment chains are refused as BAD_USER_INPUT before anything walks the document (introspection
detection, depth limit), with or without a key. None may answer 500.
"""

from __future__ import annotations

import pytest

ENDPOINTS = [pytest.param("/graphql", id="graphql"), pytest.param("/metadata", id="metadata")]


def refusal(message: str, line: int, column: int) -> dict:
    """The body of a document refused with one located error."""
    return {
        "errors": [
            {
                "message": message,
                "locations": [{"line": line, "column": column}],
                "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message},
            }
        ]
    }


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("with_key", [True, False], ids=["with_key", "without_key"])
def test_a_fragment_spreading_itself_is_bad_user_input(api, anonymous, path, with_key):
    # given
    client = api if with_key else anonymous
    # when
    answer = client.post(path, {"query": "query { ...A } fragment A on Query { ...A }"})
    # then
    assert answer == (400, refusal("Cannot spread fragment 'A' within itself.", 1, 38))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_fragments_spreading_each_other_are_bad_user_input(api, path):
    # when
    answer = api.post(
        path, {"query": "query { ...A } fragment A on Query { ...B } fragment B on Query { __typename ...A }"}
    )
    # then
    assert answer == (
        400,
        {
            "errors": [
                {
                    "message": "Cannot spread fragment 'A' within itself via 'B'.",
                    "locations": [{"line": 1, "column": 38}, {"line": 1, "column": 78}],
                    "extensions": {
                        "code": "BAD_USER_INPUT",
                        "userFriendlyMessage": "Cannot spread fragment 'A' within itself via 'B'.",
                    },
                }
            ]
        },
    )


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_unknown_fragment_is_bad_user_input(api, path):
    assert api.post(path, {"query": "{ ...F }"}) == (400, refusal("Unknown fragment 'F'.", 1, 6))


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_cycle_inside_a_deep_selection_is_refused_before_the_depth_limit_walks_it(api, path):
    # given: a spread of the cycle far below the root, where the depth limit would follow it
    query = "query { __typename ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }"
    # when
    status, body = api.post(path, {"query": query})
    # then
    assert status == 400
    assert [e["message"] for e in body["errors"]] == ["Cannot spread fragment 'A' within itself via 'B'."]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_chain_of_fragments_deeper_than_graphql_core_walks_is_a_clear_400(api, path):
    # given: 1,000 fragments, each spreading the next (about 9,000 tokens, within the parser's limit)
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(1000))
    query = "{ ...F0 } " + chain + " fragment F1000 on Query { __typename }"
    # when
    status, body = api.post(path, {"query": query})
    # then
    message = (
        "The document is too deep or too repetitive to validate: nest fragments and selections at most 200 levels "
        "deep, and give repeated fields distinct aliases"
    )
    assert (status, [e["message"] for e in body["errors"]]) == (400, [message])
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_chain_of_fragments_within_the_limits_runs(api, path):
    # given
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(50))
    query = "{ ...F0 } " + chain + " fragment F50 on Query { __typename }"
    # when / then
    assert api.post(path, {"query": query}) == (200, {"data": {"__typename": "Query"}})


@pytest.mark.parametrize("path", ENDPOINTS)
def test_selections_nested_ten_thousand_deep_are_a_syntax_error(api, path):
    # given
    query = "{" + "a {" * 10_000 + "b" + "}" * 10_001
    # when
    status, body = api.post(path, {"query": query})
    # then
    assert status == 400
    assert body["errors"][0]["message"] == "Syntax Error: Document is nested too deeply. Parsing aborted."
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
