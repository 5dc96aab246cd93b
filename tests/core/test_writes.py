"""Create one, create many (batch), update one (PATCH and PUT), delete one (destroy and soft),
restore one (api-reference 1.1, 1.6, 2.6, 2.7): envelopes, server-set values and validation.
Nothing is written when a request is refused.
"""

from __future__ import annotations

import time

import orjson
import pytest

from apikeys_app.services import create_api_key
from tests.conftest import ApiClient
from tests.core.conftest import client_for
from tests.core.helpers import (
    INSTANT,
    MISSING_ID,
    UUID,
    actor,
    bad_request,
    create_custom_object,
    create_field,
    first_value,
    ids_of,
    not_found,
)
from webhooks_app.models import Event

EMPTY_LINKS = {"primaryLinkUrl": "", "primaryLinkLabel": "", "secondaryLinks": None}
EMPTY_PHONES = {
    "primaryPhoneNumber": "",
    "primaryPhoneCountryCode": "",
    "primaryPhoneCallingCode": "",
    "additionalPhones": None,
}


def count(api: ApiClient, plural: str, filter: str | None = None) -> int:
    """``totalCount`` of ``plural`` (live records, or those matching ``filter``)."""
    status, body = api.get(f"/rest/{plural}", **({"filter": filter} if filter else {}))
    assert status == 200, body
    return body["totalCount"]


@pytest.fixture
def gadgets(api) -> str:
    """A custom object ``gadget`` with a required field and fields with default values."""
    gadget = create_custom_object(api, "gadget", "gadgets")
    create_field(api, gadget, "serial", "TEXT", isNullable=False)
    create_field(
        api,
        gadget,
        "color",
        "SELECT",
        defaultValue="'RED'",
        options=[{"label": "Red", "value": "RED"}, {"label": "Blue", "value": "BLUE"}],
    )
    create_field(api, gadget, "size", "NUMBER", defaultValue=3, settings={"dataType": "int"})
    create_field(api, gadget, "flag", "BOOLEAN", defaultValue=False)
    create_field(api, gadget, "maker", "FULL_NAME", defaultValue={"firstName": "'Acme'", "lastName": "''"})
    create_field(api, gadget, "notes", "TEXT")
    return gadget


# --- create one -----------------------------------------------------------------------------------


def test_create_one_returns_201_and_the_full_record_under_create_singular(api):
    # when
    status, body = api.post(
        "/rest/people",
        {
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "emails": {"primaryEmail": "ada@acme.com"},
            "city": "London",
        },
    )
    # then
    assert status == 201
    assert body == {
        "data": {
            "createPerson": {
                "id": UUID,
                "createdAt": INSTANT,
                "updatedAt": INSTANT,
                "deletedAt": None,
                "createdBy": actor(),
                "updatedBy": actor(),
                "position": 1.0,
                "name": {"firstName": "Ada", "lastName": "Lovelace"},
                "emails": {"primaryEmail": "ada@acme.com", "additionalEmails": None},
                "linkedinLink": EMPTY_LINKS,
                "xLink": EMPTY_LINKS,
                "jobTitle": "",
                "phones": EMPTY_PHONES,
                "city": "London",
                "avatarUrl": "",
                "companyId": None,
            }
        }
    }
    created = body["data"]["createPerson"]
    assert created["createdAt"] == created["updatedAt"]
    assert api.get(f"/rest/people/{created['id']}") == (200, {"data": {"person": created}})


def test_created_by_names_the_api_key_used(workspace):
    # given
    _, token = create_api_key(workspace, {"name": "Zapier sync"})
    # when
    status, body = client_for(token).post("/rest/companies", {"name": "Acme"})
    # then
    assert status == 201
    assert body["data"]["createCompany"]["createdBy"] == {
        "source": "API",
        "name": "Zapier sync",
        "workspaceMemberId": None,
        "context": {},
    }
    assert body["data"]["createCompany"]["updatedBy"] == actor("Zapier sync")


