"""Parser for the REST ``filter=`` query parameter (api-reference.md section 1.3).

The steps follow the contract in order: parenthesis count, default ``and(...)``
wrapping, conjunction parsing with top-level comma splitting, leaf parsing,
comparator check and value formatting::

    parse_rest_filter('or(and(a[eq]:1,b[gt]:2),not(c[is]:NULL))')
    # Or((And((Condition(('a',), 'eq', '1'), Condition(('b',), 'gt', '2'))),
    #     Not(Condition(('c',), 'is', 'NULL'))))

Every failure raises ``FilterSyntaxError`` with the contract's message.

Deliberate differences from Twenty's implementation, all on input it mangles:

* whitespace around a predicate is ignored (``and(a[eq]:1, b[eq]:2)``);
* while splitting on commas, a quote of the other kind inside a quoted span is
  literal (``"O'Brien"``), parentheses and brackets inside quotes do not count,
  and brackets nest instead of toggling;
* a ``)`` that closes a conjunction early (``and(a[eq]:1),(b[eq]:2)``) and an
  empty path segment (``a..b[eq]:1``) are errors instead of garbage fields;
* conjunctions may nest at most ``MAX_DEPTH`` levels;
* ``.`` in the contract's regular expressions also matches a newline.
"""

from __future__ import annotations

import re
from typing import Final

from .ast import MAX_DEPTH, And, Condition, Node, Not, Or
from .errors import FilterSyntaxError
from .instants import widen

__all__ = ["ARRAY_COMPARATORS", "REST_COMPARATORS", "parse_rest_filter"]

# Order matters: the unknown-comparator message lists them in this order.
# ``search`` applies to ``searchVector`` only (api-reference §13).
REST_COMPARATORS: Final[tuple[str, ...]] = (
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
    "search",
)
ARRAY_COMPARATORS: Final = frozenset({"in", "containsAny"})

_CONJUNCTION = re.compile(r"(or|and|not)\((.+)\)", re.DOTALL)
_QUOTES: Final = ("'", '"')
_EMPTY_MESSAGE: Final = "'filter' invalid. Filter is empty"
_NOT_MESSAGE: Final = "'filter' invalid. 'not' conjunction should contain only 1 condition. eg: not(field[eq]:1)"


def parse_rest_filter(text: str) -> Node:
    """Parse a REST ``filter=`` string into a filter tree.

    A string without any parenthesis is a comma-separated list of leaves and
    becomes ``And`` of them, even for a single leaf (``a[eq]:1`` gives
    ``And((Condition(("a",), "eq", "1"),))``). Comparisons of ``createdAt``,
    ``updatedAt`` and ``deletedAt`` are read at the precision the API shows
    (``core_app.query.instants``). Raises ``FilterSyntaxError`` with the exact
    message of api-reference 1.3 on any malformed input.
    """
    if not text.strip():
        raise FilterSyntaxError(_EMPTY_MESSAGE)
    _check_parentheses(text)
    if "(" not in text and ")" not in text:
        # Step 2 wraps in "and(...)"; offset -4 keeps positions relative to the
        # caller's string rather than the wrapped one.
        return widen(_parse_predicate(f"and({text})", -4, 0))
    return widen(_parse_predicate(text, 0, 0))


def _check_parentheses(text: str) -> None:
    """Raise unless ``text`` has as many ``(`` as ``)`` (step 1)."""
    diff = text.count("(") - text.count(")")
    if diff == 0:
        return
    # Twenty's template: "1 close bracket is", "2 close brackets are"; the
    # "open" variant when ")" outnumber "(".
    kind = "close" if diff > 0 else "open"
    count = abs(diff)
    verb = "s are" if count > 1 else " is"
    raise FilterSyntaxError(f"'filter' invalid. {count} {kind} bracket{verb} missing in the query")


