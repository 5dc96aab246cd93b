"""GraphQL ``filter:`` input (api-reference.md 2.4): trees equal to the REST parser's."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from core_app.query.ast import And, Condition, Node, Or, Scoped, iter_conditions, mentions_field
from core_app.query.errors import FilterSyntaxError
from core_app.query.graphql_filter import parse_graphql_filter
from core_app.query.rest_filter import parse_rest_filter


def c(path: str, op: str, value: object) -> Condition:
    """Shorthand: a condition on a dotted path."""
    return Condition(tuple(path.split(".")), op, value)


@pytest.mark.parametrize(
    ("rest", "graphql"),
    [
        pytest.param(
            "or(a[eq]:1,not(b[is]:NULL))",
            {"or": [{"a": {"eq": "1"}}, {"not": {"b": {"is": "NULL"}}}]},
            id="or_with_not",
        ),
        pytest.param(
            "a[eq]:1,b[gt]:2",
            {"a": {"eq": "1"}, "b": {"gt": "2"}},
            id="implicit_and_from_several_keys",
        ),
        pytest.param("a[eq]:1", {"and": [{"a": {"eq": "1"}}]}, id="single_rest_leaf_is_an_and"),
        pytest.param(
            "or(and(a[eq]:1,b[gt]:2),not(c[is]:NULL))",
            {"or": [{"and": [{"a": {"eq": "1"}}, {"b": {"gt": "2"}}]}, {"not": {"c": {"is": "NULL"}}}]},
            id="nested",
        ),
        pytest.param(
            'or(name.firstName[eq]:"Jo",emails.primaryEmail[ilike]:"%@acme.com")',
            {"or": [{"name": {"firstName": {"eq": "Jo"}}}, {"emails": {"primaryEmail": {"ilike": "%@acme.com"}}}]},
            id="composite_paths",
        ),
        pytest.param(
            "amount.amountMicros[gte]:1,amount.amountMicros[lte]:5",
            {"amount": {"amountMicros": {"gte": "1", "lte": "5"}}},
            id="several_operators_in_one_object",
        ),
        pytest.param(
            'or(id[in]:["x","y"],tags[containsAny]:[a])',
            {"or": [{"id": {"in": ["x", "y"]}}, {"tags": {"containsAny": ["a"]}}]},
            id="in_lists",
        ),
        pytest.param(
            "not(deletedAt[is]:NOT_NULL)",
            {"not": {"deletedAt": {"is": "NOT_NULL"}}},
            id="not_top_level",
        ),
    ],
)
def test_rest_and_graphql_give_equal_trees(rest: str, graphql: dict[str, Any]) -> None:
    assert parse_graphql_filter(graphql) == parse_rest_filter(rest)


def test_an_object_with_several_keys_under_a_field_is_one_scoped_group() -> None:
    # given: two sub-fields in one object (through a one-to-many relation this is one related record)
    graphql = {"name": {"firstName": {"eq": "Jo"}, "lastName": {"neq": "Doe"}}}
    # when
    tree = parse_graphql_filter(graphql)
    # then: a group, whose conditions are REST's dotted ones
    assert tree == Scoped(("name",), And((c("firstName", "eq", "Jo"), c("lastName", "neq", "Doe"))))
    rest = parse_rest_filter("name.firstName[eq]:Jo,name.lastName[neq]:Doe")
    assert list(iter_conditions(tree)) == list(iter_conditions(rest))


def test_relation_objects_keep_logic_quantifiers_and_empty_groups() -> None:
    # when
    tree = parse_graphql_filter(
        {"people": {"_none": {"or": [{"city": {"eq": "Paris"}}, {"jobTitle": {"eq": "CEO"}}]}}, "company": {}}
    )
    # then
    assert tree == And(
        (
            Scoped(("people", "_none"), Or((c("city", "eq", "Paris"), c("jobTitle", "eq", "CEO")))),
            Scoped(("company",), And(())),
        )
    )


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(None, None, id="none"),
        pytest.param({}, None, id="empty_object"),
        pytest.param({"a": {"eq": 1}}, c("a", "eq", 1), id="raw_json_value_kept"),
        pytest.param({"a": {"isEmptyArray": True}}, c("a", "isEmptyArray", True), id="graphql_only_operator"),
        pytest.param({"a": {"regex": "^x"}}, c("a", "regex", "^x"), id="regex_allowed_in_graphql"),
        pytest.param({"a": {"eq": None}}, c("a", "eq", None), id="null_value_kept"),
        pytest.param({"and": []}, And(()), id="empty_and"),
        pytest.param({"or": [{}]}, Or((And(()),)), id="nested_empty_object_is_always_true"),
        pytest.param({"a": {"in": (1, 2)}}, c("a", "in", (1, 2)), id="tuple_accepted_as_list"),
        pytest.param(
            {"a": {"eq": 1}, "or": [{"b": {"eq": 2}}]},
            And((c("a", "eq", 1), Or((c("b", "eq", 2),)))),
            id="keys_keep_insertion_order",
        ),
    ],
)
def test_parses_to_exact_tree(obj: Any, expected: Node | None) -> None:
    assert parse_graphql_filter(obj) == expected


def test_enum_members_become_their_names() -> None:
    # given graphene-style enum members as values
    class FilterIs(enum.Enum):
        NULL = "NULL_VALUE"
        NOT_NULL = "NOT_NULL_VALUE"

    # when
    tree = parse_graphql_filter({"a": {"is": FilterIs.NULL}, "b": {"in": [FilterIs.NOT_NULL]}})
    # then
    assert tree == And((c("a", "is", "NULL"), c("b", "in", ("NOT_NULL",))))


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        pytest.param([], "'filter' invalid: expected an object", id="not_an_object"),
        pytest.param({"and": {"a": {"eq": 1}}}, "'filter' invalid: 'and' expects an array of filters", id="and_object"),
        pytest.param({"or": ["x"]}, "'filter' invalid: 'or' expects an array of filters", id="or_of_strings"),
        pytest.param({"not": [{"a": {"eq": 1}}]}, "'filter' invalid: 'not' expects a filter object", id="not_list"),
        pytest.param({"name": "Jo"}, "'filter' invalid: no comparator for field 'name'", id="scalar_under_field"),
        pytest.param(
            {"name": {"firstName": "Jo"}},
            "'filter' invalid: no comparator for field 'name.firstName'",
            id="scalar_under_sub_field",
        ),
        pytest.param(
            {"name": {"eq": "x", "firstName": {"eq": "Jo"}}},
            "'filter' invalid: field 'name' mixes comparators (eq) with sub-fields (firstName)",
            id="mixed_keys",
        ),
        pytest.param(
            {"name": {"and": [{"eq": 1}]}},
            "'filter' invalid: no comparator for field 'eq'",
            id="comparator_where_a_field_is_expected",
        ),
        pytest.param(
            {"id": {"in": "x"}},
            "'filter' invalid: 'in' on field 'id' expects an array",
            id="in_with_scalar",
        ),
        pytest.param(
            {"a": {"b": {"containsAny": 1}}},
            "'filter' invalid: 'containsAny' on field 'a.b' expects an array",
            id="contains_any_with_scalar",
        ),
        pytest.param({1: {"eq": 1}}, "'filter' invalid: field name 1 is not a name", id="non_string_key"),
        pytest.param({"": {"eq": 1}}, "'filter' invalid: field name '' is not a name", id="empty_key"),
    ],
)
def test_invalid_filter_message(obj: Any, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_graphql_filter(obj)
    assert caught.value.message == message


def test_deep_nesting_is_refused() -> None:
    # given a "not" chain deeper than the limit
    obj: dict[str, Any] = {"a": {"eq": 1}}
    for _ in range(200):
        obj = {"not": obj}
    # when / then
    with pytest.raises(FilterSyntaxError, match="nested deeper than 50 levels"):
        parse_graphql_filter(obj)


def test_iter_conditions_and_mentions_field() -> None:
    # given
    tree = parse_graphql_filter(
        {"or": [{"name": {"firstName": {"eq": "Jo"}}}, {"not": {"deletedAt": {"is": "NOT_NULL"}}}]}
    )
    assert tree is not None
    # when / then
    assert list(iter_conditions(tree)) == [
        c("name.firstName", "eq", "Jo"),
        c("deletedAt", "is", "NOT_NULL"),
    ]
    assert mentions_field(tree, "deletedAt")
    assert mentions_field(tree, "name")
    assert not mentions_field(tree, "firstName")
