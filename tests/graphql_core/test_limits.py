"""Limits on documents (api-reference §8: depth, root resolvers, complexity), each refused before execution
with a clear error; and GraphiQL served to browsers from packaged assets.
"""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from tests.graphql_core.helpers import GraphQL

SHALLOW = "{ people { edges { node { id } } } }"  # depth 3
DEEPER = "{ people { edges { node { company { name } } } } }"  # depth 4
DEPTH_8 = "{ people { edges { node { company { people { edges { node { company { name } } } } } } } } }"
DEPTH_9 = (
    "{ companies { edges { node { people { edges { node { company { people { edges { node { id } } } } } } } } } } }"
)


def refusal(gql: GraphQL, query: str) -> tuple[int, list[tuple[str, str]]]:
    """Status and ``(message, code)`` of each error of a refused document."""
    status, body = gql(query)
    assert "data" not in body, body
    return status, [(e["message"], e["extensions"]["code"]) for e in body["errors"]]


def roots(n: int, field: str = "people { totalCount }") -> str:
    """A query with ``n`` aliased root fields."""
    return "{ " + " ".join(f"r{i}: {field}" for i in range(n)) + " }"


# --- depth ---------------------------------------------------------------------------------------------


def test_a_query_deeper_than_the_depth_limit_is_refused(gql, settings):
    # given
    settings.GRAPHQL_MAX_DEPTH = 3
    # when / then
    assert gql.data(SHALLOW) == {"people": {"edges": []}}
    assert refusal(gql, DEEPER) == (400, [("'anonymous' exceeds maximum operation depth of 3.", "BAD_USER_INPUT")])
    assert refusal(gql, "query PeopleWithCompany " + DEEPER) == (
        400,
        [("'PeopleWithCompany' exceeds maximum operation depth of 3.", "BAD_USER_INPUT")],
    )


def test_the_default_depth_limit_allows_three_relation_levels_below_a_connection(gql):
    assert gql.data(DEPTH_8) == {"people": {"edges": []}}
    assert refusal(gql, DEPTH_9) == (400, [("'anonymous' exceeds maximum operation depth of 8.", "BAD_USER_INPUT")])


def test_introspection_is_not_subject_to_the_depth_limit(gql, settings):
    settings.GRAPHQL_MAX_DEPTH = 3
    status, body = gql(get_introspection_query())
    assert (status, "errors" in body) == (200, False)


def test_an_introspection_field_given_an_alias_is_refused_before_it_multiplies_the_answer(gql):
    # given: 100 aliases of the schema's types would answer the whole schema 100 times
    fragment = "fragment T on __Type { name fields { name } }"
    aliased = "{ __schema { " + " ".join(f"t{i}: types {{ ...T }}" for i in range(100)) + " } } " + fragment
    # when
    refused = refusal(gql, aliased)
    # then
    assert refused == (
        400,
        [('Introspection fields cannot be aliased: ask for "types" once, without the alias "t0"', "BAD_USER_INPUT")],
    )


def test_an_alias_inside_a_fragment_of_an_introspection_type_is_refused_too(gql):
    query = '{ __type(name: "Person") { ...F } } fragment F on __Type { f1: fields { name } f2: fields { name } }'
    assert refusal(gql, query) == (
        400,
        [('Introspection fields cannot be aliased: ask for "fields" once, without the alias "f1"', "BAD_USER_INPUT")],
    )


def test_schema_is_asked_once_per_request_and_aliased_types_count_as_root_fields(gql, settings):
    # given
    settings.GRAPHQL_MAX_ROOT_RESOLVERS = 2
    two_schemas = "{ a: __schema { queryType { name } } b: __schema { queryType { name } } }"
    two_types = '{ a: __type(name: "Person") { name } b: __type(name: "Company") { name } __typename }'
    # when / then
    assert refusal(gql, two_schemas) == (
        400,
        [("Query asks for __schema 2 times; ask for it once per request", "BAD_USER_INPUT")],
    )
    assert gql.data(two_types) == {"a": {"name": "Person"}, "b": {"name": "Company"}, "__typename": "Query"}
    assert refusal(gql, '{ c: __type(name: "Note") { name } ' + two_types[1:]) == (
        400,
        [("Query has 3 root fields; at most 2 are allowed per request", "BAD_USER_INPUT")],
    )


