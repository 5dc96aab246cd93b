"""``filter=`` on find many (api-reference 1.3, 2.4): every comparator on every field type it
applies to, with the exact record set; the exact 400 for the comparators a type refuses; logic,
quoting, typed comparisons and soft-deleted records.

One data set is written once for the module through the REST API (committed, removed with the
workspace) and only read by the tests: a custom object ``specimen`` with a field of each type,
created through ``POST /rest/metadata/objects`` and ``POST /rest/metadata/fields``, plus a few
people, companies and opportunities for the standard composite fields.
"""

from __future__ import annotations

from typing import Any

import pytest

from apikeys_app.services import create_api_key
from metadata_app.models import Workspace
from tests.conftest import ApiClient
from tests.core.conftest import Records, client_for
from tests.core.helpers import bad_request, create_custom_object, create_field, object_id_of, relation_field

COMPANY_A = "c0000000-0000-4000-8000-00000000000a"
COMPANY_B = "c0000000-0000-4000-8000-00000000000b"
REF_1 = "11111111-1111-4111-8111-111111111111"
REF_2 = "22222222-2222-4222-8222-222222222222"
REF_3 = "33333333-3333-4333-8333-333333333333"
#: Record ids in ascending order: alpha < bravo < charlie < delta < echo < foxtrot.
IDS = {
    name: f"a0000000-0000-4000-8000-00000000000{n}"
    for n, name in enumerate(("alpha", "bravo", "charlie", "delta", "echo", "foxtrot"), start=1)
}
LIVE = ["alpha", "bravo", "charlie", "delta", "echo"]

SPECIMENS: list[dict[str, Any]] = [
    {
        "id": IDS["alpha"],
        "name": "alpha",
        "code": "Apple",
        "count": 9,
        "score": 1.5,
        "active": True,
        "seenAt": "2024-01-01T10:00:00+02:00",
        "bornOn": "2024-01-01",
        "tier": "LOW",
        "tags": ["RED"],
        "stars": "RATING_1",
        "ref": REF_1,
        "labels": ["x", "y"],
        "payload": {"k": "v1"},
        "owner": {"firstName": "Ada", "lastName": "Lovelace"},
        "contact": {"primaryEmail": "ada@acme.com"},
        "amount": {"amountMicros": 1500000, "currencyCode": "USD"},
        "location": {"addressCity": "Paris"},
        "companyId": COMPANY_A,
    },
    {
        "id": IDS["bravo"],
        "name": "bravo",
        "code": "apple",
        "count": 10,
        "score": 2.25,
        "active": False,
        "seenAt": "2024-01-01T09:00:00Z",
        "bornOn": "2024-02-15",
        "tier": "MID",
        "tags": ["RED", "GREEN"],
        "stars": "RATING_3",
        "ref": REF_2,
        "labels": ["y"],
        "payload": {"k": "v2"},
        "owner": {"firstName": "Alan", "lastName": "Turing"},
        "contact": {"primaryEmail": "alan@ACME.com"},
        "amount": {"amountMicros": 250000000, "currencyCode": "EUR"},
        "location": {"addressCity": "London"},
        "companyId": COMPANY_B,
    },
    {
        "id": IDS["charlie"],
        "name": "charlie",
        "code": "APPLE pie",
        "count": 100,
        "score": -3,
        "active": True,
        "seenAt": "2023-12-31T23:30:00-01:00",
        "bornOn": "2023-12-31",
        "tier": "HIGH",
        "tags": ["BLUE"],
        "stars": "RATING_5",
        "ref": REF_3,
        "labels": [],
        "payload": "plain text",
        "owner": {"firstName": "Grace", "lastName": "Hopper"},
        "contact": {"primaryEmail": "grace@navy.mil"},
        "amount": {"amountMicros": 99, "currencyCode": "USD"},
        "location": {"addressCity": "paris"},
        "companyId": COMPANY_A,
    },
    {"id": IDS["delta"], "name": "delta"},
    {
        "id": IDS["echo"],
        "name": "echo",
        "code": "50%_off, (really)",
        "count": 0,
        "score": 0.5,
        "active": False,
        "seenAt": "2024-06-01T02:00:00+02:00",
        "tier": "LOW",
        "tags": [],
        "stars": "RATING_2",
        "owner": {"firstName": "Edsger", "lastName": "Dijkstra"},
        # explicit nulls (stored as JSON null, unlike delta's missing keys)
        "bornOn": None,
        "ref": None,
        "labels": None,
        "payload": None,
        "companyId": None,
    },
    {
        "id": IDS["foxtrot"],
        "name": "foxtrot",
        "code": "Apple",
        "count": 9,
        "score": 1.5,
        "active": True,
        "tier": "LOW",
        "tags": ["RED"],
        "stars": "RATING_1",
        "ref": REF_1,
        "labels": ["x"],
        "payload": {"k": "v1"},
        "companyId": COMPANY_A,
    },
]