def test_create_one_keeps_a_client_given_id(api):
    # when
    status, body = api.post("/rest/companies", {"id": MISSING_ID, "name": "Acme"})
    # then
    assert status == 201
    assert body["data"]["createCompany"]["id"] == MISSING_ID
    assert api.get(f"/rest/companies/{MISSING_ID}")[0] == 200


def test_positions_are_assigned_increasing_in_creation_order(api, records):
    # when
    first, second = records.company("A"), records.company("B")
    batch = records.batch("companies", [{"name": "C"}, {"name": "D"}, {"name": "E"}])
    # then
    assert [r["position"] for r in [first, second, *batch]] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_position_first_goes_before_every_record_and_a_number_is_kept(api, records):
    # given
    records.company("A")
    # when
    first = records.company("B", position="first")
    given = records.company("C", position=7.5)
    # then
    assert first["position"] == 0.0
    assert given["position"] == 7.5


def test_default_values_fill_the_fields_a_create_leaves_out(api, gadgets):
    # when
    status, body = api.post("/rest/gadgets", {"serial": "S-1"})
    # then
    assert status == 201
    created = body["data"]["createGadget"]
    assert {key: created[key] for key in ("name", "serial", "color", "size", "flag", "maker", "notes")} == {
        "name": "",
        "serial": "S-1",
        "color": "RED",
        "size": 3,
        "flag": False,
        "maker": {"firstName": "Acme", "lastName": ""},
        "notes": None,
    }


def test_given_values_win_over_default_values(api, gadgets):
    status, body = api.post(
        "/rest/gadgets", {"serial": "S-1", "color": "BLUE", "size": 9, "flag": True, "maker": {"lastName": "Corp"}}
    )
    assert status == 201
    created = body["data"]["createGadget"]
    assert (created["color"], created["size"], created["flag"], created["maker"]) == (
        "BLUE",
        9,
        True,
        {"firstName": "Acme", "lastName": "Corp"},  # the sub-field left out keeps its default, as in Twenty
    )


def test_a_partial_composite_keeps_the_default_of_each_sub_field_it_leaves_out(api, gadgets):
    # given: a CURRENCY defaulting to EUR
    create_field(api, gadgets, "price", "CURRENCY", defaultValue={"amountMicros": None, "currencyCode": "'EUR'"})
    # when
    rest = api.post("/rest/gadgets", {"serial": "S-1", "price": {"amountMicros": 5_000_000}})[1]["data"]["createGadget"]
    mutation = 'mutation { createGadget(data: {serial: "S-2", price: {amountMicros: 7000000}}) { price { amountMicros currencyCode } } }'
    graphql = api.post("/graphql", {"query": mutation})[1]["data"]
    emptied = api.post("/rest/gadgets", {"serial": "S-3", "price": {"amountMicros": 1, "currencyCode": None}})[1]
    # then: a sub-field given as null is emptied, not defaulted
    assert rest["price"] == {"amountMicros": 5_000_000, "currencyCode": "EUR"}
    assert graphql["createGadget"]["price"] == {"amountMicros": 7_000_000, "currencyCode": "EUR"}
    assert emptied["data"]["createGadget"]["price"] == {"amountMicros": 1, "currencyCode": ""}


def test_standard_default_values_apply(api, records):
    opportunity = records.opportunity("Deal")
    company = records.company("Acme")
    assert opportunity["stage"] == "NEW"
    assert company["idealCustomerProfile"] is False