# --- root fields ------------------------------------------------------------------------------------------


def test_twenty_root_fields_are_answered_and_twenty_one_are_refused(gql):
    # when
    answered = gql.data(roots(20))
    refused = refusal(gql, roots(21))
    # then
    assert answered == {f"r{i}": {"totalCount": 0} for i in range(20)}
    assert refused == (400, [("Query has 21 root fields; at most 20 are allowed per request", "BAD_USER_INPUT")])


def test_the_root_field_limit_follows_the_setting(gql, settings):
    settings.GRAPHQL_MAX_ROOT_RESOLVERS = 2
    assert gql.data(roots(2)) == {"r0": {"totalCount": 0}, "r1": {"totalCount": 0}}
    assert refusal(gql, roots(3)) == (
        400,
        [("Query has 3 root fields; at most 2 are allowed per request", "BAD_USER_INPUT")],
    )


def test_mutations_over_the_root_field_limit_write_nothing(gql, settings):
    # given
    settings.GRAPHQL_MAX_ROOT_RESOLVERS = 2
    # when
    refused = refusal(gql, "mutation " + roots(3, 'createPerson(data: {jobTitle: "x"}) { id }'))
    # then
    assert refused == (400, [("Query has 3 root fields; at most 2 are allowed per request", "BAD_USER_INPUT")])
    assert gql.data("{ people { totalCount } }") == {"people": {"totalCount": 0}}


def test_root_fields_are_counted_through_fragments_by_response_key(gql, settings):
    # given
    settings.GRAPHQL_MAX_ROOT_RESOLVERS = 2
    spread = "{ ...Q } fragment Q on Query { " + " ".join(f"r{i}: people {{ totalCount }}" for i in range(3)) + " }"
    repeated = "{ r0: people { totalCount } r0: people { totalCount } r1: people { totalCount } }"
    # when / then
    assert refusal(gql, spread) == (
        400,
        [("Query has 3 root fields; at most 2 are allowed per request", "BAD_USER_INPUT")],
    )
    assert gql.data(repeated) == {"r0": {"totalCount": 0}, "r1": {"totalCount": 0}}


# --- fields (complexity) ---------------------------------------------------------------------------------


def test_a_document_selecting_more_fields_than_the_limit_is_refused(gql, settings):
    # given
    settings.GRAPHQL_MAX_FIELDS = 5
    # when / then: people, totalCount, edges, node, id = 5 fields
    assert gql.data("{ people { totalCount edges { node { id } } } }") == {"people": {"totalCount": 0, "edges": []}}
    assert refusal(gql, "{ people { totalCount edges { node { id jobTitle } } } }") == (
        400,
        [("Query selects more than 5 fields; split it into smaller queries", "BAD_USER_INPUT")],
    )


def test_a_fragment_counts_its_fields_wherever_it_is_spread(gql, settings):
    # given: the document's text holds 6 fields (people, a, b, node, id, jobTitle); run, it selects 9
    settings.GRAPHQL_MAX_FIELDS = 8
    query = "{ people { a: edges { ...E } b: edges { ...E } } } fragment E on PersonEdge { node { ...P } } "
    query += "fragment P on Person { id jobTitle }"
    # when / then
    assert refusal(gql, query) == (
        400,
        [("Query selects more than 8 fields; split it into smaller queries", "BAD_USER_INPUT")],
    )
    settings.GRAPHQL_MAX_FIELDS = 9
    assert gql.data(query) == {"people": {"a": [], "b": []}}


def test_the_limits_apply_together_and_each_is_reported(gql, settings):
    # given
    settings.GRAPHQL_MAX_ROOT_RESOLVERS = 1
    settings.GRAPHQL_MAX_DEPTH = 2
    # when
    status, errors = refusal(gql, "{ a: people { edges { node { id } } } b: people { totalCount } }")
    # then
    assert status == 400
    assert sorted(errors) == sorted(
        [
            ("'anonymous' exceeds maximum operation depth of 2.", "BAD_USER_INPUT"),
            ("Query has 2 root fields; at most 1 are allowed per request", "BAD_USER_INPUT"),
        ]
    )


