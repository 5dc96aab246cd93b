"""Object names that are fixed segments of ``/rest/...`` are refused, on REST and GraphQL alike.

An object called ``imports`` would be listed at ``/rest/imports``, which is the import route;
``/rest/batch/{id}`` would read the id as a plural. Such names are refused at create and rename,
naming the word, with Twenty's reserved-keyword message (api-reference §3.5) and the reason.
"""

from __future__ import annotations

import pytest

from metadata_app.models import ObjectMetadata
from tests.graphql_metadata.helpers import object_id
from tests.graphql_metadata.test_mutations import (
    CREATE_OBJECT,
    UPDATE_OBJECT,
    bad_user_input,
    create_object,
    object_body,
    rest_message,
)

ROUTES = ["batch", "restore", "metadata", "search", "imports", "exports", "events", "webhooks"]


def refusal(name: str) -> str:
    """The message naming ``name``."""
    return f'The name "{name}" is not available: /rest/{name} is a route of the API'


@pytest.mark.parametrize("name", ROUTES)
def test_an_object_named_like_a_route_is_refused_as_plural(api, gql, workspace, name):
    # given
    body = object_body("rocketThing", name)
    # when
    rest = rest_message(api, "post", "/rest/metadata/objects", body)
    graphql = bad_user_input(gql, CREATE_OBJECT, {"input": {"object": body}}, "createOneObject")
    # then
    assert rest == graphql == refusal(name)
    assert not ObjectMetadata.objects.filter(workspace=workspace, name_singular="rocketThing").exists()


@pytest.mark.parametrize("name", ["imports", "exports", "webhooks"])
def test_an_object_named_like_a_route_is_refused_as_singular(api, gql, workspace, name):
    # given
    body = object_body(name, f"{name}List")
    # when
    rest = rest_message(api, "post", "/rest/metadata/objects", body)
    graphql = bad_user_input(gql, CREATE_OBJECT, {"input": {"object": body}}, "createOneObject")
    # then
    assert rest == graphql == refusal(name)
    assert not ObjectMetadata.objects.filter(workspace=workspace, name_plural=f"{name}List").exists()


def test_renaming_an_object_to_a_route_is_refused(api, gql, workspace):
    # given
    rocket = create_object(gql)["id"]
    # when
    rest = rest_message(api, "patch", f"/rest/metadata/objects/{rocket}", {"namePlural": "exports"})
    graphql = bad_user_input(
        gql, UPDATE_OBJECT, {"input": {"id": rocket, "update": {"namePlural": "exports"}}}, "updateOneObject"
    )
    # then
    assert rest == graphql == refusal("exports")
    assert ObjectMetadata.objects.get(pk=rocket).name_plural == "rockets"


def test_a_field_may_still_be_called_like_a_route(api, workspace):
    # given: route segments bind object names only; a field is never a path segment
    body = {"objectMetadataId": object_id(workspace, "company"), "type": "TEXT", "name": "metadata", "label": "Meta"}
    # when
    status, answer = api.post("/rest/metadata/fields", body)
    # then
    assert status == 201, answer
    assert answer["data"]["createOneField"]["name"] == "metadata"
