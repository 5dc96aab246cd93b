"""Content negotiation: what API clients send is answered in JSON; anything unacceptable is a 406."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/plain, */*"])
def test_json_answers_every_usual_accept(api, accept):
    # given
    headers = api.headers() | ({"HTTP_ACCEPT": accept} if accept is not None else {})

    # when
    response = api.client.get("/rest/companies?limit=1&order_by=name", **headers)

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert list(json.loads(response.content)) == ["data", "totalCount", "pageInfo"]


def test_unacceptable_accept_is_refused_in_the_error_format(api):
    # when
    response = api.client.get("/rest/companies", HTTP_ACCEPT="text/html", **api.headers())

    # then
    assert response.status_code == 406
    assert json.loads(response.content) == {
        "statusCode": 406,
        "error": "NotAcceptableException",
        "messages": ["Could not satisfy the request Accept header."],
    }


def test_format_override_still_negotiates(api):
    # when
    response = api.client.get("/rest/companies?format=yaml", **api.headers())

    # then
    assert response.status_code == 404
    assert json.loads(response.content)["statusCode"] == 404


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/yaml", "application/yaml; charset=utf-8"),
    ],
)
def test_documents_with_several_renderers_keep_their_choice(api, accept, content_type):
    # given
    headers = api.headers() | ({"HTTP_ACCEPT": accept} if accept is not None else {})

    # when
    response = api.client.get("/rest/open-api/metadata", **headers)

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


def test_a_host_not_allowed_is_refused_in_the_error_format_naming_the_setting(api, settings):
    # given
    settings.ALLOWED_HOSTS = ["crm.example.com"]
    # when
    response = api.client.get("/rest/companies", HTTP_HOST="crm.example.org", **api.headers())
    # then
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert json.loads(response.content) == {
        "statusCode": 400,
        "error": "BadRequestException",
        "messages": [
            "Invalid HTTP_HOST header: 'crm.example.org'. You may need to add 'crm.example.org' to ALLOWED_HOSTS."
        ],
    }
