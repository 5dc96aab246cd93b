"""Upsert (api-reference 2.6 and the decisions table): ``?upsert=true`` on create one and batch
matches on ``id`` and on unique fields (person ``emails.primaryEmail``, company
``domainName.primaryLinkUrl``), soft-deleted rows included and restored, ``createdBy`` kept;
duplicates refused without it; never a duplicate under concurrent writers (PostgreSQL).
"""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection

from apikeys_app.services import create_api_key
from metadata_app.services.workspaces import create_workspace
from tests.conftest import ApiClient
from tests.core.conftest import Records, client_for
from tests.core.helpers import INSTANT, MISSING_ID, actor, bad_request, first_value
from tests.metadata.helpers import create_field, create_object
from webhooks_app.models import Event


def people_with_email(api: ApiClient, email: str) -> list[dict]:
    """Every person (live or trashed) whose primary email is ``email``."""
    status, body = api.get(
        "/rest/people", filter=f"and(emails.primaryEmail[ilike]:{email},or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL))"
    )
    assert status == 200, body
    return body["data"]["people"]


@pytest.fixture
def second_api(workspace) -> ApiClient:
    """Another key of the same workspace, called "second key"."""
    _, token = create_api_key(workspace, {"name": "second key"})
    return client_for(token)


def test_upsert_matching_an_id_updates_that_record_and_keeps_created_by(api, second_api, records):
    # given
    company = records.company("Acme", employees=5)
    # when
    status, body = second_api.post("/rest/companies", {"id": company["id"], "name": "Acme Inc"}, upsert="true")
    # then
    assert status == 201
    assert body == {
        "data": {
            "createCompany": {
                **company,
                "name": "Acme Inc",
                "updatedAt": INSTANT,
                "updatedBy": actor("second key"),
            }
        }
    }
    assert body["data"]["createCompany"]["createdBy"] == actor("test key")
    assert api.get("/rest/companies")[1]["totalCount"] == 1


def test_upsert_matching_a_person_email_updates_that_person(api, second_api, records):
    # given
    person = records.person("Ada", "Lovelace", "ada@acme.com", jobTitle="Analyst")
    # when: the email differs in case only
    status, body = second_api.post(
        "/rest/people",
        {"name": {"firstName": "Ada", "lastName": "King"}, "emails": {"primaryEmail": "ADA@acme.com"}},
        upsert="true",
    )
    # then
    assert status == 201
    upserted = body["data"]["createPerson"]
    assert upserted["id"] == person["id"]
    assert upserted["name"] == {"firstName": "Ada", "lastName": "King"}
    assert upserted["jobTitle"] == "Analyst"
    assert (upserted["createdBy"], upserted["updatedBy"]) == (actor("test key"), actor("second key"))
    assert [p["id"] for p in people_with_email(api, "ada@acme.com")] == [person["id"]]


def test_upsert_matching_a_company_domain_updates_that_company(api, records):
    # given
    company = records.company("Acme", domain="acme.com")
    # when
    status, body = api.post(
        "/rest/companies",
        {"name": "Acme Corp", "domainName": {"primaryLinkUrl": "acme.com"}, "employees": 50},
        upsert="true",
    )
    # then
    assert status == 201
    assert body["data"]["createCompany"]["id"] == company["id"]
    assert (body["data"]["createCompany"]["name"], body["data"]["createCompany"]["employees"]) == ("Acme Corp", 50)
    assert api.get("/rest/companies")[1]["totalCount"] == 1


def test_upsert_without_a_match_creates_the_record(api, records):
    # given
    records.person("Ada", email="ada@acme.com")
    # when
    status, body = api.post(
        "/rest/people", {"name": {"firstName": "Alan"}, "emails": {"primaryEmail": "alan@acme.com"}}, upsert="true"
    )
    # then
    assert status == 201
    assert body["data"]["createPerson"]["createdBy"] == actor()
    assert body["data"]["createPerson"]["createdAt"] == body["data"]["createPerson"]["updatedAt"]
    assert api.get("/rest/people")[1]["totalCount"] == 2


