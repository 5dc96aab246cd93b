"""Import jobs through HTTP: files in, the real task worker, records, counts and row errors out."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.db.models import F

from metadata_app.models import Workspace
from transfers_app.models import ImportChunk, ImportJob
from webhooks_app.models import Event

pytestmark = pytest.mark.django_db

PEOPLE_MAPPING = {"First": "name.firstName", "Last": "name.lastName", "Email": "emails.primaryEmail"}


def people(api, **params):
    """``(first name, last name, email, job title, company id)`` of every person, in creation order."""
    status, body = api.get("/rest/people", limit=200, order_by="position", **params)
    assert status == 200, body
    return [
        (p["name"]["firstName"], p["name"]["lastName"], p["emails"]["primaryEmail"], p["jobTitle"], p["companyId"])
        for p in body["data"]["people"]
    ]


def test_csv_import_creates_records_with_sub_fields_and_relations(transfer, records, run_worker, api):
    # given
    acme = records.create("companies", {"name": "Acme", "domainName": {"primaryLinkUrl": "https://acme.com"}})
    csv_text = (
        "First,Last,Email,Title,Company\r\n"
        "Ada,Lovelace,ada@example.com,Countess,https://acme.com\r\n"
        '"Turing, Alan",,alan@example.com,"Says ""hi""",\r\n'
    )
    mapping = {**PEOPLE_MAPPING, "Title": "jobTitle", "Company": "company.domainName.primaryLinkUrl"}

    # when
    status, body, response = transfer.post_file("people", csv_text, mapping=mapping)
    job_id = body["data"]["id"]
    queued = body["data"]
    run_worker()

    # then
    assert status == 202
    assert response["Location"] == f"/rest/imports/{job_id}"
    assert (queued["status"], queued["totalRows"], queued["processedRows"], queued["progress"]) == ("QUEUED", 2, 0, 0.0)
    assert queued["columns"] == ["First", "Last", "Email", "Title", "Company"]
    job = transfer.job(job_id)
    assert (job["status"], job["processedRows"], job["progress"]) == ("COMPLETED", 2, 1.0)
    assert job["counts"] == {"created": 2, "updated": 0, "failed": 0}
    assert people(api) == [
        ("Ada", "Lovelace", "ada@example.com", "Countess", acme["id"]),
        ("Turing, Alan", "", "alan@example.com", 'Says "hi"', None),
    ]
    assert transfer.errors(job_id) == []
    assert ImportChunk.objects.filter(job_id=job_id).count() == 0  # the file is dropped once done


def test_failed_rows_are_reported_and_never_block_the_others(transfer, run_worker, api):
    # given
    csv_text = (
        "Name,Employees,Domain,Ideal\r\n"
        "Acme,12,https://acme.com,yes\r\n"
        "Bad number,many,https://bad.com,no\r\n"
        "Too short,3\r\n"
        "Globex,1e3,https://globex.com,false\r\n"
        "Bad flag,4,https://flag.com,maybe\r\n"
    )
    mapping = {
        "Name": "name",
        "Employees": "employees",
        "Domain": "domainName.primaryLinkUrl",
        "Ideal": "idealCustomerProfile",
    }

    # when
    _, body, _ = transfer.post_file("companies", csv_text, mapping=mapping)
    run_worker()

    # then
    job_id = body["data"]["id"]
    assert transfer.job(job_id)["counts"] == {"created": 2, "updated": 0, "failed": 3}
    assert transfer.errors(job_id) == [
        {
            "row": 2,
            "field": "employees",
            "message": "Invalid value for field 'employees': expected a number, got \"many\"",
        },
        {"row": 3, "field": None, "message": "The row has 2 values; the header has 4 columns"},
        {
            "row": 5,
            "field": "idealCustomerProfile",
            "message": "Invalid value for field 'idealCustomerProfile': expected true or false, got \"maybe\"",
        },
    ]
    _status, answer = api.get("/rest/companies", order_by="name", limit=10)
    assert [(c["name"], c["employees"], c["idealCustomerProfile"]) for c in answer["data"]["companies"]] == [
        ("Acme", 12, True),
        ("Globex", 1000, False),
    ]
    response = transfer.api.client.get(f"/rest/imports/{job_id}/errors?format=csv", **transfer.api.headers())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == (
        "row,field,message\r\n"
        '2,employees,"Invalid value for field \'employees\': expected a number, got ""many"""\r\n'
        "3,,The row has 2 values; the header has 4 columns\r\n"
        '5,idealCustomerProfile,"Invalid value for field \'idealCustomerProfile\': expected true or false, got ""maybe"""\r\n'
    )


