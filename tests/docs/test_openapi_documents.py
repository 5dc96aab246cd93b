"""``GET /rest/open-api/core|metadata``: valid OpenAPI 3.1 documents of the key's workspace."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from drf_spectacular.validation import validate_schema
from openapi_spec_validator import validate

from metadata_app.field_types import FIELD_TYPES
from metadata_app.specs import FieldSpec
from tests.docs.conftest import first_value

UUID_SCHEMA = {"type": "string", "format": "uuid"}
ERROR_RESPONSES = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def document(api, which: str = "core") -> dict[str, Any]:
    """The document as the API answers it (asserting the 200)."""
    status, body = api.get(f"/rest/open-api/{which}")
    assert status == 200
    return body


def create_rocket(api) -> dict[str, str]:
    """A custom object ``rocket`` with a few typed fields and a relation to company; returns ids."""
    status, body = api.post(
        "/rest/metadata/objects",
        {
            "nameSingular": "rocket",
            "namePlural": "rockets",
            "labelSingular": "Rocket",
            "labelPlural": "Rockets",
        },
    )
    assert status == 201, body
    rocket_id = first_value(body)["id"]
    status, body = api.get("/rest/metadata/objects", limit=100)
    company_id = next(o["id"] for o in body["data"]["objects"] if o["nameSingular"] == "company")
    for field in (
        {"type": "TEXT", "name": "codeName", "label": "Code name", "isNullable": False},
        {"type": "NUMBER", "name": "thrust", "label": "Thrust", "settings": {"dataType": "int"}},
        {
            "type": "SELECT",
            "name": "status",
            "label": "Status",
            "isNullable": False,
            "defaultValue": "IDLE",
            "options": [{"label": "Idle", "value": "IDLE"}, {"label": "Flying", "value": "FLYING"}],
        },
        {"type": "DATE_TIME", "name": "launchedAt", "label": "Launched at"},
        {"type": "CURRENCY", "name": "budget", "label": "Budget"},
        {
            "type": "RELATION",
            "name": "maker",
            "label": "Maker",
            "relationCreationPayload": {
                "targetObjectMetadataId": company_id,
                "targetFieldLabel": "Rockets",
                "type": "MANY_TO_ONE",
            },
        },
    ):
        status, body = api.post("/rest/metadata/fields", {"objectMetadataId": rocket_id, **field})
        assert status == 201, body
    return {"rocket": rocket_id, "company": company_id}


# -- validity -------------------------------------------------------------------------------------


def test_core_document_is_valid_openapi_3_1(api):
    # when
    doc = document(api, "core")

    # then
    assert doc["openapi"] == "3.1.0"
    validate(doc)  # openapi-spec-validator, OpenAPI 3.1 rules (raises on any error)


def test_metadata_document_is_valid_openapi_3_1(api):
    # when
    doc = document(api, "metadata")

    # then
    assert doc["openapi"] == "3.1.0"
    validate(doc)
    validate_schema(doc)  # drf-spectacular's validator, against the official 3.1 JSON schema


def test_component_names_have_no_spaces(api):
    for which in ("core", "metadata"):
        doc = document(api, which)
        names = [name for kind in doc["components"].values() for name in kind]
        assert names and all(re.fullmatch(r"[A-Za-z0-9_.-]+", name) for name in names), names


def test_yaml_is_served_on_request(api):
    # when
    response = api.client.get("/rest/open-api/metadata", HTTP_ACCEPT="application/yaml", **api.headers())

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert yaml.safe_load(response.content)["info"]["title"] == "Metadata API"


# -- without a valid key --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, title",
    [
        ("/rest/open-api/core", "Core API"),
        ("/open-api/core", "Core API"),
        ("/rest/open-api/metadata", "Metadata API"),
        ("/open-api/metadata", "Metadata API"),
    ],
)
def test_without_a_key_the_base_document_has_no_paths(anonymous, path, title):
    # when
    status, doc = anonymous.get(path)

    # then
    assert status == 200
    assert doc["paths"] == {}
    assert doc["info"]["title"] == title
    assert doc["components"] == {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "API key"}}
    }
    assert "x-authentication-error" not in doc
    validate(doc)


def test_a_refused_key_gets_the_base_document_saying_why(workspace):
    # given
    from tests.seeding import fast_client

    client = fast_client("crm_0123456789abcdef_not-a-real-secret")

    # when
    status, doc = client.get("/rest/open-api/core")

    # then
    assert status == 200
    assert doc["paths"] == {}
    assert doc["x-authentication-error"] == "Unknown API key."


def test_a_revoked_key_gets_the_base_document(api):
    # given
    status, keys = api.get("/rest/metadata/apiKeys")
    key_id = keys["data"][0]["id"]
    api.patch(f"/rest/metadata/apiKeys/{key_id}", {"revokedAt": "2020-01-01T00:00:00Z"})

    # when
    status, doc = api.get("/rest/open-api/metadata")

    # then
    assert (status, doc["paths"], doc["x-authentication-error"]) == (200, {}, "This API key has been revoked.")


# -- content --------------------------------------------------------------------------------------


def test_a_custom_object_created_a_second_ago_is_documented(api):
    # given
    create_rocket(api)

    # when
    doc = document(api, "core")

    # then
    schemas = doc["components"]["schemas"]
    rocket = schemas["Rocket"]["properties"]
    assert rocket["codeName"] == {"type": "string", "description": "Code name (TEXT)"}
    assert rocket["thrust"] == {
        "type": ["integer", "null"],
        "format": "int32",
        "minimum": -(2**31),
        "maximum": 2**31 - 1,
        "description": "Thrust (NUMBER)",
    }
    assert rocket["status"] == {"type": "string", "enum": ["IDLE", "FLYING"], "description": "Status (SELECT)"}
    assert rocket["launchedAt"] == {
        "type": ["string", "null"],
        "format": "date-time",
        "description": "Launched at (DATE_TIME)",
    }
    assert rocket["budget"] == {
        "type": "object",
        "properties": {
            "amountMicros": {"type": ["number", "null"]},
            "currencyCode": {"type": "string", "pattern": "^([A-Z]{3})?$"},
        },
        "required": ["amountMicros", "currencyCode"],
        "description": "Budget (CURRENCY)",
    }
    assert rocket["makerId"] == {
        "type": ["string", "null"],
        "format": "uuid",
        "description": "Maker (RELATION); id of the related record",
    }
    assert rocket["maker"] == {
        "anyOf": [{"$ref": "#/components/schemas/Company"}, {"type": "null"}],
        "description": "Maker: embedded with depth >= 1",
    }
    assert rocket["id"] == {**UUID_SCHEMA, "description": "Id (UUID); unique"}
    assert rocket["createdAt"] == {"type": "string", "format": "date-time", "description": "Creation date (DATE_TIME)"}
    assert rocket["deletedAt"] == {
        "type": ["string", "null"],
        "format": "date-time",
        "description": "Deleted at (DATE_TIME)",
    }
    assert schemas["Rocket"]["required"] == ["id"]
    assert schemas["Company"]["properties"]["rockets"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Rocket"},
        "description": "Rockets: embedded with depth >= 1",
    }
    create = schemas["Rocket_Create"]
    assert create["required"] == ["codeName"]
    assert create["additionalProperties"] is False
    assert sorted(create["properties"]) == [
        "budget",
        "codeName",
        "id",
        "launchedAt",
        "maker",
        "makerId",
        "name",
        "position",
        "status",
        "thrust",
    ]
    assert create["properties"]["makerId"] == {
        "type": ["string", "null"],
        "format": "uuid",
        "description": "Maker (RELATION); id of the related record, or null",
    }
    # Twenty's relation input beside the join id: connect by id or a unique field of company, or disconnect
    maker = create["properties"]["maker"]
    assert sorted(maker["properties"]) == ["connect", "disconnect"] and maker["additionalProperties"] is False
    where = maker["properties"]["connect"]["properties"]["where"]["properties"]
    assert where["id"] == {"type": ["string", "null"], "format": "uuid"}
    assert where["domainName"] == {
        "type": "object",
        "properties": {"primaryLinkUrl": {"type": ["string", "null"]}},
        "additionalProperties": False,
    }
    assert create["properties"]["budget"]["type"] == ["object", "null"]
    update = schemas["Rocket_Update"]
    assert update["properties"]["maker"] == maker
    assert "required" not in update and "id" not in update["properties"]
    assert sorted(p for p in doc["paths"] if "rocket" in p) == [
        "/batch/rockets",
        "/exports/rockets",
        "/imports/rockets",
        "/restore/rockets",
        "/restore/rockets/{id}",
        "/rockets",
        "/rockets/duplicates",
        "/rockets/groupBy",
        "/rockets/merge",
        "/rockets/{id}",
    ]
    assert {"name": "rockets", "description": "Rockets (custom object)"} in doc["tags"]
    assert sorted(w for w in doc["webhooks"] if w.startswith("rocket.")) == [
        "rocket.created",
        "rocket.deleted",
        "rocket.destroyed",
        "rocket.restored",
        "rocket.updated",
    ]
    validate(doc)


def test_a_new_field_appears_on_the_next_request(api):
    # given
    ids = create_rocket(api)
    before = document(api, "core")

    # when
    status, body = api.post(
        "/rest/metadata/fields",
        {"objectMetadataId": ids["rocket"], "type": "BOOLEAN", "name": "reusable", "label": "Reusable"},
    )
    after = document(api, "core")

    # then
    assert status == 201, body
    assert "reusable" not in before["components"]["schemas"]["Rocket"]["properties"]
    assert after["components"]["schemas"]["Rocket"]["properties"]["reusable"] == {
        "type": ["boolean", "null"],
        "description": "Reusable (BOOLEAN)",
    }


def test_list_route_has_every_parameter_and_the_error_format(api):
    # when
    doc = document(api, "core")

    # then
    companies = doc["paths"]["/companies"]
    refs = lambda op: [p["$ref"].rsplit("/", 1)[1] for p in op["parameters"]]
    assert refs(companies["get"]) == ["filter", "orderBy", "limit", "startingAfter", "endingBefore", "depth", "fields"]
    assert refs(companies["post"]) == ["upsert", "depth", "idempotencyKey"]
    assert refs(companies["patch"]) == ["filterRequired", "depth", "idempotencyKey", "ifMatchMany"]
    assert refs(companies["delete"]) == ["filterRequired", "softDelete", "idempotencyKey", "ifMatchMany"]
    assert refs(doc["paths"]["/companies/{id}"]["delete"]) == ["softDelete", "idempotencyKey", "ifMatch"]
    assert refs(doc["paths"]["/batch/companies"]["post"]) == ["upsert", "depth", "idempotencyKey"]
    parameters = doc["components"]["parameters"]
    assert [
        parameters[name]["name"]
        for name in (
            "filter",
            "orderBy",
            "limit",
            "startingAfter",
            "endingBefore",
            "depth",
            "fields",
            "softDelete",
            "upsert",
        )
    ] == [
        "filter",
        "order_by",
        "limit",
        "starting_after",
        "ending_before",
        "depth",
        "fields",
        "soft_delete",
        "upsert",
    ]
    assert parameters["depth"]["schema"] == {"type": "integer", "enum": [0, 1, 2], "default": 0}
    assert companies["get"]["responses"]["400"] == ERROR_RESPONSES["400"]
    assert doc["paths"]["/companies/{id}"]["get"]["responses"]["404"] == ERROR_RESPONSES["404"]
    assert doc["components"]["responses"]["BadRequest"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Common_Error"
    }
    assert doc["components"]["schemas"]["Common_Error"]["required"] == ["error", "messages", "statusCode"]
    assert companies["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"] == {
        "type": "object",
        "properties": {"companies": {"type": "array", "items": {"$ref": "#/components/schemas/Company"}}},
        "required": ["companies"],
    }
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["servers"] == [{"url": "/rest", "description": "This server"}]
    assert companies["get"]["tags"] == ["companies"]


def test_every_write_documents_the_409_with_both_of_its_causes(api):
    # when
    doc = document(api, "core")
    # then
    conflict = {"$ref": "#/components/responses/Conflict"}
    for path, method in (
        ("/people", "post"),
        ("/batch/people", "post"),
        ("/people/{id}", "patch"),
        ("/people", "delete"),
    ):
        assert doc["paths"][path][method]["responses"]["409"] == conflict, (path, method)
    assert doc["components"]["responses"]["Conflict"]["description"] == (
        "409 ConflictException: a request with the same `Idempotency-Key` is still running, or the workspace's "
        "data model changed while this one was handled (nothing was written). Send it again (`Retry-After`)."
    )


def test_webhooks_describe_the_event_payload(api):
    # when
    doc = document(api, "core")

    # then
    hook = doc["webhooks"]["person.updated"]["post"]
    body = hook["requestBody"]["content"]["application/json"]["schema"]
    assert list(body["properties"]) == [
        "targetUrl",
        "eventName",
        "objectMetadata",
        "workspaceId",
        "webhookId",
        "eventDate",
        "record",
        "updatedFields",
        "before",
    ]
    assert {"updatedFields", "before"} <= set(body["required"])
    assert body["properties"]["eventName"] == {"type": "string", "const": "person.updated"}
    assert body["properties"]["record"]["$ref"] == "#/components/schemas/Person"
    assert [p["name"] for p in hook["parameters"]][:3] == [
        "X-Twenty-Webhook-Signature",
        "X-Twenty-Webhook-Timestamp",
        "X-Twenty-Webhook-Nonce",
    ]
    assert hook["security"] == []
    assert (
        "updatedFields"
        not in doc["webhooks"]["person.created"]["post"]["requestBody"]["content"]["application/json"]["schema"][
            "properties"
        ]
    )


def test_metadata_document_covers_objects_fields_api_keys_webhooks_roles_and_the_workspace(api):
    # when
    doc = document(api, "metadata")

    # then
    assert sorted(doc["paths"]) == [
        "/metadata/apiKeys",
        "/metadata/apiKeys/{id}",
        "/metadata/fields",
        "/metadata/fields/{id}",
        "/metadata/objects",
        "/metadata/objects/{id}",
        "/metadata/roles",
        "/metadata/roles/{id}",
        "/metadata/webhooks",
        "/metadata/webhooks/{id}",
        "/metadata/webhooks/{id}/deliveries",
        "/metadata/webhooks/{id}/deliveries/{deliveryId}",
        "/metadata/webhooks/{id}/deliveries/{deliveryId}/redeliver",
        "/metadata/webhooks/{id}/replay",
        "/metadata/workspace",
    ]
    assert [t["name"] for t in doc["tags"]] == ["objects", "fields", "apiKeys", "webhooks", "roles", "workspace"]
    schemas = doc["components"]["schemas"]
    # ACTOR and POSITION are the server's own (createdBy, position): a create of one is a 400
    assert schemas["Field_Create"]["properties"]["type"]["enum"] == [
        t for t in FIELD_TYPES if t not in ("ACTOR", "POSITION")
    ]
    assert schemas["Field"]["properties"]["type"]["enum"] == list(FIELD_TYPES)
    workspace = doc["paths"]["/metadata/workspace"]["get"]["responses"]
    assert workspace["401"] == {"$ref": "#/components/responses/Unauthorized"}
    assert schemas["Field_Create"]["required"] == ["label", "name", "objectMetadataId", "type"]
    created = doc["paths"]["/metadata/apiKeys"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {
        "type": "object",
        "properties": {"data": {"$ref": "#/components/schemas/ApiKey_WithToken"}},
        "required": ["data"],
    }
    listed = doc["paths"]["/metadata/objects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["properties"]["data"] == {
        "type": "object",
        "properties": {"objects": {"type": "array", "items": {"$ref": "#/components/schemas/Object"}}},
        "required": ["objects"],
    }


# -- each field type owns its schema ----------------------------------------------------------------


def spec_of(type_name: str, **attrs: Any) -> FieldSpec:
    """A field spec of ``type_name`` for direct calls into the field-type table."""
    return FieldSpec(id="f", object_id="o", name="x", label="X", type=type_name, storage_key="x", **attrs)


@pytest.mark.parametrize(
    "type_name, attrs, read, write",
    [
        pytest.param(
            "UUID",
            {},
            {"type": ["string", "null"], "format": "uuid"},
            {"type": ["string", "null"], "format": "uuid"},
            id="uuid_case",
        ),
        pytest.param("TEXT", {"is_nullable": False}, {"type": "string"}, {"type": "string"}, id="text_not_null_case"),
        pytest.param(
            "DATE",
            {},
            {"type": ["string", "null"], "format": "date"},
            {"type": ["string", "null"], "format": "date"},
            id="date_case",
        ),
        pytest.param(
            "NUMBER",
            {"settings": {"dataType": "float"}},
            {"type": ["number", "null"]},
            {"type": ["number", "null"]},
            id="number_case",
        ),
        pytest.param(
            "NUMERIC",
            {"is_nullable": False},
            {"type": "number"},
            {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"}]},
            id="numeric_case",
        ),
        pytest.param("RAW_JSON", {}, {}, {}, id="raw_json_case"),
        pytest.param(
            "ARRAY",
            {"is_nullable": False},
            {"type": "array", "items": {"type": "string"}},
            {"type": "array", "items": {"type": "string"}},
            id="array_case",
        ),
        pytest.param(
            "MULTI_SELECT",
            {"options": ({"value": "A"}, {"value": "B"})},
            {"type": ["array", "null"], "items": {"type": "string", "enum": ["A", "B"]}},
            {"type": ["array", "null"], "items": {"type": "string", "enum": ["A", "B"]}},
            id="multi_select_case",
        ),
        pytest.param(
            "RATING",
            {"options": ({"value": "RATING_1"}, {"value": "RATING_2"})},
            {"type": ["string", "null"], "enum": ["RATING_1", "RATING_2", None]},
            {"type": ["string", "null"], "enum": ["RATING_1", "RATING_2", None]},
            id="rating_case",
        ),
        pytest.param(
            "FULL_NAME",
            {},
            {
                "type": "object",
                "properties": {"firstName": {"type": "string"}, "lastName": {"type": "string"}},
                "required": ["firstName", "lastName"],
            },
            {
                "type": ["object", "null"],
                "properties": {"firstName": {"type": ["string", "null"]}, "lastName": {"type": ["string", "null"]}},
                "additionalProperties": False,
            },
            id="full_name_case",
        ),
    ],
)
def test_field_type_owns_its_openapi_schema(type_name, attrs, read, write):
    # given
    spec = spec_of(type_name, **attrs)

    # then
    assert FIELD_TYPES[type_name].openapi_schema(spec) == read
    assert FIELD_TYPES[type_name].openapi_schema(spec, write=True) == write


def test_every_field_type_gives_a_valid_schema_both_ways():
    # given
    from jsonschema import Draft202012Validator

    # then
    for type_name, field_type in FIELD_TYPES.items():
        spec = spec_of(type_name, options=({"value": "A"},), settings={"relationType": "MANY_TO_ONE"})
        for write in (False, True):
            Draft202012Validator.check_schema(field_type.openapi_schema(spec, write=write))
    assert json.dumps(FIELD_TYPES["ACTOR"].openapi_schema(spec_of("ACTOR"), write=True)["properties"]) == json.dumps(
        {
            "source": {
                "type": ["string", "null"],
                "enum": [
                    "EMAIL",
                    "CALENDAR",
                    "WORKFLOW",
                    "AGENT",
                    "API",
                    "IMPORT",
                    "MANUAL",
                    "SYSTEM",
                    "WEBHOOK",
                    None,
                ],
            },
            "context": {},
        }
    )


def test_the_event_feed_and_webhook_replay_are_documented(api, settings):
    settings.RATE_LIMIT_ENABLED = True  # the suite turns rate limits off; the documents then leave out 429
    # when
    core, metadata = document(api), document(api, "metadata")

    # then
    feed = core["paths"]["/events"]["get"]
    assert feed["operationId"] == "listEvents"
    assert [p["name"] for p in feed["parameters"]] == [
        "after",
        "limit",
        "objectNameSingular",
        "operation",
        "recordId",
        "since",
        "until",
    ]
    assert sorted(feed["responses"]) == ["200", "400", "401", "403", "410", "429"]
    event = core["components"]["schemas"]["RecordEvent"]
    assert list(event["properties"]) == [
        "eventId",
        "cursor",
        "eventName",
        "objectMetadata",
        "workspaceId",
        "eventDate",
        "record",
        "updatedFields",
        "before",
    ]
    replay = metadata["paths"]["/metadata/webhooks/{id}/replay"]["post"]
    assert replay["operationId"] == "replayWebhookEvents"
    assert list(replay["requestBody"]["content"]["application/json"]["schema"]["properties"]) == [
        "since",
        "until",
        "after",
        "upTo",
    ]
    webhook = metadata["components"]["schemas"]["Webhook"]["properties"]
    assert list(webhook)[:5] == ["id", "targetUrl", "operations", "filter", "fields"]


def test_search_is_documented_with_its_parameters_and_answer(api, settings):
    settings.RATE_LIMIT_ENABLED = True
    # when
    doc = document(api)

    # then
    search = doc["paths"]["/search"]["get"]
    assert search["operationId"] == "search"
    assert [(p["name"], p["in"], p["schema"]) for p in search["parameters"]] == [
        ("search_input", "query", {"type": "string", "maxLength": 200}),
        ("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
        ("starting_after", "query", {"type": "string"}),
        ("included_objects", "query", {"type": "string"}),
        ("excluded_objects", "query", {"type": "string"}),
        ("filter", "query", {"type": "string"}),
    ]
    assert sorted(search["responses"]) == ["200", "400", "401", "403", "429"]
    page = search["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["properties"]["data"]["properties"]["search"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/SearchRecord"},
    }
    assert list(page["properties"]["pageInfo"]["properties"]) == ["hasNextPage", "endCursor"]
    hit = doc["components"]["schemas"]["SearchRecord"]
    assert list(hit["properties"]) == ["recordId", "objectNameSingular", "label", "imageUrl", "tsRankCD", "tsRank"]
    assert sorted(hit["required"]) == sorted(hit["properties"])


def test_search_vector_is_a_read_only_property_selected_by_fields(api):
    # when
    doc = document(api)

    # then: on searchable objects' records only, never in a body; fields selects it on both reads
    schemas = doc["components"]["schemas"]
    assert schemas["Person"]["properties"]["searchVector"] == {
        "type": "string",
        "readOnly": True,
        "description": "The record's search tokens in one string (TS_VECTOR; computed from the search fields, "
        "never written): returned only when `fields` names it.",
    }
    assert [name for name, schema in schemas.items() if "searchVector" in schema.get("properties", {})] == [
        "Company",
        "Note",
        "Opportunity",
        "Person",
        "Task",
    ]
    refs = [p["$ref"].rsplit("/", 1)[1] for p in doc["paths"]["/people/{id}"]["get"]["parameters"]]
    assert refs == ["depth", "fields", "ifNoneMatch"]
    assert "`searchVector`" in doc["components"]["parameters"]["fields"]["description"]


def test_the_read_only_timeline_has_no_import_and_no_webhook_events(api):
    # when
    doc = document(api, "core")
    # then: an import of timelineActivities is a 400, and the timeline announces nothing (§16.2)
    assert "/imports/timelineActivities" not in doc["paths"]
    assert "/exports/timelineActivities" in doc["paths"]
    assert "/imports/people" in doc["paths"]
    assert [name for name in doc["webhooks"] if name.startswith("timelineActivity.")] == []
    assert "person.created" in doc["webhooks"]


def test_request_bodies_carry_the_sizes_the_server_enforces(api, settings):
    # given
    settings.MAX_BATCH_RECORDS = 7
    # when: the data model changes, so the document is built again with the setting
    create_rocket(api)
    doc = document(api, "core")
    # then
    body = lambda path, method: doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    batch = body("/batch/people", "post")
    assert (batch["minItems"], batch["maxItems"]) == (1, 7)
    duplicates = body("/people/duplicates", "post")["oneOf"]
    assert [
        (d["properties"][k]["minItems"], d["properties"][k]["maxItems"]) for d, k in zip(duplicates, ("data", "ids"))
    ] == [(1, 60), (1, 60)]
    merge = body("/people/merge", "patch")["properties"]
    assert (merge["ids"]["minItems"], merge["ids"]["maxItems"], merge["ids"]["uniqueItems"]) == (2, 9, True)
    assert (merge["conflictPriorityIndex"]["minimum"], merge["conflictPriorityIndex"]["maximum"]) == (0, 8)
    assert "minLength" not in str(doc["paths"]["/batch/people"])


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/json;q=0, application/yaml", "application/yaml; charset=utf-8"),
        ("application/yaml;q=0.9, application/json;q=0.1", "application/yaml; charset=utf-8"),
        ("application/yaml;q=0.1, application/json", "application/json"),
        ("*/*", "application/json"),
    ],
)
def test_the_documents_format_follows_the_quality_of_each_accepted_type(api, accept, content_type):
    # when
    response = api.client.get("/rest/open-api/core", HTTP_ACCEPT=accept, **api.headers())
    # then
    assert (response.status_code, response["Content-Type"]) == (200, content_type)


def test_a_document_no_accepted_type_fits_is_a_406(api):
    response = api.client.get("/rest/open-api/core", HTTP_ACCEPT="application/yaml;q=0, text/html", **api.headers())
    assert response.status_code == 406