def test_upsert_with_a_new_id_creates_the_record_with_that_id(api):
    status, body = api.post("/rest/companies", {"id": MISSING_ID, "name": "Acme"}, upsert="true")
    assert status == 201
    assert body["data"]["createCompany"]["id"] == MISSING_ID


def test_upsert_matching_a_soft_deleted_record_restores_it(api, records):
    # given
    person = records.person("Ada", email="ada@acme.com")
    api.delete(f"/rest/people/{person['id']}", soft_delete="true")
    # when
    status, body = api.post(
        "/rest/people", {"emails": {"primaryEmail": "ada@acme.com"}, "city": "Paris"}, upsert="true"
    )
    # then
    assert status == 201
    assert body["data"]["createPerson"]["id"] == person["id"]
    assert body["data"]["createPerson"]["deletedAt"] is None
    assert body["data"]["createPerson"]["city"] == "Paris"
    assert api.get(f"/rest/people/{person['id']}")[0] == 200


def test_upsert_matching_a_soft_deleted_id_restores_it(api, records):
    company = records.company("Acme")
    api.delete(f"/rest/companies/{company['id']}", soft_delete="true")
    status, body = api.post("/rest/companies", {"id": company["id"], "name": "Back"}, upsert="true")
    assert status == 201
    assert (body["data"]["createCompany"]["name"], body["data"]["createCompany"]["deletedAt"]) == ("Back", None)
    assert api.get("/rest/companies")[1]["totalCount"] == 1


def test_batch_upsert_updates_the_matches_and_creates_the_rest_in_input_order(api, records):
    # given
    ada = records.person("Ada", email="ada@acme.com")
    # when
    status, body = api.post(
        "/rest/batch/people",
        [
            {"name": {"firstName": "Grace"}, "emails": {"primaryEmail": "grace@navy.mil"}},
            {"name": {"firstName": "Ada", "lastName": "King"}, "emails": {"primaryEmail": "ada@acme.com"}},
        ],
        upsert="true",
    )
    # then
    assert status == 201
    grace, upserted = body["data"]["createPeople"]
    assert grace["name"] == {"firstName": "Grace", "lastName": ""}
    assert grace["id"] != ada["id"]
    assert upserted["id"] == ada["id"]
    assert upserted["name"] == {"firstName": "Ada", "lastName": "King"}
    assert api.get("/rest/people")[1]["totalCount"] == 2


def test_create_without_upsert_refuses_an_existing_unique_value(api, records):
    # given
    person = records.person("Ada", email="ada@acme.com")
    # when
    answer = api.post("/rest/people", {"emails": {"primaryEmail": "Ada@Acme.com"}})
    # then
    assert answer == bad_request(
        f"Duplicate value for unique field 'emails.primaryEmail': 'ada@acme.com' is already used by record {person['id']}"
    )
    assert api.get("/rest/people")[1]["totalCount"] == 1


def test_create_without_upsert_refuses_an_existing_domain(api, records):
    company = records.company("Acme", domain="acme.com")
    answer = api.post("/rest/batch/companies", [{"name": "Other", "domainName": {"primaryLinkUrl": "acme.com"}}])
    assert answer == bad_request(
        f"Record 0: Duplicate value for unique field 'domainName.primaryLinkUrl': 'acme.com' is already used by record {company['id']}"
    )