INVALID_CREATES = [
    pytest.param("people", {"nickname": "Ada"}, ["Unknown field 'nickname' on object 'person'"], id="unknown_field"),
    pytest.param(
        "people",
        {"jobTitle": 42},
        ["Invalid value for field 'jobTitle': expected a string, got 42"],
        id="text_given_a_number",
    ),
    pytest.param(
        "companies",
        {"employees": "12"},
        ["Invalid value for field 'employees': expected a number, got \"12\""],
        id="number_given_a_string",
    ),
    pytest.param(
        "companies",
        {"employees": 1.5},
        ["Invalid value for field 'employees': expected an integer, got 1.5"],
        id="integer_given_a_fraction",
    ),
    pytest.param(
        "companies",
        {"idealCustomerProfile": "yes"},
        ["Invalid value for field 'idealCustomerProfile': expected true or false, got \"yes\""],
        id="boolean_given_a_string",
    ),
    pytest.param(
        "opportunities",
        {"closeDate": "next week"},
        [
            "Invalid value for field 'closeDate': expected an ISO 8601 date-time such as "
            '"2024-01-31T09:30:00Z", got "next week"'
        ],
        id="datetime_not_iso",
    ),
    pytest.param(
        "people",
        {"name": "Ada"},
        ["Invalid value for field 'name': expected an object with sub-fields firstName, lastName, got \"Ada\""],
        id="composite_given_a_string",
    ),
    pytest.param(
        "people",
        {"name": {"middleName": "B"}},
        ["Invalid value for field 'name.middleName': unknown sub-field 'middleName'; expected firstName, lastName"],
        id="composite_unknown_sub_field",
    ),
    pytest.param(
        "people",
        {"emails": {"primaryEmail": "not-an-email"}},
        ["Invalid value for field 'emails.primaryEmail': expected an email address, got \"not-an-email\""],
        id="composite_sub_field_format",
    ),
    pytest.param(
        "opportunities",
        {"amount": {"amountMicros": 5, "currencyCode": "dollars"}},
        [
            "Invalid value for field 'amount.currencyCode': expected a currency code of three capital letters "
            'such as "USD", got "dollars"'
        ],
        id="currency_code",
    ),
    pytest.param(
        "opportunities",
        {"stage": "LOST"},
        ["Invalid value for field 'stage': expected one of NEW, SCREENING, MEETING, PROPOSAL, CUSTOMER, got \"LOST\""],
        id="select_value_not_an_option",
    ),
    pytest.param("opportunities", {"stage": None}, ["Field 'stage' cannot be null"], id="non_nullable_given_null"),
    pytest.param(
        "people",
        {"companyId": "nope"},
        ["Invalid value for field 'companyId': expected a UUID, got \"nope\""],
        id="join_id_not_a_uuid",
    ),
    pytest.param(
        "people",
        {"companyId": MISSING_ID},
        [f"Field 'companyId': no company record has id '{MISSING_ID}'"],
        id="join_id_of_no_record",
    ),
    pytest.param(
        "people",
        {"company": {"name": "Acme"}},
        ["Relation 'company' cannot be written directly; set 'companyId' to the id of a company record"],
        id="many_to_one_relation_itself",
    ),
    pytest.param(
        "companies",
        {"people": []},
        ["Relation 'people' cannot be written from this side; set the join column on the related records"],
        id="one_to_many_relation",
    ),
    pytest.param(
        "people", {"id": "nope"}, ["Invalid value for field 'id': expected a UUID, got \"nope\""], id="id_not_a_uuid"
    ),
    pytest.param(
        # employees is an int NUMBER: GraphQL's Int, 32 bits, which GraphQL could not read back otherwise
        "companies",
        {"employees": 2**31},
        ["Invalid value for field 'employees': expected an integer between -2147483648 and 2147483647, got 2147483648"],
        id="int_beyond_32_bits",
    ),
    *[
        pytest.param(
            "people", {field: value}, [f"Field '{field}' is read-only: the server sets it"], id=f"read_only_{field}"
        )
        for field, value in (
            ("createdAt", "2024-01-01T00:00:00Z"),
            ("updatedAt", "2024-01-01T00:00:00Z"),
            ("deletedAt", None),
            ("createdBy", {"source": "IMPORT"}),
            ("updatedBy", {"source": "API"}),
        )
    ],
    pytest.param(
        "people",
        {"nickname": 1, "jobTitle": 2, "createdAt": None},
        [
            "Unknown field 'nickname' on object 'person'",
            "Invalid value for field 'jobTitle': expected a string, got 2",
            "Field 'createdAt' is read-only: the server sets it",
        ],
        id="every_problem_reported_at_once",
    ),
]


