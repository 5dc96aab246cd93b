"""Records are shaped by one generated function per object and selection (``api_builder``): the
same dicts, key for key and in the same order, as the field-type table's plan (``record_to_api``),
whatever a record holds; and a client cannot make the server keep more than a few of them.
"""

from __future__ import annotations

import json

import orjson
import pytest

from core_app.services.output import KEPT_SELECTIONS, api_builder, output_plan, record_to_api
from core_app.store.records import fetch_by_ids
from metadata_app.registry import schema_registry
from tests.core.helpers import create_custom_object, create_field, relation_field
from tests.seeding import store_records

TYPES: tuple[tuple[str, str, dict], ...] = (
    ("code", "TEXT", {}),
    ("count", "NUMBER", {"settings": {"dataType": "int"}}),
    ("active", "BOOLEAN", {}),
    ("seenAt", "DATE_TIME", {}),
    ("bornOn", "DATE", {}),
    ("tier", "SELECT", {"options": [{"label": "Low", "value": "LOW"}, {"label": "High", "value": "HIGH"}]}),
    ("tags", "MULTI_SELECT", {"options": [{"label": "Red", "value": "RED"}, {"label": "Blue", "value": "BLUE"}]}),
    ("stars", "RATING", {}),
    ("labels", "ARRAY", {}),
    ("payload", "RAW_JSON", {}),
    ("owner", "FULL_NAME", {}),
    ("contact", "EMAILS", {}),
    ("phone", "PHONES", {}),
    ("site", "LINKS", {}),
    ("amount", "CURRENCY", {}),
    ("location", "ADDRESS", {}),
    ("notes", "RICH_TEXT_V2", {}),
)


@pytest.fixture
def specimens(api) -> str:
    """A custom object with a field of every readable type and a relation to company."""
    object_id = create_custom_object(api, "specimen", "specimens")
    for name, type_, extra in TYPES:
        create_field(api, object_id, name, type_, **extra)
    company_id = next(o["id"] for o in api.get("/rest/metadata/objects")[1]["data"]["objects"]
                      if o["nameSingular"] == "company")  # fmt: skip
    relation_field(api, object_id, "company", company_id, "specimens")
    return object_id


def test_generated_shapes_equal_the_plan_for_every_object_and_stored_form(api, workspace, specimens):
    # given: records written through the API (full and sparse), and records whose stored composites
    # lack sub-fields, are null or hold nothing (as older data can)
    status, created = api.post("/rest/companies", {"name": "Acme", "address": {"addressCity": "Paris"}})
    assert status == 201
    full = {
        "code": "A-1", "count": 3, "active": True, "seenAt": "2024-05-01T10:00:00.000Z", "bornOn": "2024-05-01",
        "tier": "HIGH", "tags": ["RED", "BLUE"], "stars": "RATING_3", "labels": ["x"], "payload": {"k": [1]},
        "owner": {"firstName": "Ada", "lastName": "Lovelace"},
        "contact": {"primaryEmail": "ada@acme.com", "additionalEmails": ["a@b.co"]},
        "phone": {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR"},
        "site": {"primaryLinkUrl": "acme.com"}, "amount": {"amountMicros": 5000000, "currencyCode": "EUR"},
        "location": {"addressCity": "Paris"}, "notes": {"markdown": "**hi**"},
        "companyId": created["data"]["createCompany"]["id"],
    }  # fmt: skip
    assert api.post("/rest/batch/specimens", [full, {"code": "sparse"}])[0] == 201
    snapshot = schema_registry.current(workspace.pk)
    spec = snapshot.by_singular["specimen"]
    stored_keys = {field.name: field.storage_key for field in spec.fields}
    store_records(
        workspace,
        "specimen",
        {stored_keys["owner"]: {"lastName": "Only"}, stored_keys["location"]: None},
        {stored_keys["contact"]: {}, stored_keys["amount"]: {"currencyCode": "USD"}},
    )

    # when / then: every object of the workspace, every record it holds, whole and with a selection
    compared = 0
    for each in snapshot.objects:
        plan = output_plan(snapshot, each)
        ids = [item["id"] for item in api.get(f"/rest/{each.name_plural}", limit=200)[1]["data"][each.name_plural]]
        for record in fetch_by_ids(str(workspace.pk), each.id, ids):
            assert orjson.dumps(api_builder(snapshot, each)(record)) == orjson.dumps(record_to_api(record, plan))
            some = frozenset(name for number, (name, _) in enumerate(plan) if number % 3 == 1)
            assert list(api_builder(snapshot, each, some)(record).items()) == list(
                record_to_api(record, plan, some).items()
            )
            compared += 1
    assert compared >= 6


def test_many_distinct_selections_answer_alike_and_keep_few_builders(api, workspace):
    # given: companies, and more distinct field selections than the server keeps builders for
    assert api.post("/rest/batch/companies", [{"name": "Acme", "employees": 3}, {"name": "Globex"}])[0] == 201
    status, answer = api.get("/rest/companies", order_by="name")
    assert status == 200
    whole = answer["data"]["companies"]
    names = [name for name in whole[0] if name != "id"]
    selections = [(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))]
    assert len(selections) > KEPT_SELECTIONS + 5

    # when
    answers = [api.get("/rest/companies", order_by="name", fields=",".join(pair)) for pair in selections]

    # then: each answer is the projection of the whole records, in their key order
    for pair, (status, answer) in zip(selections, answers, strict=True):
        assert status == 200
        expected = [{key: value for key, value in record.items() if key in pair or key == "id"} for record in whole]
        assert json.dumps(answer["data"]["companies"]) == json.dumps(expected), pair
    snapshot = schema_registry.current(workspace.pk)
    kept = schema_registry.memo(snapshot, f"builders:{snapshot.by_singular['company'].id}", dict)
    assert len(kept) == KEPT_SELECTIONS
