"""The custom object flow (api-reference §3.2 and §1.1): a custom object and its fields are created through the
metadata API and, within the same test, every core REST operation works on it at once.
"""

from __future__ import annotations

from tests.core.helpers import (
    INSTANT,
    MISSING_ID,
    UUID,
    actor,
    bad_request,
    create_custom_object,
    create_field,
    ids_of,
    not_found,
    object_id_of,
    relation_field,
)


def test_a_custom_object_supports_every_record_operation_right_after_its_creation(api, other_api, records):
    # --- given: the object and its fields, through the metadata API ------------------------------
    invoice = create_custom_object(api, "invoice", "invoices")
    create_field(api, invoice, "number", "TEXT", isUnique=True)
    create_field(api, invoice, "amount", "CURRENCY")
    create_field(api, invoice, "dueOn", "DATE")
    create_field(
        api,
        invoice,
        "status",
        "SELECT",
        defaultValue="'DRAFT'",
        options=[
            {"label": "Draft", "value": "DRAFT"},
            {"label": "Sent", "value": "SENT"},
            {"label": "Paid", "value": "PAID"},
        ],
    )
    create_field(api, invoice, "paid", "BOOLEAN", defaultValue=False, isNullable=False)
    relation_field(api, invoice, "customer", object_id_of(api, "company"), "invoices")
    acme, globex = records.company("Acme"), records.company("Globex")

    # --- create one: 201, createInvoice, defaults, server-set values ------------------------------
    status, body = api.post(
        "/rest/invoices",
        {
            "name": "First",
            "number": "INV-1",
            "customerId": acme["id"],
            "amount": {"amountMicros": 1500000, "currencyCode": "EUR"},
        },
    )
    assert status == 201
    first = body["data"]["createInvoice"]
    assert first == {
        "id": UUID,
        "name": "First",
        "createdAt": INSTANT,
        "updatedAt": INSTANT,
        "deletedAt": None,
        "createdBy": actor(),
        "updatedBy": actor(),
        "position": 1.0,
        "number": "INV-1",
        "amount": {"amountMicros": 1500000, "currencyCode": "EUR"},
        "dueOn": None,
        "status": "DRAFT",
        "paid": False,
        "customerId": acme["id"],
    }

    # --- create many: 201, createInvoices, all or nothing -----------------------------------------
    status, body = api.post(
        "/rest/batch/invoices",
        [
            {"name": "Second", "number": "INV-2", "dueOn": "2024-03-01", "status": "SENT", "customerId": acme["id"]},
            {
                "name": "Third",
                "number": "INV-3",
                "dueOn": "2024-02-01",
                "status": "PAID",
                "paid": True,
                "customerId": globex["id"],
            },
        ],
    )
    assert status == 201
    second, third = body["data"]["createInvoices"]
    assert [second["position"], third["position"]] == [2.0, 3.0]
    assert api.post("/rest/batch/invoices", [{"number": "INV-9"}, {"status": "LOST"}]) == bad_request(
        "Record 1: Invalid value for field 'status': expected one of DRAFT, SENT, PAID, got \"LOST\""
    )

    # --- find one and find many, with filter, order, fields, limit and cursors ---------------------
    assert api.get(f"/rest/invoices/{first['id']}") == (200, {"data": {"invoice": first}})
    status, body = api.get("/rest/invoices")
    assert (status, body["data"]["invoices"], body["totalCount"]) == (
        200,
        sorted([first, second, third], key=lambda r: r["id"]),
        3,
    )
    status, body = api.get(
        "/rest/invoices",
        filter=f"and(customerId[eq]:{acme['id']},status[in]:[DRAFT,SENT])",
        order_by="dueOn[AscNullsLast]",
        fields="number,dueOn",
    )
    assert body["data"]["invoices"] == [
        {"id": second["id"], "number": "INV-2", "dueOn": "2024-03-01"},
        {"id": first["id"], "number": "INV-1", "dueOn": None},
    ]
    page_one = api.get("/rest/invoices", order_by="dueOn[DescNullsFirst]", limit="2")[1]
    page_two = api.get(
        "/rest/invoices", order_by="dueOn[DescNullsFirst]", limit="2", starting_after=page_one["pageInfo"]["endCursor"]
    )[1]
    back = api.get(
        "/rest/invoices", order_by="dueOn[DescNullsFirst]", limit="2", ending_before=page_two["pageInfo"]["startCursor"]
    )[1]
    assert ids_of(page_one["data"]["invoices"]) + ids_of(page_two["data"]["invoices"]) == [
        first["id"],
        second["id"],
        third["id"],
    ]
    assert back["data"] == page_one["data"]
    assert (page_one["pageInfo"]["hasNextPage"], page_two["pageInfo"]["hasNextPage"]) == (True, False)
    assert api.get("/rest/invoices", filter="amount.amountMicros[gt]:1000000", fields="number")[1]["data"] == {
        "invoices": [{"id": first["id"], "number": "INV-1"}]
    }

    # --- depth: MANY_TO_ONE object, ONE_TO_MANY array from the company, nested at depth 2 ----------
    status, body = api.get(f"/rest/invoices/{second['id']}", depth="1")
    # (each record's timelineActivities are tested in test_timeline.py)
    embedded = {k: v for k, v in body["data"]["invoice"].items() if k != "timelineActivities"}
    assert embedded == {**second, "customer": acme, "noteTargets": [], "taskTargets": [], "attachments": []}
    status, body = api.get(f"/rest/companies/{acme['id']}", depth="1")
    assert body["data"]["company"]["invoices"] == sorted([first, second], key=lambda r: r["id"])
    status, body = api.get(f"/rest/companies/{globex['id']}", depth="2")
    embedded = [{k: v for k, v in i.items() if k != "timelineActivities"} for i in body["data"]["company"]["invoices"]]
    assert embedded == [{**third, "customer": globex, "noteTargets": [], "taskTargets": [], "attachments": []}]

    # --- update one (PATCH and PUT) and update many ----------------------------------------------
    status, body = api.patch(f"/rest/invoices/{first['id']}", {"amount": {"currencyCode": "USD"}, "status": "SENT"})
    assert status == 200
    first = body["data"]["updateInvoice"]
    assert (first["amount"], first["status"], first["updatedBy"]) == (
        {"amountMicros": 1500000, "currencyCode": "USD"},
        "SENT",
        actor(),
    )
    status, body = api.put(f"/rest/invoices/{first['id']}", {"dueOn": "2024-04-30T23:30:00Z"})
    assert (status, body["data"]["updateInvoice"]["dueOn"]) == (200, "2024-04-30")
    status, body = api.patch("/rest/invoices", {"paid": True}, filter="status[eq]:SENT")
    assert status == 200
    assert [(r["number"], r["paid"]) for r in body["data"]["updateInvoices"]] == [("INV-1", True), ("INV-2", True)]
    assert api.patch("/rest/invoices", {"paid": True}) == bad_request(
        "Filters are mandatory for bulk update operations. Please provide at least one filter to prevent accidental "
        "update of all records."
    )
    assert api.patch(f"/rest/invoices/{first['id']}", {"paid": None}) == bad_request("Field 'paid' cannot be null")

    # --- unique field: refused without upsert, matched with upsert -------------------------------
    assert api.post("/rest/invoices", {"number": "inv-2"}) == bad_request(
        f"Duplicate value for unique field 'number': 'inv-2' is already used by record {second['id']}"
    )
    status, body = api.post("/rest/invoices", {"number": "INV-2", "name": "Second (v2)"}, upsert="true")
    assert (status, body["data"]["createInvoice"]["id"], body["data"]["createInvoice"]["name"]) == (
        201,
        second["id"],
        "Second (v2)",
    )
    status, body = api.post(
        "/rest/batch/invoices",
        [{"number": "INV-4", "name": "Fourth"}, {"number": "INV-3", "name": "Third (v2)"}],
        upsert="true",
    )
    fourth, third_again = body["data"]["createInvoices"]
    assert (status, third_again["id"], third_again["name"]) == (201, third["id"], "Third (v2)")

    # --- soft delete, restore, destroy: one and many ---------------------------------------------
    assert api.delete(f"/rest/invoices/{first['id']}", soft_delete="true") == (
        200,
        {"data": {"deleteInvoice": {"id": first["id"]}}},
    )
    assert api.get(f"/rest/invoices/{first['id']}") == not_found("invoices", first["id"])
    assert ids_of(api.get("/rest/invoices", filter="deletedAt[is]:NOT_NULL")[1]["data"]["invoices"]) == [first["id"]]
    status, body = api.patch(f"/rest/restore/invoices/{first['id']}")
    assert (status, body["data"]["restoreInvoice"]["deletedAt"]) == (200, None)
    assert api.delete("/rest/invoices", filter="paid[eq]:true", soft_delete="true")[1] == {
        "data": {"deleteInvoices": [{"id": first["id"]}, {"id": second["id"]}, {"id": third["id"]}]}
    }
    status, body = api.patch("/rest/restore/invoices", filter=f"id[in]:[{second['id']},{third['id']}]")
    assert (status, ids_of(body["data"]["restoreInvoices"])) == (200, [second["id"], third["id"]])
    assert api.delete(f"/rest/invoices/{fourth['id']}") == (200, {"data": {"deleteInvoice": {"id": fourth["id"]}}})
    assert api.delete("/rest/invoices", filter="deletedAt[is]:NOT_NULL") == (
        200,
        {"data": {"deleteInvoices": [{"id": first["id"]}]}},
    )
    assert ids_of(
        api.get("/rest/invoices", filter="or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)", order_by="position")[1][
            "data"
        ]["invoices"]
    ) == [second["id"], third["id"]]

    # --- destroying the customer clears the link -------------------------------------------------
    assert api.delete(f"/rest/companies/{globex['id']}")[0] == 200
    assert api.get(f"/rest/invoices/{third['id']}")[1]["data"]["invoice"]["customerId"] is None

    # --- path errors and 404 ---------------------------------------------------------------------
    assert api.get("/rest/invoice") == bad_request("object 'invoice' not found. Did you mean 'invoices'?")
    assert api.get("/rest/invoices/INV-2") == bad_request("'INV-2' is not a valid UUID")
    assert api.patch(f"/rest/invoices/{MISSING_ID}", {"paid": True}) == not_found("invoices", MISSING_ID)

    # --- isolation: the other workspace has no such object and cannot reach these records ---------
    assert other_api.get("/rest/invoices") == bad_request("object 'invoices' not found. eg: companies")
    assert other_api.get(f"/rest/companies/{acme['id']}") == not_found("companies", acme["id"])
