"""REST ``filter=`` grammar (api-reference.md 1.3): exact trees and exact messages."""

from __future__ import annotations

import random
import re

import pytest

from core_app.query.ast import And, Condition, Node, Not, Or
from core_app.query.errors import FilterSyntaxError
from core_app.query.rest_filter import _has_leaf_shape, parse_rest_filter

COMPARATORS = "eq, neq, in, containsAny, is, gt, gte, lt, lte, startsWith, endsWith, like, ilike, search"


def c(path: str, op: str, value: object) -> Condition:
    """Shorthand: a condition on a dotted path."""
    return Condition(tuple(path.split(".")), op, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a[eq]:1", And((c("a", "eq", "1"),)), id="single_leaf_is_wrapped_in_and"),
        pytest.param(
            "a[eq]:1,b[gt]:2",
            And((c("a", "eq", "1"), c("b", "gt", "2"))),
            id="implicit_and",
        ),
        pytest.param(
            "or(and(a[eq]:1,b[gt]:2),not(c[is]:NULL))",
            Or((And((c("a", "eq", "1"), c("b", "gt", "2"))), Not(c("c", "is", "NULL")))),
            id="nested_or_and_not",
        ),
        pytest.param("not(a[eq]:1)", Not(c("a", "eq", "1")), id="not_alone"),
        pytest.param("and(a[eq]:1)", And((c("a", "eq", "1"),)), id="explicit_and_single"),
        pytest.param(
            "and(a[eq]:1, b[eq]:2)",
            And((c("a", "eq", "1"), c("b", "eq", "2"))),
            id="whitespace_around_predicates_ignored",
        ),
        pytest.param(
            'name.firstName[eq]:"Jo"',
            And((c("name.firstName", "eq", "Jo"),)),
            id="dotted_path_and_double_quotes",
        ),
        pytest.param(
            "emails.primaryEmail[ilike]:'%@acme.com'",
            And((c("emails.primaryEmail", "ilike", "%@acme.com"),)),
            id="single_quotes",
        ),
        pytest.param(
            'or(name[eq]:"Smith, John",city[eq]:"Paris (FR)")',
            Or((c("name", "eq", "Smith, John"), c("city", "eq", "Paris (FR)"))),
            id="quoted_values_with_comma_and_parentheses",
        ),
        pytest.param(
            "and(a[eq]:'x,y',b[eq]:\"O'Brien\")",
            And((c("a", "eq", "x,y"), c("b", "eq", "O'Brien"))),
            id="other_quote_inside_quotes_is_literal",
        ),
        pytest.param(
            "createdAt[gte]:2024-01-01T00:00:00Z",
            And((c("createdAt", "gte", "2024-01-01T00:00:00Z"),)),
            id="value_containing_colons",
        ),
        pytest.param(
            "a[eq]:x]:y",
            And((c("a", "eq", "x]:y"),)),
            id="value_after_first_colon_following_first_bracket",
        ),
        pytest.param("a[eq]:\"x'", And((c("a", "eq", "x"),)), id="mismatched_outer_quotes_stripped"),
        pytest.param('a[eq]:"', And((c("a", "eq", '"'),)), id="lone_quote_kept"),
        pytest.param('a[eq]:""', And((c("a", "eq", ""),)), id="empty_quoted_value"),
        pytest.param('a[is]:"NULL"', And((c("a", "is", '"NULL"'),)), id="is_value_passed_as_is"),
        pytest.param("deletedAt[is]:NOT_NULL", And((c("deletedAt", "is", "NOT_NULL"),)), id="is_not_null"),
    ],
)
def test_parses_to_exact_tree(text: str, expected: Node) -> None:
    assert parse_rest_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("id[in]:[a,b]", ("a", "b"), id="plain_items"),
        pytest.param("id[in]:[\"a\", 'b' , c]", ("a", "b", "c"), id="quoted_items_stripped"),
        pytest.param('id[in]:["a,b"]', ('"a', 'b"'), id="every_comma_splits_even_in_quotes"),
        pytest.param("id[in]:[]", (), id="empty_list_is_empty_as_graphqls"),
        pytest.param('id[in]:[""]', ("",), id="the_empty_string_is_quoted"),
        pytest.param("id[in]:[x]", ("x",), id="single_item"),
    ],
)
def test_in_values_are_tuples_of_strings(text: str, expected: tuple[str, ...]) -> None:
    # given a leaf whose comparator takes a list
    # when
    tree = parse_rest_filter(text)
    # then
    assert tree == And((c("id", "in", expected),))