def build_dataset(api: ApiClient) -> None:
    """The custom object with one field per type, its records, and standard records."""
    specimen = create_custom_object(api, "specimen", "specimens")
    for name, type_, extra in (
        ("code", "TEXT", {}),
        ("count", "NUMBER", {"settings": {"dataType": "int"}}),
        ("score", "NUMBER", {}),
        ("active", "BOOLEAN", {}),
        ("seenAt", "DATE_TIME", {}),
        ("bornOn", "DATE", {}),
        (
            "tier",
            "SELECT",
            {
                "options": [
                    {"label": "Low", "value": "LOW"},
                    {"label": "Mid", "value": "MID"},
                    {"label": "High", "value": "HIGH"},
                ]
            },
        ),
        (
            "tags",
            "MULTI_SELECT",
            {
                "options": [
                    {"label": "Red", "value": "RED"},
                    {"label": "Green", "value": "GREEN"},
                    {"label": "Blue", "value": "BLUE"},
                ]
            },
        ),
        ("stars", "RATING", {}),
        ("ref", "UUID", {}),
        ("labels", "ARRAY", {}),
        ("payload", "RAW_JSON", {}),
        ("owner", "FULL_NAME", {}),
        ("contact", "EMAILS", {}),
        ("amount", "CURRENCY", {}),
        ("location", "ADDRESS", {}),
    ):
        create_field(api, specimen, name, type_, **extra)
    relation_field(api, specimen, "company", object_id_of(api, "company"), "specimens")
    records = Records(api)
    records.batch(
        "companies",
        [
            {
                "id": COMPANY_A,
                "name": "Acme",
                "employees": 9,
                "address": {"addressCity": "Paris"},
                "domainName": {"primaryLinkUrl": "acme.com"},
            },
            {
                "id": COMPANY_B,
                "name": "Globex",
                "employees": 10,
                "address": {"addressCity": "Berlin"},
                "domainName": {"primaryLinkUrl": "globex.org"},
            },
        ],
    )
    records.batch("specimens", SPECIMENS)
    status, answer = api.delete(f"/rest/specimens/{IDS['foxtrot']}", soft_delete="true")
    assert status == 200, answer
    records.batch(
        "people",
        [
            {
                "name": {"firstName": "Ada", "lastName": "Lovelace"},
                "emails": {"primaryEmail": "ada@acme.com"},
                "companyId": COMPANY_A,
            },
            {
                "name": {"firstName": "ada", "lastName": "Byron"},
                "emails": {"primaryEmail": "byron@globex.org"},
                "companyId": COMPANY_B,
            },
            {"name": {"firstName": "Grace", "lastName": "Hopper"}},
        ],
    )
    records.batch(
        "opportunities",
        [
            {
                "name": "small",
                "amount": {"amountMicros": 9000000, "currencyCode": "USD"},
                "stage": "MEETING",
                "closeDate": "2024-03-01T00:00:00+05:00",
            },
            {
                "name": "large",
                "amount": {"amountMicros": 10000000, "currencyCode": "USD"},
                "stage": "NEW",
                "closeDate": "2024-02-29T20:00:00Z",
            },
        ],
    )


@pytest.fixture(scope="module")
def reader(seeded_workspace_ids, django_db_blocker) -> ApiClient:
    """A client of the seeded workspace whose data set is written once for the module."""
    with django_db_blocker.unblock():
        workspace = Workspace.objects.get(pk=seeded_workspace_ids[0])
        _, token = create_api_key(workspace, {"name": "filter reader"})
        client = client_for(token)
        build_dataset(client)
    return client


@pytest.fixture(autouse=True)
def fresh_registry():
    """Override of the suite-wide fixture that clears the schema registry around each test.

    No test of this module changes metadata (the data set's objects and fields are created once,
    before the first test), so the snapshot cached by one test is still the current one in the
    next; keeping it saves a rebuild per test. Cold-cache behaviour is covered by every other module.
    """
    yield


def names(reader: ApiClient, plural: str, filter: str) -> list[str] | tuple[int, Any]:
    """Sorted identifying names of the records matching ``filter``; the error when refused."""
    status, body = reader.get(f"/rest/{plural}", filter=filter, limit="200")
    if status != 200:
        return status, body
    rows = body["data"][plural]
    assert body["totalCount"] == len(rows)
    if plural == "people":
        return sorted(row["name"]["firstName"] + " " + row["name"]["lastName"] for row in rows)
    return sorted(row["name"] for row in rows)


def case(filter: str, expected: list[str], id: str):
    """One filter and the records it selects."""
    return pytest.param(filter, sorted(expected), id=id)