def test_a_relation_value_without_a_live_target_is_a_row_error(transfer, records, run_worker, api):
    # given
    gone = records.create("companies", {"name": "Gone", "domainName": {"primaryLinkUrl": "https://gone.com"}})
    assert api.delete(f"/rest/companies/{gone['id']}", soft_delete="true")[0] == 200
    csv_text = "First,Company\r\nAda,https://gone.com\r\nAlan,https://nowhere.com\r\n"

    # when
    _, body, _ = transfer.post_file(
        "people", csv_text, mapping={"First": "name.firstName", "Company": "company.domainName.primaryLinkUrl"}
    )
    run_worker()

    # then
    job_id = body["data"]["id"]
    assert transfer.job(job_id)["counts"] == {"created": 0, "updated": 0, "failed": 2}
    assert transfer.errors(job_id) == [
        {
            "row": 1,
            "field": "company.domainName.primaryLinkUrl",
            "message": "Expected 1 record to connect to company, but found 0 for domainName.primaryLinkUrl = https://gone.com",
        },
        {
            "row": 2,
            "field": "company.domainName.primaryLinkUrl",
            "message": "Expected 1 record to connect to company, but found 0 for domainName.primaryLinkUrl = https://nowhere.com",
        },
    ]
    assert people(api) == []


def test_duplicates_within_a_batch_fall_back_to_rows(transfer, run_worker, api):
    # given: the batch as a whole fails on the duplicate, each row is then written on its own
    csv_text = "First,Email\r\nAda,ada@example.com\r\nAda again,ADA@example.com\r\nAlan,alan@example.com\r\n"

    # when
    _, body, _ = transfer.post_file(
        "people", csv_text, mapping={"First": "name.firstName", "Email": "emails.primaryEmail"}
    )
    run_worker()

    # then
    job_id = body["data"]["id"]
    assert transfer.job(job_id)["counts"] == {"created": 2, "updated": 0, "failed": 1}
    [error] = transfer.errors(job_id)
    ada = people(api)[0]
    assert ada[:3] == ("Ada", "", "ada@example.com")
    assert error["row"] == 2
    assert error["field"] == "emails.primaryEmail"
    assert error["message"].startswith(
        "Duplicate value for unique field 'emails.primaryEmail': 'ada@example.com' is already used by record "
    )
    assert [p[0] for p in people(api)] == ["Ada", "Alan"]


def test_upsert_on_a_unique_field_updates_matches_and_creates_the_rest(transfer, records, run_worker, api):
    # given
    ada = records.person("Ada", "Byron", "ada@example.com", jobTitle="Countess")
    csv_text = "Email,Last,Title\r\nADA@example.com,Lovelace,\r\nalan@example.com,Turing,Mathematician\r\n"

    # when
    _, body, _ = transfer.post_file(
        "people",
        csv_text,
        mapping={"Email": "emails.primaryEmail", "Last": "name.lastName", "Title": "jobTitle"},
        upsertKey="emails.primaryEmail",
    )
    run_worker()

    # then
    job = transfer.job(body["data"]["id"])
    assert (job["upsertKey"], job["counts"]) == ("emails.primaryEmail", {"created": 1, "updated": 1, "failed": 0})
    _status, answer = api.get(f"/rest/people/{ada['id']}")
    person = answer["data"]["person"]
    # an empty cell leaves the value alone; a composite's other sub-fields are kept
    assert (person["name"], person["jobTitle"], person["emails"]["primaryEmail"]) == (
        {"firstName": "Ada", "lastName": "Lovelace"},
        "Countess",
        "ADA@example.com",  # the value as given, as the API's upsert writes it
    )
    assert people(api)[1] == ("", "Turing", "alan@example.com", "Mathematician", None)


