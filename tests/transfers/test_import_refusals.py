"""Imports refused before anything is stored: a clear 4xx, and no job, chunk or record left behind."""

from __future__ import annotations

import pytest

from transfers_app.models import ImportChunk, ImportJob

pytestmark = pytest.mark.django_db


def refusal(answer) -> tuple[int, list[str]]:
    """``(status, messages)`` of a refused import, checking that nothing was kept."""
    status, body, _ = answer
    assert ImportJob.objects.count() == 0
    assert ImportChunk.objects.count() == 0
    return status, body["messages"]


@pytest.mark.parametrize(
    ("body", "params", "expected"),
    [
        pytest.param(
            "First,Nickname\r\nAda,A\r\n",
            {"mapping": {"First": "name.firstName"}},
            "Column 'Nickname': unknown field 'Nickname' on object 'person'",
            id="unknown_column",
        ),
        pytest.param(
            "First\r\nAda\r\n",
            {"mapping": {"First": "name.nickname"}},
            "Column 'First': unknown sub-field 'name.nickname'; expected name.firstName, name.lastName",
            id="unknown_sub_field",
        ),
        pytest.param(
            "First\r\nAda\r\n",
            {"mapping": {"Given": "name.firstName"}},
            "The mapping names columns the file does not have: Given; the header has: First",
            id="mapping_of_a_missing_column",
        ),
        pytest.param(
            "Created\r\n2020-01-01\r\n",
            {"mapping": {"Created": "createdAt"}},
            "Column 'Created': Field 'createdAt' is read-only: the server sets it",
            id="read_only_field",
        ),
        pytest.param(
            "Tokens\r\nada\r\n",
            {"mapping": {"Tokens": "searchVector"}},
            "Column 'Tokens': Field 'searchVector' is read-only: it is computed from the search fields",
            id="search_vector",
        ),
        pytest.param(
            "Company\r\nAcme\r\n",
            {"mapping": {"Company": "company.name"}},
            "Column 'Company': 'name' is not a unique field of 'company'; "
            "use one of company.id, company.domainName.primaryLinkUrl",
            id="relation_by_a_field_that_is_not_unique",
        ),
        pytest.param(
            "First,Email\r\nAda,a@example.com\r\n",
            {"mapping": {"First": "name.firstName", "Email": "emails.primaryEmail"}, "upsertKey": "jobTitle"},
            "Unknown upsert key 'jobTitle': use one of id, emails.primaryEmail (unique fields of 'person')",
            id="unknown_upsert_key",
        ),
        pytest.param(
            "First\r\nAda\r\n",
            {"mapping": {"First": "name.firstName"}, "upsertKey": "emails.primaryEmail"},
            "The upsert key 'emails.primaryEmail' is not among the mapped columns; map a column to it",
            id="upsert_key_not_mapped",
        ),
        pytest.param(
            'First,Last\r\nAda,"Love"lace\r\n',
            {"mapping": {"First": "name.firstName", "Last": "name.lastName"}},
            "The CSV file is broken at line 2 (row 1): ',' expected after '\"'. Fields that hold commas, quotes "
            'or line breaks must be quoted, and quotes inside them doubled (e.g. "Smith, ""Jr"""',
            id="broken_quoting",
        ),
        pytest.param(
            'First\r\nAda\r\n"Alan\r\n',
            {"mapping": {"First": "name.firstName"}},
            "The CSV file is broken at line 3 (row 2): unexpected end of data. Fields that hold commas, quotes "
            'or line breaks must be quoted, and quotes inside them doubled (e.g. "Smith, ""Jr"""',
            id="unterminated_quote",
        ),
        pytest.param(
            "",
            {"format": "csv"},
            "The CSV file is empty: its first line must be a header naming the columns",
            id="empty",
        ),
        pytest.param(
            "First,First\r\nAda,Ada\r\n",
            {},
            "The header names a column twice: First; give each column its own name",
            id="duplicate_header",
        ),
        pytest.param(
            "First\r\nAda\r\n",
            {"mapping": "[1]"},
            '\'mapping\' must be a JSON object such as {"First name": "name.firstName"}',
            id="mapping_not_an_object",
        ),
        pytest.param(
            "First\r\nAda\r\n",
            {"dryRun": "yes"},
            "'dryRun' must be true or false, got 'yes'",
            id="bad_dry_run",
        ),
        pytest.param(
            "First\r\nAda\r\n",
            {"format": "xlsx"},
            "'format' must be one of csv, ndjson, got 'xlsx'",
            id="unknown_format",
        ),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_kept(transfer, body, params, expected):
    # when
    status, messages = refusal(transfer.post_file("people", body, **params))

    # then
    assert (status, messages) == (400, [expected])


def test_a_body_in_no_known_format_is_refused(transfer):
    assert refusal(transfer.post_file("people", "First\nAda\n", content_type="application/octet-stream")) == (
        400,
        ["Say the file's format: format=csv or format=ndjson, or Content-Type text/csv or application/x-ndjson"],
    )


def test_a_file_that_is_not_utf8_is_refused(transfer):
    assert refusal(transfer.post_file("people", "First\r\nAd\xe9\r\n".encode("latin-1"))) == (
        400,
        ["The file must be UTF-8 text: it holds byte 0xe9, which UTF-8 cannot decode"],
    )


def test_an_unknown_object_is_refused(transfer):
    assert refusal(transfer.post_file("persons", "First\r\nAda\r\n")) == (
        400,
        ["object 'persons' not found. eg: companies"],
    )


def test_a_file_over_the_import_limit_is_a_413_by_its_length(transfer, settings):
    # given: the request edge knows the import route's own limit
    settings.MAX_REQUEST_BODY_BYTES = 64
    settings.IMPORT_MAX_BYTES = 100
    body = "First\r\n" + "Ada\r\n" * 20

    # when
    status, messages = refusal(transfer.post_file("people", body))

    # then
    assert (status, messages) == (
        413,
        ["The request body (107 bytes) is too large: at most 100 bytes are accepted; send smaller requests"],
    )


def test_a_file_over_the_import_limit_is_a_413_while_it_is_stored(transfer, settings):
    # given: a body the edge lets through (its length unknown to it, or a command's file) is
    # measured as it is stored
    settings.IMPORT_MAX_BYTES = 64
    settings.IMPORT_CHUNK_BYTES = 1024
    body = "First\r\n" + "Ada\r\n" * 20

    # when
    status, messages = refusal(transfer.post_file("people", body))

    # then
    assert (status, messages) == (
        413,
        ["The file is larger than 64 bytes (IMPORT_MAX_BYTES); split it into smaller files"],
    )


def test_an_import_may_be_larger_than_other_bodies(transfer, settings, run_worker):
    # given: the import route has its own limit, above MAX_REQUEST_BODY_BYTES
    settings.MAX_REQUEST_BODY_BYTES = 64
    body = "First\r\n" + "Ada\r\n" * 20

    # when
    status, answer, _ = transfer.post_file("people", body, mapping={"First": "name.firstName"})

    # then
    assert (status, answer["data"]["totalRows"], answer["data"]["sizeBytes"]) == (202, 20, 107)


def test_a_multipart_form_without_a_file_is_refused(transfer):
    response = transfer.api.client.post("/rest/imports/people", data={"format": "csv"}, **transfer.api.headers())
    assert response.status_code == 400
    assert response.json()["messages"] == [
        "The multipart form has no 'file' part: send the CSV or NDJSON file as 'file'"
    ]