SPECIMEN_CASES = [
    # TEXT: comparisons and patterns are case-sensitive and byte-wise, ilike is not.
    case("code[eq]:Apple", ["alpha"], "text-eq-is_case_sensitive"),
    case("code[eq]:apple", ["bravo"], "text-eq-lower_case"),
    case("code[neq]:Apple", ["bravo", "charlie", "echo"], "text-neq-leaves_out_nulls"),
    case("code[in]:[Apple,apple]", ["alpha", "bravo"], "text-in"),
    case('code[in]:["Apple","APPLE pie"]', ["alpha", "charlie"], "text-in-quoted_items"),
    case("code[is]:NULL", ["delta"], "text-is_null"),
    case("code[is]:NOT_NULL", ["alpha", "bravo", "charlie", "echo"], "text-is_not_null"),
    case("code[gt]:a", ["bravo"], "text-gt-byte_order_puts_upper_case_first"),
    case("code[gte]:apple", ["bravo"], "text-gte"),
    case("code[lt]:B", ["alpha", "charlie", "echo"], "text-lt"),
    case("code[lte]:APPLE pie", ["charlie", "echo"], "text-lte"),
    case("code[startsWith]:App", ["alpha"], "text-startsWith-is_case_sensitive"),
    case("code[startsWith]:50%_", ["echo"], "text-startsWith-matches_wildcards_literally"),
    case("code[startsWith]:5%", [], "text-startsWith-percent_is_not_a_wildcard"),
    case("code[endsWith]:pie", ["charlie"], "text-endsWith"),
    case("code[endsWith]:PIE", [], "text-endsWith-is_case_sensitive"),
    case("code[like]:%pp%", ["alpha", "bravo"], "text-like-is_case_sensitive"),
    case("code[like]:A%", ["alpha", "charlie"], "text-like-prefix_pattern"),
    case("code[like]:_pple", ["alpha", "bravo"], "text-like-underscore_wildcard"),
    case("code[ilike]:%APPLE%", ["alpha", "bravo", "charlie"], "text-ilike-ignores_case"),
    case("code[ilike]:apple", ["alpha", "bravo"], "text-ilike-without_wildcards"),
    case("name[eq]:delta", ["delta"], "text-eq-on_the_name_field"),
    # NUMBER: compared as numbers (9 < 10 < 100), never as strings.
    case("count[eq]:9", ["alpha"], "number-eq"),
    case("count[eq]:9.0", ["alpha"], "number-eq-float_literal_equals_integer"),
    case("count[neq]:9", ["bravo", "charlie", "echo"], "number-neq"),
    case("count[in]:[9,100]", ["alpha", "charlie"], "number-in"),
    case("count[is]:NULL", ["delta"], "number-is_null"),
    case("count[is]:NOT_NULL", ["alpha", "bravo", "charlie", "echo"], "number-is_not_null"),
    case("count[gt]:9", ["bravo", "charlie"], "number-gt-numeric_not_lexicographic"),
    case("count[gte]:10", ["bravo", "charlie"], "number-gte"),
    case("count[lt]:10", ["alpha", "echo"], "number-lt-numeric_not_lexicographic"),
    case("count[lte]:9", ["alpha", "echo"], "number-lte"),
    case("count[gt]:-1", ["alpha", "bravo", "charlie", "echo"], "number-gt-negative_operand"),
    case("score[gt]:1", ["alpha", "bravo"], "number-float-gt"),
    case("score[lt]:0", ["charlie"], "number-float-lt-negative_value"),
    case("score[eq]:2.25", ["bravo"], "number-float-eq"),
    case("score[gte]:1e0", ["alpha", "bravo"], "number-float-gte-exponent_literal"),
    # BOOLEAN
    case("active[eq]:true", ["alpha", "charlie"], "boolean-eq-true"),
    case("active[eq]:false", ["bravo", "echo"], "boolean-eq-false"),
    case("active[eq]:TRUE", ["alpha", "charlie"], "boolean-eq-any_case"),
    case("active[neq]:true", ["bravo", "echo"], "boolean-neq"),
    case("active[is]:NULL", ["delta"], "boolean-is_null"),
    case("active[is]:NOT_NULL", ["alpha", "bravo", "charlie", "echo"], "boolean-is_not_null"),
    # DATE_TIME: instants, whatever the offset of the stored value or of the operand.
    case("seenAt[eq]:2024-01-01T08:00:00Z", ["alpha"], "datetime-eq-same_instant_other_offset"),
    case("seenAt[eq]:2024-01-01T10:00:00+02:00", ["alpha"], "datetime-eq-offset_operand"),
    case("seenAt[neq]:2024-01-01T08:00:00.000Z", ["bravo", "charlie", "echo"], "datetime-neq"),
    case("seenAt[in]:[2024-01-01T09:00:00Z,2024-06-01T00:00:00Z]", ["bravo", "echo"], "datetime-in"),
    case("seenAt[gt]:2024-01-01T09:30:00+01:00", ["bravo", "echo"], "datetime-gt-offset_operand"),
    case("seenAt[gte]:2024-01-01T08:00:00Z", ["alpha", "bravo", "echo"], "datetime-gte"),
    case("seenAt[lt]:2024-01-01T01:00:00Z", ["charlie"], "datetime-lt-previous_day_in_its_own_offset"),
    case("seenAt[lte]:2024-01-01T02:00:00+01:00", ["charlie"], "datetime-lte"),
    case("seenAt[is]:NULL", ["delta"], "datetime-is_null"),
    case("seenAt[is]:NOT_NULL", ["alpha", "bravo", "charlie", "echo"], "datetime-is_not_null"),
    # DATE
    case("bornOn[eq]:2024-01-01", ["alpha"], "date-eq"),
    case("bornOn[neq]:2024-01-01", ["bravo", "charlie"], "date-neq"),
    case("bornOn[in]:[2023-12-31,2024-02-15]", ["bravo", "charlie"], "date-in"),
    case("bornOn[gt]:2024-01-01", ["bravo"], "date-gt"),
    case("bornOn[gte]:2024-01-01", ["alpha", "bravo"], "date-gte"),
    case("bornOn[lt]:2024-01-01", ["charlie"], "date-lt"),
    case("bornOn[lte]:2024-01-01", ["alpha", "charlie"], "date-lte"),
    case("bornOn[is]:NULL", ["delta", "echo"], "date-is_null"),
    case("bornOn[is]:NOT_NULL", ["alpha", "bravo", "charlie"], "date-is_not_null"),
    # SELECT
    case("tier[eq]:LOW", ["alpha", "echo"], "select-eq"),
    case("tier[neq]:LOW", ["bravo", "charlie"], "select-neq"),
    case("tier[in]:[MID,HIGH]", ["bravo", "charlie"], "select-in"),
    case("tier[is]:NULL", ["delta"], "select-is_null"),
    case("tier[is]:NOT_NULL", ["alpha", "bravo", "charlie", "echo"], "select-is_not_null"),
    # MULTI_SELECT
    case("tags[containsAny]:[RED]", ["alpha", "bravo"], "multiselect-containsAny-one_value"),
    case("tags[containsAny]:[GREEN,BLUE]", ["bravo", "charlie"], "multiselect-containsAny-several_values"),
    case("tags[is]:NULL", ["delta"], "multiselect-is_null-empty_array_is_not_null"),
    case("tags[containsAny]:[]", [], "multiselect-containsAny-nothing"),
    case("count[in]:[]", [], "number-in-nothing"),
    case('code[in]:[""]', [], "text-in-the_empty_string"),
    case("tags[is]:NOT_NULL", ["alpha", "bravo", "charlie", "echo"], "multiselect-is_not_null"),
    # RATING: ordered by value (RATING_1 < ... < RATING_5)
    case("stars[eq]:RATING_3", ["bravo"], "rating-eq"),
    case("stars[neq]:RATING_1", ["bravo", "charlie", "echo"], "rating-neq"),
    case("stars[in]:[RATING_1,RATING_5]", ["alpha", "charlie"], "rating-in"),
    case("stars[gt]:RATING_2", ["bravo", "charlie"], "rating-gt"),
    case("stars[gte]:RATING_3", ["bravo", "charlie"], "rating-gte"),
    case("stars[lt]:RATING_3", ["alpha", "echo"], "rating-lt"),
    case("stars[lte]:RATING_2", ["alpha", "echo"], "rating-lte"),
    case("stars[is]:NULL", ["delta"], "rating-is_null"),
    case("stars[is]:NOT_NULL", ["alpha", "bravo", "charlie", "echo"], "rating-is_not_null"),
    # UUID field
    case(f"ref[eq]:{REF_2}", ["bravo"], "uuid-eq"),
    case(f"ref[eq]:{REF_2.upper()}", ["bravo"], "uuid-eq-upper_case_operand"),
    case(f"ref[neq]:{REF_1}", ["bravo", "charlie"], "uuid-neq"),
    case(f"ref[in]:[{REF_1},{REF_3}]", ["alpha", "charlie"], "uuid-in"),
    case(f"ref[gt]:{REF_1}", ["bravo", "charlie"], "uuid-gt"),
    case(f"ref[gte]:{REF_2}", ["bravo", "charlie"], "uuid-gte"),
    case(f"ref[lt]:{REF_3}", ["alpha", "bravo"], "uuid-lt"),
    case(f"ref[lte]:{REF_1}", ["alpha"], "uuid-lte"),
    case("ref[is]:NULL", ["delta", "echo"], "uuid-is_null"),
    case("ref[is]:NOT_NULL", ["alpha", "bravo", "charlie"], "uuid-is_not_null"),
    # id (a column)
    case(f"id[eq]:{IDS['charlie']}", ["charlie"], "id-eq"),
    case(f"id[neq]:{IDS['charlie']}", ["alpha", "bravo", "delta", "echo"], "id-neq"),
    case(f"id[in]:[{IDS['alpha']},{IDS['echo']}]", ["alpha", "echo"], "id-in"),
    case(f"id[gt]:{IDS['charlie']}", ["delta", "echo"], "id-gt"),
    case(f"id[gte]:{IDS['charlie']}", ["charlie", "delta", "echo"], "id-gte"),
    case(f"id[lt]:{IDS['charlie']}", ["alpha", "bravo"], "id-lt"),
    case(f"id[lte]:{IDS['bravo']}", ["alpha", "bravo"], "id-lte"),
    case("id[is]:NOT_NULL", LIVE, "id-is_not_null"),
    case("id[is]:NULL", [], "id-is_null"),
    # join id of a MANY_TO_ONE relation
    case(f"companyId[eq]:{COMPANY_A}", ["alpha", "charlie"], "join_id-eq"),
    case(f"companyId[neq]:{COMPANY_A}", ["bravo"], "join_id-neq"),
    case(f"companyId[in]:[{COMPANY_A},{COMPANY_B}]", ["alpha", "bravo", "charlie"], "join_id-in"),
    case(f"companyId[gt]:{COMPANY_A}", ["bravo"], "join_id-gt"),
    case(f"companyId[gte]:{COMPANY_A}", ["alpha", "bravo", "charlie"], "join_id-gte"),
    case(f"companyId[lt]:{COMPANY_B}", ["alpha", "charlie"], "join_id-lt"),
    case(f"companyId[lte]:{COMPANY_A}", ["alpha", "charlie"], "join_id-lte"),
    case("companyId[is]:NULL", ["delta", "echo"], "join_id-is_null"),
    case("companyId[is]:NOT_NULL", ["alpha", "bravo", "charlie"], "join_id-is_not_null"),
    # composite sub-fields
    case("owner.firstName[eq]:Ada", ["alpha"], "full_name-firstName-eq"),
    case("owner.lastName[startsWith]:T", ["bravo"], "full_name-lastName-startsWith"),
    case("owner.firstName[ilike]:a%", ["alpha", "bravo"], "full_name-firstName-ilike"),
    case("owner.firstName[like]:a%", [], "full_name-firstName-like_is_case_sensitive"),
    case("owner.lastName[gt]:K", ["alpha", "bravo"], "full_name-lastName-gt"),
    case("owner.firstName[in]:[Grace,Edsger]", ["charlie", "echo"], "full_name-firstName-in"),
    case('owner.firstName[eq]:""', ["delta"], "full_name-firstName-eq_empty_string"),
    case("contact.primaryEmail[eq]:ada@acme.com", ["alpha"], "emails-primaryEmail-eq"),
    case(
        "contact.primaryEmail[neq]:ada@acme.com",
        ["bravo", "charlie", "delta", "echo"],
        "emails-primaryEmail-neq-empty_is_a_value",
    ),
    case("contact.primaryEmail[like]:%@acme.com", ["alpha"], "emails-primaryEmail-like"),
    case("contact.primaryEmail[ilike]:%@acme.com", ["alpha", "bravo"], "emails-primaryEmail-ilike"),
    case("contact.primaryEmail[endsWith]:.mil", ["charlie"], "emails-primaryEmail-endsWith"),
    case("contact.primaryEmail[is]:NOT_NULL", LIVE, "emails-primaryEmail-is_not_null"),
    case("amount.amountMicros[gt]:1000000", ["alpha", "bravo"], "currency-amountMicros-gt-numeric"),
    case("amount.amountMicros[gte]:1500000", ["alpha", "bravo"], "currency-amountMicros-gte"),
    case("amount.amountMicros[lt]:1000", ["charlie"], "currency-amountMicros-lt-numeric"),
    case("amount.amountMicros[lte]:1500000", ["alpha", "charlie"], "currency-amountMicros-lte"),
    case("amount.amountMicros[eq]:99", ["charlie"], "currency-amountMicros-eq"),
    case("amount.amountMicros[neq]:99", ["alpha", "bravo"], "currency-amountMicros-neq"),
    case("amount.amountMicros[in]:[99,250000000]", ["bravo", "charlie"], "currency-amountMicros-in"),
    case("amount.amountMicros[is]:NULL", ["delta", "echo"], "currency-amountMicros-is_null"),
    case("amount.currencyCode[eq]:USD", ["alpha", "charlie"], "currency-currencyCode-eq"),
    case("location.addressCity[eq]:Paris", ["alpha"], "address-addressCity-eq"),
    case("location.addressCity[ilike]:paris", ["alpha", "charlie"], "address-addressCity-ilike"),
    case("location.addressCity[in]:[London,paris]", ["bravo", "charlie"], "address-addressCity-in"),
    case("location.addressCity[like]:P%", ["alpha"], "address-addressCity-like"),
    # ARRAY
    case("labels[containsAny]:[x]", ["alpha"], "array-containsAny-one_value"),
    case("labels[containsAny]:[y,z]", ["alpha", "bravo"], "array-containsAny-several_values"),
    case("labels[containsAny]:[z]", [], "array-containsAny-no_match"),
    case("labels[is]:NULL", ["delta", "echo"], "array-is_null"),
    case("labels[is]:NOT_NULL", ["alpha", "bravo", "charlie"], "array-is_not_null"),
    # RAW_JSON
    case("payload[like]:%v1%", ["alpha"], "raw_json-like-inside_an_object"),
    case("payload[like]:plain%", ["charlie"], "raw_json-like-a_json_string_without_quotes"),
    case("payload[is]:NULL", ["delta", "echo"], "raw_json-is_null"),
    case("payload[is]:NOT_NULL", ["alpha", "bravo", "charlie"], "raw_json-is_not_null"),
    case("payload[like]:%ul%", [], "raw_json-like-never_matches_a_null"),
    # ACTOR sub-fields (a column holding JSON)
    case("createdBy.source[eq]:API", LIVE, "actor-source-eq"),
    case("createdBy.source[in]:[IMPORT,MANUAL]", [], "actor-source-in"),
    case("createdBy.name[startsWith]:filter", LIVE, "actor-name-startsWith"),
    case("createdBy.workspaceMemberId[is]:NULL", LIVE, "actor-workspaceMemberId-is_null"),
    # system date columns
    case("createdAt[gt]:2000-01-01T00:00:00+05:00", LIVE, "created_at-gt"),
    case("createdAt[lt]:2000-01-01T00:00:00Z", [], "created_at-lt"),
    case("createdAt[is]:NOT_NULL", LIVE, "created_at-is_not_null"),
    # logic
    case("tier[eq]:LOW,active[eq]:true", ["alpha"], "logic-implicit_and"),
    case("and(tier[eq]:LOW,active[eq]:false)", ["echo"], "logic-and"),
    case("or(count[lt]:5,count[gt]:50)", ["charlie", "echo"], "logic-or"),
    case("not(tier[eq]:LOW)", ["bravo", "charlie"], "logic-not-leaves_out_records_without_a_value"),
    case("not(active[eq]:true)", ["bravo", "echo"], "logic-not-boolean"),
    case("not(count[lte]:10)", ["charlie"], "logic-not-numeric_comparison"),
    case("not(tier[is]:NULL)", ["alpha", "bravo", "charlie", "echo"], "logic-not-is_null"),
    case("not(not(tier[eq]:LOW))", ["alpha", "echo"], "logic-double_not"),
    case("not(and(tier[eq]:LOW,active[eq]:true))", ["bravo", "charlie", "echo"], "logic-not_of_and"),
    case("or(and(tier[eq]:LOW,active[eq]:false),not(count[lte]:10))", ["charlie", "echo"], "logic-nested_or_and_not"),
    case("and(or(tier[eq]:MID,tier[eq]:HIGH),or(score[lt]:0,score[gt]:2))", ["bravo", "charlie"], "logic-and_of_ors"),
    case("not(or(tier[eq]:LOW,tier[is]:NULL))", ["bravo", "charlie"], "logic-not_of_or"),
    case("and( code[eq]:Apple , count[eq]:9 )", ["alpha"], "logic-whitespace_around_predicates"),
    # quoting
    case('code[eq]:"Apple"', ["alpha"], "quoting-double_quotes"),
    case("code[eq]:'apple'", ["bravo"], "quoting-single_quotes"),
    case('code[eq]:"50%_off, (really)"', ["echo"], "quoting-comma_and_parentheses_in_a_single_leaf"),
    case('and(code[eq]:"50%_off, (really)",count[eq]:0)', ["echo"], "quoting-comma_and_parentheses_inside_and"),
    case(
        'or(code[eq]:"50%_off, (really)",code[eq]:"APPLE pie")',
        ["charlie", "echo"],
        "quoting-two_quoted_values_inside_or",
    ),
    # soft-deleted records: left out unless the filter names deletedAt
    case("deletedAt[is]:NOT_NULL", ["foxtrot"], "deleted-is_not_null_lists_the_trash"),
    case("deletedAt[is]:NULL", LIVE, "deleted-is_null_lists_live_records"),
    case("or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)", [*LIVE, "foxtrot"], "deleted-either_lists_everything"),
    case("and(deletedAt[is]:NOT_NULL,code[eq]:Apple)", ["foxtrot"], "deleted-combined_with_another_condition"),
    case("deletedAt[gt]:2000-01-01T00:00:00Z", ["foxtrot"], "deleted-compared_as_instant"),
]