def test_a_link_with_a_trailing_slash_or_another_case_is_the_same_unique_link(api, records):
    # given: Twenty matches links without their trailing slash (api-reference §12.1)
    company = records.company("Acme", domain="https://acme.com")
    # when
    refused = api.post("/rest/companies", {"name": "Other", "domainName": {"primaryLinkUrl": "https://ACME.com/"}})
    upserted = api.post(
        "/rest/companies", {"name": "Again", "domainName": {"primaryLinkUrl": "https://acme.com//"}}, upsert="true"
    )
    # then
    assert refused == bad_request(
        "Duplicate value for unique field 'domainName.primaryLinkUrl': 'https://acme.com' "
        f"is already used by record {company['id']}"
    )
    assert upserted[0] == 201
    assert upserted[1]["data"]["createCompany"]["id"] == company["id"]
    assert upserted[1]["data"]["createCompany"]["domainName"]["primaryLinkUrl"] == "https://acme.com//"
    assert api.get("/rest/companies")[1]["totalCount"] == 1


@pytest.mark.parametrize("domain", ['say"hi".com', "back\\slash.com", "{brace},comma.com", "NULL", " "])
def test_unique_values_with_quotes_backslashes_and_braces_are_found(api, records, domain):
    # given: a value that array syntax would misread if it were not quoted and escaped
    company = records.company("Acme", domain=domain)
    stored = company["domainName"]["primaryLinkUrl"]
    # when
    refused = api.post("/rest/batch/companies", [{"name": "Other", "domainName": {"primaryLinkUrl": domain}}])
    upserted = api.post("/rest/companies", {"name": "Again", "domainName": {"primaryLinkUrl": domain}}, upsert="true")
    # then
    assert refused == bad_request(
        f"Record 0: Duplicate value for unique field 'domainName.primaryLinkUrl': '{stored.lower()}' is already used by record {company['id']}"
    )
    assert upserted[0] == 201
    assert upserted[1]["data"]["createCompany"]["id"] == company["id"]
    assert upserted[1]["data"]["createCompany"]["name"] == "Again"


def test_create_without_upsert_refuses_an_existing_id(api, records):
    company = records.company("Acme")
    assert api.post("/rest/companies", {"id": company["id"], "name": "Again"}) == bad_request(
        f"Record {company['id']} already exists"
    )


@pytest.mark.parametrize("flag", ["TRUE", "1", "yes", "false"])
def test_upsert_flag_other_than_true_creates_plainly(api, records, flag):
    company = records.company("Acme")
    answer = api.post("/rest/companies", {"id": company["id"], "name": "Again"}, upsert=flag)
    assert answer == bad_request(f"Record {company['id']} already exists")


def test_upsert_whose_id_and_unique_value_match_different_records_is_a_400(api, records):
    # given
    ada = records.person("Ada", email="ada@acme.com")
    alan = records.person("Alan", email="alan@acme.com")
    # when
    answer = api.post("/rest/people", {"id": alan["id"], "emails": {"primaryEmail": "ada@acme.com"}}, upsert="true")
    # then
    assert answer == bad_request(
        f"Duplicate value for unique field 'emails.primaryEmail': 'ada@acme.com' is already used by record {ada['id']}"
    )
    assert first_value(api.get(f"/rest/people/{alan['id']}")[1])["emails"]["primaryEmail"] == "alan@acme.com"


def test_upsert_with_the_id_of_another_objects_record_is_a_400(api, records):
    person = records.person("Ada")
    answer = api.post("/rest/companies", {"id": person["id"], "name": "Acme"}, upsert="true")
    assert answer == bad_request(f"id '{person['id']}' cannot be used; choose another id")
    assert api.get("/rest/companies")[1]["totalCount"] == 0


def test_upsert_of_invalid_input_is_a_400_and_changes_nothing(api, records):
    person = records.person("Ada", email="ada@acme.com", jobTitle="Analyst")
    answer = api.post("/rest/people", {"emails": {"primaryEmail": "ada@acme.com"}, "jobTitle": 7}, upsert="true")
    assert answer == bad_request("Invalid value for field 'jobTitle': expected a string, got 7")
    assert first_value(api.get(f"/rest/people/{person['id']}")[1]) == person


# --- concurrency (PostgreSQL) -------------------------------------------------------------------
# These tests commit (transaction=True) and the database is flushed after each: keep them last.