def test_upsert_on_id_and_events_as_the_api_writes_them(transfer, records, run_worker, api, workspace):
    # given
    ada = records.person("Ada", "Byron")
    new_id = "0190d0e4-0000-7000-8000-000000000001"
    ndjson = (
        f'{{"id": "{ada["id"]}", "name": {{"lastName": "Lovelace"}}}}\n'
        "\n"
        f'{{"id": "{new_id}", "name": {{"firstName": "Alan", "lastName": "Turing"}}, "city": "London"}}\n'
    )
    before = Event.objects.filter(workspace_id=workspace.pk).count()

    # when
    status, body, _ = transfer.post_file("people", ndjson, content_type="application/x-ndjson", upsertKey="id")
    run_worker()

    # then
    assert (status, body["data"]["format"], body["data"]["totalRows"]) == (202, "ndjson", 2)
    assert transfer.job(body["data"]["id"])["counts"] == {"created": 1, "updated": 1, "failed": 0}
    events = Event.objects.filter(workspace_id=workspace.pk).order_by("id")[before:]
    assert [(e.name, str(e.record_id), e.updated_fields) for e in events] == [
        ("person.updated", ada["id"], ["name"]),
        ("person.created", new_id, None),
    ]
    assert people(api) == [("Ada", "Lovelace", "", "", None), ("Alan", "Turing", "", "", None)]


def test_ndjson_lines_with_bad_json_or_unknown_fields_are_row_errors(transfer, run_worker, api):
    # given
    ndjson = '{"name": {"firstName": "Ada"}}\n{not json\n["an", "array"]\n{"nickname": "x"}\n{"Given": "Alan"}\n'

    # when
    _, body, _ = transfer.post_file("people", ndjson, format="ndjson", mapping={"Given": "name.firstName"})
    run_worker()

    # then
    job_id = body["data"]["id"]
    assert transfer.job(job_id)["counts"] == {"created": 2, "updated": 0, "failed": 3}
    errors = transfer.errors(job_id)
    assert [(e["row"], e["field"]) for e in errors] == [(2, None), (3, None), (4, "nickname")]
    assert errors[1]["message"] == "The line must be a JSON object (one record)"
    assert errors[2]["message"] == "Unknown field 'nickname' on object 'person'"
    assert errors[0]["message"].startswith("The line is not JSON: ")
    assert [p[0] for p in people(api)] == ["Ada", "Alan"]


def test_multipart_upload_with_form_fields(transfer, run_worker, api):
    # when
    status, body = transfer.multipart(
        "people",
        "people.csv",
        b"First,Email\nAda,ada@example.com\n",
        mapping={"First": "name.firstName", "Email": "emails.primaryEmail"},
    )
    run_worker()

    # then
    assert (status, body["data"]["format"], body["data"]["totalRows"]) == (202, "csv", 1)
    assert people(api) == [("Ada", "", "ada@example.com", "", None)]


def test_dry_run_counts_and_reports_but_writes_nothing(transfer, records, run_worker, api):
    # given
    records.person("Ada", "Byron", "ada@example.com")
    csv_text = "Email,Last\r\nada@example.com,Lovelace\r\nalan@example.com,Turing\r\nbad,X\r\n"
    events_before = Event.objects.count()

    # when
    _, body, _ = transfer.post_file(
        "people", csv_text, mapping={"Email": "emails.primaryEmail", "Last": "name.lastName"},
        upsertKey="emails.primaryEmail", dryRun="true",
    )  # fmt: skip
    run_worker()

    # then
    job = transfer.job(body["data"]["id"])
    assert (job["dryRun"], job["status"], job["counts"]) == (
        True,
        "COMPLETED",
        {"created": 1, "updated": 1, "failed": 1},
    )
    assert transfer.errors(job["id"]) == [
        {
            "row": 3,
            "field": "emails.primaryEmail",
            "message": "Invalid value for field 'emails.primaryEmail': expected an email address, got \"bad\"",
        }
    ]
    assert people(api) == [("Ada", "Byron", "ada@example.com", "", None)]
    assert Event.objects.count() == events_before


