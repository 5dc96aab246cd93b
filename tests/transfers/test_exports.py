"""Exports through HTTP: every matching record streamed as CSV or NDJSON, in keyset pages."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metadata_app.models import FieldMetadata
from tests.core.helpers import bad_request

pytestmark = pytest.mark.django_db


def rows_of(content: bytes) -> list[list[str]]:
    """The CSV rows of an export."""
    return list(csv.reader(io.StringIO(content.decode())))


def make_people(records, count: int) -> list[dict]:
    """``count`` people named P01..., with emails, in creation order."""
    return records.batch(
        "people",
        [
            {"name": {"firstName": f"P{n:02d}", "lastName": "Doe"}, "emails": {"primaryEmail": f"p{n}@example.com"}}
            for n in range(1, count + 1)
        ],
    )


def test_csv_export_flattens_composites_and_follows_filter_and_order(transfer, records):
    # given
    acme = records.create("companies", {"name": "Acme", "employees": 12, "address": {"addressCity": 'Hi, "all"'}})
    records.create("companies", {"name": "Globex", "employees": 3})
    records.create("companies", {"name": "Initech", "employees": 40, "idealCustomerProfile": True})

    # when
    status, content, response = transfer.export(
        "companies", filter="employees[gte]:10", order_by="employees[DescNullsLast]", format="csv"
    )

    # then
    assert status == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="companies.csv"'
    header, *body = rows_of(content)
    assert header[:4] == ["id", "createdAt", "updatedAt", "deletedAt"]
    assert "domainName.primaryLinkUrl" in header and "annualRecurringRevenue.amountMicros" in header
    assert "domainName" not in header
    picked = [
        {name: row[header.index(name)] for name in ("name", "employees", "address.addressCity", "idealCustomerProfile")}
        for row in body
    ]
    assert picked == [
        {"name": "Initech", "employees": "40", "address.addressCity": "", "idealCustomerProfile": "true"},
        {"name": "Acme", "employees": "12", "address.addressCity": 'Hi, "all"', "idealCustomerProfile": "false"},
    ]
    assert body[1][0] == acme["id"]


def test_ndjson_export_gives_the_records_of_the_rest_api(transfer, records, api):
    # given
    make_people(records, 3)
    _, listed = api.get("/rest/people", order_by="position")

    # when
    status, content, response = transfer.export("people", format="ndjson", order_by="position")

    # then
    assert (status, response["Content-Type"]) == (200, "application/x-ndjson")
    assert [json.loads(line) for line in content.decode().splitlines()] == listed["data"]["people"]


def test_an_export_reads_keyset_pages_with_a_bounded_number_of_queries(transfer, records, settings):
    # given: 25 records, pages of 10
    make_people(records, 25)
    settings.EXPORT_PAGE_SIZE = 10

    # when
    with CaptureQueriesContext(connection) as captured:
        status, content, _ = transfer.export("people", format="csv", order_by="name.firstName")
    store_reads = [q["sql"] for q in captured.captured_queries if "core_app_record" in q["sql"]]

    # then: three pages, each one query on the store whatever the number of records
    assert status == 200
    header, *body = rows_of(content)
    assert [row[header.index("name.firstName")] for row in body] == [f"P{n:02d}" for n in range(1, 26)]
    assert len(store_reads) == 3


def test_fields_narrow_the_columns_and_limit_the_records_across_pages(transfer, records, settings):
    # given: 25 people, pages of 10
    make_people(records, 25)
    settings.EXPORT_PAGE_SIZE = 10
    # when
    _, csv_content, _ = transfer.export("people", fields="emails,name", order_by="name.firstName", limit=12)
    _, ndjson, _ = transfer.export(
        "people", fields="name", format="ndjson", order_by="name.firstName[DescNullsLast]", limit=2
    )
    _, none, _ = transfer.export("people", fields="city", limit=0)
    # then: the object's order of columns, a composite's sub-fields and the id included (as in a list);
    # the first records in order
    header, *body = rows_of(csv_content)
    assert header == [
        "id", "name.firstName", "name.lastName",
        "emails.primaryEmail", "emails.additionalEmails",
    ]  # fmt: skip
    assert [row[1] for row in body] == [f"P{n:02d}" for n in range(1, 13)]
    assert [json.loads(line)["name"] for line in ndjson.decode().splitlines()] == [
        {"firstName": "P25", "lastName": "Doe"},
        {"firstName": "P24", "lastName": "Doe"},
    ]
    assert [sorted(json.loads(line)) for line in ndjson.decode().splitlines()] == [["id", "name"]] * 2
    assert rows_of(none) == [["id", "city"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"fields": "name,nickname"},
            "'fields' parameter invalid. Unknown or unreadable fields on 'person': nickname",
            id="unknown-field",
        ),
        pytest.param({"limit": "-1"}, "limit '-1' is invalid. Should be an integer", id="negative-limit"),
        pytest.param({"limit": "ten"}, "limit 'ten' is invalid. Should be an integer", id="word-limit"),
    ],
)
def test_bad_fields_and_limits_get_the_lists_messages(transfer, api, params, expected):
    # when
    status, content, _ = transfer.export("people", **params)
    # then: a field the list knows is refused alike; the export's limit has no maximum
    assert (status, json.loads(content)["messages"]) == (400, [expected])
    if "fields" in params:
        assert api.get("/rest/people", **params)[1]["messages"] == [expected]


def test_an_export_of_nothing_is_a_header(transfer):
    status, content, _ = transfer.export("people", filter="city[eq]:Nowhere")
    assert status == 200
    assert rows_of(content)[1:] == []
    assert rows_of(content)[0][0] == "id"


def test_bad_filters_get_the_rest_apis_messages(transfer, api):
    # given
    _, expected = api.get("/rest/people", filter="nickname[eq]:x")

    # when
    status, content, _ = transfer.export("people", filter="nickname[eq]:x")

    # then
    assert status == 400
    assert json.loads(content) == expected
    status, content, _ = transfer.export("people", order_by="name.firstName[Up]")
    assert (status, json.loads(content)) == (400, api.get("/rest/people", order_by="name.firstName[Up]")[1])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"format": "xlsx"}, "'format' must be one of csv, ndjson, got 'xlsx'", id="format"),
    ],
)
def test_bad_parameters_are_400(transfer, params, expected):
    status, content, _ = transfer.export("people", **params)
    assert (status, json.loads(content)["messages"]) == (400, [expected])


def test_starting_after_a_lists_cursor_exports_every_record_after_it(transfer, records, api, settings):
    # given: 25 people, pages of 10, and the end cursor of a list's first page of 7 (with a filter and an order)
    make_people(records, 25)
    settings.EXPORT_PAGE_SIZE = 10
    order, filter_ = "name.firstName[DescNullsLast]", "name.lastName[eq]:Doe"
    _, listed = api.get("/rest/people", order_by=order, filter=filter_, limit="7")
    cursor = listed["pageInfo"]["endCursor"]
    # when
    status, content, _ = transfer.export("people", order_by=order, filter=filter_, starting_after=cursor, fields="name")
    _, limited, _ = transfer.export(
        "people", order_by=order, starting_after=cursor, limit=12, fields="name", format="ndjson"
    )
    # then: the records after the cursor, in order, across pages (and as many as limit says)
    header, *body = rows_of(content)
    assert status == 200
    assert [row[header.index("name.firstName")] for row in body] == [f"P{n:02d}" for n in range(18, 0, -1)]
    _, following = api.get("/rest/people", order_by=order, starting_after=cursor, limit="12")
    assert [json.loads(line) for line in limited.decode().splitlines()] == [
        {"id": person["id"], "name": person["name"]} for person in following["data"]["people"]
    ]


def test_an_export_refuses_a_bad_cursor_as_the_list_does(transfer, api, records):
    # given: a cursor of another order than the export's
    make_people(records, 2)
    _, listed = api.get("/rest/people", order_by="name.firstName", limit="1")
    other_order = listed["pageInfo"]["endCursor"]
    message = f"Invalid cursor '{other_order}': use a startCursor or endCursor returned with this same order_by"
    # when
    status, content, _ = transfer.export("people", order_by="createdAt", starting_after=other_order)
    # then
    assert (status, json.loads(content)) == bad_request(message)
    assert api.get("/rest/people", order_by="createdAt", starting_after=other_order) == bad_request(message)


DEPTH_MESSAGE = (
    "'depth={}' parameter invalid. Exports are at depth 0 only: a relation is exported as its id "
    "(e.g. companyId); export the related object as well to get its fields"
)
ENDING_BEFORE_MESSAGE = (
    "'ending_before' is not supported on exports, which read forward: start from a record with "
    "'starting_after', and choose the records with 'filter', 'order_by' and 'limit'"
)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"depth": "1"}, DEPTH_MESSAGE.format("1"), id="depth-1"),
        pytest.param({"depth": "2", "format": "ndjson"}, DEPTH_MESSAGE.format("2"), id="depth-2-ndjson"),
        pytest.param({"depth": "x"}, DEPTH_MESSAGE.format("x"), id="depth-word"),
        pytest.param({"ending_before": "WyJ4Il0"}, ENDING_BEFORE_MESSAGE, id="ending-before"),
        pytest.param(
            {"ending_before": "WyJ4Il0", "starting_after": "WyJ4Il0"}, ENDING_BEFORE_MESSAGE, id="both-cursors"
        ),
    ],
)
def test_list_parameters_an_export_cannot_honour_are_refused_saying_what_to_use(transfer, records, params, message):
    # given
    make_people(records, 1)
    # when
    status, content, response = transfer.export("people", **params)
    # then: a 400 before any byte of a file
    assert (status, json.loads(content)) == bad_request(message)
    assert response["Content-Type"] == "application/json"


def test_depth_0_and_unknown_parameters_change_nothing_as_on_lists(transfer, records, api):
    # given
    make_people(records, 3)
    _, plain, _ = transfer.export("people", order_by="position", format="ndjson")
    # when
    status, content, _ = transfer.export(
        "people", order_by="position", format="ndjson", depth="0", ending_before="", nosuch="1", soft_delete="true"
    )
    # then
    assert (status, content) == (200, plain)
    listed = api.get("/rest/people", order_by="position", depth="0", ending_before="", nosuch="1")
    assert listed[0] == 200
    assert [json.loads(line) for line in content.decode().splitlines()] == listed[1]["data"]["people"]


def test_an_unknown_object_is_refused(transfer):
    status, content, _ = transfer.export("persons")
    assert (status, json.loads(content)["messages"]) == (400, ["object 'persons' not found. eg: companies"])


def test_an_export_sees_only_its_workspace(transfer, other_transfer, records):
    # given
    make_people(records, 2)

    # when
    status, content, _ = other_transfer.export("people", format="ndjson")

    # then
    assert (status, content) == (200, b"")


def expected_cell(value) -> str:
    """A REST value as the CSV export writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def test_every_csv_cell_is_the_rest_apis_value_flattened(transfer, records, api, workspace):
    # given companies with composites full, partly set, empty, with lists, and column-backed ones (createdBy)
    records.create(
        "companies",
        {
            "name": "Acme",
            "employees": 12,
            "domainName": {
                "primaryLinkUrl": "https://acme.com",
                "secondaryLinks": [{"url": "https://a.io", "label": "A"}],
            },
            "address": {"addressCity": "Paris", "addressStreet1": '1, rue "X"'},
            "annualRecurringRevenue": {"amountMicros": 1500000, "currencyCode": "EUR"},
            "idealCustomerProfile": True,
        },
    )
    globex = records.create("companies", {"name": "Globex", "domainName": {"primaryLinkUrl": "https://globex.com"}})
    records.create("companies", {"name": None, "address": {"addressCity": None}})
    # a stored composite lacking sub-fields (written before they existed): they read as empty
    key = FieldMetadata.objects.get(workspace=workspace, object__name_singular="company", name="domainName").storage_key
    drop = (
        f"data #- '{{{key},secondaryLinks}}'"
        if connection.vendor == "postgresql"
        else f"json_remove(data, '$.{key}.secondaryLinks')"
    )
    as_uuid = (lambda v: v) if connection.vendor == "postgresql" else (lambda v: v.replace("-", ""))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE core_app_record SET data = {drop} WHERE workspace_id = %s AND id = %s",
            [as_uuid(str(workspace.pk)), as_uuid(globex["id"])],
        )
    _, listed = api.get("/rest/companies", order_by="position")
    assert listed["data"]["companies"][1]["domainName"]["secondaryLinks"] is None

    # when
    status, content, _ = transfer.export("companies", format="csv", order_by="position")

    # then every cell is the REST value of its column (``field.subField`` read inside the composite)
    assert status == 200
    header, *body = rows_of(content)
    expected = [
        [expected_cell(r[c.split(".")[0]][c.split(".")[1]] if "." in c else r[c]) for c in header]
        for r in listed["data"]["companies"]
    ]
    assert body == expected
    assert "createdBy.source" in header and "address.addressStreet2" in header


def test_an_export_orders_through_a_relation_as_the_list_does(transfer, records, api, settings):
    # given: people at companies named out of creation order, one without a company; pages of 2
    settings.EXPORT_PAGE_SIZE = 2
    zeta, acme = records.company("Zeta"), records.company("Acme")
    for first, company in (("Ann", zeta), ("Bob", acme), ("Cy", None), ("Di", acme)):
        records.create("people", {"name": {"firstName": first}, "companyId": company["id"] if company else None})
    order = "company.name[AscNullsLast],name.firstName[DescNullsLast]"
    # when
    status, content, _ = transfer.export("people", format="csv", order_by=order)
    # then: the same order as GET /rest/people, across pages
    listed = api.get("/rest/people", order_by=order)[1]["data"]["people"]
    rows = rows_of(content)
    column = rows[0].index("name.firstName")
    assert status == 200
    assert [row[column] for row in rows[1:]] == [p["name"]["firstName"] for p in listed] == ["Di", "Bob", "Ann", "Cy"]