@pytest.mark.parametrize(("filter", "expected"), SPECIMEN_CASES)
def test_filter_selects_exactly_the_matching_specimens(db, reader, filter, expected):
    assert names(reader, "specimens", filter) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("%X%", ["alpha"]), ("y", ["alpha", "bravo"]), ("%q%", [])],
    ids=["any_case", "a_whole_element", "no_match"],
)
def test_graphql_array_filter_contains_ilike_matches_an_element(db, reader, pattern, expected):
    # Twenty's ArrayFilter (api-reference 2.4); its REST grammar has no such comparator (1.3)
    query = "query($p: String) { specimens(filter: {labels: {containsIlike: $p}}) { edges { node { name } } } }"
    status, body = reader.post("/graphql", {"query": query, "variables": {"p": pattern}})
    assert (status, sorted(e["node"]["name"] for e in body["data"]["specimens"]["edges"])) == (200, expected)


STANDARD_CASES = [
    pytest.param("people", "name.firstName[eq]:Ada", ["Ada Lovelace"], id="people-name.firstName-eq"),
    pytest.param(
        "people", "name.firstName[ilike]:ada", ["Ada Lovelace", "ada Byron"], id="people-name.firstName-ilike"
    ),
    pytest.param(
        "people", "name.lastName[gte]:Hopper", ["Ada Lovelace", "Grace Hopper"], id="people-name.lastName-gte"
    ),
    pytest.param(
        "people", "emails.primaryEmail[eq]:ada@acme.com", ["Ada Lovelace"], id="people-emails.primaryEmail-eq"
    ),
    pytest.param(
        "people", "emails.primaryEmail[endsWith]:globex.org", ["ada Byron"], id="people-emails.primaryEmail-endsWith"
    ),
    pytest.param("people", f"companyId[eq]:{COMPANY_B}", ["ada Byron"], id="people-companyId-eq"),
    pytest.param("people", "companyId[is]:NULL", ["Grace Hopper"], id="people-companyId-is_null"),
    pytest.param("companies", "address.addressCity[eq]:Berlin", ["Globex"], id="companies-address.addressCity-eq"),
    pytest.param(
        "companies", "address.addressCity[startsWith]:Par", ["Acme"], id="companies-address.addressCity-startsWith"
    ),
    pytest.param(
        "companies", "domainName.primaryLinkUrl[like]:%.org", ["Globex"], id="companies-domainName.primaryLinkUrl-like"
    ),
    pytest.param("companies", "employees[lt]:10", ["Acme"], id="companies-employees-lt-numeric"),
    pytest.param(
        "opportunities", "amount.amountMicros[gt]:9500000", ["large"], id="opportunities-amount.amountMicros-gt"
    ),
    pytest.param(
        "opportunities", "amount.amountMicros[lte]:9000000", ["small"], id="opportunities-amount.amountMicros-lte"
    ),
    pytest.param("opportunities", "stage[in]:[MEETING,PROPOSAL]", ["small"], id="opportunities-stage-in"),
    pytest.param(
        "opportunities",
        "closeDate[lt]:2024-02-29T20:00:00Z",
        ["small"],
        id="opportunities-closeDate-lt-offset_aware_instant",
    ),
    pytest.param(
        "opportunities", "closeDate[eq]:2024-02-29T19:00:00Z", ["small"], id="opportunities-closeDate-eq-same_instant"
    ),
]