@pytest.mark.parametrize(("plural", "body", "messages"), INVALID_CREATES)
def test_invalid_create_is_a_400_naming_the_field_and_writes_nothing(api, plural, body, messages):
    # when
    answer = api.post(f"/rest/{plural}", body)
    # then
    assert answer == bad_request(*messages)
    assert count(api, plural) == 0


def test_create_linking_a_record_of_another_object_is_a_400(api, records):
    person = records.person("Ada")
    answer = api.post("/rest/people", {"companyId": person["id"]})
    assert answer == bad_request(f"Field 'companyId': no company record has id '{person['id']}'")
    assert count(api, "people") == 1


def test_create_missing_a_required_field_is_a_400(api, gadgets):
    assert api.post("/rest/gadgets", {"name": "x"}) == bad_request("Field 'serial' is required")
    assert api.post("/rest/gadgets", {"serial": None}) == bad_request("Field 'serial' cannot be null")
    assert count(api, "gadgets") == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            [{"name": "Acme"}],
            "The body must be a JSON object (the record); use POST /rest/batch/{plural} for several",
            id="array",
        ),
        pytest.param(
            "Acme",
            "The body must be a JSON object (the record); use POST /rest/batch/{plural} for several",
            id="string",
        ),
    ],
)
def test_create_one_needs_a_json_object(api, body, message):
    assert api.post("/rest/companies", body) == bad_request(message)


def test_create_with_malformed_json_is_a_400_with_the_parser_reason(api):
    # given
    raw = b'{"name": "Acme",}'
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        reason = str(error)
    # when / then
    assert api.post("/rest/companies", raw=raw) == bad_request(f"Invalid JSON body: {reason}")


# --- create many (batch) --------------------------------------------------------------------------


def test_batch_returns_201_and_the_records_in_input_order_under_create_plural(api):
    # when
    status, body = api.post(
        "/rest/batch/people",
        [{"name": {"firstName": "Ada"}}, {"name": {"firstName": "Alan"}}, {"name": {"firstName": "Grace"}}],
    )
    # then
    assert status == 201
    assert list(body["data"]) == ["createPeople"]
    created = body["data"]["createPeople"]
    assert [p["name"]["firstName"] for p in created] == ["Ada", "Alan", "Grace"]
    assert [p["createdBy"] for p in created] == [actor()] * 3
    status, listed = api.get("/rest/people", order_by="position")
    assert listed["data"]["people"] == created


TRICKY_TEXTS = ['say "hi"', 'back\\slash \\"', "{braces},commas", "NULL", " padded ", "émoji 🚀", ""]


def test_a_batch_keeps_every_character_of_its_texts_in_values_and_index(api):
    # given: texts an array literal must quote (the rows of a small batch travel as arrays)
    people = [{"name": {"firstName": text, "lastName": "Q"}, "jobTitle": text} for text in TRICKY_TEXTS]
    # when
    status, body = api.post("/rest/batch/people", people)
    # then: read back as written, and found through the index by each exact value
    assert status == 201, body
    assert [(p["name"]["firstName"], p["jobTitle"]) for p in body["data"]["createPeople"]] == [
        (text, text) for text in TRICKY_TEXTS
    ]
    query = "query ($v: String) { people(filter: {name: {firstName: {eq: $v}}}) { edges { node { jobTitle } } } }"
    found = []
    for text in TRICKY_TEXTS[:-1]:  # an empty firstName is "no value" to a filter
        status, listed = api.post("/graphql", {"query": query, "variables": {"v": text}})
        assert status == 200 and "errors" not in listed, listed
        found.append([edge["node"]["jobTitle"] for edge in listed["data"]["people"]["edges"]])
    assert found == [[text] for text in TRICKY_TEXTS[:-1]]


