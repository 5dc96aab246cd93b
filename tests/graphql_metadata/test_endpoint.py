"""The endpoint itself: authentication, introspection without a key, methods, CSRF, error codes."""

from __future__ import annotations

import json

import graphene
import pytest
from django.test import Client, RequestFactory

from metadata_app.graphql.views import MetadataGraphQLView
from tests.graphql_metadata.helpers import GraphQLClient, error_of

INTROSPECTION = """
query IntrospectionQuery {
  __schema { queryType { name } mutationType { name } types { name kind } }
}
"""


def test_introspection_answers_without_a_key_and_lists_object_and_field(anonymous_gql):
    # when
    status, body = anonymous_gql.post(INTROSPECTION)
    # then
    assert status == 200
    schema = body["data"]["__schema"]
    assert schema["queryType"] == {"name": "Query"}
    assert schema["mutationType"] == {"name": "Mutation"}
    kinds = {t["name"]: t["kind"] for t in schema["types"]}
    assert kinds["Object"] == kinds["Field"] == kinds["Relation"] == kinds["ApiKey"] == "OBJECT"
    assert kinds["ObjectFilter"] == kinds["CursorPaging"] == kinds["CreateOneObjectInput"] == "INPUT_OBJECT"
    assert kinds["FieldMetadataType"] == "ENUM"


def test_introspection_through_fragments_and_typename_needs_no_key(anonymous_gql):
    # when
    status, body = anonymous_gql.post(
        'query Q { ...Root } fragment Root on Query { __typename __type(name: "Object") { name } }'
    )
    # then
    assert (status, body) == (200, {"data": {"__typename": "Query", "__type": {"name": "Object"}}})


def test_introspection_aliases_are_refused_here_too(anonymous_gql):
    # when
    status, body = anonymous_gql.post("{ __schema { a: types { name } b: types { name } } }")
    # then
    assert (status, [e["message"] for e in body["errors"]]) == (
        400,
        ['Introspection fields cannot be aliased: ask for "types" once, without the alias "a"'],
    )


def test_field_type_enum_has_every_value_of_twenty(anonymous_gql):
    # when
    status, body = anonymous_gql.post('{ __type(name: "FieldMetadataType") { enumValues { name } } }')
    # then: the field-type table's types, then the values of Twenty 2.43 we do not offer (api-reference §3.6)
    assert status == 200
    assert [v["name"] for v in body["data"]["__type"]["enumValues"]] == [
        "UUID", "TEXT", "PHONES", "EMAILS", "DATE_TIME", "DATE", "BOOLEAN", "NUMBER", "NUMERIC", "LINKS",
        "CURRENCY", "FULL_NAME", "RATING", "SELECT", "MULTI_SELECT", "RELATION", "POSITION", "ADDRESS",
        "RAW_JSON", "RICH_TEXT", "RICH_TEXT_V2", "ACTOR", "ARRAY", "MORPH_RELATION", "TS_VECTOR", "FILES",
    ]  # fmt: skip


def test_query_without_a_key_is_unauthenticated(anonymous_gql):
    # when
    status, body = anonymous_gql.post("{ objects { totalCount } }")
    # then
    message = "Missing Authorization header. Send 'Authorization: Bearer <API key>'."
    assert status == 200
    assert body == {
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED", "userFriendlyMessage": message}}]
    }


def test_introspection_mixed_with_data_needs_a_key(anonymous_gql):
    # when
    status, body = anonymous_gql.post("{ __typename currentWorkspace { id } }")
    # then
    assert status == 200
    assert error_of(body)["extensions"]["code"] == "UNAUTHENTICATED"


def test_unknown_key_is_unauthenticated(workspace):
    # given
    client = GraphQLClient("crm_0123456789abcdef_not-a-real-secret")
    # when
    status, body = client.post("{ currentWorkspace { id } }")
    # then
    assert status == 200
    assert body == {
        "errors": [
            {
                "message": "Unknown API key.",
                "extensions": {"code": "UNAUTHENTICATED", "userFriendlyMessage": "Unknown API key."},
            }
        ]
    }


def test_get_from_a_browser_opens_graphiql_on_metadata(db):
    # when
    response = Client().get("/metadata", HTTP_ACCEPT="text/html")
    # then
    assert response.status_code == 200
    assert b"vendor/graphiql-3.8.3/graphiql.min.js" in response.content and b'"/metadata"' in response.content


def test_get_runs_a_query_as_on_graphql(gql):
    # when
    response = Client().get(
        "/metadata",
        {"query": "{ currentWorkspace { displayName } }"},
        HTTP_AUTHORIZATION=f"Bearer {gql.token}",
        HTTP_ACCEPT="application/json",
    )
    # then
    assert (response.status_code, json.loads(response.content)) == (
        200,
        {"data": {"currentWorkspace": {"displayName": "Acme"}}},
    )


def test_get_refuses_a_mutation_with_405_allow_post(gql):
    # when
    response = Client().get(
        "/metadata",
        {"query": 'mutation { deleteWebhook(id: "00000000-0000-0000-0000-000000000000") { id } }'},
        HTTP_AUTHORIZATION=f"Bearer {gql.token}",
        HTTP_ACCEPT="application/json",
    )
    # then
    message = "Can only perform a mutation operation from a POST request."
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert json.loads(response.content) == {
        "errors": [{"message": message, "extensions": {"code": "METHOD_NOT_ALLOWED", "userFriendlyMessage": message}}]
    }


