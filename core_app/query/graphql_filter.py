"""Parser for the GraphQL ``filter:`` input (api-reference.md section 2.4).

It builds the same tree as ``rest_filter.parse_rest_filter``::

    parse_graphql_filter({"or": [{"a": {"eq": "1"}}, {"not": {"b": {"is": "NULL"}}}]})
    # == parse_rest_filter("or(a[eq]:1,not(b[is]:NULL))")

A filter object maps ``and``/``or`` to arrays of filter objects, ``not`` to one
filter object, and field names to comparator objects (``{"eq": 1}``) or, for
composite fields, to objects of sub-fields (``{"firstName": {"eq": "Jo"}}``), and for relations
to a filter object of the related object (api-reference §11.2: ``company: {name: {eq: "Acme"}}``,
``people: {_none: {jobTitle: {eq: "CEO"}}}``). Several keys in one object mean their conjunction,
in key order. An object under a field that holds one key stays a dotted path, as REST writes it;
one with several keys, ``and``/``or``/``not`` or none becomes ``Scoped`` (the group is one related
record's, which matters through a one-to-many relation).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final

from .ast import MAX_DEPTH, And, Condition, Node, Not, Or, Scoped
from .errors import FilterSyntaxError
from .instants import widen

__all__ = ["GRAPHQL_OPERATORS", "parse_graphql_filter"]

GRAPHQL_OPERATORS: Final = frozenset(
    {
        "eq",
        "neq",
        "in",
        "containsAny",
        "is",
        "gt",
        "gte",
        "lt",
        "lte",
        "startsWith",
        "endsWith",
        "like",
        "ilike",
        "regex",
        "iregex",
        "isEmptyArray",
        "containsIlike",
        "search",
    }
)
_LIST_OPERATORS: Final = frozenset({"in", "containsAny"})
_LOGICAL: Final = ("and", "or", "not")


def parse_graphql_filter(obj: Any) -> Node | None:
    """Turn a GraphQL filter object into a filter tree; ``None`` when there is no filter.

    ``None`` and ``{}`` mean no filter. An object with one key gives that key's
    node, with several keys an ``And`` of them; a nested empty object gives
    ``And(())`` (always true). Comparator values are kept as given, except that
    a list becomes a tuple and an ``enum.Enum`` member (graphene hands enum
    inputs over as members) becomes its name, so ``is: NULL`` equals REST's
    ``[is]:NULL``. Raises ``FilterSyntaxError`` naming the offending path.
    """
    if obj is None or (isinstance(obj, Mapping) and not obj):
        return None
    if not isinstance(obj, Mapping):
        raise FilterSyntaxError("'filter' invalid: expected an object")
    return widen(_parse_object(obj, 0))  # instants at the precision the API shows, as REST


def _parse_object(obj: Mapping[Any, Any], depth: int) -> Node:
    """Parse one filter object (logical keys and field names)."""
    _check_depth(depth)
    return _conjoin(tuple(_parse_entry(key, value, depth) for key, value in obj.items()))


def _parse_entry(key: Any, value: Any, depth: int) -> Node:
    """Parse one ``key: value`` pair of a filter object."""
    if key in ("and", "or"):
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, Mapping) for item in value):
            raise FilterSyntaxError(f"'filter' invalid: '{key}' expects an array of filters")
        children = tuple(_parse_object(item, depth + 1) for item in value)
        return And(children) if key == "and" else Or(children)
    if key == "not":
        if not isinstance(value, Mapping):
            raise FilterSyntaxError("'filter' invalid: 'not' expects a filter object")
        return Not(_parse_object(value, depth + 1))
    return _parse_field((_field_name(key, ()),), value, depth + 1)


def _parse_field(path: tuple[str, ...], value: Any, depth: int) -> Node:
    """Parse the object under a field: comparators, or sub-fields of a composite."""
    _check_depth(depth)
    dotted = ".".join(path)
    if not isinstance(value, Mapping):
        raise FilterSyntaxError(f"'filter' invalid: no comparator for field '{dotted}'")
    if not value:
        # ``people: {}`` (has a related record) or ``_none: {}``: the schema-aware compiler says
        # what an empty object means on this field, or that it needs a comparator.
        return Scoped(path, And(()))
    operators = [key for key in value if key in GRAPHQL_OPERATORS]
    if len(operators) == len(value):
        return _conjoin(tuple(_condition(path, op, arg) for op, arg in value.items()))
    if operators:
        # A key that is neither a comparator nor a sub-field is most likely a
        # misspelt comparator, so name both kinds.
        others = ", ".join(str(key) for key in value if key not in GRAPHQL_OPERATORS)
        raise FilterSyntaxError(
            f"'filter' invalid: field '{dotted}' mixes comparators ({', '.join(operators)}) with sub-fields ({others})"
        )
    if len(value) > 1 or any(key in _LOGICAL for key in value):
        return Scoped(path, _parse_object(value, depth + 1))
    ((key, sub),) = value.items()
    return _parse_field((*path, _field_name(key, path)), sub, depth + 1)


def _condition(path: tuple[str, ...], op: str, value: Any) -> Condition:
    """Build a leaf, checking that list comparators receive a list."""
    if op in _LIST_OPERATORS and not isinstance(value, (list, tuple)):
        raise FilterSyntaxError(f"'filter' invalid: '{op}' on field '{'.'.join(path)}' expects an array")
    if isinstance(value, (list, tuple)):
        return Condition(path, op, tuple(_plain(item) for item in value))
    return Condition(path, op, _plain(value))


def _plain(value: Any) -> Any:
    """Replace an enum member by its GraphQL name; leave other values alone."""
    return value.name if isinstance(value, enum.Enum) else value


def _field_name(key: Any, parent: tuple[str, ...]) -> str:
    """Return ``key`` as a path segment, rejecting non-strings and misplaced logic keys."""
    where = f" inside field '{'.'.join(parent)}'" if parent else ""
    if not isinstance(key, str) or not key:
        raise FilterSyntaxError(f"'filter' invalid: field name {key!r}{where} is not a name")
    if key in _LOGICAL:
        raise FilterSyntaxError(f"'filter' invalid: '{key}' is not allowed{where}")
    return key


def _conjoin(children: tuple[Node, ...]) -> Node:
    """Return the only child itself, else the ``And`` of the children."""
    return children[0] if len(children) == 1 else And(children)


def _check_depth(depth: int) -> None:
    """Refuse objects nested deeper than ``MAX_DEPTH`` (keeps recursion bounded)."""
    if depth > MAX_DEPTH:
        raise FilterSyntaxError(f"'filter' invalid: objects are nested deeper than {MAX_DEPTH} levels")