def test_batch_of_60_records_is_accepted(api):
    status, body = api.post("/rest/batch/companies", [{"name": f"C{n}"} for n in range(60)])
    assert status == 201
    assert [c["name"] for c in body["data"]["createCompanies"]] == [f"C{n}" for n in range(60)]
    assert count(api, "companies") == 60


def test_batch_of_61_records_is_a_400_and_writes_nothing(api):
    answer = api.post("/rest/batch/companies", [{"name": f"C{n}"} for n in range(61)])
    assert answer == bad_request("Too many records: at most 60 per request, got 61")
    assert count(api, "companies") == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param([], "Input must not be empty", id="empty_array"),
        pytest.param({"name": "Acme"}, "The body must be a JSON array of records", id="object"),
        pytest.param(None, "The body must be a JSON array of records", id="no_body"),
    ],
)
def test_batch_needs_a_non_empty_array(api, body, message):
    assert api.post("/rest/batch/companies", body) == bad_request(message)


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        pytest.param(
            [{"name": "A"}, {"nickname": "B"}, {"name": "C"}],
            ["Record 1: Unknown field 'nickname' on object 'company'"],
            id="one_invalid_record",
        ),
        pytest.param(
            [{"employees": "many"}, {"name": "B"}, {"accountOwnerId": MISSING_ID}],
            ["Record 0: Invalid value for field 'employees': expected a number, got \"many\""],
            id="link_checked_only_when_values_are_valid",
        ),
        pytest.param(
            [{"name": "A"}, {"accountOwnerId": MISSING_ID}],
            [f"Record 1: Field 'accountOwnerId': no workspaceMember record has id '{MISSING_ID}'"],
            id="one_broken_link",
        ),
        pytest.param(
            [
                {"name": "A", "domainName": {"primaryLinkUrl": "acme.com"}},
                {"name": "B", "domainName": {"primaryLinkUrl": "ACME.com"}},
            ],
            [
                "Record 1: Duplicate value for unique field 'domainName.primaryLinkUrl': 'acme.com' appears twice in this request"
            ],
            id="same_unique_value_twice",
        ),
        pytest.param(
            [{"id": MISSING_ID, "name": "A"}, {"id": MISSING_ID, "name": "B"}],
            [f"Record 1: id '{MISSING_ID}' appears twice in this request"],
            id="same_id_twice",
        ),
    ],
)
def test_batch_is_all_or_nothing(api, body, messages):
    # when
    answer = api.post("/rest/batch/companies", body)
    # then
    assert answer == bad_request(*messages)
    assert count(api, "companies") == 0


def test_batch_reusing_an_existing_id_is_a_400_and_writes_nothing(api, records):
    existing = records.company("Acme")
    answer = api.post("/rest/batch/companies", [{"name": "New"}, {"id": existing["id"], "name": "Again"}])
    assert answer == bad_request(f"Record {existing['id']} already exists")
    assert count(api, "companies") == 1


# --- update one -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_one_returns_the_updated_record_under_update_singular(api, workspace, records, method):
    # given
    person = records.person("Ada", "Lovelace", "ada@acme.com", jobTitle="Analyst")
    _, token = create_api_key(workspace, {"name": "second key"})
    time.sleep(0.002)  # timestamps have millisecond precision
    # when
    status, body = getattr(client_for(token), method)(f"/rest/people/{person['id']}", {"jobTitle": "Countess"})
    # then
    assert status == 200
    updated = body["data"]["updatePerson"]
    assert updated == {**person, "jobTitle": "Countess", "updatedAt": INSTANT, "updatedBy": actor("second key")}
    assert updated["updatedAt"] > person["updatedAt"]
    assert updated["createdAt"] == person["createdAt"]
    assert updated["createdBy"] == actor("test key")
    assert api.get(f"/rest/people/{person['id']}") == (200, {"data": {"person": updated}})


