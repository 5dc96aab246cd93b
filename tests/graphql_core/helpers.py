"""A GraphQL client over the test ``ApiClient``, selections and matchers shared by the core GraphQL suite.

Everything goes through the public APIs (``POST /graphql``, ``/rest/...``, ``/rest/metadata/...``);
nothing reaches into the record service.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "ACTOR",
    "ADDRESS",
    "COMPANY",
    "CURRENCY",
    "EMAILS",
    "FULL_NAME",
    "LINKS",
    "OPPORTUNITY",
    "PERSON",
    "PHONES",
    "WRITE_SKIP",
    "GraphQL",
    "edge_names",
    "firsts",
    "flatten",
    "nodes",
    "project",
    "selection_of",
    "user_error",
]

# Sub-fields of the composite types (api-reference 3.7), as both APIs return them.
ACTOR = "source workspaceMemberId name context"
FULL_NAME = "firstName lastName"
EMAILS = "primaryEmail additionalEmails"
LINKS = "primaryLinkUrl primaryLinkLabel secondaryLinks"
PHONES = "primaryPhoneNumber primaryPhoneCountryCode primaryPhoneCallingCode additionalPhones"
CURRENCY = "amountMicros currencyCode"
ADDRESS = "addressStreet1 addressStreet2 addressCity addressPostcode addressState addressCountry addressLat addressLng"

#: Every field of a record that REST returns at depth 0, as a GraphQL selection.
PERSON = (
    f"id createdAt updatedAt deletedAt createdBy {{ {ACTOR} }} updatedBy {{ {ACTOR} }} position "
    f"name {{ {FULL_NAME} }} emails {{ {EMAILS} }} linkedinLink {{ {LINKS} }} xLink {{ {LINKS} }} jobTitle "
    f"phones {{ {PHONES} }} city avatarUrl companyId"
)
COMPANY = (
    f"id createdAt updatedAt deletedAt createdBy {{ {ACTOR} }} updatedBy {{ {ACTOR} }} position name "
    f"domainName {{ {LINKS} }} employees linkedinLink {{ {LINKS} }} xLink {{ {LINKS} }} "
    f"annualRecurringRevenue {{ {CURRENCY} }} address {{ {ADDRESS} }} idealCustomerProfile accountOwnerId"
)
OPPORTUNITY = (
    f"id createdAt updatedAt deletedAt createdBy {{ {ACTOR} }} updatedBy {{ {ACTOR} }} position name "
    f"amount {{ {CURRENCY} }} closeDate stage companyId pointOfContactId"
)
#: Keys whose values depend on the moment of a write, left out when two writes are compared.
WRITE_SKIP = frozenset({"createdAt", "updatedAt", "deletedAt"})


class GraphQL:
    """Send documents to ``POST /graphql`` with the client's key; return ``(status, body)``."""

    def __init__(self, api) -> None:
        self.api = api

    def __call__(self, query: str, variables: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.api.post("/graphql", body)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a successful request (asserting 200 and no ``errors``)."""
        status, body = self(query, variables)
        assert status == 200 and "errors" not in body, body
        return body["data"]

    def error(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The only error of a refused request (asserting exactly one)."""
        _status, body = self(query, variables)
        assert "errors" in body and len(body["errors"]) == 1, body
        return body["errors"][0]


def user_error(message: str, code: str = "BAD_USER_INPUT", *, messages: list[str] | None = None) -> dict[str, Any]:
    """``extensions`` of an error raised by the record service or the query engine."""
    messages = [message] if messages is None else messages
    return {"code": code, "userFriendlyMessage": message, "messages": messages}


def project(record: dict[str, Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """``record`` without the keys in ``skip``."""
    skipped = set(skip)
    return {key: value for key, value in record.items() if key not in skipped}


#: Keys of RAW_JSON fields met in the suite: a JSON scalar, selected without sub-fields (a timeline
#: activity's ``properties``, api-reference §16).
RAW_JSON_KEYS = frozenset({"properties"})


def selection_of(record: dict[str, Any], relations: Iterable[str] = (), skip: Iterable[str] = ()) -> str:
    """The GraphQL selection that asks for exactly the keys of a REST record.

    Composite values and MANY_TO_ONE records are both ``key { ... }``; the keys in ``relations``
    that hold lists are ONE_TO_MANY relations, selected as connections. An empty list or a null
    relation selects ``id`` only (its records, if any, would show up in the comparison).
    """
    relations, parts = set(relations), []
    for key, value in record.items():
        if key in skip:
            continue
        if key in relations and isinstance(value, list):
            inner = selection_of(value[0], skip=skip) if value else "id"
            parts.append(f"{key} {{ edges {{ node {{ {inner} }} }} }}")
        elif key in relations:
            parts.append(f"{key} {{ {selection_of(value, skip=skip) if value else 'id'} }}")
        elif isinstance(value, dict) and key not in RAW_JSON_KEYS:
            parts.append(f"{key} {{ {' '.join(value)} }}")
        else:
            parts.append(key)
    return " ".join(parts)


def flatten(value: Any) -> Any:
    """GraphQL answers in REST's shape: every connection ``{edges: [{node}]}`` becomes a list of nodes."""
    if isinstance(value, dict):
        if set(value) == {"edges"}:
            return [flatten(edge["node"]) for edge in value["edges"]]
        return {key: flatten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [flatten(item) for item in value]
    return value


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes of a connection, in order."""
    return [edge["node"] for edge in connection["edges"]]


def firsts(connection: dict[str, Any]) -> list[str]:
    """``name.firstName`` of each person node of a connection."""
    return [node["name"]["firstName"] for node in nodes(connection)]


def edge_names(connection: dict[str, Any]) -> list[str]:
    """``name`` of each company node of a connection."""
    return [node["name"] for node in nodes(connection)]
