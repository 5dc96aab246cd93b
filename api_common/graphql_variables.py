"""Errors of variables that do not fit their types, with each value shown as the JSON the client sent.

graphql-core words them with Python's notation: ``Variable '$filter' got invalid value {'nosuch': 1};
Field 'nosuch' is not defined by type 'PersonFilterInput'.``, ``None``, ``True``. Its error keeps the
variable's definition and the type's own error, but neither the value nor where in the variable it
sits; those reach only the callback of ``coerce_input_value``. :func:`as_sent` therefore coerces
such a variable once more through that public function, with a callback that keeps them, and words
each error as graphql-core does with the value in JSON::

    Variable '$filter' got invalid value {"nosuch": 1}; Field 'nosuch' is not defined by type 'PersonFilterInput'.
    Variable '$ids' got invalid value null at 'ids[0]'; Expected non-nullable type 'UUID!' not to be null.

The type's message keeps its words; when it ends with the value (``Int cannot represent non-integer
value: True``, the built-in scalars' form) that ending is shown in JSON as well, and a non-null
type's ``not to be None.`` reads ``not to be null.``. Nothing is parsed out of a message: an error
that is not one of these, or that the second coercion does not give again, keeps graphql-core's text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, VariableDefinitionNode, is_input_type
from graphql.pyutils import inspect, print_path_list
from graphql.utilities import coerce_input_value, type_from_ast

__all__ = ["as_sent", "shown"]

#: graphql-core's bounds of a value in a message (``graphql.pyutils.inspect``): nesting, text, items.
MAX_DEPTH = 2
MAX_TEXT = 240
MAX_ITEMS = 10

#: graphql-core's ending of a null's error (a non-null type's), and the words of JSON.
NONE_ENDING, NULL_ENDING = " not to be None.", " not to be null."

#: Where items were left out of a long array or object.
ELIDED = object()

#: One coercion error: where in the variable (keys and indexes), the value there, the type's error.
Coerced = tuple[list[str | int], Any, GraphQLError]


def cut(text: str) -> str:
    """``text`` cut in the middle past ``MAX_TEXT`` characters, as graphql-core cuts it."""
    if len(text) <= MAX_TEXT:
        return text
    head = (MAX_TEXT - 3) // 2
    return text[:head] + "..." + text[-(MAX_TEXT - 3 - head) :]


def shown(value: Any, depth: int = 0) -> str:
    """``value`` (decoded from the request's JSON) as JSON text for a message, within graphql-core's bounds:
    long text cut in the middle, arrays and objects of more than 10 items cut to their first 5 and last 4,
    and arrays and objects nested deeper than 2 levels written ``[...]`` and ``{...}``."""
    if not isinstance(value, (list, dict)):
        try:
            return cut(json.dumps(value, ensure_ascii=False))
        except (TypeError, ValueError):  # not a JSON value (variables always are): graphql-core's words
            return inspect(value)
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    if not value:
        return opening + closing
    if depth >= MAX_DEPTH:
        return opening + "..." + closing
    items: list[Any] = list(value.items()) if isinstance(value, dict) else list(value)
    if len(items) > MAX_ITEMS:
        half = MAX_ITEMS // 2
        items = [*items[:half], ELIDED, *items[-(half - 1) :]]
    parts = [
        "..."
        if item is ELIDED
        else f"{json.dumps(str(item[0]), ensure_ascii=False)}: {shown(item[1], depth + 1)}"
        if isinstance(value, dict)
        else shown(item, depth + 1)
        for item in items
    ]
    return opening + ", ".join(parts) + closing


def coercion_errors(schema: GraphQLSchema, definition: VariableDefinitionNode, value: Any) -> Iterator[Coerced]:
    """The errors of coercing ``value`` to the type of ``definition``, in graphql-core's order."""
    found: list[Coerced] = []
    variable_type: Any = type_from_ast(schema, definition.type)
    if is_input_type(variable_type):  # else graphql-core refused the definition, not a value
        coerce_input_value(value, variable_type, lambda path, invalid, error: found.append((path, invalid, error)))
    return iter(found)


def reworded(error: GraphQLError, name: str, coerced: Coerced | None) -> GraphQLError:
    """``error`` worded with the value in JSON, when ``coerced`` is its error again; else ``error``."""
    inner = error.original_error
    if coerced is None or not isinstance(inner, GraphQLError) or coerced[2].message != inner.message:
        return error
    path, value, _ = coerced
    message = f"Variable '${name}' got invalid value {shown(value)}"
    if path:
        message += f" at '{name}{print_path_list(path)}'"
    reason, python = inner.message, inspect(value)
    if value is None and reason.endswith(NONE_ENDING):
        reason = reason[: -len(NONE_ENDING)] + NULL_ENDING
    elif reason.endswith(python):
        reason = reason[: -len(python)] + shown(value)
    return GraphQLError(f"{message}; {reason}", error.nodes, original_error=inner)


def as_sent(
    errors: Sequence[GraphQLError],
    schema: GraphQLSchema,
    operation: OperationDefinitionNode | None,
    variables: dict[str, Any] | None,
) -> list[GraphQLError]:
    """``errors`` of an operation that did not run, with the values of variables shown as JSON (see above).

    graphql-core reports a variable's value errors as its definition's node with the type's error as
    ``original_error``, in the order its coercion meets them: the second coercion meets them in the
    same order, so the n-th error of a variable is the n-th found again.
    """
    if operation is None or not variables:
        return list(errors)
    pending: dict[str, Iterator[Coerced]] = {}
    answered = []
    for error in errors:
        node = error.nodes[0] if error.nodes and len(error.nodes) == 1 else None
        if not isinstance(node, VariableDefinitionNode) or not isinstance(error.original_error, GraphQLError):
            answered.append(error)  # not a value's error (a missing variable, a null for a non-null type...)
            continue
        name = node.variable.name.value
        if name not in variables:
            answered.append(error)
            continue
        if name not in pending:
            pending[name] = coercion_errors(schema, node, variables[name])
        answered.append(reworded(error, name, next(pending[name], None)))
    return answered
