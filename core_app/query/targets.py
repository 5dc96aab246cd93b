"""Resolve an API field path (``name.firstName``, ``companyId``, ``createdAt``) to what the
query engine compares and sorts: a Record column or a path inside ``Record.data``, and the
scalar field type that owns the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Case, F, FloatField, Func, Q, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Collate
from django.db.models.lookups import Exact

from core_app.query.errors import FilterSyntaxError
from metadata_app.field_types import FIELD_TYPES, FieldType
from metadata_app.specs import FieldSpec, ObjectSpec

__all__ = ["UUID_TYPE", "Target", "resolve_target"]

UUID_TYPE = FIELD_TYPES["UUID"]


@dataclass(frozen=True)
class Target:
    """Where a field path's value lives and which scalar type compares it."""

    api_path: str
    field: FieldSpec
    scalar: FieldType
    column: str | None  # a Record column holding the value itself
    json_column: str  # the JSON column holding the value (data, or created_by for ACTOR)
    json_path: tuple[str, ...]  # keys inside json_column

    @property
    def lookup(self) -> str:
        """Django lookup path (``data__name__firstName``)."""
        if self.column and not self.json_path:
            return self.column
        return "__".join((self.json_column, *self.json_path))

    def raw_expression(self):
        """The stored value: a column, or the JSON value read as text/number by the backend."""
        if self.column and not self.json_path:
            return F(self.column)
        if connection.vendor == "sqlite":
            # Django reads a stored JSON null as the text 'null' on SQLite (PostgreSQL's ->> gives
            # NULL), which would compare as 0 once cast to a number, sort among the values and match
            # patterns. Make it SQL NULL, as a missing key already is.
            path = "$" + "".join(f'."{key}"' for key in self.json_path)
            json_type = Func(F(self.json_column), Value(path), function="JSON_TYPE", output_field=TextField())
            return Case(
                When(Exact(json_type, Value("null")), then=Value(None)),
                default=KT(self.lookup),
                output_field=TextField(),
            )
        return KT(self.lookup)

    def typed_expression(self):
        """The value as it compares and sorts: numbers as numbers, text byte-wise on both backends."""
        raw = self.raw_expression()
        if self.column and not self.json_path:
            return raw
        if self.scalar.value_kind == "number":
            return Cast(raw, FloatField())
        if self.scalar.value_kind == "text":
            # Byte-wise order, so that PostgreSQL's locale collation cannot disagree with SQLite.
            return Collate(raw, "C" if connection.vendor == "postgresql" else "BINARY")
        return raw

    def column_value(self, value: Any) -> Any:
        """Convert a normalised API value to what the column holds (datetimes for timestamp columns)."""
        if self.column in ("created_at", "updated_at", "deleted_at") and isinstance(value, str):
            return datetime.fromisoformat(value)
        return value

    def is_null(self) -> Q:
        """Records holding no value here (key missing or JSON null)."""
        if self.column and not self.json_path:
            return Q(**{f"{self.column}__isnull": True})
        return Q(**{f"{self.lookup}__isnull": True}) | Q(**{self.lookup: None})


def filter_error(message: str) -> FilterSyntaxError:
    """A 400 about the meaning (not the syntax) of a filter."""
    return FilterSyntaxError(f"'filter' invalid. {message}")


def resolve_target(spec: ObjectSpec, path: tuple[str, ...], error=filter_error) -> Target:
    """Return the target of ``path`` on ``spec``; ``error(message)`` builds the exception to raise."""
    head, rest = path[0], path[1:]
    api_path = ".".join(path)
    field = spec.field(head)
    if field is None and head in spec.by_join_name:
        if rest:
            raise error(f"'{api_path}' is invalid: '{head}' has no sub-fields")
        relation = spec.by_join_name[head]
        return Target(api_path, relation, UUID_TYPE, None, "data", (relation.join_storage_key,))
    if field is None:
        raise error(f"Field '{head}' does not exist on object '{spec.name_singular}'")
    if field.relation is not None:
        hint = f"{field.join_name}[eq]:<uuid>" if field.is_many_to_one else "the join column of the other object"
        raise error(f"Relation '{head}' cannot be used directly; use {hint}")
    field_type = field.field_type
    if field_type.is_composite:
        subs = ", ".join(field_type.sub_fields)
        if len(rest) != 1 or rest[0] not in field_type.sub_fields:
            raise error(
                f"Field '{head}' is a {field.type}: use one of its sub-fields ({subs}), e.g. {head}.{next(iter(field_type.sub_fields))}"
            )
        scalar = field_type.sub_fields[rest[0]]
        if field.column:
            return Target(api_path, field, scalar, field.column, field.column, (rest[0],))
        return Target(api_path, field, scalar, None, "data", (field.storage_key, rest[0]))
    if rest:
        raise error(f"'{api_path}' is invalid: '{head}' has no sub-fields")
    if field.column:
        return Target(api_path, field, field_type, field.column, field.column, ())
    return Target(api_path, field, field_type, None, "data", (field.storage_key,))
