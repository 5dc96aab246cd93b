"""Contract of the field-type table: every type round-trips valid values and refuses invalid ones.

The specs are built directly (no database) for the table contract; the last part creates a custom
field of every creatable type through the REST API, with a valid and an invalid ``defaultValue``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from metadata_app.field_types import FIELD_TYPES, FieldValueError
from metadata_app.field_types.choices import RATING_VALUES
from metadata_app.specs import FieldSpec
from tests.metadata.helpers import error, object_id

UUID_VALUE = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"
OPTIONS = (
    {"id": "1", "label": "A", "value": "A", "color": "red", "position": 0},
    {"id": "2", "label": "B", "value": "B", "color": "blue", "position": 1},
)
RATING_OPTIONS = tuple(
    {"id": v, "label": v[-1], "value": v, "color": "red", "position": n} for n, v in enumerate(RATING_VALUES)
)


def spec_for(type_name: str, **settings: Any) -> FieldSpec:
    """A FieldSpec of ``type_name`` with the options the choice types need."""
    options = {"SELECT": OPTIONS, "MULTI_SELECT": OPTIONS, "RATING": RATING_OPTIONS}.get(type_name, ())
    return FieldSpec(
        id=UUID_VALUE,
        object_id=UUID_VALUE,
        name="field",
        label="Field",
        type=type_name,
        storage_key="field",
        options=options,
        settings=settings,
    )


class Valid(NamedTuple):
    type: str
    case: str
    value: Any
    api: Any
    settings: dict = {}


class Invalid(NamedTuple):
    type: str
    case: str
    value: Any
    message: str
    path: str | None = None
    settings: dict = {}


VALID = [
    Valid("UUID", "upper-case", UUID_VALUE.upper(), UUID_VALUE),
    Valid("TEXT", "word", "Ada", "Ada"),
    Valid("TEXT", "empty", "", ""),
    Valid(
        "PHONES",
        "primary",
        {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR", "primaryPhoneCallingCode": "+33"},
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": None,
        },
    ),
    Valid(
        "PHONES",
        "additional",
        {"additionalPhones": [{"number": "1"}]},
        {
            "primaryPhoneNumber": "",
            "primaryPhoneCountryCode": "",
            "primaryPhoneCallingCode": "",
            "additionalPhones": [{"number": "1"}],
        },
    ),
    Valid(
        "EMAILS",
        "both",
        {"primaryEmail": "ada@example.com", "additionalEmails": ["a@b.co"]},
        {"primaryEmail": "ada@example.com", "additionalEmails": ["a@b.co"]},
    ),
    Valid(
        "EMAILS",
        "partial",
        {"primaryEmail": "ada@example.com"},
        {"primaryEmail": "ada@example.com", "additionalEmails": None},
    ),
    Valid("DATE_TIME", "offset", "2024-01-31T10:30:00+01:00", "2024-01-31T09:30:00.000Z"),
    Valid("DATE_TIME", "zulu", "2024-01-31T09:30:00.123456Z", "2024-01-31T09:30:00.123Z"),
    Valid("DATE", "date", "2024-02-29", "2024-02-29"),
    Valid("DATE", "date-time", "2024-02-29T23:00:00Z", "2024-02-29"),
    Valid("BOOLEAN", "true", True, True),
    Valid("BOOLEAN", "false", False, False),
    Valid("NUMBER", "float", 3.5, 3.5),
    Valid("NUMBER", "int-setting", 4.0, 4, {"dataType": "int"}),
    Valid("NUMERIC", "string", "12.50", 12.5),
    Valid("NUMERIC", "integer", 7, 7),
    Valid(
        "LINKS",
        "links",
        {"primaryLinkUrl": "https://x.dev", "secondaryLinks": [{"url": "https://y.dev", "label": "Y"}]},
        {
            "primaryLinkUrl": "https://x.dev",
            "primaryLinkLabel": "",
            "secondaryLinks": [{"url": "https://y.dev", "label": "Y"}],
        },
    ),
    Valid(
        "CURRENCY",
        "amount",
        {"amountMicros": 1500000, "currencyCode": "EUR"},
        {"amountMicros": 1500000, "currencyCode": "EUR"},
    ),
    Valid("CURRENCY", "string-amount", {"amountMicros": "2000000"}, {"amountMicros": 2000000, "currencyCode": ""}),
    Valid("FULL_NAME", "first-only", {"firstName": "Ada"}, {"firstName": "Ada", "lastName": ""}),
    Valid("FULL_NAME", "null-sub-field", {"firstName": "Ada", "lastName": None}, {"firstName": "Ada", "lastName": ""}),
    Valid("RATING", "rating", "RATING_3", "RATING_3"),
    Valid("SELECT", "option", "B", "B"),
    Valid("MULTI_SELECT", "distinct", ["B", "A", "B"], ["B", "A"]),
    Valid("MULTI_SELECT", "empty", [], []),
    Valid("RELATION", "join-id", UUID_VALUE.upper(), UUID_VALUE),
    Valid("POSITION", "number", 2.5, 2.5),
    Valid("POSITION", "first", "first", "first"),
    Valid(
        "ADDRESS",
        "city",
        {"addressCity": "Paris", "addressLat": 48.85},
        {
            "addressStreet1": "",
            "addressStreet2": "",
            "addressCity": "Paris",
            "addressPostcode": "",
            "addressState": "",
            "addressCountry": "",
            "addressLat": 48.85,
            "addressLng": None,
        },
    ),
    Valid("RAW_JSON", "object", {"a": [1, {"b": None}], "c": True}, {"a": [1, {"b": None}], "c": True}),
    Valid("RAW_JSON", "string", "text", "text"),
    Valid("RICH_TEXT", "markup", "<p>Hi</p>", "<p>Hi</p>"),
    Valid("RICH_TEXT_V2", "markdown", {"markdown": "# Hi"}, {"blocknote": None, "markdown": "# Hi"}),
    Valid(
        "ACTOR", "source", {"source": "API"}, {"source": "API", "workspaceMemberId": None, "name": "", "context": {}}
    ),
    Valid(
        "ACTOR",
        "context",
        {"source": "IMPORT", "context": {"file": "a.csv"}},
        {"source": "IMPORT", "workspaceMemberId": None, "name": "", "context": {"file": "a.csv"}},
    ),
    Valid("ARRAY", "strings", ["a", "b"], ["a", "b"]),
]

INVALID = [
    Invalid("UUID", "not-a-uuid", "not-a-uuid", 'expected a UUID, got "not-a-uuid"'),
    Invalid("UUID", "number", 42, "expected a UUID string, got 42"),
    Invalid("TEXT", "number", 42, "expected a string, got 42"),
    Invalid(
        "PHONES",
        "unknown-sub-field",
        {"fax": "1"},
        "unknown sub-field 'fax'; expected primaryPhoneNumber, primaryPhoneCountryCode, primaryPhoneCallingCode, "
        "additionalPhones",
        "fax",
    ),
    Invalid(
        "PHONES",
        "additional-not-list",
        {"additionalPhones": "1"},
        'expected an array of {number, countryCode, callingCode} objects, got "1"',
        "additionalPhones",
    ),
    Invalid(
        "PHONES",
        "additional-unknown-key",
        {"additionalPhones": [{"number": "1", "bogus": "x"}]},
        "item 0: unknown key 'bogus'; expected number, countryCode, callingCode",
        "additionalPhones",
    ),
    Invalid(
        "PHONES",
        "additional-without-number",
        {"additionalPhones": [{"number": "1"}, {"callingCode": "+33"}]},
        "item 1: 'number' is required (a string)",
        "additionalPhones",
    ),
    Invalid("EMAILS", "bad-primary", {"primaryEmail": "nope"}, 'expected an email address, got "nope"', "primaryEmail"),
    Invalid(
        "EMAILS",
        "bad-additional",
        {"additionalEmails": ["ok@x.com", 5]},
        "item 1: expected an email address, got 5",
        "additionalEmails",
    ),
    Invalid(
        "EMAILS",
        "not-object",
        "ada@example.com",
        'expected an object with sub-fields primaryEmail, additionalEmails, got "ada@example.com"',
    ),
    Invalid(
        "DATE_TIME",
        "french",
        "31/01/2024",
        'expected an ISO 8601 date-time such as "2024-01-31T09:30:00Z", got "31/01/2024"',
    ),
    Invalid("DATE_TIME", "number", 1706693400, "expected an ISO 8601 date-time string, got 1706693400"),
    Invalid("DATE", "no-such-day", "2024-02-30", 'expected a date such as "2024-01-31", got "2024-02-30"'),
    Invalid("BOOLEAN", "string", "true", 'expected true or false, got "true"'),
    Invalid("BOOLEAN", "number", 1, "expected true or false, got 1"),
    Invalid("NUMBER", "string", "3", 'expected a number, got "3"'),
    Invalid("NUMBER", "boolean", True, "expected a number, got true"),
    Invalid("NUMBER", "fraction-for-int", 1.5, "expected an integer, got 1.5", settings={"dataType": "int"}),
    Invalid("NUMERIC", "word", "abc", 'expected a number, got "abc"'),
    Invalid("NUMERIC", "infinity", float("inf"), "expected a finite number"),
    Invalid(
        "LINKS",
        "bad-secondary",
        {"secondaryLinks": [{"href": "x"}]},
        "item 0: unknown key 'href'; expected url, label",
        "secondaryLinks",
    ),
    Invalid(
        "LINKS",
        "secondary-without-url",
        {"secondaryLinks": [{"url": "https://a.com"}, {"label": "no url"}]},
        "item 1: 'url' is required (a string)",
        "secondaryLinks",
    ),
    Invalid(
        "CURRENCY",
        "bad-code",
        {"currencyCode": "euro"},
        'expected a currency code of three capital letters such as "USD", got "euro"',
        "currencyCode",
    ),
    Invalid("CURRENCY", "bad-amount", {"amountMicros": "lots"}, 'expected a number, got "lots"', "amountMicros"),
    Invalid("FULL_NAME", "number-sub-field", {"firstName": 1}, "expected a string, got 1", "firstName"),
    Invalid(
        "RATING",
        "out-of-range",
        "RATING_6",
        'expected one of RATING_1, RATING_2, RATING_3, RATING_4, RATING_5, got "RATING_6"',
    ),
    Invalid("SELECT", "not-an-option", "C", 'expected one of A, B, got "C"'),
    Invalid("MULTI_SELECT", "not-a-list", "A", 'expected an array of values among A, B, got "A"'),
    Invalid("MULTI_SELECT", "not-an-option", ["A", "Z"], 'expected values among A, B, got "Z"'),
    Invalid("RELATION", "not-a-uuid", "company-1", 'expected a UUID, got "company-1"'),
    Invalid("POSITION", "word", "middle", 'expected a number, "first" or "last", got "middle"'),
    Invalid("ADDRESS", "bad-latitude", {"addressLat": "north"}, 'expected a number, got "north"', "addressLat"),
    Invalid(
        "RAW_JSON",
        "nan",
        {"score": float("nan")},
        "expected JSON, got a non-finite number (NaN and Infinity are not JSON)",
    ),
    Invalid("RAW_JSON", "python-set", {1, 2}, "expected a JSON value, got {1, 2}"),
    Invalid("RICH_TEXT", "list", ["x"], "expected a string, got an array"),
    Invalid(
        "RICH_TEXT_V2",
        "unknown-sub-field",
        {"html": "<p>"},
        "unknown sub-field 'html'; expected blocknote, markdown",
        "html",
    ),
    Invalid(
        "ACTOR",
        "bad-source",
        {"source": "ROBOT"},
        'expected one of EMAIL, CALENDAR, WORKFLOW, AGENT, API, IMPORT, MANUAL, SYSTEM, WEBHOOK, got "ROBOT"',
        "source",
    ),
    Invalid(
        "ACTOR", "read-only-sub-field", {"name": "Ada"}, "unknown sub-field 'name'; expected source, context", "name"
    ),
    Invalid("ARRAY", "number-item", ["a", 1], "item 1: expected a string, got 1"),
]


def test_contract_covers_exactly_the_field_type_table():
    assert {case.type for case in VALID} == set(FIELD_TYPES)
    assert {case.type for case in INVALID} == set(FIELD_TYPES)


@pytest.mark.parametrize("case", VALID, ids=[f"{c.type}-{c.case}" for c in VALID])
def test_valid_value_round_trips(case):
    # given
    spec = spec_for(case.type, **case.settings)
    # when
    stored = spec.field_type.normalize(case.value, spec)
    # then
    assert spec.field_type.to_api(stored, spec) == case.api


# ACTOR's output carries server-filled sub-fields (name, workspaceMemberId) that clients may not write.
WRITABLE = [case for case in VALID if case.type != "ACTOR"]


@pytest.mark.parametrize("case", WRITABLE, ids=[f"{c.type}-{c.case}" for c in WRITABLE])
def test_api_output_written_back_is_stored_unchanged(case):
    spec = spec_for(case.type, **case.settings)
    stored = spec.field_type.normalize(case.value, spec)
    assert spec.field_type.normalize(spec.field_type.to_api(stored, spec), spec) == stored


@pytest.mark.parametrize("case", INVALID, ids=[f"{c.type}-{c.case}" for c in INVALID])
def test_invalid_value_is_refused_naming_the_sub_field(case):
    spec = spec_for(case.type, **case.settings)
    with pytest.raises(FieldValueError) as raised:
        spec.field_type.normalize(case.value, spec)
    assert (raised.value.message, raised.value.path) == (case.message, case.path)


@pytest.mark.parametrize("type_name", sorted(FIELD_TYPES))
def test_missing_value_reads_as_the_empty_value(type_name):
    spec = spec_for(type_name)
    assert spec.field_type.to_api(None, spec) == spec.field_type.empty_value(spec)


def test_composite_update_changes_only_the_named_sub_fields():
    spec = spec_for("FULL_NAME")
    current = {"firstName": "Ada", "lastName": "Lovelace"}
    assert spec.field_type.normalize_update({"lastName": "Byron"}, current, spec) == {
        "firstName": "Ada",
        "lastName": "Byron",
    }


# --- every creatable type through the REST API --------------------------------------------------


class Default(NamedTuple):
    type: str
    extra: dict
    valid: Any
    api: Any
    invalid: Any
    message: str


SELECT_OPTIONS = [{"label": "Low", "value": "LOW"}, {"label": "High", "value": "HIGH"}]
DEFAULTS = [
    Default("UUID", {}, UUID_VALUE, f"'{UUID_VALUE}'", "nope", 'defaultValue is invalid: expected a UUID, got "nope"'),
    Default("TEXT", {}, "'hello'", "'hello'", 42, "defaultValue is invalid: expected a string, got 42"),
    Default(
        "PHONES",
        {},
        {"primaryPhoneCountryCode": "'FR'"},
        {
            "primaryPhoneNumber": "''",
            "primaryPhoneCountryCode": "'FR'",
            "primaryPhoneCallingCode": "''",
            "additionalPhones": None,
        },
        {"additionalPhones": "x"},
        'defaultValue.additionalPhones is invalid: expected an array of {number, countryCode, callingCode} objects, got "x"',
    ),
    Default(
        "EMAILS",
        {},
        {"primaryEmail": "'a@b.co'"},
        {"primaryEmail": "'a@b.co'", "additionalEmails": None},
        {"primaryEmail": "x"},
        'defaultValue.primaryEmail is invalid: expected an email address, got "x"',
    ),
    Default(
        "DATE_TIME",
        {},
        "2024-01-31T09:30:00Z",
        "'2024-01-31T09:30:00.000Z'",
        "yesterday",
        'defaultValue is invalid: expected an ISO 8601 date-time such as "2024-01-31T09:30:00Z", got "yesterday"',
    ),
    Default(
        "DATE",
        {},
        "'2024-01-31'",
        "'2024-01-31'",
        "2024-13-01",
        'defaultValue is invalid: expected a date such as "2024-01-31", got "2024-13-01"',
    ),
    Default("BOOLEAN", {}, True, True, "yes", 'defaultValue is invalid: expected true or false, got "yes"'),
    Default(
        "NUMBER", {"settings": {"dataType": "int"}}, 3, 3, 2.5, "defaultValue is invalid: expected an integer, got 2.5"
    ),
    Default("NUMERIC", {}, "10.5", 10.5, "ten", 'defaultValue is invalid: expected a number, got "ten"'),
    Default(
        "LINKS",
        {},
        {"primaryLinkUrl": "'https://x.dev'"},
        {"primaryLinkUrl": "'https://x.dev'", "primaryLinkLabel": "''", "secondaryLinks": None},
        {"secondaryLinks": "x"},
        'defaultValue.secondaryLinks is invalid: expected an array of {url, label} objects, got "x"',
    ),
    Default(
        "CURRENCY",
        {},
        {"amountMicros": None, "currencyCode": "'USD'"},
        {"amountMicros": None, "currencyCode": "'USD'"},
        {"currencyCode": "usd"},
        'defaultValue.currencyCode is invalid: expected a currency code of three capital letters such as "USD", got "usd"',
    ),
    Default(
        "FULL_NAME",
        {},
        {"firstName": "'Jane'", "lastName": "'Doe'"},
        {"firstName": "'Jane'", "lastName": "'Doe'"},
        {"middleName": "X"},
        "defaultValue.middleName is invalid: unknown sub-field 'middleName'; expected firstName, lastName",
    ),
    Default(
        "RATING",
        {},
        "'RATING_3'",
        "'RATING_3'",
        "RATING_9",
        'defaultValue is invalid: expected one of RATING_1, RATING_2, RATING_3, RATING_4, RATING_5, got "RATING_9"',
    ),
    Default(
        "SELECT",
        {"options": SELECT_OPTIONS},
        "'LOW'",
        "'LOW'",
        "'MEDIUM'",
        'defaultValue is invalid: expected one of LOW, HIGH, got "MEDIUM"',
    ),
    Default(
        "MULTI_SELECT",
        {"options": SELECT_OPTIONS},
        ["'HIGH'"],
        ["'HIGH'"],
        "LOW",
        'defaultValue is invalid: expected an array of values among LOW, HIGH, got "LOW"',
    ),
    Default(
        "ADDRESS",
        {},
        {"addressCountry": "'France'"},
        {
            "addressStreet1": "''",
            "addressStreet2": "''",
            "addressCity": "''",
            "addressPostcode": "''",
            "addressState": "''",
            "addressCountry": "'France'",
            "addressLat": None,
            "addressLng": None,
        },
        {"addressLng": "east"},
        'defaultValue.addressLng is invalid: expected a number, got "east"',
    ),
    Default("RAW_JSON", {}, {"tags": [1, 2]}, {"tags": [1, 2]}, None, ""),
    Default(
        "RICH_TEXT",
        {},
        "'<p>Hi</p>'",
        "'<p>Hi</p>'",
        {"p": "Hi"},
        "defaultValue is invalid: expected a string, got an object",
    ),
    Default(
        "RICH_TEXT_V2",
        {},
        {"markdown": "'# Hi'"},
        {"blocknote": None, "markdown": "'# Hi'"},
        {"markdown": 1},
        "defaultValue.markdown is invalid: expected a string, got 1",
    ),
    Default("ARRAY", {}, ["'a'"], ["'a'"], [1], "defaultValue is invalid: item 0: expected a string, got 1"),
]
# JSON itself is a valid RAW_JSON default: the REST body cannot carry an invalid one.
INVALID_DEFAULTS = [case for case in DEFAULTS if case.type != "RAW_JSON"]


def test_rest_default_cases_cover_every_creatable_type():
    creatable = set(FIELD_TYPES) - {"ACTOR", "POSITION", "RELATION"}
    assert {case.type for case in DEFAULTS} == creatable


@pytest.mark.parametrize("case", DEFAULTS, ids=[c.type for c in DEFAULTS])
def test_field_of_each_type_is_created_with_a_valid_default(api, workspace, case):
    # when
    status, body = api.post(
        "/rest/metadata/fields",
        {
            "objectMetadataId": object_id(workspace, "company"),
            "type": case.type,
            "name": "probe",
            "label": "Probe",
            "defaultValue": case.valid,
            **case.extra,
        },
    )
    # then
    assert status == 201, body
    field = body["data"]["createOneField"]
    assert (field["type"], field["defaultValue"]) == (case.type, case.api)
    assert api.get(f"/rest/metadata/fields/{field['id']}")[1]["data"]["field"]["defaultValue"] == case.api


@pytest.mark.parametrize("case", INVALID_DEFAULTS, ids=[c.type for c in INVALID_DEFAULTS])
def test_field_of_each_type_refuses_an_invalid_default(api, workspace, case):
    status, body = api.post(
        "/rest/metadata/fields",
        {
            "objectMetadataId": object_id(workspace, "company"),
            "type": case.type,
            "name": "probe",
            "label": "Probe",
            "defaultValue": case.invalid,
            **case.extra,
        },
    )
    assert (status, body) == (400, error(400, case.message))