# --- GraphiQL ----------------------------------------------------------------------------------------------


def test_a_browser_gets_graphiql_from_packaged_assets(anonymous):
    # when
    response = anonymous.client.get("/graphql", HTTP_ACCEPT="text/html")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<script src="/static/vendor/graphiql-3.8.3/graphiql.min.js"></script>' in page
    assert '<link rel="stylesheet" href="/static/vendor/graphiql-3.8.3/graphiql.min.css">' in page
    assert 'var endpoint = "/graphql";' in page
    assert "http://" not in page and "https://" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/graphiql-3.8.3/graphiql.min.js",
        "/static/vendor/graphiql-3.8.3/graphiql.min.css",
        "/static/vendor/react-18.3.1/react.production.min.js",
        "/static/vendor/react-18.3.1/react-dom.production.min.js",
    ],
)
def test_the_assets_graphiql_references_are_served(anonymous, path):
    # when
    response = anonymous.client.get(path)
    # then
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content)) > 1000


# --- the request path shared with /metadata ------------------------------------------------------------


def test_introspection_through_fragments_needs_no_key(anonymous):
    # when
    status, body = anonymous.post(
        "/graphql", {"query": "query Q { ...Root } fragment Root on BootstrapQuery { __schema { queryType { name } } }"}
    )
    # then
    assert (status, body) == (200, {"data": {"__schema": {"queryType": {"name": "BootstrapQuery"}}}})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"query": 5}, "Must provide query string.", id="query_not_a_string"),
        pytest.param(
            {"query": "{ people { totalCount } }", "variables": [1]},
            "variables must be a JSON object.",
            id="variables_not_an_object",
        ),
    ],
)
def test_a_request_that_cannot_be_read_is_a_400_naming_what_to_fix(api, body, message):
    # when / then
    assert api.post("/graphql", body) == (
        400,
        {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message}}]},
    )


def test_a_query_may_be_sent_by_get(api):
    # when
    response = api.client.get(
        "/graphql", {"query": "{ people { totalCount } }"}, HTTP_ACCEPT="application/json", **api.headers()
    )
    # then
    assert (response.status_code, response.json()) == (200, {"data": {"people": {"totalCount": 0}}})


@pytest.mark.parametrize("keyed", [True, False], ids=["with_a_key", "without_a_key"])
def test_a_document_of_more_tokens_than_the_limit_stops_being_read_key_or_no_key(api, anonymous, settings, keyed):
    # given: 10 tokens per allowed field (here 1,000), and a document of 3,000 (a thousand aliases)
    settings.GRAPHQL_MAX_FIELDS = 100
    query = "{ " + " ".join(f"t{i}: __typename" for i in range(1000)) + " }"
    # when
    status, body = (api if keyed else anonymous).post("/graphql", {"query": query})
    # then: refused while parsing, before the key is even looked at
    assert status == 400
    assert [e["message"].splitlines()[0] for e in body["errors"]] == [
        "Syntax Error: Document contains more than 1000 tokens. Parsing aborted."
    ]


def test_a_get_with_a_json_content_type_reads_the_url(api):
    # when: many clients send this header with every request
    response = api.client.get(
        "/graphql", {"query": "{ people { totalCount } }"}, CONTENT_TYPE="application/json", **api.headers()
    )
    # then
    assert (response.status_code, response.json()) == (200, {"data": {"people": {"totalCount": 0}}})


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_a_form_posted_to_graphql_is_a_415_and_runs_nothing(api, content_type):
    # when
    response = api.client.post(
        "/graphql",
        "query=mutation+%7B+createPerson%28data%3A+%7B%7D%29+%7B+id+%7D+%7D",
        content_type=content_type,
        **api.headers(),
    )
    # then
    kind = content_type.split(";")[0]
    message = f"Content-Type '{kind}' is not supported: POST the operation as application/json"
    assert response.status_code == 415
    assert [e["message"] for e in response.json()["errors"]] == [message]
    assert api.get("/rest/people")[1]["totalCount"] == 0