def test_a_job_resumes_after_its_last_committed_batch_without_duplicating_rows(transfer, run_worker, api, settings):
    # given: two rows per batch, one batch per worker task
    settings.IMPORT_BATCH_ROWS = 2
    settings.IMPORT_BATCHES_PER_RUN = 1
    settings.IMPORT_STALE_AFTER = 0
    lines = "".join(f"P{n},p{n}@example.com\r\n" for n in range(1, 6))
    _, body, _ = transfer.post_file(
        "people", "First,Email\r\n" + lines, mapping={"First": "name.firstName", "Email": "emails.primaryEmail"}
    )
    job_id = body["data"]["id"]

    # when: the first task writes one batch and queues its continuation; a worker claims that
    # continuation and dies before running it (its task stays RUNNING, the job makes no progress)
    run_worker(max_tasks=1)
    after_first = transfer.job(job_id)
    from django_tasks_db.models import DBTaskResult

    continuation = DBTaskResult.objects.get(pk=ImportJob.objects.get(id=job_id).task_id)
    continuation.claim("dead-worker")
    from transfers_app.tasks import requeue_stalled_imports

    requeued = requeue_stalled_imports()
    run_worker()

    # then
    assert (after_first["status"], after_first["processedRows"], after_first["counts"]["created"]) == ("RUNNING", 2, 2)
    assert requeued == 1
    job = transfer.job(job_id)
    assert (job["status"], job["processedRows"], job["counts"]) == (
        "COMPLETED",
        5,
        {"created": 5, "updated": 0, "failed": 0},
    )
    assert [p[0] for p in people(api)] == ["P1", "P2", "P3", "P4", "P5"]


def test_a_task_not_in_charge_of_its_job_does_nothing(transfer, run_worker, api):
    # given: the job was requeued (a new task is in charge) while its first task still waits
    _, body, _ = transfer.post_file("people", "First\r\nAda\r\n", mapping={"First": "name.firstName"})
    job = ImportJob.objects.get(id=body["data"]["id"])
    first_task = job.task_id
    from transfers_app.tasks import enqueue_import

    enqueue_import(job)

    # when
    run_worker()

    # then
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(pk=first_task).return_value == "skipped: another task is in charge"
    assert transfer.job(str(job.id))["counts"] == {"created": 1, "updated": 0, "failed": 0}
    assert [p[0] for p in people(api)] == ["Ada"]


def test_an_idempotency_key_answers_a_repeat_with_the_first_job(transfer):
    # given
    headers = {"HTTP_IDEMPOTENCY_KEY": "import-1"}
    csv_text = "First\r\nAda\r\n"

    # when
    first = transfer.post_file("people", csv_text, mapping={"First": "name.firstName"}, headers=headers)
    again = transfer.post_file("people", csv_text, mapping={"First": "name.firstName"}, headers=headers)
    other = transfer.post_file("people", "First\r\nAlan\r\n", mapping={"First": "name.firstName"}, headers=headers)

    # then
    assert (first[0], again[0]) == (202, 202)
    assert again[1] == first[1]
    assert again[2]["Idempotent-Replayed"] == "true"
    assert other[0] == 422
    assert ImportJob.objects.filter(id=first[1]["data"]["id"]).count() == 1
    assert ImportJob.objects.count() == 1