def test_update_of_a_composite_merges_the_given_sub_fields(api, records):
    # given
    person = records.person("Ada", "Lovelace", "ada@acme.com")
    api.patch(f"/rest/people/{person['id']}", {"emails": {"additionalEmails": ["countess@acme.com"]}})
    # when
    status, body = api.patch(
        f"/rest/people/{person['id']}", {"name": {"lastName": "King"}, "emails": {"primaryEmail": "ada@king.com"}}
    )
    # then
    assert status == 200
    assert body["data"]["updatePerson"]["name"] == {"firstName": "Ada", "lastName": "King"}
    assert body["data"]["updatePerson"]["emails"] == {
        "primaryEmail": "ada@king.com",
        "additionalEmails": ["countess@acme.com"],
    }


def test_update_can_clear_a_nullable_field_and_a_link(api, records):
    # given
    company = records.company("Acme")
    person = records.person("Ada", companyId=company["id"], jobTitle="Analyst")
    # when
    status, body = api.patch(f"/rest/people/{person['id']}", {"jobTitle": None, "companyId": None})
    # then
    assert status == 200
    assert (body["data"]["updatePerson"]["jobTitle"], body["data"]["updatePerson"]["companyId"]) == (None, None)


def test_update_with_its_own_id_in_the_body_is_accepted(api, records):
    company = records.company("Acme")
    status, body = api.patch(f"/rest/companies/{company['id']}", {"id": company["id"], "name": "Acme Inc"})
    assert status == 200
    assert body["data"]["updateCompany"]["name"] == "Acme Inc"


INVALID_UPDATES = [
    pytest.param({"nickname": "x"}, ["Unknown field 'nickname' on object 'company'"], id="unknown_field"),
    pytest.param(
        {"employees": "ten"}, ["Invalid value for field 'employees': expected a number, got \"ten\""], id="wrong_type"
    ),
    pytest.param(
        {"idealCustomerProfile": None}, ["Field 'idealCustomerProfile' cannot be null"], id="non_nullable_null"
    ),
    pytest.param(
        {"accountOwnerId": MISSING_ID},
        [f"Field 'accountOwnerId': no workspaceMember record has id '{MISSING_ID}'"],
        id="broken_link",
    ),
    pytest.param(
        {"createdAt": "2024-01-01T00:00:00Z"}, ["Field 'createdAt' is read-only: the server sets it"], id="read_only"
    ),
    pytest.param({"id": MISSING_ID}, ["Field 'id' is read-only"], id="another_id"),
    pytest.param(
        {"name": "Renamed", "address": {"addressZip": "x"}},
        [
            "Invalid value for field 'address.addressZip': unknown sub-field 'addressZip'; expected addressStreet1, "
            "addressStreet2, addressCity, addressPostcode, addressState, addressCountry, addressLat, addressLng"
        ],
        id="one_bad_value_among_good_ones",
    ),
]


@pytest.mark.parametrize(("body", "messages"), INVALID_UPDATES)
def test_invalid_update_is_a_400_and_changes_nothing(api, records, body, messages):
    # given
    company = records.company("Acme", employees=5)
    # when
    answer = api.patch(f"/rest/companies/{company['id']}", body)
    # then
    assert answer == bad_request(*messages)
    assert api.get(f"/rest/companies/{company['id']}") == (200, {"data": {"company": company}})


