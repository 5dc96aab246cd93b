"""Database expressions the compiler needs that Django does not give identically on both backends.

- :class:`Like` is case-sensitive ``LIKE`` on PostgreSQL and ``GLOB`` on SQLite (whose LIKE
  ignores case), so ``like``/``startsWith``/``endsWith`` answer the same on both.
- :class:`ILike` is ``ILIKE`` on PostgreSQL and ``LOWER(x) LIKE LOWER(p)`` on SQLite.
- :class:`JsonArrayContainsAny` tests whether a JSON array holds any of some strings.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import BooleanField, Expression, Func

__all__ = ["ILike", "JsonArrayContainsAny", "JsonValueIn", "Like", "like_escape"]


def like_escape(text: str) -> str:
    """Escape ``%``, ``_`` and ``\\`` so ``text`` matches literally inside a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_to_glob(pattern: str) -> str:
    """Translate a LIKE pattern (``%``, ``_``, backslash escapes) into an equivalent GLOB pattern."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(f"[{char}]" if char in "*?[" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


class Like(Func):
    """``expr LIKE pattern`` with the same case-sensitive meaning on PostgreSQL and SQLite."""

    output_field = BooleanField()
    arity = 1

    def __init__(self, expression: Any, pattern: str) -> None:
        super().__init__(expression)
        self.pattern = pattern

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql})::text LIKE %s", [*params, self.pattern]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql}) GLOB %s", [*params, like_to_glob(self.pattern)]


class ILike(Like):
    """Case-insensitive ``LIKE``."""

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql})::text ILIKE %s", [*params, self.pattern]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"LOWER({sql}) LIKE LOWER(%s) ESCAPE '\\'", [*params, self.pattern]


class JsonArrayContainsAny(Expression):
    """True when the JSON array at ``data -> key [-> sub]`` holds any of ``values``."""

    output_field = BooleanField()

    def __init__(self, column: str, path: tuple[str, ...], values: list[str]) -> None:
        super().__init__()
        self.column, self.path, self.values = column, path, values

    def as_sql(self, compiler, connection, **extra):
        column = f"{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}.{connection.ops.quote_name(self.column)}"
        keys = ", ".join(["%s"] * len(self.path))
        return f"(({column} #> ARRAY[{keys}]) ?| %s)", [*self.path, list(self.values)]

    def as_sqlite(self, compiler, connection, **extra):
        column = f"{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}.{connection.ops.quote_name(self.column)}"
        json_path = "$" + "".join(f'."{key}"' for key in self.path)
        marks = ", ".join(["%s"] * len(self.values))
        return (
            f"EXISTS (SELECT 1 FROM json_each({column}, %s) WHERE json_each.type = 'text' AND json_each.value IN ({marks}))",
            [json_path, *self.values],
        )


class JsonValueIn(Expression):
    """True when the JSON value at ``column -> path`` equals one of ``values`` (strings or numbers).

    On PostgreSQL this is one jsonpath test (``data @? '$."companyId" ? (@ == "a" || ...)'``),
    which the GIN index on ``Record.data`` answers in a single index scan, where an ``IN`` over
    extracted text could not use any index.
    """

    output_field = BooleanField()

    def __init__(self, column: str, path: tuple[str, ...], values: list[Any]) -> None:
        super().__init__()
        self.column, self.path, self.values = column, path, values

    def column_sql(self, compiler, connection) -> str:
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{alias}.{connection.ops.quote_name(self.column)}"

    def as_sql(self, compiler, connection, **extra):
        if not self.values:
            return "1 = 0", []
        keys = "".join(f".{json.dumps(key)}" for key in self.path)
        tests = " || ".join(f"@ == {json.dumps(value)}" for value in self.values)
        return f"({self.column_sql(compiler, connection)} @? %s::jsonpath)", [f"${keys} ? ({tests})"]

    def as_sqlite(self, compiler, connection, **extra):
        if not self.values:
            return "1 = 0", []
        json_path = "$" + "".join(f'."{key}"' for key in self.path)
        marks = ", ".join(["%s"] * len(self.values))
        return f"(json_extract({self.column_sql(compiler, connection)}, %s) IN ({marks}))", [json_path, *self.values]
