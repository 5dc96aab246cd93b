"""Ordering and keyset cursors, shared by REST (``order_by``, ``starting_after``) and GraphQL.

The sort keys are the client's keys plus ``id`` as the final tie-breaker (ascending unless the
client's last key is ``id`` descending). A cursor is the base64 of the sort-key values of a
record, so it stays valid when records are inserted between page requests, and it works
identically for REST and GraphQL. Seeking after a cursor handles ties and nulls for each of the
four null orderings.

A key may go through a many-to-one relation (``company.name``, api-reference §11.4): its value
is the related live record's (read by primary key through the source's join column), null when
there is none, and it travels in cursors like any other value.

At most ``MAX_SORT_KEYS`` keys (a setting) are accepted.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings

from core_app.query.ast import OrderKey
from core_app.query.errors import OrderBySyntaxError
from core_app.query.targets import INSTANT_COLUMNS, Source, Target, resolve_target
from core_app.store.slots import ObjectSlots, Slot, object_slots
from core_app.store.sql import option_position, quote_literal
from metadata_app.field_types.scalars import CANONICAL_UUID
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = [
    "InvalidCursor",
    "SortKey",
    "build_sort_keys",
    "decode_cursor",
    "encode_cursor",
    "order_sql",
    "seek_sql",
]


class InvalidCursor(ValueError):
    """A cursor that was not produced by this API (or for another ordering)."""


#: Record columns that hold a value in every record.
NEVER_NULL_COLUMNS = frozenset({"id", "created_at", "updated_at", "position"})


def max_sort_keys() -> int:
    """``MAX_SORT_KEYS``, read at call time."""
    return int(getattr(settings, "MAX_SORT_KEYS", 10))


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY key: what it sorts on, its direction, and how its values travel in cursors.

    ``target`` is None for the ``id`` tie-breaker. ``slot`` is the index slot that can walk this
    key in order (indexed, and not an option field, whose order is the options').
    """

    target: Target | None
    descending: bool
    nulls_first: bool
    is_datetime: bool = False
    #: The many-to-one relation the key goes through (``target`` is then on its object), if any.
    via: FieldSpec | None = None
    #: Through a relation: the target's index slot of the sorted value and the source's join slot
    #: (both set when the index can walk this order, see ``planner.fetch_by_relation_order``).
    target_slot: Slot | None = None
    join_slot: Slot | None = None

    @property
    def never_null(self) -> bool:
        """True for keys on columns every record fills (``id``, ``createdAt``, ``updatedAt``, ``position``)."""
        if self.via is not None:
            return False  # no related record: no value
        return self.target is None or (self.target.is_column and self.target.column in NEVER_NULL_COLUMNS)

    @property
    def is_id(self) -> bool:
        """True for the ``id`` tie-breaker."""
        return self.target is None

    @property
    def slot(self) -> Slot | None:
        """The index slot that keeps this key's values in sort order, if any."""
        slot = self.target.slot if self.target is not None else None
        return slot if slot is not None and slot.sortable else None

    def expression(self, src: Source) -> str:
        """SQL of the sorted value: option position for SELECT-like fields, else the typed value.

        Through a relation: the value on the related live record, read by its primary key (the
        live test is written so that no partial index of live records matches it: under statistics
        that believe the workspace empty, ``record_position`` could serve the look-up by id and read
        every record of the object per probe).
        """
        if self.via is not None and self.via.relation is not None:
            inner = Source(src.d, alias="rs")
            join = src.json_text("data", (self.via.join_storage_key,))
            object_id = quote_literal(src.d.uuid_in(self.via.relation.target_object_id))
            return (
                f"(SELECT {self.value_expression(inner)} FROM core_app_record rs WHERE "
                f"rs.workspace_id = {src.alias}.workspace_id AND rs.object_id = {object_id} "
                f"AND rs.id = {src.d.key_as_id(join)} AND (rs.deleted_at IS NULL) IS TRUE)"
            )
        return self.value_expression(src)

    def value_expression(self, src: Source) -> str:
        """SQL of the sorted value on the record of ``src`` itself."""
        if self.target is None:
            return src.column("id")
        target = self.target
        if target.scalar.holds_array and not target.is_column:
            # Item by item, as PostgreSQL compares arrays: [] first, a prefix before what extends it;
            # MULTI_SELECT items by option position, ARRAY items as text.
            codes = target.field.option_values if target.scalar.has_options else None
            return src.d.array_sort_key(src.column(target.json_column), target.json_path, codes)
        if target.scalar.has_options and target.scalar.value_kind != "json" and target.field.options:
            return option_position(target.raw(src), target.field.option_values)
        return target.typed(src)

    def directions(self, reverse: bool = False) -> tuple[bool, bool]:
        """``(descending, nulls_first)``, flipped for backward pages."""
        return self.descending != reverse, self.nulls_first != reverse

    def order_term(self, expression: str, reverse: bool = False) -> str:
        """The ORDER BY term of ``expression`` in this key's (possibly reversed) direction."""
        descending, nulls_first = self.directions(reverse)
        direction = " DESC" if descending else " ASC"
        if self.never_null:
            # No NULLS clause: a plain ORDER BY walks the record table's indexes (id, createdAt, position).
            return expression + direction
        return expression + direction + (" NULLS FIRST" if nulls_first else " NULLS LAST")

    def param(self, src: Source, value: Any) -> Any:
        """A cursor value as a parameter compared with :meth:`expression`."""
        if self.is_id:
            return src.d.uuid_in(str(value))
        if isinstance(value, datetime):
            return src.d.instant_in(value)
        if self.target is not None and self.target.scalar.value_kind == "boolean" and isinstance(value, bool):
            return src.d.boolean_in(value)
        return value