@pytest.mark.parametrize(("plural", "filter", "expected"), STANDARD_CASES)
def test_filter_on_standard_composite_and_join_fields_selects_exactly_the_matching_records(
    db,
    reader,
    plural,
    filter,
    expected,
):
    assert names(reader, plural, filter) == sorted(expected)


# --- comparators a type does not allow --------------------------------------------------------

TEXT_OPS = "endsWith, eq, gt, gte, ilike, in, is, like, lt, lte, neq, startsWith"
ORDERED_OPS = "eq, gt, gte, in, is, lt, lte, neq"
ALLOWED = {
    # path: (type named in the message, allowed comparators as listed by the message: REST's own,
    # so not GraphQL's containsIlike and isEmptyArray)
    "code": ("TEXT", TEXT_OPS),
    "owner.firstName": ("TEXT", TEXT_OPS),
    "contact.primaryEmail": ("TEXT", TEXT_OPS),
    "location.addressCity": ("TEXT", TEXT_OPS),
    "count": ("NUMBER", ORDERED_OPS),
    "amount.amountMicros": ("NUMERIC", ORDERED_OPS),
    "active": ("BOOLEAN", "eq, is, neq"),
    "seenAt": ("DATE_TIME", ORDERED_OPS),
    "bornOn": ("DATE", ORDERED_OPS),
    "tier": ("SELECT", "eq, in, is, neq"),
    "tags": ("MULTI_SELECT", "containsAny, is"),
    "stars": ("RATING", ORDERED_OPS),
    "ref": ("UUID", ORDERED_OPS),
    "id": ("UUID", ORDERED_OPS),
    "companyId": ("UUID", ORDERED_OPS),
    "labels": ("ARRAY", "containsAny, is"),
    "payload": ("RAW_JSON", "is, like"),
}
COMPARATORS = (
    "eq",
    "neq",
    "in",
    "containsAny",
    "is",
    "gt",
    "gte",
    "lt",
    "lte",
    "startsWith",
    "endsWith",
    "like",
    "ilike",
)
REFUSED = [
    pytest.param(path, op, kind, allowed, id=f"{path}-{op}")
    for path, (kind, allowed) in ALLOWED.items()
    for op in COMPARATORS
    if op not in allowed.split(", ")
]