WRITERS = 8


def run_concurrently(token: str, call) -> list[tuple[int, dict]]:
    """Run ``call(client)`` in WRITERS threads released together; return their answers."""
    barrier = threading.Barrier(WRITERS)
    answers: list = [None] * WRITERS

    def work(index: int) -> None:
        try:
            client = client_for(token)
            barrier.wait(timeout=10)
            answers[index] = call(client)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.fixture
def committed_api(transactional_db):
    """A key of a fresh workspace, both committed (the seeded ones do not survive a flush), and its token."""
    _, token = create_api_key(create_workspace("Race"), {"name": "test key"})
    return client_for(token), token


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_upserts_of_the_same_email_create_exactly_one_person(committed_api):
    # given
    api, token = committed_api
    body = {"name": {"firstName": "Ada"}, "emails": {"primaryEmail": "race@acme.com"}}
    # when
    answers = run_concurrently(token, lambda client: client.post("/rest/people", body, upsert="true"))
    # then
    assert [status for status, _ in answers] == [201] * WRITERS
    assert len({first_value(answer)["id"] for _, answer in answers}) == 1
    assert len(people_with_email(api, "race@acme.com")) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_the_same_email_let_exactly_one_succeed(committed_api):
    # given
    api, token = committed_api
    body = {"name": {"firstName": "Ada"}, "emails": {"primaryEmail": "race@acme.com"}}
    # when
    answers = run_concurrently(token, lambda client: client.post("/rest/people", body))
    # then
    winners = [first_value(answer) for status, answer in answers if status == 201]
    assert len(winners) == 1
    refusals = [
        bad_request("A record with the same id or unique value was written at the same time; retry the request")[1],
        bad_request(
            f"Duplicate value for unique field 'emails.primaryEmail': 'race@acme.com' is already used by "
            f"record {winners[0]['id']}"
        )[1],
    ]
    losers = [(status, answer) for status, answer in answers if status != 201]
    assert len(losers) == WRITERS - 1
    assert all(status == 400 and answer in refusals for status, answer in losers), losers
    assert [p["id"] for p in people_with_email(api, "race@acme.com")] == [winners[0]["id"]]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_to_the_same_email_let_exactly_one_succeed(committed_api):
    # given: one person per writer, each with an email of their own
    api, token = committed_api
    people = Records(api).batch("people", [{"emails": {"primaryEmail": f"p{n}@acme.com"}} for n in range(WRITERS)])
    ids = iter(p["id"] for p in people)
    lock = threading.Lock()

    def update(client):
        with lock:
            person_id = next(ids)
        return client.patch(f"/rest/people/{person_id}", {"emails": {"primaryEmail": "race@acme.com"}})

    # when
    answers = run_concurrently(token, update)
    # then
    winners = [first_value(answer) for status, answer in answers if status == 200]
    assert len(winners) == 1
    refusals = [
        bad_request("A record with the same id or unique value was written at the same time; retry the request")[1],
        bad_request(
            f"Duplicate value for unique field 'emails.primaryEmail': 'race@acme.com' is already used by "
            f"record {winners[0]['id']}"
        )[1],
    ]
    losers = [(status, answer) for status, answer in answers if status != 200]
    assert len(losers) == WRITERS - 1
    assert all(status == 400 and answer in refusals for status, answer in losers), losers
    assert [p["id"] for p in people_with_email(api, "race@acme.com")] == [winners[0]["id"]]