def order_error(message: str) -> OrderBySyntaxError:
    """A 400 about an ``order_by`` key."""
    return OrderBySyntaxError(f"'order_by' invalid. {message}")


def relation_of(
    spec: ObjectSpec, snapshot: SchemaSnapshot | None, path: tuple[str, ...]
) -> tuple[FieldSpec, ObjectSpec] | None:
    """The many-to-one relation a sort path goes through and its object (None: the path is the object's own).

    A one-to-many relation, a relation named alone or a second hop is a 400 (§11.4).
    """
    field = spec.field(path[0])
    if field is None or field.relation is None:
        return None
    if field.is_one_to_many:
        raise OrderBySyntaxError(f"'order_by' invalid: '{path[0]}' is a one-to-many relation and cannot be sorted on")
    if len(path) < 2:
        raise order_error(
            f"Relation '{path[0]}' cannot be sorted on itself; sort on its join column ({field.join_name}) or on "
            f"a field of the related record, e.g. {path[0]}.id"
        )
    target = snapshot.by_id.get(field.relation.target_object_id) if snapshot is not None else None
    if target is None:
        raise order_error(f"Field '{path[0]}' does not exist on object '{spec.name_singular}'")
    nested = target.field(path[1])
    if nested is not None and nested.relation is not None:
        raise order_error(f"'{'.'.join(path)}' goes through two relations; sorting follows one relation only")
    return field, target


def build_sort_keys(
    keys: list[OrderKey], spec: ObjectSpec, slots: ObjectSlots | None = None, snapshot: SchemaSnapshot | None = None
) -> list[SortKey]:
    """Resolve order keys against ``spec`` and append ``id`` (ascending) unless already last.

    ``snapshot`` resolves keys through many-to-one relations (``company.name``).
    """
    if len(keys) > max_sort_keys():
        raise order_error(f"At most {max_sort_keys()} sort keys are allowed, got {len(keys)}")
    result: list[SortKey] = []
    for key in keys:
        relation = relation_of(spec, snapshot, key.path)
        if relation is not None:
            via, on = relation
            target = resolve_target(on, key.path[1:], error=order_error)
            target_slot = object_slots(snapshot, on).by_path.get(target.api_path) if snapshot is not None else None
            join_slot = slots.by_path.get(via.join_name) if slots is not None else None
            if not target.scalar.sortable:
                raise order_error(f"'{'.'.join(key.path)}' ({target.scalar.name}) cannot be sorted on")
            result.append(
                SortKey(
                    target=target,
                    descending=key.direction.startswith("Desc"),
                    nulls_first=key.direction.endswith("NullsFirst"),
                    is_datetime=target.column in INSTANT_COLUMNS,
                    via=via,
                    target_slot=target_slot if target_slot is not None and target_slot.sortable else None,
                    join_slot=join_slot,
                )
            )
            continue
        target = resolve_target(spec, key.path, error=order_error, slots=slots)
        if not target.scalar.sortable:
            raise order_error(f"'{target.api_path}' ({target.scalar.name}) cannot be sorted on")
        if key.path == ("id",):
            continue
        result.append(
            SortKey(
                target=target,
                descending=key.direction.startswith("Desc"),
                nulls_first=key.direction.endswith("NullsFirst"),
                is_datetime=target.column in INSTANT_COLUMNS,
            )
        )
    id_descending = bool(keys and keys[-1].path == ("id",) and keys[-1].direction.startswith("Desc"))
    result.append(SortKey(target=None, descending=id_descending, nulls_first=True))
    return result