@pytest.mark.parametrize(("path", "op", "kind", "allowed"), REFUSED)
def test_comparator_the_field_type_does_not_allow_is_a_400_naming_the_allowed_ones(db, reader, path, op, kind, allowed):
    # given
    value = "[x]" if op in ("in", "containsAny") else "x"
    # when
    answer = reader.get("/rest/specimens", filter=f"{path}[{op}]:{value}")
    # then
    assert answer == bad_request(
        f"'filter' invalid. Comparator '{op}' cannot be used on '{path}' ({kind}); allowed: {allowed}"
    )


#: One field per type (and the id and join columns): each of their comparators has a case above.
REPRESENTATIVE = (
    "code",
    "count",
    "amount.amountMicros",
    "active",
    "seenAt",
    "bornOn",
    "tier",
    "tags",
    "stars",
    "ref",
    "id",
    "companyId",
    "labels",
    "payload",
)


@pytest.mark.parametrize("path", REPRESENTATIVE)
def test_every_comparator_of_the_field_type_is_either_exercised_or_refused(path):
    # given
    leaves = [p.values[0] for p in SPECIMEN_CASES]
    positive = {leaf.split("[", 1)[1].split("]", 1)[0] for leaf in leaves if leaf.startswith(f"{path}[")}
    refused = {p.values[1] for p in REFUSED if p.values[0] == path}
    # then
    assert sorted(positive | refused) == sorted(COMPARATORS)
    # GraphQL's own (api-reference 2.4), which Twenty's REST grammar does not take (1.3)
    assert positive == set(ALLOWED[path][1].split(", ")) - {"isEmptyArray", "containsIlike"}