def shuffled_batches(count: int, size: int) -> list[list[dict]]:
    """``count`` batches of the same ``size`` people (same emails), each in a different order."""
    people = [{"name": {"firstName": f"P{n}"}, "emails": {"primaryEmail": f"same{n}@acme.com"}} for n in range(size)]
    return [people[shift:] + people[:shift] if shift % 2 else list(reversed(people[shift:] + people[:shift]))
            for shift in range(count)]  # fmt: skip


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_batch_upserts_of_the_same_emails_in_different_orders_all_succeed(committed_api):
    # given: 16 writers, each upserting the same 50 emails in its own order (no deadlock may surface)
    api, token = committed_api
    batches = shuffled_batches(16, 50)
    barrier = threading.Barrier(16)
    answers: list = [None] * 16

    def work(index: int) -> None:
        try:
            client = client_for(token)
            barrier.wait(timeout=10)
            answers[index] = client.post("/rest/batch/people", batches[index], upsert="true")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then
    assert [status for status, _ in answers] == [201] * 16, [a for a in answers if a[0] != 201][:2]
    status, body = api.get("/rest/people", limit="200", filter="emails.primaryEmail[like]:same%")
    assert (status, body["totalCount"]) == (200, 50)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_graphql_upserts_of_the_same_emails_all_succeed(committed_api):
    api, token = committed_api
    batches = shuffled_batches(16, 50)
    barrier = threading.Barrier(16)
    answers: list = [None] * 16
    mutation = "mutation($data: [PersonCreateInput!]!) { createPeople(data: $data, upsert: true) { id } }"

    def work(index: int) -> None:
        try:
            client = client_for(token)
            barrier.wait(timeout=10)
            answers[index] = client.post("/graphql", {"query": mutation, "variables": {"data": batches[index]}})
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(status == 200 and "errors" not in body and len(body["data"]["createPeople"]) == 50
               for status, body in answers), [a for a in answers if "errors" in a[1]][:2]  # fmt: skip
    assert api.get("/rest/people", filter="emails.primaryEmail[like]:same%")[1]["totalCount"] == 50


# --- lost updates (PostgreSQL) -------------------------------------------------------------------

LOST_UPDATE_ROUTES = {
    "rest_one": lambda client, ticket_id, field, value: client.patch(f"/rest/tickets/{ticket_id}", {field: value}),
    "rest_many": lambda client, ticket_id, field, value: client.patch(
        "/rest/tickets", {field: value}, filter=f"id[eq]:{ticket_id}"
    ),
    "graphql_one": lambda client, ticket_id, field, value: client.post(
        "/graphql",
        {"query": 'mutation { updateTicket(id: "%s", data: {%s: "%s"}) { id } }' % (ticket_id, field, value)},
    ),
    "upsert": lambda client, ticket_id, field, value: client.post(
        "/rest/tickets", {"id": ticket_id, field: value}, upsert="true"
    ),
}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", list(LOST_UPDATE_ROUTES))
def test_concurrent_updates_of_different_fields_of_one_record_all_land(committed_api, route):
    # given: a record with one text field per writer
    api, token = committed_api
    ticket = create_object(api, "ticket", "tickets")
    fields = [f"f{n}" for n in range(WRITERS)]
    for name in fields:
        create_field(api, ticket["id"], name)
    ticket_id = Records(api).create("tickets", {"name": "T"})["id"]
    writers = iter(fields)
    lock = threading.Lock()

    def update(client):
        with lock:
            field = next(writers)
        return LOST_UPDATE_ROUTES[route](client, ticket_id, field, f"set by {field}")

    # when: each writer sets its own field of the record, all at once
    answers = run_concurrently(token, update)
    # then: no write undid another
    assert [status for status, _ in answers] == [201 if route == "upsert" else 200] * WRITERS, answers
    status, body = api.get(f"/rest/tickets/{ticket_id}")
    assert status == 200, body
    assert {name: body["data"]["ticket"][name] for name in fields} == {name: f"set by {name}" for name in fields}


