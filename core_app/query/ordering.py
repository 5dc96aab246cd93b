"""Ordering and keyset cursors, shared by REST (``order_by``, ``starting_after``) and GraphQL.

The sort keys are the client's keys plus ``id`` as the final tie-breaker. A cursor is the
base64 of the sort-key values of a record, so it stays valid when records are inserted
between page requests, and it works identically for REST and GraphQL. Seeking after a cursor
handles ties and nulls for each of the four null orderings.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db.models import Case, F, IntegerField, Q, Value, When

from core_app.query.ast import OrderKey
from core_app.query.errors import OrderBySyntaxError
from core_app.query.targets import Target, resolve_target
from metadata_app.specs import ObjectSpec

__all__ = [
    "InvalidCursor",
    "SortKey",
    "build_sort_keys",
    "decode_cursor",
    "encode_cursor",
    "order_queryset",
    "order_terms",
    "seek",
]


class InvalidCursor(ValueError):
    """A cursor that was not produced by this API (or for another ordering)."""


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY key: an annotation alias, its expression, and its direction."""

    alias: str
    expression: Any
    descending: bool
    nulls_first: bool
    is_datetime: bool = False
    never_null: bool = False

    def order(self, reverse: bool = False):
        """The ORDER BY term (``reverse`` flips direction and null placement, for backward pages)."""
        descending = self.descending != reverse
        nulls_first = self.nulls_first != reverse
        if self.never_null:
            # No NULLS clause: a plain ORDER BY id can walk the (object, id) index.
            return F(self.alias).desc() if descending else F(self.alias).asc()
        nulls = {"nulls_first": True} if nulls_first else {"nulls_last": True}
        return F(self.alias).desc(**nulls) if descending else F(self.alias).asc(**nulls)

    def after(self, value: Any, reverse: bool = False) -> Q:
        """Rows strictly after ``value`` on this key alone (in the possibly reversed order)."""
        descending = self.descending != reverse
        nulls_first = self.nulls_first != reverse
        if value is None:
            return ~Q(**{f"{self.alias}__isnull": True}) if nulls_first else Q(pk__in=[])
        beyond = Q(**{f"{self.alias}__{'lt' if descending else 'gt'}": value})
        return beyond if nulls_first else beyond | Q(**{f"{self.alias}__isnull": True})

    def equal(self, value: Any) -> Q:
        """Rows tied with ``value`` on this key."""
        return Q(**{f"{self.alias}__isnull": True}) if value is None else Q(**{self.alias: value})


def sort_expression(target: Target):
    """SELECT-like fields sort by option position; everything else by its typed value."""
    if target.scalar.has_options and target.scalar.value_kind != "json" and target.field.options:
        whens = [
            When(**{target.lookup: value, "then": Value(index)})
            for index, value in enumerate(target.field.option_values)
        ]
        return Case(*whens, default=Value(None), output_field=IntegerField())
    return target.typed_expression()


def order_error(message: str) -> OrderBySyntaxError:
    """A 400 about an ``order_by`` key."""
    return OrderBySyntaxError(f"'order_by' invalid. {message}")


def build_sort_keys(keys: list[OrderKey], spec: ObjectSpec) -> list[SortKey]:
    """Resolve order keys against ``spec`` and append ``id`` (ascending) unless already last."""
    result: list[SortKey] = []
    for index, key in enumerate(keys):
        target = resolve_target(spec, key.path, error=order_error)
        if not target.scalar.sortable or (target.scalar.value_kind == "json" and not target.scalar.has_options):
            raise order_error(f"'{target.api_path}' ({target.scalar.name}) cannot be sorted on")
        if key.path == ("id",):
            continue
        result.append(
            SortKey(
                alias=f"_s{index}",
                expression=sort_expression(target),
                descending=key.direction.startswith("Desc"),
                nulls_first=key.direction.endswith("NullsFirst"),
                is_datetime=target.column in ("created_at", "updated_at", "deleted_at"),
            )
        )
    id_descending = bool(keys and keys[-1].path == ("id",) and keys[-1].direction.startswith("Desc"))
    result.append(
        SortKey(alias="_sid", expression=F("id"), descending=id_descending, nulls_first=True, never_null=True)
    )
    return result


def seek(queryset, sort_keys: list[SortKey], cursor: list[Any] | None, backward: bool):
    """Annotate the sort keys and keep the rows after ``cursor`` (before it when ``backward``)."""
    queryset = queryset.annotate(**{key.alias: key.expression for key in sort_keys})
    if cursor is None:
        return queryset
    condition = Q(pk__in=[])
    for index, key in enumerate(sort_keys):
        tied = Q()
        for previous, value in zip(sort_keys[:index], cursor[:index]):
            tied &= previous.equal(value)
        condition |= tied & key.after(cursor[index], reverse=backward)
    return queryset.filter(condition)


def order_terms(sort_keys: list[SortKey], backward: bool = False) -> list[Any]:
    """ORDER BY terms of the sort keys (reversed for backward pages)."""
    return [key.order(reverse=backward) for key in sort_keys]


def order_queryset(queryset, sort_keys: list[SortKey], cursor: list[Any] | None, backward: bool):
    """Annotate the sort keys, seek past ``cursor`` and order (reversed when ``backward``)."""
    return seek(queryset, sort_keys, cursor, backward).order_by(*order_terms(sort_keys, backward))


def encode_cursor(record: Any, sort_keys: list[SortKey]) -> str:
    """The opaque cursor of a fetched (annotated) record."""
    values = []
    for key in sort_keys:
        value = getattr(record, key.alias)
        values.append(
            value.isoformat() if isinstance(value, datetime) else str(value) if key.alias == "_sid" else value
        )
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str, sort_keys: list[SortKey]) -> list[Any]:
    """The sort-key values inside ``cursor``; InvalidCursor when it does not fit the ordering."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise InvalidCursor(cursor) from None
    if not isinstance(values, list) or len(values) != len(sort_keys):
        raise InvalidCursor(cursor)
    decoded = []
    for key, value in zip(sort_keys, values):
        if key.is_datetime and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise InvalidCursor(cursor) from None
        decoded.append(value)
    return decoded
