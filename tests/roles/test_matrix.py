"""The permission matrix (api-reference 14.3): every role × every record operation × REST and GraphQL.

Each case runs one operation on people with a key holding the role and checks the exact answer:
the operation's success, or Twenty's refusal (REST 403 ``PermissionsException``, GraphQL
``FORBIDDEN`` / ``PERMISSION_DENIED``) naming the first right missing, and then that nothing
was written. REST and GraphQL are the same service call, so they must agree case by case.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from roles_app.errors import PERMISSION_DENIED

#: Rights of each role on people (role-wide, except ``hidden``, which may not read people at all).
ROLES: dict[str, tuple[str, ...]] = {
    "Admin": ("read", "update", "soft_delete", "destroy"),
    "Member": ("read", "update", "soft_delete", "destroy"),
    "reader": ("read",),
    "editor": ("read", "update"),
    "trasher": ("read", "update", "soft_delete"),
    "destroyer": ("read", "destroy"),
    "hidden": (),
}
VERBS = {"read": "read", "update": "create or update", "soft_delete": "soft-delete or restore", "destroy": "destroy"}


@dataclass(frozen=True)
class Operation:
    """An operation on people: the rights it checks, in order (groups checked together), and its two calls."""

    checks: tuple[tuple[str, ...], ...]
    rest: Callable[[Any, dict[str, str]], tuple[int, Any]]
    graphql: Callable[[dict[str, str]], tuple[str, dict[str, Any]]]
    root: str  # the GraphQL root field
    created: bool = False  # REST answers 201


def gql(root: str, arguments: str = "", selection: str = "id") -> Callable[[dict[str, str]], tuple[str, dict]]:
    """A GraphQL call of ``root``: arguments may name ``$ada``, ``$bob`` and ``$cyd`` (the people's ids)."""

    def build(ids: dict[str, str]) -> tuple[str, dict[str, Any]]:
        used = [name for name in ("ada", "bob", "cyd") if f"${name}" in arguments]
        declared = ", ".join(f"${name}: UUID!" for name in used)
        head = f"({declared})" if used else ""
        kind = "query" if root in QUERIES else "mutation"
        text = f"{kind} {head} {{ {root}{f'({arguments})' if arguments else ''} {{ {selection} }} }}"
        return text, {name: ids[name] for name in used}

    return build


QUERIES = {"people", "person", "peopleGroupBy", "personDuplicates"}
PARIS = '{city: {eq: "Paris"}}'

OPERATIONS: dict[str, Operation] = {
    "find_many": Operation(
        (("read",),),
        lambda api, ids: api.get("/rest/people", filter="city[eq]:Paris"),
        gql("people", f"filter: {PARIS}", "totalCount"),
        "people",
    ),
    "find_one": Operation(
        (("read",),),
        lambda api, ids: api.get(f"/rest/people/{ids['ada']}"),
        gql("person", "filter: {id: {eq: $ada}}"),
        "person",
    ),
    "group_by": Operation(
        (("read",),),
        lambda api, ids: api.get("/rest/people/groupBy", group_by='[{"city": true}]'),
        gql("peopleGroupBy", "groupBy: [{city: true}]", "totalCount"),
        "peopleGroupBy",
    ),
    "duplicates": Operation(
        (("read",),),
        lambda api, ids: api.post("/rest/people/duplicates", {"ids": [ids["ada"]]}),
        gql("personDuplicates", "ids: [$ada]", "totalCount"),
        "personDuplicates",
    ),
    "create": Operation(
        (("update",),),
        lambda api, ids: api.post("/rest/people", {"name": {"firstName": "Dee"}}),
        gql("createPerson", 'data: {name: {firstName: "Dee"}}'),
        "createPerson",
        created=True,
    ),
    "batch": Operation(
        (("update",),),
        lambda api, ids: api.post("/rest/batch/people", [{"name": {"firstName": "Dee"}}]),
        gql("createPeople", 'data: [{name: {firstName: "Dee"}}]'),
        "createPeople",
        created=True,
    ),
    "upsert": Operation(
        (("update",),),
        lambda api, ids: api.post("/rest/people", {"id": ids["ada"], "city": "Rome"}, upsert="true"),
        gql("createPerson", 'data: {id: $ada, city: "Rome"}, upsert: true'),
        "createPerson",
        created=True,
    ),
    "update_one": Operation(
        (("update",),),
        lambda api, ids: api.patch(f"/rest/people/{ids['ada']}", {"city": "Rome"}),
        gql("updatePerson", 'id: $ada, data: {city: "Rome"}'),
        "updatePerson",
    ),
    "update_many": Operation(
        (("update",),),
        lambda api, ids: api.patch("/rest/people", {"city": "Rome"}, filter="city[eq]:Paris"),
        gql("updatePeople", f'filter: {PARIS}, data: {{city: "Rome"}}'),
        "updatePeople",
    ),
    "soft_delete_one": Operation(
        (("read",), ("soft_delete",)),
        lambda api, ids: api.delete(f"/rest/people/{ids['ada']}", soft_delete="true"),
        gql("deletePerson", "id: $ada"),
        "deletePerson",
    ),
    "soft_delete_many": Operation(
        (("soft_delete",),),
        lambda api, ids: api.delete("/rest/people", filter="city[eq]:Paris", soft_delete="true"),
        gql("deletePeople", f"filter: {PARIS}"),
        "deletePeople",
    ),
    "restore_one": Operation(
        (("read",), ("soft_delete",)),
        lambda api, ids: api.patch(f"/rest/restore/people/{ids['cyd']}"),
        gql("restorePerson", "id: $cyd"),
        "restorePerson",
    ),
    "restore_many": Operation(
        (("soft_delete",),),
        lambda api, ids: api.patch("/rest/restore/people", filter=f"id[eq]:{ids['cyd']}"),
        gql("restorePeople", "filter: {id: {eq: $cyd}}"),
        "restorePeople",
    ),
    "destroy_one": Operation(
        (("read",), ("destroy",)),
        lambda api, ids: api.delete(f"/rest/people/{ids['ada']}"),
        gql("destroyPerson", "id: $ada"),
        "destroyPerson",
    ),
    "destroy_many": Operation(
        (("destroy",),),
        lambda api, ids: api.delete("/rest/people", filter="city[eq]:Paris"),
        gql("destroyPeople", f"filter: {PARIS}"),
        "destroyPeople",
    ),
    "merge": Operation(
        (("update", "soft_delete"),),
        lambda api, ids: api.patch("/rest/people/merge", {"ids": [ids["ada"], ids["bob"]], "conflictPriorityIndex": 0}),
        gql("mergePeople", "ids: [$ada, $bob], conflictPriorityIndex: 0"),
        "mergePeople",
    ),
}


def refusal(role: str, operation: Operation) -> list[str] | None:
    """The messages refusing ``operation`` to ``role``: its first check with a missing right (None: allowed)."""
    held = ROLES[role]
    for group in operation.checks:
        missing = [right for right in group if right not in held]
        if missing:
            return [f"{PERMISSION_DENIED} to {VERBS[right]} people" for right in missing]
    return None


@pytest.fixture
def people(records, api) -> dict[str, str]:
    """Ada and Bob in Paris, and Cyd in the trash; their ids."""
    ids = {
        "ada": records.person("Ada", "Lovelace", city="Paris")["id"],
        "bob": records.person("Bob", "Babbage", city="Paris")["id"],
        "cyd": records.person("Cyd", "Trashed", city="Oslo")["id"],
    }
    assert api.delete(f"/rest/people/{ids['cyd']}", soft_delete="true")[0] == 200
    return ids


def state(api) -> str:
    """Every person, live and trashed, as the Admin key reads them (to prove a refusal wrote nothing)."""
    live = api.get("/rest/people", order_by="id")[1]["data"]["people"]
    trash = api.get("/rest/people", filter="deletedAt[is]:NOT_NULL", order_by="id")[1]["data"]["people"]
    return json.dumps([live, trash], sort_keys=True)


def role_key(roles, name: str):
    """A role of the matrix (the standard ones as seeded)."""
    if name in ("Admin", "Member"):
        return roles.standard(name)
    if name == "hidden":
        nothing = dict.fromkeys(("read", "update", "soft_delete", "destroy"), False)
        return roles.make(name, ("read", "update", "soft_delete", "destroy"), objects={"people": nothing})
    return roles.make(name, ROLES[name])


CASES = [pytest.param(role, name, id=f"{role}-{name}") for role in ROLES for name in OPERATIONS]


@pytest.mark.parametrize(("role", "name"), CASES)
def test_rest(api, roles, people, role, name):
    # given
    operation = OPERATIONS[name]
    client = roles.rest(role_key(roles, role))
    before = state(api)

    # when
    status, body = operation.rest(client, people)

    # then
    refused = refusal(role, operation)
    if refused is None:
        assert status == (201 if operation.created else 200), body
        return
    assert (status, body) == (403, {"statusCode": 403, "error": "PermissionsException", "messages": refused})
    assert state(api) == before


@pytest.mark.parametrize(("role", "name"), CASES)
def test_graphql(api, roles, people, role, name):
    # given
    operation = OPERATIONS[name]
    client = roles.gql(role_key(roles, role))
    query, variables = operation.graphql(people)
    before = state(api)

    # when
    status, body = client(query, variables)

    # then
    refused = refusal(role, operation)
    if refused is None:
        assert (status, "errors" in body, body["data"][operation.root] is not None) == (200, False, True), body
        return
    if role == "hidden":
        # The role's schema has no people: naming them is refused before anything runs.
        kind = "Query" if operation.root in QUERIES else "Mutation"
        refused = [f"{PERMISSION_DENIED} to read '{kind}.{operation.root}'"]
        extensions = {
            "code": "FORBIDDEN",
            "subCode": "PERMISSION_DENIED",
            "userFriendlyMessage": "User does not have permission.",
        }
        assert (status, body) == (200, {"errors": [{"message": refused[0], "extensions": extensions}]})
    else:
        assert status == 200
        [error] = body["errors"]
        assert (error["message"], error["path"], error["extensions"]) == (
            "; ".join(refused),
            [operation.root],
            {
                "code": "FORBIDDEN",
                "subCode": "PERMISSION_DENIED",
                "userFriendlyMessage": "User does not have permission.",
                "messages": refused,
            },
        )
    assert state(api) == before
