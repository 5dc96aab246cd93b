"""The plain-data executor (``api_common.graphql_execution``) answers exactly as graphql-core's own.

The record APIs hand it well-formed dicts; here it is given what they never give (nulls where the
schema forbids them, values a scalar refuses, objects that are not dicts, lists that are not
lists), deep inside trees of plain objects, and each answer, data and errors with their paths, must
equal graphql-core's.
"""

from __future__ import annotations

from typing import Any

import graphene
import pytest
from graphql import execute, parse

from api_common.graphql_execution import PlainDataExecutionContext


class Name(graphene.ObjectType):
    first = graphene.String()
    last = graphene.NonNull(graphene.String)


class Company(graphene.ObjectType):
    id = graphene.NonNull(graphene.ID)
    employees = graphene.Int()
    name = graphene.Field(Name)
    score = graphene.Float()
    active = graphene.Boolean()


class Person(graphene.ObjectType):
    id = graphene.NonNull(graphene.ID)
    name = graphene.NonNull(Name)
    company = graphene.Field(Company)
    tags = graphene.List(graphene.NonNull(graphene.String))


class Edge(graphene.ObjectType):
    node = graphene.NonNull(Person)


class Query(graphene.ObjectType):
    edges = graphene.List(graphene.NonNull(Edge))
    loose = graphene.List(Edge)

    @staticmethod
    def resolve_edges(root: Any, info: Any) -> Any:
        return info.context["edges"]

    @staticmethod
    def resolve_loose(root: Any, info: Any) -> Any:
        return info.context["edges"]


SCHEMA = graphene.Schema(query=Query).graphql_schema
QUERY = parse(
    "{ edges { node { __typename id name { first last } company { t: __typename id employees n: name { last } "
    "score active } tags } } "
    "loose { node { id name { last } } } }"
)


class StrSubclass(str):
    """A string of another class than ``str``: serialized by graphql-core, not returned as it is."""


class Attributes:
    """An object that is not a dict: graphql-core reads its attributes."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def person(number: int, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"p{number}",
        "name": {"first": f"F{number}", "last": f"L{number}"},
        "company": {"id": f"c{number}", "employees": number, "name": {"last": "Co"}, "score": 0.5, "active": True},
        "tags": ["a", "b"],
    }
    return {**base, **changes}


CASES = {
    "well formed": [{"node": person(1)}, {"node": person(2)}],
    "null in a non-null leaf, two objects down": [
        {"node": person(1, company={"id": "c1", "employees": 3, "name": {"last": None}})},
        {"node": person(2)},
    ],
    "null in a non-null object": [{"node": person(1, name=None)}, {"node": person(2)}],
    "null node in a non-null list item": [{"node": None}, {"node": person(2)}],
    "a value the scalar refuses": [{"node": person(1, company={"id": "c1", "employees": "many"})}],
    "an object that is not a dict": [
        {"node": person(1, company=Attributes(id="c1", employees=7, name=Attributes(first="x", last="y")))}
    ],
    "a list that is not a list": [{"node": person(1, tags="abc")}],
    "null inside a list of non-null items": [{"node": person(1, tags=["a", None])}],
    "two errors in one object": [
        {"node": person(1, company={"id": "c1", "employees": "many", "name": {"last": None}})},
    ],
    # Leaves a generated completer returns as they are only when their serializer would (IDENTITY_WHEN):
    "values of another class than the scalar's own": [
        {"node": person(1, id=5, name={"first": 12, "last": StrSubclass("L")})},
        {"node": person(2, company={"id": "c2", "employees": True, "score": 3, "active": 1})},
    ],
    "an Int beyond 32 bits": [{"node": person(1, company={"id": "c1", "employees": 2**31})}],
    "a Float that is not finite": [
        {"node": person(1, company={"id": "c1", "score": float("nan")})},
        {"node": person(2, company={"id": "c2", "score": float("-inf")})},
    ],
    "errors in two objects, one nulling the list": [
        {"node": person(1, company={"id": "c1", "employees": "x"})},
        {"node": person(2, name={"first": "F"})},
    ],
}


@pytest.mark.parametrize("edges", list(CASES.values()), ids=list(CASES))
def test_answers_are_graphql_cores(edges):
    # when
    plain = execute(SCHEMA, QUERY, context_value={"edges": edges}, execution_context_class=PlainDataExecutionContext)
    core = execute(SCHEMA, QUERY, context_value={"edges": edges})

    # then: the same data, and the same errors at the same paths
    assert plain.data == core.data
    assert [(e.message, e.path) for e in plain.errors or []] == [(e.message, e.path) for e in core.errors or []]


def test_the_well_formed_tree_is_answered_in_full():
    # when
    result = execute(
        SCHEMA, QUERY, context_value={"edges": CASES["well formed"]}, execution_context_class=PlainDataExecutionContext
    )

    # then
    assert result.errors is None
    assert result.data is not None
    assert result.data["edges"][1] == {
        "node": {
            "__typename": "Person",
            "id": "p2",
            "name": {"first": "F2", "last": "L2"},
            "company": {"t": "Company", "id": "c2", "employees": 2, "n": {"last": "Co"}, "score": 0.5, "active": True},
            "tags": ["a", "b"],
        }
    }
    assert result.data["loose"][0] == {"node": {"id": "p1", "name": {"last": "L1"}}}
