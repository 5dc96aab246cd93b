"""A unique field with a default value stays unique: the default is a value like any other.

Creating such a field gives the default to every existing record, so it is refused when more than
one record (trash included) exists; a created record that takes the default is checked and
registered as if the value had been sent (as a unique column with a default behaves in Twenty).
"""

from __future__ import annotations

from tests.core.helpers import create_custom_object, first_value
from tests.metadata.helpers import create_field

FIELDS = "/rest/metadata/fields"


def refusal(*messages: str) -> tuple[int, dict]:
    return 400, {"statusCode": 400, "error": "BadRequestException", "messages": list(messages)}


def unique_code(api, gadget: str) -> dict:
    return create_field(api, gadget, "code", "TEXT", isUnique=True, defaultValue="'dflt'")


def names(api) -> list[str]:
    status, body = api.get("/rest/gadgets", order_by="name")
    assert status == 200, body
    return [gadget["name"] for gadget in body["data"]["gadgets"]]


def test_a_unique_field_with_a_default_is_refused_when_two_records_would_hold_it(api):
    # given
    gadget = create_custom_object(api, "gadget", "gadgets")
    assert api.post("/rest/batch/gadgets", [{"name": "a"}, {"name": "b"}])[0] == 201
    # when
    answer = api.post(
        FIELDS,
        {
            "objectMetadataId": gadget,
            "type": "TEXT",
            "name": "code",
            "label": "Code",
            "isUnique": True,
            "defaultValue": "'dflt'",
        },
    )
    # then
    assert answer == refusal(
        'Field "code" cannot be unique with a default value here: the 2 existing records would all hold it. '
        "Create it without a default value, or not unique."
    )
    assert "code" not in api.get("/rest/gadgets")[1]["data"]["gadgets"][0]


def test_the_one_existing_record_holds_the_default_as_its_unique_value(api):
    # given
    gadget = create_custom_object(api, "gadget", "gadgets")
    status, body = api.post("/rest/gadgets", {"name": "a"})
    assert status == 201, body
    holder = first_value(body)["id"]
    unique_code(api, gadget)
    # when
    answer = api.post("/rest/gadgets", {"name": "b", "code": "dflt"})
    # then
    assert answer == refusal(f"Duplicate value for unique field 'code': 'dflt' is already used by record {holder}")
    assert names(api) == ["a"]


def test_a_record_taking_the_default_is_checked_like_one_sending_it(api):
    # given: a unique field with a default, and a record that took it
    gadget = create_custom_object(api, "gadget", "gadgets")
    unique_code(api, gadget)
    status, body = api.post("/rest/gadgets", {"name": "a"})
    assert (status, first_value(body)["code"]) == (201, "dflt")
    # when: another record takes it, then a batch of two takes it
    second = api.post("/rest/gadgets", {"name": "b"})
    batch = api.post("/rest/batch/gadgets", [{"name": "c", "code": "c"}, {"name": "d"}, {"name": "e"}])
    # then
    holder = first_value(body)["id"]
    assert second == refusal(
        f"Duplicate value for unique field 'code': 'dflt' (its default value) is already used by record {holder}"
    )
    assert batch == refusal(
        f"Record 1: Duplicate value for unique field 'code': 'dflt' (its default value) is already used by record {holder}",
        "Record 2: Duplicate value for unique field 'code': 'dflt' (its default value) appears twice in this request",
        f"Record 2: Duplicate value for unique field 'code': 'dflt' (its default value) is already used by record {holder}",
    )
    assert names(api) == ["a"]
    # and a record given its own value is written
    assert api.post("/rest/gadgets", {"name": "b", "code": "b"})[0] == 201
