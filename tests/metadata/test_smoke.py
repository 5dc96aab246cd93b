"""First end-to-end check of the metadata REST API."""

from __future__ import annotations

from tests.metadata.helpers import STANDARD_NAMES


def test_list_objects_returns_the_standard_objects(api):
    # when
    status, body = api.get("/rest/metadata/objects")
    # then
    assert status == 200
    names = sorted(o["nameSingular"] for o in body["data"]["objects"])
    assert names == STANDARD_NAMES
    assert body["totalCount"] == 10
    assert body["pageInfo"]["hasNextPage"] is False


def test_missing_key_is_401(anonymous, workspace):
    status, body = anonymous.get("/rest/metadata/objects")
    assert status == 401
    assert body == {
        "statusCode": 401,
        "error": "UnauthorizedException",
        "messages": ["Missing Authorization header. Send 'Authorization: Bearer <API key>'."],
    }
