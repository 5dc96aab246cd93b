"""Webhook ``filter`` (the REST filter grammar on the record after the change) and ``fields`` (updates
that changed one of them): validation with the grammar's messages, REST and ``/metadata`` parity,
and deliveries written, or not, in the transaction of the change."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from metadata_app.models import ObjectMetadata
from tests.conftest import ApiClient
from tests.webhooks.conftest import created
from webhooks_app.models import Delivery

WON = "stage[eq]:CUSTOMER,amount.amountMicros[gt]:1000000000"


def opportunity(api: ApiClient, name: str, stage: str, micros: int) -> dict[str, Any]:
    """Create an opportunity through REST."""
    return created(
        api.post(
            "/rest/opportunities",
            {"name": name, "stage": stage, "amount": {"amountMicros": micros, "currencyCode": "EUR"}},
        )
    )


def delivered(hook: dict[str, Any]) -> list[tuple[str, str]]:
    """``(eventName, record id)`` of the deliveries written for a webhook, in order."""
    rows = Delivery.objects.filter(webhook_id=hook["id"]).order_by("id").select_related("event")
    return [(d.event.name, str(d.event.record_id)) for d in rows]


def test_only_changes_whose_record_matches_the_filter_are_delivered(api, hooks, receiver, run_worker, workspace):
    # given
    hook = hooks.create(receiver.url(), ["opportunity.*"], filter=WON)

    # when
    small = opportunity(api, "Small", "CUSTOMER", 5_000_000)
    big = opportunity(api, "Big", "CUSTOMER", 2_000_000_000)
    open_deal = opportunity(api, "Open", "NEW", 3_000_000_000)
    moved = created(api.patch(f"/rest/opportunities/{open_deal['id']}", {"stage": "CUSTOMER"}))
    created(api.patch(f"/rest/opportunities/{small['id']}", {"name": "Still small"}))
    run_worker()

    # then: no delivery, and no job, for the changes that do not match
    assert delivered(hook) == [("opportunity.created", big["id"]), ("opportunity.updated", open_deal["id"])]
    assert DBTaskResult.objects.count() == 2
    first, second = (r.json() for r in receiver.at("/hook"))
    assert (first["eventName"], first["record"]) == ("opportunity.created", big)
    assert (second["eventName"], second["record"], second["updatedFields"], second["before"]) == (
        "opportunity.updated",
        moved,
        ["stage"],
        {"stage": "NEW"},
    )


def test_fields_select_the_updates_that_changed_one_of_them(api, hooks, receiver, run_worker):
    # given
    hook = hooks.create(receiver.url(), ["person.*"], fields=["jobTitle", "city"])
    person = created(api.post("/rest/people", {"name": {"firstName": "Ada"}}))

    # when: the name changes (not selected), the city changes, then is given again unchanged
    created(api.patch(f"/rest/people/{person['id']}", {"name": {"firstName": "Ada", "lastName": "L"}}))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris"}))
    created(api.patch(f"/rest/people/{person['id']}", {"city": "Paris", "jobTitle": ""}))
    assert api.delete(f"/rest/people/{person['id']}", soft_delete="true")[0] == 200

    # then: creations and deletions are not updates: they always pass
    assert delivered(hook) == [
        ("person.created", person["id"]),
        ("person.updated", person["id"]),
        ("person.deleted", person["id"]),
    ]


def test_a_wildcard_webhook_filters_the_objects_that_have_the_field_and_skips_the_others(api, hooks):
    # given
    hook = hooks.create("https://example.com/hook", ["*.*"], filter="city[eq]:Paris")

    # when
    paris = created(api.post("/rest/people", {"name": {"firstName": "P"}, "city": "Paris"}))
    created(api.post("/rest/people", {"name": {"firstName": "L"}, "city": "London"}))
    created(api.post("/rest/companies", {"name": "Acme"}))

    # then
    assert delivered(hook) == [("person.created", paris["id"])]


def test_a_destroyed_record_is_filtered_on_its_last_state(api, hooks):
    # given
    hook = hooks.create("https://example.com/hook", ["person.destroyed"], filter="city[eq]:Paris")
    paris = created(api.post("/rest/people", {"name": {"firstName": "P"}, "city": "Paris"}))
    london = created(api.post("/rest/people", {"name": {"firstName": "L"}, "city": "London"}))

    # when
    for record in (paris, london):
        assert api.delete(f"/rest/people/{record['id']}")[0] == 200

    # then
    assert delivered(hook) == [("person.destroyed", paris["id"])]


def test_a_batch_is_filtered_record_by_record_with_one_query_per_filter(api, hooks):
    # given
    hook = hooks.create("https://example.com/hook", ["person.created"], filter="city[in]:[Paris,Rome]")
    cities = ["Paris", "London", "Rome", None, "paris"]

    # when
    with CaptureQueriesContext(connection) as queries:
        status, body = api.post(
            "/rest/batch/people", [{"name": {"firstName": f"P{n}"}, "city": city} for n, city in enumerate(cities)]
        )

    # then
    assert status == 201
    assert sum(q["sql"].startswith("SELECT r.id FROM (SELECT") for q in queries.captured_queries) == 1
    ids = [record["id"] for record in body["data"]["createPeople"]]
    assert delivered(hook) == [("person.created", ids[0]), ("person.created", ids[2])]


def test_filter_and_fields_are_shown_changed_and_cleared_through_rest(api, hooks):
    # given
    hook = hooks.create("https://example.com/hook", ["opportunity.*"], filter=WON, fields=["stage"])

    # when
    shown = api.get(f"/rest/metadata/webhooks/{hook['id']}")[1]["data"]
    changed = api.patch(f"/rest/metadata/webhooks/{hook['id']}", {"filter": "stage[eq]:NEW"})[1]["data"]
    cleared = api.patch(f"/rest/metadata/webhooks/{hook['id']}", {"filter": None, "fields": []})[1]["data"]

    # then
    assert (hook["filter"], hook["fields"]) == (WON, ["stage"])
    assert list(shown)[:6] == ["id", "targetUrl", "operations", "filter", "fields", "description"]
    assert (shown["filter"], shown["fields"]) == (WON, ["stage"])
    assert (changed["filter"], changed["fields"]) == ("stage[eq]:NEW", ["stage"])
    assert (cleared["filter"], cleared["fields"]) == (None, None)


def test_a_bad_filter_is_refused_with_the_grammar_message_of_the_record_api(api, hooks):
    # given: filters the record API refuses
    cases = ["stage[eq]:CUSTOMER,(", "stage[bogus]:1", "and(stage[eq]:NEW", "unknownField[eq]:1", "stage[eq]:WON"]

    for text in cases:
        # when
        status, body = api.post(
            "/rest/metadata/webhooks",
            {"targetUrl": "https://example.com/hook", "operations": ["opportunity.created"], "filter": text},
        )
        _, record_api = api.get("/rest/opportunities", filter=text)

        # then
        assert status == 400, text
        assert record_api["statusCode"] == 400
        assert body["messages"] == record_api["messages"], text


def test_other_bad_inputs_are_400_saying_what_to_fix(api):
    # when
    not_text = api.post("/rest/metadata/webhooks", {"targetUrl": "https://example.com/h", "filter": 3})
    bad_fields = api.post("/rest/metadata/webhooks", {"targetUrl": "https://example.com/h", "fields": "stage"})
    unknown_field = api.post(
        "/rest/metadata/webhooks",
        {"targetUrl": "https://example.com/h", "operations": ["person.updated"], "fields": ["stage"]},
    )

    # then
    assert not_text[0] == 400 and not_text[1]["messages"] == [
        "filter must be a string of at most 10000 characters in the REST filter grammar, "
        "e.g. stage[eq]:WON,amount.amountMicros[gt]:1000000000"
    ]
    assert bad_fields[0] == 400 and bad_fields[1]["messages"] == [
        'fields must be an array of at most 100 field names, e.g. ["stage", "amount"]'
    ]
    assert unknown_field[0] == 400 and unknown_field[1]["messages"] == [
        "fields: 'stage' is not a field of person; its fields are id, createdAt, updatedAt, deletedAt, createdBy, "
        "updatedBy, position, name, emails, linkedinLink, xLink, jobTitle, phones, city, avatarUrl, company, companyId, "
        "pointOfContactForOpportunities, attachments, noteTargets, taskTargets, timelineActivities"
    ]


SHAPE = "id targetUrl operations filter fields description"


def test_metadata_graphql_shows_and_validates_filter_and_fields_as_rest(api, hooks):
    # given
    create = """mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { %s } }""" % SHAPE
    variables = {
        "input": {
            "targetUrl": "https://example.com/hook",
            "operations": ["opportunity.*"],
            "filter": WON,
            "fields": ["stage", "amount"],
        }
    }

    # when
    status, body = api.post("/metadata", {"query": create, "variables": variables})
    made = body["data"]["createWebhook"]
    rest = api.get(f"/rest/metadata/webhooks/{made['id']}")[1]["data"]
    _, listed = api.post("/metadata", {"query": "{ webhooks { %s } }" % SHAPE})
    update = """mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { %s } }""" % SHAPE
    _, refused = api.post(
        "/metadata", {"query": update, "variables": {"input": {"id": made["id"], "update": {"filter": "stage[eq]:"}}}}
    )
    rest_refused = api.patch(f"/rest/metadata/webhooks/{made['id']}", {"filter": "stage[eq]:"})

    # then
    assert status == 200
    assert made == {k: rest[k] for k in SHAPE.split()}
    assert (made["filter"], made["fields"]) == (WON, ["stage", "amount"])
    assert listed["data"]["webhooks"] == [made]
    assert rest_refused[0] == 400
    assert refused["errors"][0]["message"] == "; ".join(rest_refused[1]["messages"])
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


THROUGH_RELATIONS = [
    (
        "company.name[eq]:Acme",
        'Webhook filters accept only the record\'s own fields: "company.name" goes through relation field "company" '
        '(use "companyId" instead)',
    ),
    (
        "stage[eq]:NEW,pointOfContact.name.firstName[eq]:Ada",
        'Webhook filters accept only the record\'s own fields: "pointOfContact.name.firstName" goes through '
        'relation field "pointOfContact" (use "pointOfContactId" instead)',
    ),
    ("company[eq]:Acme", 'Cannot filter by relation field "company": use "companyId" instead'),
    (
        "timelineActivities._none.name[eq]:x",
        'Webhook filters accept only the record\'s own fields: "timelineActivities._none.name" goes through '
        'relation field "timelineActivities"',
    ),
]


def test_a_filter_through_a_relation_is_refused_saying_webhook_filters_take_own_fields(api, hooks):
    # given: a webhook to update, and the GraphQL mutations
    made = hooks.create("https://example.com/hook", ["opportunity.updated"], filter="stage[eq]:NEW")
    create = "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }"
    update = "mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id } }"
    for text, message in THROUGH_RELATIONS:
        # when
        rest_create = api.post(
            "/rest/metadata/webhooks",
            {"targetUrl": "https://example.com/hook", "operations": ["opportunity.created"], "filter": text},
        )
        rest_update = api.patch(f"/rest/metadata/webhooks/{made['id']}", {"filter": text})
        input_ = {"targetUrl": "https://example.com/hook", "operations": ["opportunity.created"], "filter": text}
        _, gql_create = api.post("/metadata", {"query": create, "variables": {"input": input_}})
        _, gql_update = api.post(
            "/metadata", {"query": update, "variables": {"input": {"id": made["id"], "update": {"filter": text}}}}
        )
        # then
        assert rest_create == (400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]}), text
        assert rest_update == rest_create, text
        for body in (gql_create, gql_update):
            assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [(message, "BAD_USER_INPUT")]
    # nothing was written
    assert api.get(f"/rest/metadata/webhooks/{made['id']}")[1]["data"]["filter"] == "stage[eq]:NEW"
    assert api.get("/rest/metadata/webhooks")[1]["totalCount"] == 1


def test_a_field_a_webhook_filters_on_cannot_go_until_the_webhook_changes(api, hooks, receiver, workspace):
    # given: a custom field named by one webhook's filter and another's fields
    person = str(ObjectMetadata.objects.get(workspace=workspace, name_singular="person").pk)
    status, body = api.post(
        "/rest/metadata/fields", {"objectMetadataId": person, "type": "TEXT", "name": "tier", "label": "Tier"}
    )
    assert status == 201, body
    tier = f"/rest/metadata/fields/{body['data']['createOneField']['id']}"
    by_filter = hooks.create(receiver.url(), ["person.*"], filter="tier[eq]:gold")
    hooks.create(receiver.url(), ["person.updated"], fields=["tier"])
    # when
    deactivated = api.patch(tier, {"isActive": False})
    renamed = api.patch(tier, {"name": "level", "label": "Level"})

    # then: refused, naming the first webhook and the field; the field is untouched
    def refusal(verb: str) -> tuple[int, dict]:
        message = (
            f"Webhook {by_filter['id']} ({receiver.url()}) names tier of person in its filter or fields: "
            f"change the webhook before {verb} the field"
        )
        return 400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]}

    assert deactivated == refusal("deactivating")
    assert renamed == refusal("renaming")
    assert api.get(tier)[1]["data"]["field"]["isActive"] is True
    # and other changes of the data model go on (a label, another field)
    assert api.patch(tier, {"label": "Level"})[0] == 200
    # and once neither webhook names it, it can go
    for hook in api.get("/rest/metadata/webhooks")[1]["data"]:
        assert api.delete(f"/rest/metadata/webhooks/{hook['id']}")[0] == 200
    assert api.patch(tier, {"isActive": False})[0] == 200
    assert api.delete(tier)[0] == 200


def test_an_object_a_webhook_listens_to_cannot_be_renamed_or_deleted_until_the_webhook_changes(
    api, hooks, receiver, workspace
):
    # given: a custom object one webhook names, and a webhook of every object
    status, body = api.post(
        "/rest/metadata/objects",
        {"nameSingular": "doohickey", "namePlural": "doohickeys", "labelSingular": "D", "labelPlural": "Ds"},
    )
    assert status == 201, body
    path = f"/rest/metadata/objects/{body['data']['createOneObject']['id']}"
    named = hooks.create(receiver.url(), ["doohickey.created", "person.*"])
    hooks.create(receiver.url(), ["*.*"])
    # when
    renamed = api.patch(path, {"nameSingular": "thingamajig", "namePlural": "thingamajigs"})
    assert api.patch(path, {"isActive": False})[0] == 200  # deactivating keeps the name: allowed
    deleted = api.delete(path)

    # then: refused, naming the webhook; the object keeps its name
    def refusal(verb: str) -> tuple[int, dict]:
        message = (
            f"Webhook {named['id']} ({receiver.url()}) listens to doohickey.created: change its operations "
            f"before {verb} the object"
        )
        return 400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]}

    assert (renamed, deleted) == (refusal("renaming"), refusal("deleting"))
    assert ObjectMetadata.objects.get(workspace=workspace, name_plural="doohickeys").name_singular == "doohickey"
    # once the webhook no longer names it, the object goes
    assert api.patch(f"/rest/metadata/webhooks/{named['id']}", {"operations": ["person.*"]})[0] == 200
    assert api.delete(path)[0] == 200


def test_fields_no_object_has_are_refused_for_a_webhook_on_every_object(api, hooks):
    # given: a webhook on every object (the default operations) to update
    made = hooks.create("https://example.com/hook", fields=["city"])
    create = "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }"
    update = "mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id } }"
    message = (
        "fields: 'nope' is not a field of any object; with operations on '*', name fields that at least one object has"
    )

    # when
    rest_default = api.post("/rest/metadata/webhooks", {"targetUrl": "https://example.com/h", "fields": ["nope"]})
    rest_updated = api.post(
        "/rest/metadata/webhooks",
        {"targetUrl": "https://example.com/h", "operations": ["*.updated"], "fields": ["stage", "nope"]},
    )
    rest_update = api.patch(f"/rest/metadata/webhooks/{made['id']}", {"fields": ["city", "nope"]})
    _, gql_create = api.post(
        "/metadata",
        {
            "query": create,
            "variables": {"input": {"targetUrl": "https://example.com/h", "operations": ["*.*"], "fields": ["nope"]}},
        },
    )
    _, gql_update = api.post(
        "/metadata", {"query": update, "variables": {"input": {"id": made["id"], "update": {"fields": ["nope"]}}}}
    )

    # then
    assert rest_default == (400, {"statusCode": 400, "error": "BadRequestException", "messages": [message]})
    assert rest_updated == rest_default
    assert rest_update == rest_default
    for body in (gql_create, gql_update):
        assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [(message, "BAD_USER_INPUT")]
    assert api.get(f"/rest/metadata/webhooks/{made['id']}")[1]["data"]["fields"] == ["city"]
    assert api.get("/rest/metadata/webhooks")[1]["totalCount"] == 1


def test_a_webhook_on_every_object_takes_fields_that_one_object_has(api, hooks):
    # when: stage is an opportunity's, city a person's, companyId the join column of person.company
    status, body = api.post(
        "/rest/metadata/webhooks",
        {"targetUrl": "https://example.com/h", "operations": ["*.updated"], "fields": ["stage", "city", "companyId"]},
    )

    # then
    assert status == 201, body
    assert body["data"]["fields"] == ["stage", "city", "companyId"]


def test_fields_unknown_to_the_one_object_of_the_operations_are_refused_listing_its_fields(api, hooks, workspace):
    # given
    made = hooks.create("https://example.com/hook", ["note.updated"], fields=["title"])
    update = "mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id } }"

    # when
    rest = api.patch(f"/rest/metadata/webhooks/{made['id']}", {"fields": ["titel", "body"]})
    _, graphql = api.post(
        "/metadata",
        {"query": update, "variables": {"input": {"id": made["id"], "update": {"fields": ["titel", "body"]}}}},
    )

    # then
    names = (
        "id, createdAt, updatedAt, deletedAt, createdBy, updatedBy, position, title, bodyV2, noteTargets, "
        "attachments, timelineActivities"
    )
    messages = [
        f"fields: 'titel' is not a field of note; its fields are {names}",
        f"fields: 'body' is not a field of note; its fields are {names}",
    ]
    assert rest == (400, {"statusCode": 400, "error": "BadRequestException", "messages": messages})
    assert [(e["message"], e["extensions"]["code"]) for e in graphql["errors"]] == [
        ("; ".join(messages), "BAD_USER_INPUT")
    ]