def _parse_predicate(text: str, offset: int, depth: int) -> Node:
    """Parse a conjunction or a leaf; ``offset`` is where ``text`` starts in the input."""
    offset += len(text) - len(text.lstrip())
    text = text.strip()
    match = _CONJUNCTION.fullmatch(text)
    if match is None:
        return _parse_leaf(text, offset)
    if depth >= MAX_DEPTH:
        raise FilterSyntaxError(f"'filter' invalid. Conjunctions are nested deeper than {MAX_DEPTH} levels", offset)
    conjunction, body = match.group(1), match.group(2)
    body_offset = offset + match.start(2)
    children = tuple(
        _parse_predicate(part, body_offset + start, depth + 1) for start, part in _split_top_level(body, body_offset)
    )
    if conjunction == "not":
        if len(children) != 1:
            raise FilterSyntaxError(_NOT_MESSAGE, offset)
        return Not(children[0])
    return And(children) if conjunction == "and" else Or(children)


def _split_top_level(body: str, offset: int) -> list[tuple[int, str]]:
    """Split a conjunction body on commas outside parentheses, brackets and quotes.

    Returns ``(start, part)`` pairs, ``start`` being the part's index in ``body``.
    """
    parts: list[tuple[int, str]] = []
    start, parens, brackets, quote = 0, 0, 0, ""
    for index, char in enumerate(body):
        if quote:
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char in "[]":
            brackets = brackets + 1 if char == "[" else max(brackets - 1, 0)
        elif char in "()":
            parens += 1 if char == "(" else -1
            if parens < 0:
                position = offset + index
                raise FilterSyntaxError(f"'filter' invalid. Unexpected ')' at position {position}", position)
        elif char == "," and parens == 0 and brackets == 0:
            parts.append((start, body[start:index]))
            start = index + 1
    parts.append((start, body[start:]))
    return parts


def _has_leaf_shape(leaf: str) -> bool:
    """Tell whether ``leaf`` fully matches ``(.+)\\[(.+)\\]:(.+)`` (with DOTALL).

    Written without the regular expression because its backtracking is
    quadratic or worse on long strings full of brackets.
    """
    open_at = leaf.find("[", 1)
    # The last "]:" that still leaves at least one character after it.
    close_at = leaf.rfind("]:", 0, len(leaf) - 1)
    return open_at != -1 and close_at >= open_at + 2


def _parse_leaf(leaf: str, offset: int) -> Condition:
    """Parse ``path[comparator]:value`` (steps 4 to 6)."""
    invalid = FilterSyntaxError(f"'filter' invalid for '{leaf}'. eg: price[gte]:10", offset)
    if not _has_leaf_shape(leaf):
        raise invalid
    # Path before the first "[", comparator up to the first "]", value after
    # the first ":" following that "]" (so values may contain ":" and "]").
    open_at = leaf.index("[")
    close_at = leaf.index("]", open_at + 1)
    colon_at = leaf.index(":", close_at + 1)
    path = tuple(leaf[:open_at].split("."))
    if not all(segment.strip() for segment in path):
        raise invalid
    comparator = leaf[open_at + 1 : close_at]
    if comparator not in REST_COMPARATORS:
        raise FilterSyntaxError(
            f"'filter' invalid for '{leaf}', comparator {comparator} not in " + ", ".join(REST_COMPARATORS),
            offset,
        )
    return Condition(path, comparator, _format_value(leaf[colon_at + 1 :], comparator, offset), REST_COMPARATORS)


def _format_value(value: str, comparator: str, offset: int) -> str | tuple[str, ...]:
    """Format a leaf value for its comparator (step 6); values stay strings."""
    if comparator in ARRAY_COMPARATORS:
        if not (value.startswith("[") and value.endswith("]")):
            # Twenty interpolates the comparator, so "containsAny" names itself.
            raise FilterSyntaxError(
                f"'filter' invalid for '{comparator}' operator. Received '{value}' but array "
                f"value expected eg: 'field[{comparator}]:[value_1,value_2]'",
                offset,
            )
        if not value[1:-1].strip():
            return ()  # [] is the empty list (GraphQL's in: []), matching nothing; [""] is the empty string
        # Every comma splits, even inside quotes, as the contract says.
        return tuple(_strip_quotes(item.strip()) for item in value[1:-1].split(","))
    if comparator == "is":
        return value
    return _strip_quotes(value)


def _strip_quotes(value: str) -> str:
    """Remove one pair of outer quotes (either kind, not necessarily matching)."""
    # Length 2 at least, so a lone quote character stays as it is.
    if len(value) >= 2 and value[0] in _QUOTES and value[-1] in _QUOTES:
        return value[1:-1]
    return value