# --- operand and syntax errors ------------------------------------------------------------------

ERRORS = [
    pytest.param(
        "nope[eq]:1", "'filter' invalid. Field 'nope' does not exist on object 'specimen'", id="unknown_field"
    ),
    pytest.param(
        "count[gt]:abc", "'filter' invalid. Value for 'count': expected a number, got \"abc\"", id="number_operand"
    ),
    pytest.param(
        "active[eq]:maybe",
        "'filter' invalid. Value for 'active': expected true or false, got \"maybe\"",
        id="boolean_operand",
    ),
    pytest.param(
        "seenAt[gt]:yesterday",
        "'filter' invalid. Value for 'seenAt': expected an ISO 8601 date-time such as "
        '"2024-01-31T09:30:00Z", got "yesterday"',
        id="datetime_operand",
    ),
    pytest.param(
        "bornOn[eq]:31/01/2024",
        "'filter' invalid. Value for 'bornOn': expected a date such as \"2024-01-31\", got \"31/01/2024\"",
        id="date_operand",
    ),
    pytest.param(
        "tier[eq]:NOPE",
        "'filter' invalid. Value for 'tier': expected one of LOW, MID, HIGH, got \"NOPE\"",
        id="select_operand_not_an_option",
    ),
    pytest.param(
        "tier[in]:[LOW,NOPE]",
        "'filter' invalid. Value for 'tier': expected one of LOW, MID, HIGH, got \"NOPE\"",
        id="select_in_operand_not_an_option",
    ),
    pytest.param(
        "createdBy.source[eq]:NOPE",
        "'filter' invalid. Value for 'createdBy.source': expected one of EMAIL, CALENDAR, WORKFLOW, AGENT, API, "
        'IMPORT, MANUAL, SYSTEM, WEBHOOK, got "NOPE"',
        id="actor_source_operand_not_a_source",
    ),
    pytest.param(
        "updatedBy.source[in]:[API,api]",
        "'filter' invalid. Value for 'updatedBy.source': expected one of EMAIL, CALENDAR, WORKFLOW, AGENT, API, "
        'IMPORT, MANUAL, SYSTEM, WEBHOOK, got "api"',
        id="actor_source_in_operand_not_a_source",
    ),
    pytest.param(
        "not(createdBy.source[neq]:ROBOT)",
        "'filter' invalid. Value for 'createdBy.source': expected one of EMAIL, CALENDAR, WORKFLOW, AGENT, API, "
        'IMPORT, MANUAL, SYSTEM, WEBHOOK, got "ROBOT"',
        id="actor_source_neq_operand_not_a_source",
    ),
    pytest.param("ref[eq]:nope", "'filter' invalid. Value for 'ref': expected a UUID, got \"nope\"", id="uuid_operand"),
    pytest.param(
        "companyId[eq]:nope",
        "'filter' invalid. Value for 'companyId': expected a UUID, got \"nope\"",
        id="join_id_operand",
    ),
    pytest.param("code[is]:EMPTY", "'filter' invalid. 'is' expects NULL or NOT_NULL, got 'EMPTY'", id="is_operand"),
    pytest.param(
        "owner[eq]:Ada",
        "'filter' invalid. Field 'owner' is of type FULL_NAME: use one of its sub-fields (firstName, lastName), "
        "e.g. owner.firstName",
        id="composite_without_sub_field",
    ),
    pytest.param(
        "owner.middleName[eq]:x",
        "'filter' invalid. 'owner.middleName' is invalid: field 'owner' (FULL_NAME) has the sub-fields "
        "firstName, lastName, e.g. owner.firstName",
        id="composite_unknown_sub_field",
    ),
    pytest.param(
        "code.sub[eq]:x",
        "'filter' invalid. 'code.sub' is invalid: 'code' has no sub-fields",
        id="scalar_with_sub_field",
    ),
    pytest.param(
        "company[eq]:x",
        # api-reference §11.3
        'Cannot filter by relation field "company": use "companyId" instead',
        id="relation_field_itself",
    ),
    pytest.param(
        "code[regex]:x",
        "'filter' invalid for 'code[regex]:x', comparator regex not in eq, neq, in, containsAny, is, gt, "
        "gte, lt, lte, startsWith, endsWith, like, ilike, search",
        id="unknown_comparator",
    ),
    pytest.param("code", "'filter' invalid for 'code'. eg: price[gte]:10", id="leaf_without_comparator"),
    pytest.param(
        "code[in]:Apple",
        "'filter' invalid for 'in' operator. Received 'Apple' but array value expected eg: "
        "'field[in]:[value_1,value_2]'",
        id="in_without_brackets",
    ),
    pytest.param(
        "tags[containsAny]:RED",
        "'filter' invalid for 'containsAny' operator. Received 'RED' but array value expected eg: "
        "'field[containsAny]:[value_1,value_2]'",
        id="containsAny_without_brackets",
    ),
    pytest.param(
        "tags[containsAny]:[RED,PURPLE]",
        "'filter' invalid. Value for 'tags': expected one of RED, GREEN, BLUE, got \"PURPLE\"",
        id="containsAny_with_a_value_that_is_no_option",
    ),
    pytest.param("and(code[eq]:x", "'filter' invalid. 1 close bracket is missing in the query", id="missing_close"),
    pytest.param("and(code[eq]:x))", "'filter' invalid. 1 open bracket is missing in the query", id="missing_open"),
    pytest.param(
        "not(code[eq]:x,count[eq]:1)",
        "'filter' invalid. 'not' conjunction should contain only 1 condition. eg: not(field[eq]:1)",
        id="not_with_two_conditions",
    ),
]