def test_contains_any_and_in_inside_conjunction_keep_commas_in_brackets() -> None:
    tree = parse_rest_filter("or(tags[containsAny]:[a,b],id[in]:['x','y'])")
    assert tree == Or((c("tags", "containsAny", ("a", "b")), c("id", "in", ("x", "y"))))


def test_unknown_conjunction_around_a_leaf_reads_as_a_field_path() -> None:
    # given a leaf-shaped string behind an unknown conjunction (as in Twenty)
    # when
    tree = parse_rest_filter("xor(a[eq]:1)")
    # then it is one leaf on the field "xor(a", which the compiler rejects as unknown
    assert tree == c("xor(a", "eq", "1)")


def test_parenthesis_in_value_disables_default_and() -> None:
    # given a bare list whose value contains a parenthesis (the contract's caveat)
    # when
    tree = parse_rest_filter('a[eq]:"(x)",b[eq]:2')
    # then the whole string is one leaf and the quotes are not stripped
    assert tree == c("a", "eq", '"(x)",b[eq]:2')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("and(a[eq]:1", "'filter' invalid. 1 close bracket is missing in the query", id="one_close"),
        pytest.param("and(or(a[eq]:1", "'filter' invalid. 2 close brackets are missing in the query", id="two_close"),
        pytest.param("a[eq]:1)", "'filter' invalid. 1 open bracket is missing in the query", id="one_open"),
        pytest.param("a[eq]:1)))", "'filter' invalid. 3 open brackets are missing in the query", id="three_open"),
        pytest.param(
            "not(a[eq]:1,b[eq]:2)",
            "'filter' invalid. 'not' conjunction should contain only 1 condition. eg: not(field[eq]:1)",
            id="not_with_two_conditions",
        ),
        pytest.param("price", "'filter' invalid for 'price'. eg: price[gte]:10", id="no_brackets"),
        pytest.param("price[gte]", "'filter' invalid for 'price[gte]'. eg: price[gte]:10", id="no_value"),
        pytest.param("price[gte]:", "'filter' invalid for 'price[gte]:'. eg: price[gte]:10", id="empty_value"),
        pytest.param("[gte]:1", "'filter' invalid for '[gte]:1'. eg: price[gte]:10", id="no_path"),
        pytest.param(".x[eq]:1", "'filter' invalid for '.x[eq]:1'. eg: price[gte]:10", id="leading_dot"),
        pytest.param("a..b[eq]:1", "'filter' invalid for 'a..b[eq]:1'. eg: price[gte]:10", id="double_dot"),
        pytest.param("a.[eq]:1", "'filter' invalid for 'a.[eq]:1'. eg: price[gte]:10", id="trailing_dot"),
        pytest.param("and(a[eq]:1,)", "'filter' invalid for ''. eg: price[gte]:10", id="trailing_comma"),
        pytest.param("and()", "'filter' invalid for 'and()'. eg: price[gte]:10", id="empty_conjunction"),
        pytest.param("xor(a)", "'filter' invalid for 'xor(a)'. eg: price[gte]:10", id="unknown_conjunction"),
        pytest.param(
            "a[match]:x",
            f"'filter' invalid for 'a[match]:x', comparator match not in {COMPARATORS}",
            id="match_not_accepted",
        ),
        pytest.param(
            "and(b[eq]:1,a[regex]:x)",
            f"'filter' invalid for 'a[regex]:x', comparator regex not in {COMPARATORS}",
            id="regex_not_accepted",
        ),
        pytest.param(
            "a[]x]:1",
            f"'filter' invalid for 'a[]x]:1', comparator  not in {COMPARATORS}",
            id="empty_comparator",
        ),
        pytest.param(
            "id[in]:a,b",
            "'filter' invalid for 'in' operator. Received 'a' but array value expected "
            "eg: 'field[in]:[value_1,value_2]'",
            id="in_without_brackets",
        ),
        pytest.param(
            "tags[containsAny]:[a",
            "'filter' invalid for 'containsAny' operator. Received '[a' but array value expected "
            "eg: 'field[containsAny]:[value_1,value_2]'",
            id="contains_any_unclosed",
        ),
        pytest.param("", "'filter' invalid. Filter is empty", id="empty"),
        pytest.param("  ", "'filter' invalid. Filter is empty", id="blank"),
        pytest.param("and(a[eq]:1),(b[eq]:2)", "'filter' invalid. Unexpected ')' at position 11", id="early_close"),
    ],
)
def test_invalid_filter_message(text: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_rest_filter(text)
    assert caught.value.message == message
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "position"),
    [
        pytest.param("a[eq]:1,b", 8, id="bare_list_positions_are_in_callers_string"),
        pytest.param("or(a[eq]:1, bad)", 12, id="leading_whitespace_skipped"),
        pytest.param("and(a[eq]:1),(b[eq]:2)", 11, id="unexpected_close"),
        pytest.param("a[eq]:1)", None, id="count_check_has_no_position"),
    ],
)
def test_error_position(text: str, position: int | None) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_rest_filter(text)
    assert caught.value.position == position