def test_update_taking_a_unique_value_of_another_record_is_a_400(api, records):
    # given
    ada = records.person("Ada", email="ada@acme.com")
    alan = records.person("Alan", email="alan@acme.com")
    # when
    answer = api.patch(f"/rest/people/{alan['id']}", {"emails": {"primaryEmail": "ADA@acme.com"}})
    # then
    assert answer == bad_request(
        f"Duplicate value for unique field 'emails.primaryEmail': 'ada@acme.com' is already used by record {ada['id']}"
    )
    assert api.get(f"/rest/people/{alan['id']}")[1]["data"]["person"]["emails"]["primaryEmail"] == "alan@acme.com"


def test_update_freeing_a_unique_value_lets_another_record_take_it(api, records):
    # given
    ada = records.person("Ada", email="ada@acme.com")
    alan = records.person("Alan", email="alan@acme.com")
    # when
    first = api.patch(f"/rest/people/{ada['id']}", {"emails": {"primaryEmail": "countess@acme.com"}})
    second = api.patch(f"/rest/people/{alan['id']}", {"emails": {"primaryEmail": "ada@acme.com"}})
    # then
    assert (first[0], second[0]) == (200, 200)
    assert second[1]["data"]["updatePerson"]["emails"]["primaryEmail"] == "ada@acme.com"


@pytest.mark.parametrize("method", ["patch", "put"])
def test_update_of_an_unknown_id_is_a_404(api, method):
    assert getattr(api, method)(f"/rest/people/{MISSING_ID}", {"jobTitle": "x"}) == not_found("people", MISSING_ID)


def test_update_of_a_soft_deleted_record_is_a_404(api, records):
    person = records.person("Ada")
    api.delete(f"/rest/people/{person['id']}", soft_delete="true")
    assert api.patch(f"/rest/people/{person['id']}", {"jobTitle": "x"}) == not_found("people", person["id"])


# --- delete one and restore one -------------------------------------------------------------------


def test_delete_one_destroys_the_record_by_default(api, records):
    # given
    person = records.person("Ada", email="ada@acme.com")
    # when
    answer = api.delete(f"/rest/people/{person['id']}")
    # then
    assert answer == (200, {"data": {"deletePerson": {"id": person["id"]}}})
    assert api.get(f"/rest/people/{person['id']}") == not_found("people", person["id"])
    assert count(api, "people", "deletedAt[is]:NOT_NULL") == 0
    assert api.patch(f"/rest/restore/people/{person['id']}") == not_found("people", person["id"])
    assert records.person("Again", email="ada@acme.com")["emails"]["primaryEmail"] == "ada@acme.com"


def test_delete_one_with_soft_delete_moves_the_record_to_the_trash(api, records):
    # given
    person = records.person("Ada")
    # when
    answer = api.delete(f"/rest/people/{person['id']}", soft_delete="true")
    # then
    assert answer == (200, {"data": {"deletePerson": {"id": person["id"]}}})
    assert api.get(f"/rest/people/{person['id']}") == not_found("people", person["id"])
    _status, body = api.get("/rest/people", filter="deletedAt[is]:NOT_NULL")
    assert body["data"]["people"] == [{**person, "deletedAt": INSTANT, "updatedAt": INSTANT}]


@pytest.mark.parametrize("flag", ["false", "TRUE", "1", "yes"])
def test_soft_delete_flag_other_than_true_destroys(api, records, flag):
    person = records.person("Ada")
    assert api.delete(f"/rest/people/{person['id']}", soft_delete=flag)[0] == 200
    assert count(api, "people", "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)") == 0


def test_destroy_also_removes_a_soft_deleted_record(api, records):
    person = records.person("Ada")
    api.delete(f"/rest/people/{person['id']}", soft_delete="true")
    assert api.delete(f"/rest/people/{person['id']}") == (200, {"data": {"deletePerson": {"id": person["id"]}}})
    assert count(api, "people", "deletedAt[is]:NOT_NULL") == 0


def test_soft_delete_of_a_record_already_in_the_trash_is_a_404(api, records):
    person = records.person("Ada")
    api.delete(f"/rest/people/{person['id']}", soft_delete="true")
    assert api.delete(f"/rest/people/{person['id']}", soft_delete="true") == not_found("people", person["id"])


