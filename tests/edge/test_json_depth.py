"""JSON nested deeper than ``MAX_JSON_DEPTH`` (default 128) is refused with a 400 that says what to fix,
before it is parsed into Python objects, on REST bodies, GraphQL bodies and GraphQL ``variables``
sent as a JSON string. Nothing nested that deep may reach code that recurses over it (a 500).
"""

from __future__ import annotations

import json

import pytest

from tests.core.helpers import create_custom_object, create_field


def nested_objects(depth: int, leaf: str = "1") -> str:
    """``{"a": {"a": ... leaf ...}}``: ``depth`` objects."""
    return '{"a": ' * depth + leaf + "}" * depth


def nested_arrays(depth: int) -> str:
    """``[[[...]]]``: ``depth`` arrays."""
    return "[" * depth + "]" * depth


def rest_refusal(levels: int = 128) -> dict:
    message = f"The JSON body nests arrays and objects deeper than {levels} levels; send flatter JSON"
    return {"statusCode": 400, "error": "BadRequestException", "messages": [message]}


def graphql_refusal(what: str, levels: int = 128) -> dict:
    message = f"{what} nests arrays and objects deeper than {levels} levels; send flatter JSON"
    return {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}}]}


# --- REST ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [129, 1_000, 1_020, 10_000], ids=lambda d: f"depth_{d}")
@pytest.mark.parametrize(
    "path",
    ["/rest/people", "/rest/batch/people", "/rest/metadata/objects", "/rest/metadata/apiKeys"],
)
def test_an_over_deep_rest_body_is_a_400_naming_the_limit(api, path, depth):
    # given: an array nested in the body, 'depth' levels in all
    body = '{"jobTitle": ' + nested_arrays(depth - 1) + "}"
    if "/batch/" in path:
        body = nested_arrays(depth)
    # when / then
    assert api.post(path, raw=body) == (400, rest_refusal())


def test_a_raw_json_value_at_the_limit_is_stored(api):
    # given: a RAW_JSON field; the body {"blob": <value>} is 128 levels deep
    rocket = create_custom_object(api, "rocket", "rockets")
    create_field(api, rocket, "blob", "RAW_JSON")
    # when
    status, body = api.post("/rest/rockets", raw='{"blob": ' + nested_objects(127) + "}")
    # then
    assert status == 201, body
    assert json.dumps(body["data"]["createRocket"]["blob"]).count("{") == 127


def test_the_limit_follows_the_setting(api, settings):
    # given
    settings.MAX_JSON_DEPTH = 3
    # when / then
    assert api.post("/rest/people", raw='{"name": {"firstName": "Ada"}, "emails": {"additionalEmails": []}}')[0] == 201
    assert api.post("/rest/people", raw='{"emails": {"additionalEmails": [[]]}}') == (400, rest_refusal(3))


def test_brackets_inside_strings_do_not_count(api):
    # given: a string holding 1,000 opening brackets, and escaped quotes before them
    title = '\\"' + "[{" * 500
    # when
    status, body = api.post("/rest/people", raw='{"jobTitle": "' + title + '"}')
    # then
    assert status == 201, body
    assert body["data"]["createPerson"]["jobTitle"] == '"' + "[{" * 500


# --- GraphQL --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
@pytest.mark.parametrize("depth", [129, 990, 10_000], ids=lambda d: f"depth_{d}")
def test_over_deep_graphql_variables_are_a_400(api, path, depth):
    # given: variables nested so deep that the body is 'depth' levels deep
    body = '{"query": "{ __typename }", "variables": ' + nested_objects(depth - 1) + "}"
    # when / then
    assert api.post(path, raw=body) == (400, graphql_refusal("The JSON body"))


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
def test_an_over_deep_graphql_body_is_a_400(api, path):
    assert api.post(path, raw=nested_arrays(10_000)) == (400, graphql_refusal("The JSON body"))


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
def test_over_deep_variables_sent_as_a_string_are_a_400(api, path):
    # given: GET with variables in the query string
    variables = nested_objects(10_000)
    # when
    response = api.client.get(
        path, {"query": "{ __typename }", "variables": variables}, HTTP_ACCEPT="application/json", **api.headers()
    )
    # then
    assert (response.status_code, response.json()) == (400, graphql_refusal("variables"))


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
def test_variables_within_the_limit_run(api, path):
    # given
    body = '{"query": "{ __typename }", "variables": ' + nested_objects(100) + "}"
    # when / then
    assert api.post(path, raw=body) == (200, {"data": {"__typename": "Query"}})


# --- memory (api-reference §8) ----------------------------------------------------------------------


def peak_memory_of(api, path: str, body: str) -> tuple[int, int]:
    """The status of POSTing ``body`` and the peak of memory traced meanwhile."""
    import tracemalloc

    tracemalloc.start()
    status, _ = api.post(path, raw=body)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return status, peak


@pytest.mark.parametrize("path", ["/rest/people", "/graphql"])
def test_memory_does_not_grow_with_nesting(api, path):
    # given: two bodies of 9 MB, under MAX_REQUEST_BODY_BYTES (10 MiB) so both are read: one nested
    # 129 levels and padded with spaces, one nested 4.5 million levels (far past any parser's limit)
    size = 9_000_000
    shallow = "[" * 129 + " " * (size - 258) + "]" * 129
    deep = "[" * (size // 2) + "]" * (size // 2)
    # when
    shallow_status, shallow_peak = peak_memory_of(api, path, shallow)
    deep_status, deep_peak = peak_memory_of(api, path, deep)
    # then: both refused before parsing, with a few copies of the body at most, whatever the depth
    assert (shallow_status, deep_status) == (400, 400)
    assert deep_peak < 6 * size
    assert deep_peak < 1.2 * shallow_peak
