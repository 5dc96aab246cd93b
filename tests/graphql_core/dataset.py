"""A small CRM data set with fixed ids, written through the REST API, read by several modules.

Companies (ids ascending in this order)::

    Acme      employees 10   ICP true   ARR 1.0 USD  city Paris   tags SAAS, B2B
    Globex    employees 200  ICP false  ARR 5.0 EUR  city Berlin  tags B2B
    Initech   employees -    ICP false  ARR -        city ""      tags -
    Umbrella  employees 50   ICP true   ARR 3.0 USD  city paris   tags PHARMA

People (ids ascending in this order; created in another order, so positions differ from ids)::

    Ada Lovelace      ada@acme.com      Engineer   London     Acme
    Alan Turing       alan@acme.com     ""         London     Acme
    Grace Hopper      grace@navy.mil    Admiral    Arlington  Globex
    Edsger Dijkstra   -                 Engineer   ""         -
    Barbara Liskov    barbara@mit.edu   Professor  ""         Globex
    Linus Torvalds    linus@linux.org   Engineer   ""         Acme
    Ghost Writer      (soft-deleted)                          Acme

Opportunities: Deal A (MEETING, 9 USD, Acme, Ada), Deal B (NEW, 1 USD, Acme, Alan),
Deal C (CUSTOMER, no amount, Globex, Grace).
"""

from __future__ import annotations

from typing import Any

from tests.core.helpers import create_field, object_id_of

__all__ = ["MISSING_ID", "C", "O", "P", "build_dataset"]

C = {
    name: f"c0000000-0000-4000-8000-00000000000{n}"
    for n, name in enumerate(("Acme", "Globex", "Initech", "Umbrella"), start=1)
}
P = {
    name: f"a0000000-0000-4000-8000-00000000000{n}"
    for n, name in enumerate(("Ada", "Alan", "Grace", "Edsger", "Barbara", "Linus", "Ghost"), start=1)
}
O = {name: f"b0000000-0000-4000-8000-00000000000{n}" for n, name in enumerate(("Deal A", "Deal B", "Deal C"), start=1)}
MISSING_ID = "0d4389ef-ea9c-4ae8-ada1-1cddc440fb56"

COMPANIES: list[dict[str, Any]] = [
    {
        "id": C["Acme"],
        "name": "Acme",
        "employees": 10,
        "idealCustomerProfile": True,
        "annualRecurringRevenue": {"amountMicros": 1000000, "currencyCode": "USD"},
        "address": {"addressCity": "Paris"},
        "domainName": {"primaryLinkUrl": "acme.com"},
        "tags": ["SAAS", "B2B"],
    },
    {
        "id": C["Globex"],
        "name": "Globex",
        "employees": 200,
        "idealCustomerProfile": False,
        "annualRecurringRevenue": {"amountMicros": 5000000, "currencyCode": "EUR"},
        "address": {"addressCity": "Berlin"},
        "domainName": {"primaryLinkUrl": "globex.org"},
        "tags": ["B2B"],
    },
    {"id": C["Initech"], "name": "Initech"},
    {
        "id": C["Umbrella"],
        "name": "Umbrella",
        "employees": 50,
        "idealCustomerProfile": True,
        "annualRecurringRevenue": {"amountMicros": 3000000, "currencyCode": "USD"},
        "address": {"addressCity": "paris"},
        "tags": ["PHARMA"],
    },
]


def person(first: str, last: str, email: str | None, job: str, city: str, company: str | None) -> dict[str, Any]:
    """The REST body of one person."""
    body: dict[str, Any] = {
        "id": P[first],
        "name": {"firstName": first, "lastName": last},
        "jobTitle": job,
        "city": city,
        "companyId": C[company] if company else None,
    }
    if email:
        body["emails"] = {"primaryEmail": email}
    return body


# Created in this order (positions 1..7), which is not the id order.
PEOPLE = [
    person("Linus", "Torvalds", "linus@linux.org", "Engineer", "", "Acme"),
    person("Grace", "Hopper", "grace@navy.mil", "Admiral", "Arlington", "Globex"),
    person("Ada", "Lovelace", "ada@acme.com", "Engineer", "London", "Acme"),
    person("Barbara", "Liskov", "barbara@mit.edu", "Professor", "", "Globex"),
    person("Alan", "Turing", "alan@acme.com", "", "London", "Acme"),
    person("Edsger", "Dijkstra", None, "Engineer", "", None),
    person("Ghost", "Writer", "ghost@acme.com", "Engineer", "", "Acme"),
]
OPPORTUNITIES = [
    {
        "id": O["Deal A"],
        "name": "Deal A",
        "stage": "MEETING",
        "amount": {"amountMicros": 9000000, "currencyCode": "USD"},
        "companyId": C["Acme"],
        "pointOfContactId": P["Ada"],
        "closeDate": "2024-03-01T00:00:00Z",
    },
    {
        "id": O["Deal B"],
        "name": "Deal B",
        "stage": "NEW",
        "amount": {"amountMicros": 1000000, "currencyCode": "USD"},
        "companyId": C["Acme"],
        "pointOfContactId": P["Alan"],
        "closeDate": "2023-06-01T00:00:00Z",
    },
    {
        "id": O["Deal C"],
        "name": "Deal C",
        "stage": "CUSTOMER",
        "companyId": C["Globex"],
        "pointOfContactId": P["Grace"],
    },
]


def build_dataset(api) -> None:
    """A MULTI_SELECT ``tags`` field on company, then the records above (Ghost soft-deleted)."""
    create_field(
        api,
        object_id_of(api, "company"),
        "tags",
        "MULTI_SELECT",
        options=[
            {"label": "SaaS", "value": "SAAS"},
            {"label": "B2B", "value": "B2B"},
            {"label": "Pharma", "value": "PHARMA"},
        ],
    )
    for plural, bodies in (("companies", COMPANIES), ("people", PEOPLE), ("opportunities", OPPORTUNITIES)):
        status, answer = api.post(f"/rest/batch/{plural}", bodies)
        assert status == 201, answer
    status, answer = api.delete(f"/rest/people/{P['Ghost']}", soft_delete="true")
    assert status == 200, answer