@pytest.mark.parametrize(("filter", "message"), ERRORS)
def test_invalid_filter_is_a_400_with_the_exact_message(db, reader, filter, message):
    assert reader.get("/rest/specimens", filter=filter) == bad_request(message)


def test_empty_filter_means_no_filter(db, reader):
    status, body = reader.get("/rest/specimens", filter="")
    assert status == 200
    assert sorted(r["name"] for r in body["data"]["specimens"]) == LIVE


def test_filter_and_total_count_agree_with_the_page(db, reader):
    # when
    status, body = reader.get("/rest/specimens", filter="tier[eq]:LOW", limit="1")
    # then
    assert status == 200
    assert [r["name"] for r in body["data"]["specimens"]] == ["alpha"]
    assert body["totalCount"] == 2
    assert body["pageInfo"]["hasNextPage"] is True


def test_a_timestamp_read_back_finds_its_record_and_bounds_it_exactly(api, records):
    # given: createdAt holds microseconds, the API shows milliseconds (core_app/query/instants.py)
    person = records.person("Ada")
    created, updated = person["createdAt"], person["updatedAt"]
    this = f"id[eq]:{person['id']}"  # other tests' people may share the millisecond

    def found(condition: str) -> list[str]:
        return [p["id"] for p in api.get("/rest/people", filter=f"and({this},{condition})")[1]["data"]["people"]]

    # then: what a client read back compares as it reads; an incremental sync does not get it again
    assert found(f"createdAt[eq]:{created}") == [person["id"]]
    assert found(f"createdAt[in]:[{created}]") == [person["id"]]
    assert found(f"createdAt[gte]:{created}") == [person["id"]]
    assert found(f"updatedAt[lte]:{updated}") == [person["id"]]
    assert found(f"updatedAt[gt]:{updated}") == []
    assert found(f"createdAt[neq]:{created}") == []
    assert found(f"createdAt[lt]:{created}") == []
    # an instant without an offset is UTC, as everywhere in filters
    assert found(f"createdAt[eq]:{created.removesuffix('Z')}") == [person["id"]]
    # and GraphQL reads them alike
    query = "query($t: DateTime) { people(filter: {and: [{id: {eq: $id}}, {updatedAt: {gt: $t}}]}) { totalCount } }"
    query = query.replace("query($t: DateTime)", "query($t: DateTime, $id: UUID)")
    status, body = api.post("/graphql", {"query": query, "variables": {"t": updated, "id": person["id"]}})
    assert (status, body) == (200, {"data": {"people": {"totalCount": 0}}})


def test_ilike_ignores_the_case_of_every_script_on_both_databases(api):
    # given: SQLite's own LOWER knows ASCII only
    for city in ("Émile-sur-Mer", "ÅLESUND", "Straße"):
        assert api.post("/rest/people", {"city": city})[0] == 201
    query = "query($p: String) { people(filter: {city: {ilike: $p}}) { edges { node { city } } } }"

    def rest(pattern: str) -> list[str]:
        return sorted(
            p["city"] for p in api.get("/rest/people", filter=f'city[ilike]:"{pattern}"')[1]["data"]["people"]
        )

    def graphql(pattern: str) -> list[str]:
        edges = api.post("/graphql", {"query": query, "variables": {"p": pattern}})[1]["data"]["people"]["edges"]
        return sorted(e["node"]["city"] for e in edges)

    # when / then
    for pattern, expected in [("émile%", ["Émile-sur-Mer"]), ("%ålesund", ["ÅLESUND"]), ("STRASSE", []), ("%SSE", [])]:
        assert (rest(pattern), graphql(pattern)) == (expected, expected)
    assert rest("%STRAßE%") == ["Straße"]
