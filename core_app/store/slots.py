"""Index slots: which values of an object's records the index path keeps, and how to read them.

A slot is one indexed value per record: a scalar field (``city``), one sub-field of a composite
(``name.lastName``), a relation's join id (``companyId``) or ``updatedAt`` when marked indexed.
Its id is the field's id, or a UUID derived from the field's id and
the sub-field's name, so it never changes while the field exists.

``object_slots(snapshot, spec)`` is memoised per schema snapshot::

    slots = object_slots(snapshot, spec)
    slot = slots.by_path["name.lastName"]
    slot.key_of(row)          # the record's key in that slot (core_app.store.keys)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core_app.store.keys import key_of
from core_app.store.search import SearchFields, search_fields
from metadata_app.registry import schema_registry
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["ObjectSlots", "Slot", "object_slots", "slot_id"]

#: Column-backed system fields the index path keeps when they are marked indexed, with their key
#: kind. ``id``, ``createdAt`` and ``position`` need no slot: the record table has indexes on them
#: (every record has the three), and trashed records (``deletedAt``) are never in the index path.
COLUMN_KINDS: Mapping[str, str] = {"updated_at": "instant"}


def slot_id(field_id: str, sub: str | None = None) -> str:
    """The slot of a field, or of one sub-field of a composite field."""
    return field_id if sub is None else str(uuid.uuid5(uuid.UUID(field_id), sub))


@dataclass(frozen=True, slots=True)
class Slot:
    """One indexed value of an object's records."""

    id: str
    api_path: str
    kind: str  # text, number, boolean or instant (core_app.store.keys.key_of)
    field: FieldSpec
    column: str | None  # a Record column, or None for a value inside ``data``
    path: tuple[str, ...]  # keys inside ``data``
    #: False for option fields (SELECT, RATING), which sort by option position rather than value.
    sortable: bool = True

    def value_of(self, data: Mapping[str, Any], columns: Mapping[str, Any] | None = None) -> Any:
        """The stored value of this slot in a record's ``data`` (or its ``columns``)."""
        if self.column is not None:
            return (columns or {}).get(self.column)
        value: Any = data
        for key in self.path:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    def key_of(self, data: Mapping[str, Any], columns: Mapping[str, Any] | None = None) -> str | None:
        """The index key of a record's value in this slot (None: no value)."""
        return key_of(self.kind, self.value_of(data, columns))


@dataclass(frozen=True)
class ObjectSlots:
    """Every slot of one object, in field order, and looked up by API path; and its search fields."""

    slots: tuple[Slot, ...]
    search: SearchFields | None = None
    by_path: Mapping[str, Slot] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_path", {slot.api_path: slot for slot in self.slots})


def field_slots(spec: FieldSpec) -> list[Slot]:
    """The slots of one indexed field (none when its type cannot be indexed)."""
    if spec.is_many_to_one:
        return [Slot(spec.id, spec.join_name, "text", spec, None, (spec.join_storage_key,))]
    if spec.relation is not None:
        return []
    field_type = spec.field_type
    if spec.column is not None:
        kind = COLUMN_KINDS.get(spec.column)
        return [Slot(spec.id, spec.name, kind, spec, spec.column, ())] if kind else []
    if field_type.is_composite:
        return [
            Slot(slot_id(spec.id, sub), f"{spec.name}.{sub}", kind, spec, None, (spec.storage_key, sub))
            for sub in field_type.indexed_sub_fields
            if (kind := field_type.sub_fields[sub].index_kind) is not None
        ]
    if field_type.index_kind is None:
        return []
    return [
        Slot(spec.id, spec.name, field_type.index_kind, spec, None, (spec.storage_key,), not field_type.has_options)
    ]


def build_object_slots(spec: ObjectSpec) -> ObjectSlots:
    """The slots of every indexed field of ``spec``."""
    return ObjectSlots(
        tuple(slot for f in spec.fields if f.is_indexed for slot in field_slots(f)), search=search_fields(spec)
    )


def object_slots(snapshot: SchemaSnapshot, spec: ObjectSpec) -> ObjectSlots:
    """The slots of ``spec``, built once per schema snapshot."""
    return schema_registry.memo(snapshot, f"slots:{spec.id}", lambda: build_object_slots(spec))