@pytest.mark.parametrize("soft", ["true", "false"])
def test_delete_of_an_unknown_id_is_a_404(api, soft):
    assert api.delete(f"/rest/people/{MISSING_ID}", soft_delete=soft) == not_found("people", MISSING_ID)


def test_destroying_a_company_clears_the_links_of_its_people(api, records):
    # given
    company = records.company("Acme")
    person = records.person("Ada", companyId=company["id"])
    # when
    api.delete(f"/rest/companies/{company['id']}")
    # then
    assert api.get(f"/rest/people/{person['id']}")[1]["data"]["person"]["companyId"] is None


def test_destroying_a_note_destroys_its_note_targets(api, records):
    # given
    company = records.company("Acme")
    note = records.create("notes", {"title": "Call"})
    records.create("noteTargets", {"noteId": note["id"], "companyId": company["id"]})
    # when
    api.delete(f"/rest/notes/{note['id']}")
    # then
    assert count(api, "noteTargets", "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)") == 0


def test_restore_one_takes_the_record_out_of_the_trash(api, records):
    # given
    person = records.person("Ada")
    api.delete(f"/rest/people/{person['id']}", soft_delete="true")
    # when
    status, body = api.patch(f"/rest/restore/people/{person['id']}")
    # then
    assert status == 200
    assert body == {"data": {"restorePerson": {**person, "updatedAt": INSTANT}}}
    assert api.get(f"/rest/people/{person['id']}") == (200, {"data": {"person": body["data"]["restorePerson"]}})


def test_restore_of_an_unknown_id_is_a_404(api):
    assert api.patch(f"/rest/restore/people/{MISSING_ID}") == not_found("people", MISSING_ID)


def test_a_soft_deleted_record_keeps_its_unique_values(api, records):
    # given
    person = records.person("Ada", email="ada@acme.com")
    api.delete(f"/rest/people/{person['id']}", soft_delete="true")
    # when
    answer = api.post("/rest/people", {"emails": {"primaryEmail": "ada@acme.com"}})
    # then
    assert answer == bad_request(
        f"Duplicate value for unique field 'emails.primaryEmail': 'ada@acme.com' is already used by record {person['id']}"
    )


def test_updated_records_list_in_position_order(api, records):
    # given
    first, second = records.company("A"), records.company("B")
    # when
    api.patch(f"/rest/companies/{first['id']}", {"position": 10})
    # then
    _status, body = api.get("/rest/companies", order_by="position")
    assert ids_of(body["data"]["companies"]) == [second["id"], first["id"]]
    assert first_value(api.get(f"/rest/companies/{first['id']}")[1])["position"] == 10.0


def test_an_update_to_position_first_or_last_moves_the_record_to_that_end(api):
    # given
    ids = [api.post("/rest/companies", {"name": n})[1]["data"]["createCompany"]["id"] for n in ("Pa", "Pb", "Pc")]

    def order() -> list[str]:
        body = api.get("/rest/companies", order_by="position[AscNullsLast]", filter="name[in]:[Pa,Pb,Pc]")[1]
        return [c["name"] for c in body["data"]["companies"]]

    # when / then
    assert api.patch(f"/rest/companies/{ids[2]}", {"position": "first"})[0] == 200
    assert order() == ["Pc", "Pa", "Pb"]
    mutation = 'mutation($id: UUID!) { updateCompany(id: $id, data: {position: "last"}) { name } }'
    assert api.post("/graphql", {"query": mutation, "variables": {"id": ids[0]}})[0] == 200
    assert order() == ["Pc", "Pb", "Pa"]
    last = Event.objects.filter(record_id=ids[0]).order_by("occurred_at", "id").last()
    assert (last.name, last.updated_fields) == ("company.updated", ["position"])
