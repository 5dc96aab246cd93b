"""Prepared statements (PostgreSQL): the statements the store marks are prepared once per connection
and reused; nothing else is prepared (``core_app.store.sql.execute``, ``DATABASE_PREPARED_STATEMENTS``).
"""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

PERSON = {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "emails": {"primaryEmail": "ada{n}@example.com"}}


def prepared_statements() -> dict[str, int]:
    """The text of each statement prepared on this connection, with its number of generic and custom plans."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {text: generic + custom for text, generic, custom in cursor.fetchall() if text}


def person(n: int, company_id: str) -> dict:
    """A person's create body, with a unique email and a join id to check."""
    return {**PERSON, "emails": {"primaryEmail": f"ada{n}@example.com"}, "companyId": company_id}


#: How a write's checks start: the hold on its data model (its model lock, then its workspace row).
HOLD = (
    "SELECT (SELECT metadata_version FROM metadata_app_workspace WHERE id = $1 "
    "AND pg_advisory_xact_lock_shared($2)::text = '' FOR SHARE)"
)


def test_a_create_prepares_its_checks_and_its_write_once_and_reuses_them(api, records):
    # given
    company = records.company("Acme")
    assert api.post("/rest/people", person(0, company["id"]))[0] == 201
    before = prepared_statements()
    # when: three more creates of the same shape
    for n in (1, 2, 3):
        status, body = api.post("/rest/people", person(n, company["id"]))
        assert status == 201, body
    # then: no new statement was prepared, and the create's two are the ones that ran three more times
    after = prepared_statements()
    assert set(after) == set(before)
    ran = {text: after[text] - before[text] for text in after if after[text] != before[text]}
    assert len(ran) == 2, ran
    checks, write = sorted(ran, key=lambda text: not text.startswith(HOLD))
    # the hold on the data model comes first, with the checks (core_app.services.writing.hold_data_model)
    assert checks.startswith(HOLD + ", (SELECT json_agg(q0)::text FROM (SELECT id FROM core_app_record")
    assert write.startswith("WITH w0 AS (INSERT INTO core_app_record ")
    assert ran == {checks: 3, write: 3}
    # and every create of them is still planned for its own parameters (never a generic plan)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(generic_plans) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0


def test_a_batch_naming_more_join_ids_reuses_the_same_prepared_checks(api, records):
    # given: a batch of two people at one company
    acme, globex = records.company("Acme"), records.company("Globex")
    status, body = api.post("/rest/batch/people", [person(0, acme["id"]), person(1, acme["id"])])
    assert status == 201, body
    before = prepared_statements()
    # when: the same batch at two companies (two join ids to check instead of one)
    status, body = api.post("/rest/batch/people", [person(2, acme["id"]), person(3, globex["id"])])
    # then: the checks ran as the statement already prepared, not as a new text
    assert status == 201, body
    after = prepared_statements()
    assert set(after) == set(before)
    (checks,) = [text for text in after if text.startswith(HOLD) and after[text] != before[text]]
    assert after[checks] == before[checks] + 1


def test_reads_are_not_prepared(api, records):
    # given
    records.company("Acme")
    # when
    status, _ = api.get("/rest/companies", filter="name[eq]:Acme", order_by="name")
    # then
    assert status == 200
    assert not [text for text in prepared_statements() if "core_app_recordindex p" in text]