def test_a_batch_costs_the_same_queries_whatever_its_number_of_rows(transfer, records, run_worker, settings):
    # given: two jobs of one batch each, of 5 and of 40 rows, with relations and an upsert key
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.statements import cost_of

    settings.IMPORT_BATCH_ROWS = 50
    records.create("companies", {"name": "Acme", "domainName": {"primaryLinkUrl": "https://acme.com"}})
    mapping = {
        "First": "name.firstName",
        "Email": "emails.primaryEmail",
        "Company": "company.domainName.primaryLinkUrl",
    }

    def queries_of(count: int, offset: int) -> int:
        lines = "".join(f"P{n},p{n}@example.com,https://acme.com\r\n" for n in range(offset, offset + count))
        _, body, _ = transfer.post_file(
            "people", "First,Email,Company\r\n" + lines, mapping=mapping, upsertKey="emails.primaryEmail"
        )
        with CaptureQueriesContext(connection) as captured:
            run_worker()
        assert transfer.job(body["data"]["id"])["counts"] == {"created": count, "updated": 0, "failed": 0}
        return cost_of(captured)

    # when
    small, large = queries_of(5, 0), queries_of(40, 100)

    # then
    assert small == large


@pytest.mark.parametrize("format", ["csv", "ndjson"])
def test_an_export_imported_again_gives_the_same_records(transfer, records, run_worker, api, format):
    # given: companies with composites, numbers and booleans, exported
    records.batch(
        "companies",
        [
            {"name": "Acme, Inc.", "employees": 12, "domainName": {"primaryLinkUrl": "https://acme.com"},
             "address": {"addressCity": "Paris", "addressStreet1": 'Rue "du" Port\nBât. 2'}, "idealCustomerProfile": True},
            {"name": "Globex", "annualRecurringRevenue": {"amountMicros": 5_000_000, "currencyCode": "EUR"}},
        ],
    )  # fmt: skip
    before = api.get("/rest/companies", order_by="name")[1]["data"]["companies"]
    _, exported, _ = transfer.export("companies", format=format)
    # when: the same file, into a workspace's records once they are gone
    for company in before:
        assert api.delete(f"/rest/companies/{company['id']}")[0] == 200
    content_type = "text/csv" if format == "csv" else "application/x-ndjson"
    status, body, _ = transfer.post_file("companies", exported, content_type=content_type)
    run_worker()
    # then: the server-set columns were skipped; every record is back, ids and values alike
    assert status == 202, body
    assert transfer.job(body["data"]["id"])["counts"] == {"created": 2, "updated": 0, "failed": 0}
    after = api.get("/rest/companies", order_by="name")[1]["data"]["companies"]
    server_set = {"createdAt", "updatedAt", "createdBy", "updatedBy", "position"}
    assert [{k: v for k, v in c.items() if k not in server_set} for c in after] == [
        {k: v for k, v in c.items() if k not in server_set} for c in before
    ]


def test_text_a_spreadsheet_would_run_is_exported_behind_a_quote_and_imported_back_as_it_was(
    transfer, records, run_worker, api
):
    # given: values that Excel would run as formulas, and one that already starts with a quote
    records.create(
        "people",
        {
            "name": {"firstName": "-Ann", "lastName": "'=quoted"},
            "jobTitle": '=HYPERLINK("http://evil.example","x")',
            "city": "@home",
            "phones": {"primaryPhoneNumber": "612345678", "primaryPhoneCallingCode": "+33"},
        },
    )
    before = api.get("/rest/people")[1]["data"]["people"]
    # when
    _, exported, _ = transfer.export("people", format="csv")
    rows = list(csv.reader(io.StringIO(exported.decode())))
    assert api.delete(f"/rest/people/{before[0]['id']}")[0] == 200
    _, body, _ = transfer.post_file("people", exported)
    run_worker()
    # then: each such cell starts with one more quote; the import takes it off
    cells = dict(zip(rows[0], rows[1]))
    assert {k: cells[k] for k in ("name.firstName", "name.lastName", "jobTitle", "city")} == {
        "name.firstName": "'-Ann",
        "name.lastName": "''=quoted",
        "jobTitle": '\'=HYPERLINK("http://evil.example","x")',
        "city": "'@home",
    }
    assert (cells["phones.primaryPhoneCallingCode"], cells["phones.primaryPhoneNumber"]) == ("'+33", "612345678")
    assert transfer.job(body["data"]["id"])["counts"] == {"created": 1, "updated": 0, "failed": 0}
    after = api.get("/rest/people")[1]["data"]["people"]
    assert [(p["name"], p["jobTitle"], p["city"], p["phones"]) for p in after] == [
        (p["name"], p["jobTitle"], p["city"], p["phones"]) for p in before
    ]


