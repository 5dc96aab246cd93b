"""A few sample records for the Demo workspace, written through the record service."""

from __future__ import annotations

from typing import Any

from core_app.services import writing
from core_app.services.context import RecordContext
from metadata_app.models import Workspace
from metadata_app.registry import schema_registry

__all__ = ["seed_samples"]

COMPANIES = [
    {
        "name": "Airbnb",
        "domainName": {"primaryLinkUrl": "https://airbnb.com"},
        "employees": 6132,
        "address": {"addressCity": "San Francisco", "addressCountry": "United States"},
        "idealCustomerProfile": True,
    },
    {
        "name": "Qonto",
        "domainName": {"primaryLinkUrl": "https://qonto.com"},
        "employees": 1400,
        "address": {"addressCity": "Paris", "addressCountry": "France"},
    },
    {
        "name": "Figma",
        "domainName": {"primaryLinkUrl": "https://figma.com"},
        "employees": 1600,
        "annualRecurringRevenue": {"amountMicros": 600000000000000, "currencyCode": "USD"},
    },
]
PEOPLE = [
    (
        {
            "name": {"firstName": "Brian", "lastName": "Chesky"},
            "emails": {"primaryEmail": "brian@airbnb.com"},
            "jobTitle": "CEO",
            "city": "San Francisco",
        },
        0,
    ),
    (
        {
            "name": {"firstName": "Alexandre", "lastName": "Prot"},
            "emails": {"primaryEmail": "alexandre@qonto.com"},
            "jobTitle": "CEO",
            "city": "Paris",
        },
        1,
    ),
    (
        {
            "name": {"firstName": "Dylan", "lastName": "Field"},
            "emails": {"primaryEmail": "dylan@figma.com"},
            "jobTitle": "CEO",
            "city": "San Francisco",
        },
        2,
    ),
]


def seed_samples(workspace: Workspace) -> None:
    """Create three companies, their CEOs and one opportunity."""
    snapshot = schema_registry.current(workspace.pk)
    actor: dict[str, Any] = {"source": "IMPORT", "workspaceMemberId": None, "name": "Demo data", "context": {}}
    companies = RecordContext(workspace.pk, snapshot, snapshot.by_plural["companies"], actor)
    people = companies.for_object(snapshot.by_plural["people"])
    created = [change.record for change in writing.create_many(companies, COMPANIES)]
    persons = writing.create_many(people, [{**person, "companyId": str(created[index].pk)} for person, index in PEOPLE])
    opportunities = companies.for_object(snapshot.by_plural["opportunities"])
    writing.create_many(
        opportunities,
        [
            {
                "name": "Figma enterprise plan",
                "stage": "PROPOSAL",
                "companyId": str(created[2].pk),
                "pointOfContactId": str(persons[2].record.pk),
                "amount": {"amountMicros": 120000000000, "currencyCode": "USD"},
            }
        ],
    )