def test_other_methods_are_405_with_allow_get_post(gql):
    # when
    response = Client().put("/metadata", "{}", HTTP_AUTHORIZATION=f"Bearer {gql.token}")
    # then
    message = "PUT is not supported: POST a GraphQL operation as JSON to /metadata"
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert json.loads(response.content) == {
        "errors": [{"message": message, "extensions": {"code": "METHOD_NOT_ALLOWED", "userFriendlyMessage": message}}]
    }


def test_graphiql_hook_renders_the_project_template_when_switched_on():
    # given
    view = MetadataGraphQLView.as_view(graphiql=True)
    request = RequestFactory().get("/metadata", HTTP_ACCEPT="text/html")
    # when
    response = view(request)
    # then
    assert response.status_code == 200
    assert b"GraphiQL" in response.content and b'"/metadata"' in response.content


def test_post_is_csrf_exempt(gql):
    # given
    client = GraphQLClient(gql.token, Client(enforce_csrf_checks=True))
    # when
    status, body = client.post("{ currentWorkspace { displayName } }")
    # then
    assert (status, body) == (200, {"data": {"currentWorkspace": {"displayName": "Acme"}}})


def test_syntax_error_is_parse_failed(gql):
    # when
    status, body = gql.post("{ objects { ")
    # then
    assert status == 400
    assert body == {
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 13}],
                "extensions": {
                    "code": "BAD_USER_INPUT",
                    "userFriendlyMessage": "Syntax Error: Expected Name, found <EOF>.",
                },
            }
        ]
    }


def test_unknown_field_is_validation_failed(gql):
    # when
    status, body = gql.post("{ objects { nope } }")
    # then
    message = "Cannot query field 'nope' on type 'ObjectConnection'."
    assert status == 400
    assert error_of(body) == {
        "message": message,
        "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message},
    }


def test_invalid_uuid_variable_is_bad_user_input(gql):
    # when
    status, body = gql.post("query ($id: UUID!) { object(id: $id) { id } }", {"id": "nope"})
    # then
    assert status == 400
    error = error_of(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == 'Variable \'$id\' got invalid value "nope"; UUID cannot represent value: "nope"'


@pytest.mark.parametrize(
    "query",
    [
        '{ object(id: "nope") { id } }',
        'mutation { deleteOneField(input: {id: "nope"}) { id } }',
        'mutation { deleteWebhook(id: "nope") { id } }',
        '{ fields(filter: {objectMetadataId: {eq: "nope"}}) { edges { node { id } } } }',
    ],
    ids=["query-argument", "input-field", "webhook-argument", "filter"],
)
def test_an_inline_id_that_is_no_uuid_is_bad_user_input(gql, query):
    # when
    status, body = gql.post(query)
    # then
    message = "'nope' is not a valid UUID"
    assert status == 400
    assert error_of(body) == {
        "message": message,
        "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": message},
    }


def test_body_that_is_not_json_is_bad_request(gql):
    # when
    response = Client().post(
        "/metadata", data="{", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {gql.token}"
    )
    # then
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "errors": [
            {
                "message": "POST body sent invalid JSON.",
                "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": "POST body sent invalid JSON."},
            }
        ]
    }


def test_too_deep_selection_is_refused(gql):
    # given
    query = (
        '{ field(id: "00000000-0000-0000-0000-000000000000") { '
        + "object { fieldsList { " * 8
        + "id"
        + " } }" * 8
        + " } }"
    )
    # when
    status, body = gql.post(query)
    # then
    assert status == 400
    assert error_of(body)["extensions"]["code"] == "BAD_USER_INPUT"
    assert "exceeds maximum operation depth of 8" in error_of(body)["message"]


class CrashingQuery(graphene.ObjectType):
    """A schema whose only field fails, to see how an unexpected error is answered."""

    boom = graphene.String()

    @staticmethod
    def resolve_boom(root, info):
        raise RuntimeError("secret detail of the crash")


def test_unexpected_error_is_internal_without_details(gql):
    # given
    view = MetadataGraphQLView.as_view(schema=graphene.Schema(query=CrashingQuery))
    request = RequestFactory().post(
        "/metadata",
        data=json.dumps({"query": "{ boom }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {gql.token}",
    )
    # when
    response = view(request)
    # then
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "data": {"boom": None},
        "errors": [
            {
                "message": "Internal server error",
                "locations": [{"line": 1, "column": 3}],
                "path": ["boom"],
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "userFriendlyMessage": "An unexpected error occurred. Please try again later.",
                },
            }
        ],
    }


def test_the_root_field_and_field_limits_of_graphql_apply_here_too(gql, settings):
    # given
    settings.GRAPHQL_MAX_ROOT_RESOLVERS = 2
    settings.GRAPHQL_MAX_FIELDS = 4
    # when
    roots = gql.post("{ a: currentWorkspace { id } b: currentWorkspace { id } c: currentWorkspace { id } }")
    fields = gql.post("{ w: currentWorkspace { id displayName } currentWorkspace { id displayName } }")
    # then
    assert roots[0] == fields[0] == 400
    assert [e["message"] for e in roots[1]["errors"]] == [
        "Query has 3 root fields; at most 2 are allowed per request",
        "Query selects more than 4 fields; split it into smaller queries",
    ]
    assert [e["message"] for e in fields[1]["errors"]] == [
        "Query selects more than 4 fields; split it into smaller queries"
    ]