def test_blank_csv_lines_are_no_rows_and_a_composite_cell_may_be_json(transfer, run_worker, api):
    # given: a trailing blank line, one in the middle, a whole name as JSON, and a bad company id
    csv_text = 'name,companyId\r\n"{""firstName"": ""Ada"", ""lastName"": ""L""}",\r\n\r\n"{""firstName"": ""Bob""}",0d4389ef-ea9c-4ae8-ada1-1cddc440fb56\r\n\r\n'
    # when
    _, body, _ = transfer.post_file("people", csv_text)
    run_worker()
    # then: two rows, the second refused without the batch's "Record 0: " prefix
    job_id = body["data"]["id"]
    assert transfer.job(job_id)["counts"] == {"created": 1, "updated": 0, "failed": 1}
    assert transfer.errors(job_id) == [
        {
            "row": 2,
            "field": "companyId",
            "message": "Field 'companyId': no company record has id '0d4389ef-ea9c-4ae8-ada1-1cddc440fb56'",
        }
    ]
    people = api.get("/rest/people")[1]["data"]["people"]
    assert [p["name"] for p in people] == [{"firstName": "Ada", "lastName": "L"}]


def test_ndjson_lines_connect_and_disconnect_as_the_api_does(transfer, records, run_worker, api):
    # given: a company to connect by its link, and a line whose target does not exist
    acme = records.company("Acme", domain="https://acme.com")
    ndjson = (
        '{"name": {"firstName": "Ada"}, "company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://acme.com"}}}}}\n'
        '{"name": {"firstName": "Bob"}, "company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://nosuch.com"}}}}}\n'
        '{"name": {"firstName": "Cy"}, "company": {"disconnect": true}}\n'
    )
    # when
    _, body, _ = transfer.post_file("people", ndjson, format="ndjson")
    run_worker()
    # then: Ada is linked, Cy has no company, Bob's line fails alone with Twenty's message
    job_id = body["data"]["id"]
    assert transfer.job(job_id)["counts"] == {"created": 2, "updated": 0, "failed": 1}
    assert transfer.errors(job_id) == [
        {
            "row": 2,
            "field": None,
            "message": "Expected 1 record to connect to company, but found 0 for domainName.primaryLinkUrl = https://nosuch.com",
        }
    ]
    linked = {p["name"]["firstName"]: p["companyId"] for p in api.get("/rest/people")[1]["data"]["people"]}
    assert linked == {"Ada": acme["id"], "Cy": None}


def test_a_batch_written_under_a_data_model_that_changed_is_written_again_under_the_new_one(
    transfer, run_worker, api, workspace, settings
):
    # given: two batches; a data-model change commits just before the first one writes
    settings.IMPORT_BATCH_ROWS = 2
    _, body, _ = transfer.post_file("companies", "Name\r\nAcme\r\nGlobex\r\nInitech\r\n", mapping={"Name": "name"})
    changed = []

    def change_once(execute, sql, params, many, context):
        if "SELECT metadata_version FROM metadata_app_workspace" in sql and not changed:
            changed.append(sql)
            Workspace.objects.filter(pk=workspace.pk).update(metadata_version=F("metadata_version") + 1)
        return execute(sql, params, many, context)

    # when
    with connection.execute_wrapper(change_once):
        run_worker()
    # then: no row failed, every row written once
    job = transfer.job(body["data"]["id"])
    assert (job["status"], job["counts"]) == ("COMPLETED", {"created": 3, "updated": 0, "failed": 0})
    assert len(changed) == 1
    _status, answer = api.get("/rest/companies", order_by="name", limit=10)
    assert [c["name"] for c in answer["data"]["companies"]] == ["Acme", "Globex", "Initech"]
