"""The filter tree and sort keys shared by the REST and GraphQL parsers.

Nodes are frozen dataclasses, so two parses of equivalent input compare equal
(``==``) and trees can be cached or used as dict keys when their values are
hashable::

    tree = Or((Condition(("a",), "eq", "1"), Not(Condition(("b",), "is", "NULL"))))
    list(iter_conditions(tree))      # [Condition(('a',), 'eq', '1'), Condition(('b',), 'is', 'NULL')]
    mentions_field(tree, "deletedAt")  # False
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

__all__ = [
    "MAX_DEPTH",
    "And",
    "Condition",
    "Node",
    "Not",
    "Or",
    "OrderKey",
    "Scoped",
    "iter_conditions",
    "mentions_field",
]

# Deepest nesting a parser accepts; far beyond any real filter, and low enough
# that recursive parsing never reaches Python's recursion limit.
MAX_DEPTH: Final = 50


@dataclass(frozen=True, slots=True)
class Condition:
    """A leaf comparison ``path[op]:value``.

    ``path`` is the dotted field path split on ``.`` (``("name", "firstName")``),
    ``op`` the comparator (``eq``, ``in``, ``is`` ...). ``value`` is a string for
    REST (a tuple of strings for ``in``/``containsAny``) and the JSON value for
    GraphQL (a top-level list becomes a tuple).
    """

    path: tuple[str, ...]
    op: str
    value: Any
    #: The comparators its API takes, for messages (REST takes fewer than GraphQL); None: any.
    comparators: tuple[str, ...] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    """True when every child is true (an empty ``And`` is always true)."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """True when at least one child is true."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """True when its single child is false."""

    child: Node


@dataclass(frozen=True, slots=True)
class Scoped:
    """A filter on the field at ``path``, its conditions' paths relative to it (GraphQL only).

    The GraphQL parser builds one for an object under a field that holds several keys, ``and`` /
    ``or`` / ``not`` or nothing (``people: {city: …, jobTitle: …}``): through a one-to-many
    relation the whole group must hold for one related record (api-reference §11.2), which
    separate dotted conditions (REST, each leaf quantified on its own, §11.3) cannot say. On a
    composite or a to-one relation it means the same as its conditions with the prefix.
    """

    path: tuple[str, ...]
    child: Node


Node: TypeAlias = Condition | And | Or | Not | Scoped


@dataclass(frozen=True, slots=True)
class OrderKey:
    """One sort key: a field path and a direction.

    ``direction`` is one of ``AscNullsFirst``, ``AscNullsLast``,
    ``DescNullsFirst``, ``DescNullsLast``.
    """

    path: tuple[str, ...]
    direction: str


def iter_conditions(node: Node) -> Iterator[Condition]:
    """Yield every ``Condition`` of the tree, depth first, left to right.

    A condition inside ``Scoped`` is yielded with its whole path (the scope's path prepended).
    """
    # An explicit stack keeps hand-built trees of any depth safe.
    stack: list[tuple[tuple[str, ...], Node]] = [((), node)]
    while stack:
        prefix, current = stack.pop()
        if isinstance(current, Condition):
            yield Condition(prefix + current.path, current.op, current.value) if prefix else current
        elif isinstance(current, Not):
            stack.append((prefix, current.child))
        elif isinstance(current, Scoped):
            stack.append((prefix + current.path, current.child))
        else:
            stack.extend((prefix, child) for child in reversed(current.children))


def mentions_field(node: Node, name: str) -> bool:
    """Return True when some condition's top-level field is ``name``.

    Used to tell whether a find query names ``deletedAt`` (and so should see
    soft-deleted rows).
    """
    return any(cond.path[:1] == (name,) for cond in iter_conditions(node))