def after_sql(key: SortKey, expression: str, value: Any, src: Source, params: list[Any], reverse: bool) -> str:
    """Rows strictly after ``value`` on this key alone (in the possibly reversed order)."""
    descending, nulls_first = key.directions(reverse)
    if value is None:
        return f"{expression} IS NOT NULL" if nulls_first and not key.never_null else "1 = 0"
    params.append(key.param(src, value))
    beyond = f"{expression} {'<' if descending else '>'} %s"
    return beyond if nulls_first or key.never_null else f"({beyond} OR {expression} IS NULL)"


def equal_sql(key: SortKey, expression: str, value: Any, src: Source, params: list[Any]) -> str:
    """Rows tied with ``value`` on this key."""
    if value is None:
        return f"{expression} IS NULL"
    params.append(key.param(src, value))
    return f"{expression} = %s"


def seek_sql(
    keys: list[SortKey], expressions: list[str], cursor: list[Any], src: Source, params: list[Any], reverse: bool
) -> str:
    """The rows after ``cursor`` (before it when ``reverse``): ``k0 > v0 OR (k0 = v0 AND k1 > v1) ...``."""
    branches = []
    for index, key in enumerate(keys):
        parts = [equal_sql(k, expressions[i], cursor[i], src, params) for i, k in enumerate(keys[:index])]
        parts.append(after_sql(key, expressions[index], cursor[index], src, params, reverse))
        branches.append("(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(branches) + ")"


def order_sql(keys: list[SortKey], expressions: list[str], reverse: bool = False) -> str:
    """The ORDER BY list of the sort keys (reversed for backward pages)."""
    return ", ".join(key.order_term(expression, reverse) for key, expression in zip(keys, expressions))


def cursor_value(key: SortKey, value: Any) -> Any:
    """A fetched sort value as it is written into a cursor."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if key.is_id else value


def encode_cursor(values: list[Any], keys: list[SortKey]) -> str:
    """The opaque cursor of a record whose sort values are ``values`` (in ``keys`` order)."""
    encoded = [cursor_value(key, value) for key, value in zip(keys, values)]
    return base64.urlsafe_b64encode(orjson.dumps(encoded)).decode().rstrip("=")


def fits(key: SortKey, value: Any) -> bool:
    """True when a cursor value has the JSON type this key's sort values have (so SQL can compare it)."""
    if value is None:
        return not key.is_id
    if key.is_id:
        return isinstance(value, str) and CANONICAL_UUID.match(value) is not None
    if key.is_datetime:
        return isinstance(value, datetime)
    target = key.target
    assert target is not None
    if target.scalar.has_options and target.scalar.value_kind != "json":
        return isinstance(value, int) and not isinstance(value, bool)
    kind = "number" if target.is_column and target.column == "position" else target.scalar.value_kind
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, (str, int))
    return isinstance(value, str)


def decode_cursor(cursor: str, keys: list[SortKey]) -> list[Any]:
    """The sort-key values inside ``cursor``; InvalidCursor when it does not fit the ordering."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise InvalidCursor(cursor) from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidCursor(cursor)
    decoded = []
    for key, value in zip(keys, values):
        if key.is_datetime and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise InvalidCursor(cursor) from None
            if value.tzinfo is None:
                raise InvalidCursor(cursor)
        if not fits(key, value):
            raise InvalidCursor(cursor)
        decoded.append(value)
    return decoded