def test_nesting_deeper_than_limit_is_refused() -> None:
    # given conjunctions nested far beyond the recursion-safe limit
    text = "not(" * 2000 + "a[eq]:1" + ")" * 2000
    # when / then
    with pytest.raises(FilterSyntaxError, match="nested deeper than 50 levels"):
        parse_rest_filter(text)


def test_nesting_at_limit_is_accepted() -> None:
    tree = parse_rest_filter("not(" * 50 + "a[eq]:1" + ")" * 50)
    for _ in range(50):
        assert isinstance(tree, Not)
        tree = tree.child
    assert tree == c("a", "eq", "1")


def test_leaf_shape_check_agrees_with_contract_regex() -> None:
    # given every short string over the characters that matter to the regex
    pattern = re.compile(r"(.+)\[(.+)\]:(.+)", re.DOTALL)
    rng = random.Random(1234)
    for _ in range(20_000):
        text = "".join(rng.choice("a[]:") for _ in range(rng.randint(0, 9)))
        # then the linear check gives the regex's answer
        assert _has_leaf_shape(text) == bool(pattern.fullmatch(text)), text


FUZZ_PIECES = [
    "a",
    "b.c",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    '"',
    "'",
    ".",
    " ",
    "eq",
    "in",
    "is",
    "gte",
    "containsAny",
    "and(",
    "or(",
    "not(",
    "NULL",
    "[eq]:",
    "[in]:[",
    "1",
    "\n",
]


def test_fuzz_only_filter_syntax_errors() -> None:
    # given random strings made of grammar pieces (fixed seed, bounded)
    rng = random.Random(20240101)
    for _ in range(5_000):
        text = "".join(rng.choice(FUZZ_PIECES) for _ in range(rng.randint(0, 30)))
        # when / then: either a tree or a FilterSyntaxError, nothing else
        try:
            tree = parse_rest_filter(text)
        except FilterSyntaxError as error:
            assert error.message
        else:
            assert isinstance(tree, (Condition, And, Or, Not))