def test_a_batch_upsert_that_restores_a_record_places_its_new_records_after_it(api, records):
    # given: Ada at position 1, Grace at 2, Grace in the trash (the live records end at 1)
    records.person("Ada", email="ada@acme.com")
    grace = records.person("Grace", email="grace@navy.mil")
    assert api.delete(f"/rest/people/{grace['id']}", soft_delete="true")[0] == 200

    # when: one upsert restores Grace and creates Alan
    status, body = api.post(
        "/rest/batch/people",
        [{"emails": {"primaryEmail": "grace@navy.mil"}}, {"name": {"firstName": "Alan"}}],
        upsert="true",
    )

    # then: Alan goes after every live record, Grace (restored at 2) included
    assert status == 201
    people = body["data"]["createPeople"]
    assert [(p["name"]["firstName"], p["position"], p["deletedAt"]) for p in people] == [
        ("Grace", 2.0, None),
        ("Alan", 3.0, None),
    ]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("route", "trashed", "event"),
    [
        pytest.param(lambda c, i: c.delete(f"/rest/people/{i}"), False, "person.destroyed", id="destroy"),
        pytest.param(
            lambda c, i: c.delete(f"/rest/people/{i}", soft_delete="true"), False, "person.deleted", id="trash"
        ),
        pytest.param(lambda c, i: c.patch(f"/rest/restore/people/{i}"), True, "person.restored", id="restore"),
    ],
)
def test_concurrent_deletes_or_restores_of_one_record_act_once(committed_api, route, trashed, event):
    # given
    api, token = committed_api
    ada = first_value(api.post("/rest/people", {"name": {"firstName": "Ada"}})[1])
    if trashed:
        assert api.delete(f"/rest/people/{ada['id']}", soft_delete="true")[0] == 200
    before = api.get("/rest/people")[1]["totalCount"]
    # when
    answers = run_concurrently(token, lambda client: route(client, ada["id"]))
    # then: one request acts, the others answer as they would just after it; one event; the count exact
    statuses = sorted(status for status, _ in answers)
    assert statuses == ([200] * WRITERS if event == "person.restored" else [200] + [404] * (WRITERS - 1))
    assert Event.objects.filter(record_id=ada["id"], name=event).count() == 1
    live = 1 if event == "person.restored" else 0
    assert api.get("/rest/people")[1]["totalCount"] == before + (live if trashed else live - 1)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_linking_to_a_company_while_it_is_destroyed_leaves_no_dangling_link(committed_api):
    # given
    api, token = committed_api
    acme = first_value(api.post("/rest/companies", {"name": "Acme"})[1])

    turns = itertools.count()

    def work(client):
        if next(turns) == 0:
            return client.delete(f"/rest/companies/{acme['id']}")
        return client.post("/rest/people", {"name": {"firstName": "P"}, "companyId": acme["id"]})

    # when
    answers = run_concurrently(token, work)
    # then: every person either was relinked by the destroy or was refused
    assert api.get(f"/rest/companies/{acme['id']}")[0] == 404
    linked = api.get("/rest/people", filter=f"companyId[eq]:{acme['id']}")[1]["totalCount"]
    assert linked == 0
    assert all(status in (200, 201, 400) for status, _ in answers), answers


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_upsert_whose_match_is_destroyed_meanwhile_creates_the_record_again(committed_api):
    # given
    api, token = committed_api
    body = {"name": {"firstName": "Ada"}, "emails": {"primaryEmail": "gone@acme.com"}}
    ada = first_value(api.post("/rest/people", body)[1])

    turns = itertools.count()

    def work(client):
        if next(turns) == 0:
            return client.delete(f"/rest/people/{ada['id']}")
        return client.post("/rest/people", body, upsert="true")

    # when
    answers = run_concurrently(token, work)
    # then: no 500; upserts answer createPerson whether they updated Ada or created her again:
    # those after the destroy created one new person, who holds the email; when every upsert came
    # before it, the destroy was last and nobody does
    assert {status for status, _ in answers} <= {200, 201}, answers
    created = {first_value(body)["id"] for _, body in answers if "createPerson" in body["data"]} - {ada["id"]}
    assert [person["id"] for person in people_with_email(api, "gone@acme.com")] == sorted(created)
