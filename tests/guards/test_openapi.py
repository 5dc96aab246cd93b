"""The OpenAPI documents describe rate limits, idempotency keys and conditional requests."""

from __future__ import annotations

import pytest

from tests.guards.conftest import Caller

pytestmark = pytest.mark.django_db

LIMIT_HEADERS = {
    name: {"$ref": f"#/components/headers/{name}"}
    for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")
}


@pytest.fixture(autouse=True)
def rate_limits_on(settings):
    """The documents describe rate limits when the server applies them (the suite turns them off)."""
    settings.RATE_LIMIT_ENABLED = True


def document(caller: Caller, which: str) -> dict:
    status, _, body = caller.call("GET", f"/rest/open-api/{which}")
    assert status == 200
    return body


def test_every_keyed_operation_carries_the_rate_limit_headers_and_the_429(caller):
    for which, path in (("core", "/companies"), ("metadata", "/metadata/objects")):
        operation = document(caller, which)["paths"][path]["get"]
        assert operation["responses"]["200"]["headers"] == LIMIT_HEADERS
        assert operation["responses"]["429"] == {"$ref": "#/components/responses/TooManyRequests"}
    components = document(caller, "core")["components"]
    assert components["responses"]["TooManyRequests"]["headers"]["Retry-After"] == {
        "$ref": "#/components/headers/Retry-After"
    }
    assert components["headers"]["RateLimit-Policy"]["example"] == "100;w=60"


def test_reading_one_record_documents_etag_and_304(caller):
    item = document(caller, "core")["paths"]["/companies/{id}"]
    get = item["get"]
    assert get["parameters"][-1] == {"$ref": "#/components/parameters/ifNoneMatch"}
    assert get["responses"]["200"]["headers"]["ETag"] == {"$ref": "#/components/headers/ETag"}
    assert get["responses"]["304"]["headers"] == {"ETag": {"$ref": "#/components/headers/ETag"}, **LIMIT_HEADERS}


def test_writes_document_idempotency_and_if_match(caller):
    doc = document(caller, "core")
    patch = doc["paths"]["/companies/{id}"]["patch"]
    assert sorted(patch["responses"]) == ["200", "400", "401", "403", "404", "409", "412", "422", "429"]
    assert patch["responses"]["200"]["headers"]["Idempotent-Replayed"] == {
        "$ref": "#/components/headers/Idempotent-Replayed"
    }
    create = doc["paths"]["/companies"]["post"]
    assert sorted(create["responses"]) == ["201", "400", "401", "403", "409", "422", "429"]
    assert doc["components"]["responses"]["PreconditionFailed"]["content"]["application/json"]["example"]["error"] == (
        "PreconditionFailedException"
    )
    restore = doc["paths"]["/restore/companies/{id}"]["patch"]
    assert [p["$ref"].rsplit("/", 1)[1] for p in restore["parameters"]][-2:] == ["idempotencyKey", "ifMatch"]
    assert "Idempotency-Key" not in str(doc["paths"]["/companies/duplicates"])


def test_the_docs_page_names_the_headers(client):
    page = client.get("/docs").content.decode()
    assert "Record writes take an <code>Idempotency-Key</code>" in page
    assert "<code>RateLimit-Remaining</code>" in page


def test_no_request_header_comes_with_an_example_try_it_out_would_send(caller):
    # Swagger UI's "Try it out" sends a parameter's example as its value: one Idempotency-Key for
    # every write (422 from the second on) and one ETag as If-Match (412).
    for which in ("core", "metadata"):
        doc = document(caller, which)
        parameters = list(doc["components"].get("parameters", {}).values())
        parameters += [p for item in doc["paths"].values() for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])]  # fmt: skip
        headers = [p for p in parameters if p.get("in") == "header"]
        assert [
            (p["name"], "example" in p or "examples" in p) for p in headers if "example" in p or "examples" in p
        ] == []
    assert {p["name"] for p in document(caller, "core")["components"]["parameters"].values() if p["in"] == "header"} == {
        "Idempotency-Key", "If-Match", "If-None-Match",
    }  # fmt: skip


def test_without_rate_limits_the_documents_and_the_page_promise_no_rate_limit_headers(caller, client, settings):
    # given
    settings.RATE_LIMIT_ENABLED = False
    # when
    docs = {which: document(caller, which) for which in ("core", "metadata")}
    page = client.get("/docs").content.decode()
    # then
    for doc in docs.values():
        assert "RateLimit" not in doc["info"]["description"]
        assert (
            "429"
            not in doc["paths"]["/metadata/objects" if "/metadata/objects" in doc["paths"] else "/companies"]["get"][
                "responses"
            ]
        )
        assert "TooManyRequests" not in doc["components"].get("responses", {})
    assert "<code>RateLimit-Remaining</code>" not in page
    assert "Record writes take an <code>Idempotency-Key</code>" in page
