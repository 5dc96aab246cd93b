"""Imports and exports in the core OpenAPI document and on /docs."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tests.roles.conftest import Roles

pytestmark = pytest.mark.django_db


def test_the_core_document_describes_imports_and_exports(api, settings):
    # given: rate limits on, as by default (the suite turns them off; then no 429 is documented)
    settings.RATE_LIMIT_ENABLED = True
    # when
    status, document = api.get("/rest/open-api/core")

    # then
    assert status == 200
    validate(document)
    paths = document["paths"]
    assert set(paths["/imports/people"]) == {"post"}
    post = paths["/imports/people"]["post"]
    assert set(post["requestBody"]["content"]) == {"text/csv", "application/x-ndjson", "multipart/form-data"}
    assert set(post["responses"]) == {"202", "400", "401", "403", "409", "413", "422", "429"}
    assert [p.get("name", p.get("$ref")) for p in post["parameters"]] == [
        "format", "mapping", "upsertKey", "dryRun", "#/components/parameters/idempotencyKey",
    ]  # fmt: skip
    assert set(paths["/exports/companies"]["get"]["responses"]["200"]["content"]) == {
        "text/csv; charset=utf-8",
        "application/x-ndjson",
    }
    assert set(paths["/imports/{id}"]) == {"parameters", "get"}
    assert set(paths["/imports/{id}/errors"]["get"]["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv; charset=utf-8",
    }


def test_a_role_sees_only_the_transfers_it_may_use(workspace):
    # given: a role that reads people and may write nothing
    roles = Roles(workspace)
    reader = roles.rest(roles.make("Reader", rights=("read",)))

    # when
    _, document = reader.get("/rest/open-api/core")

    # then
    assert "/exports/people" in document["paths"]
    assert "/imports/people" not in document["paths"]


def test_the_docs_page_points_to_imports_and_exports(api):
    response = api.client.get("/docs")
    assert response.status_code == 200
    assert 'id="transfers-hint"' in response.content.decode()
    assert "<code>POST /rest/imports/{plural}</code>" in response.content.decode()
