"""REST ``order_by`` (api-reference.md 1.4) and GraphQL ``orderBy`` (2.5)."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from core_app.query.ast import OrderKey
from core_app.query.errors import OrderBySyntaxError
from core_app.query.order_by import parse_graphql_order_by, parse_order_by

ALLOWED = "Allowed values are 'AscNullsFirst', 'AscNullsLast', 'DescNullsFirst', 'DescNullsLast'"
EXAMPLE = "eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3"


def k(path: str, direction: str) -> OrderKey:
    """Shorthand: an order key on a dotted path."""
    return OrderKey(tuple(path.split(".")), direction)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(None, [], id="none"),
        pytest.param("", [], id="empty"),
        pytest.param(
            "field_1[AscNullsFirst],field_2[DescNullsLast],field_3",
            [k("field_1", "AscNullsFirst"), k("field_2", "DescNullsLast"), k("field_3", "AscNullsFirst")],
            id="contract_example",
        ),
        pytest.param("name.lastName[DescNullsLast]", [k("name.lastName", "DescNullsLast")], id="composite"),
        pytest.param("createdAt", [k("createdAt", "AscNullsFirst")], id="no_brackets_default"),
        pytest.param(
            ",a[AscNullsLast],, b ,",
            [k("a", "AscNullsLast"), k("b", "AscNullsFirst")],
            id="empty_items_ignored_and_stripped",
        ),
        pytest.param("a,a[DescNullsFirst]", [k("a", "AscNullsFirst"), k("a", "DescNullsFirst")], id="no_dedup"),
    ],
)
def test_parse_order_by(text: str | None, expected: list[OrderKey]) -> None:
    assert parse_order_by(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("name[Up]", f"'order_by' direction 'Up' invalid. {ALLOWED}. {EXAMPLE}", id="bad_direction"),
        pytest.param(
            "a,name[ascNullsFirst]",
            f"'order_by' direction 'ascNullsFirst' invalid. {ALLOWED}. {EXAMPLE}",
            id="case_sensitive",
        ),
        pytest.param("name[]", f"'order_by' direction '' invalid. {ALLOWED}. {EXAMPLE}", id="empty_direction"),
        pytest.param("name[", f"'order_by' invalid for 'name['. {EXAMPLE}", id="unclosed_bracket"),
        pytest.param("name]", f"'order_by' invalid for 'name]'. {EXAMPLE}", id="stray_close"),
        pytest.param(
            "name[AscNullsFirst]x", f"'order_by' invalid for 'name[AscNullsFirst]x'. {EXAMPLE}", id="trailing_text"
        ),
        pytest.param("a[[AscNullsFirst]]", f"'order_by' invalid for 'a[[AscNullsFirst]]'. {EXAMPLE}", id="double"),
        pytest.param("a..b", f"'order_by' invalid for 'a..b'. {EXAMPLE}", id="empty_segment"),
        pytest.param("[AscNullsLast]", f"'order_by' invalid for '[AscNullsLast]'. {EXAMPLE}", id="no_field"),
    ],
)
def test_parse_order_by_errors(text: str, message: str) -> None:
    with pytest.raises(OrderBySyntaxError) as caught:
        parse_order_by(text)
    assert caught.value.message == message
    assert str(caught.value) == message


class Direction(enum.Enum):
    """Stands in for a graphene enum, whose members reach resolvers."""

    AscNullsLast = "ASC_NULLS_LAST"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, [], id="none"),
        pytest.param([], [], id="empty_list"),
        pytest.param(
            [{"name": {"lastName": "AscNullsLast"}}, {"createdAt": "DescNullsFirst"}],
            [k("name.lastName", "AscNullsLast"), k("createdAt", "DescNullsFirst")],
            id="contract_example",
        ),
        pytest.param({"createdAt": "DescNullsLast"}, [k("createdAt", "DescNullsLast")], id="single_object"),
        pytest.param(
            {"b": "AscNullsFirst", "a": {"y": "DescNullsLast", "x": "AscNullsLast"}},
            [k("b", "AscNullsFirst"), k("a.y", "DescNullsLast"), k("a.x", "AscNullsLast")],
            id="several_keys_in_insertion_order",
        ),
        pytest.param([{}, {"a": "AscNullsFirst"}], [k("a", "AscNullsFirst")], id="empty_object_ignored"),
        pytest.param({"a": Direction.AscNullsLast}, [k("a", "AscNullsLast")], id="enum_member"),
    ],
)
def test_parse_graphql_order_by(value: Any, expected: list[OrderKey]) -> None:
    assert parse_graphql_order_by(value) == expected


def test_rest_and_graphql_order_agree() -> None:
    rest = parse_order_by("name.lastName[DescNullsLast],createdAt")
    graphql = parse_graphql_order_by([{"name": {"lastName": "DescNullsLast"}}, {"createdAt": "AscNullsFirst"}])
    assert rest == graphql


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("createdAt", "'orderBy' invalid: expected an array of objects", id="string"),
        pytest.param(["createdAt"], "'orderBy' invalid: expected an array of objects", id="list_of_strings"),
        pytest.param(
            [{"name": {"lastName": "Up"}}],
            f"'orderBy' direction 'Up' invalid for 'name.lastName'. {ALLOWED}",
            id="bad_direction",
        ),
        pytest.param([{"a": 1}], "'orderBy' invalid for 'a': expected a direction", id="number"),
        pytest.param([{"a": {}}], "'orderBy' invalid for 'a': expected a direction", id="empty_sub_object"),
        pytest.param([{1: "AscNullsFirst"}], "'orderBy' invalid: field name 1 is not a name", id="non_string_key"),
    ],
)
def test_parse_graphql_order_by_errors(value: Any, message: str) -> None:
    with pytest.raises(OrderBySyntaxError) as caught:
        parse_graphql_order_by(value)
    assert caught.value.message == message


def test_graphql_order_by_deep_nesting_is_refused() -> None:
    value: Any = "AscNullsFirst"
    for _ in range(100):
        value = {"a": value}
    with pytest.raises(OrderBySyntaxError, match="nested too deeply"):
        parse_graphql_order_by(value)
