"""Immutable specs of a workspace's data model, as the record API sees it.

``ObjectSpec`` and ``FieldSpec`` are plain frozen dataclasses built by the registry from the
metadata tables; everything downstream (record service, query engine, synthesis) reads these,
never the Django models, so one snapshot answers a whole request consistently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from metadata_app.field_types import FIELD_TYPES, FieldType

__all__ = ["SYSTEM_COLUMNS", "FieldSpec", "ObjectSpec", "RelationSpec", "SchemaSnapshot"]

#: System fields stored in columns of the Record table rather than in ``Record.data``.
SYSTEM_COLUMNS: Mapping[str, str] = {
    "id": "id",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "deletedAt": "deleted_at",
    "position": "position",
    "createdBy": "created_by",
    "updatedBy": "updated_by",
}
#: System fields a client may never write (``id`` may be given on create only).
READ_ONLY_FIELDS = frozenset({"createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy"})


@dataclass(frozen=True)
class RelationSpec:
    """One side of a relation: its type, the object on the other side and the field there."""

    type: str  # MANY_TO_ONE or ONE_TO_MANY
    target_object_id: str
    target_field_id: str | None
    target_field_name: str | None
    on_delete: str = "SET_NULL"


@dataclass(frozen=True, eq=False)
class FieldSpec:
    """One active field of an object (hashed by identity: each snapshot holds one per field)."""

    id: str
    object_id: str
    name: str
    label: str
    type: str
    storage_key: str
    is_nullable: bool = True
    is_unique: bool = False
    is_indexed: bool = False
    is_searchable: bool = False
    is_system: bool = False
    is_custom: bool = True
    default_value: Any = None
    options: tuple[Mapping[str, Any], ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    relation: RelationSpec | None = None

    @property
    def field_type(self) -> FieldType:
        """The field-type class instance that owns this field's behaviour."""
        return FIELD_TYPES[self.type]

    @property
    def column(self) -> str | None:
        """The Record column holding this field, or None when it lives in ``Record.data``."""
        return SYSTEM_COLUMNS.get(self.storage_key) if self.is_system else None

    @property
    def option_values(self) -> tuple[str, ...]:
        """The allowed values of a SELECT-like field, in option order."""
        return tuple(option["value"] for option in self.options)

    @property
    def is_many_to_one(self) -> bool:
        """True for the relation side that stores the join id."""
        return self.relation is not None and self.relation.type == "MANY_TO_ONE"

    @property
    def is_one_to_many(self) -> bool:
        """True for the relation side that lists the records pointing here."""
        return self.relation is not None and self.relation.type == "ONE_TO_MANY"

    @property
    def join_name(self) -> str:
        """API name of the join id of a MANY_TO_ONE relation (``companyId``)."""
        return f"{self.name}Id"

    @property
    def join_storage_key(self) -> str:
        """Key of the join id inside ``Record.data``."""
        return f"{self.storage_key}Id"

    @property
    def is_read_only(self) -> bool:
        """True for server-maintained fields a client may not write."""
        return self.is_system and self.storage_key in READ_ONLY_FIELDS


@dataclass(frozen=True)
class ObjectSpec:
    """One active object with its active fields, looked up by API name."""

    id: str
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    is_custom: bool
    is_system: bool
    fields: tuple[FieldSpec, ...]
    label_identifier_field_id: str | None = None
    is_searchable: bool = False
    #: Set on a role's narrowed copy (``core_app.access.visibility``) that lacks some of the
    #: object's search fields: the ``searchVector`` made of them is hidden with them.
    hides_search_fields: bool = False
    duplicate_criteria: tuple[tuple[str, ...], ...] = ()
    by_name: Mapping[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)
    by_join_name: Mapping[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)
    #: The place of each field name and join name in ``fields`` (the order keys are reported in).
    field_order: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "by_join_name", {f.join_name: f for f in self.fields if f.is_many_to_one})
        order = {f.name: index for index, f in enumerate(self.fields)}
        order.update({f.join_name: index for index, f in enumerate(self.fields) if f.is_many_to_one})
        object.__setattr__(self, "field_order", order)

    def field(self, name: str) -> FieldSpec | None:
        """Return the field called ``name``, or None."""
        return self.by_name.get(name)

    @property
    def unique_fields(self) -> tuple[FieldSpec, ...]:
        """Fields whose values must be unique across the object's records."""
        return tuple(f for f in self.fields if f.is_unique and f.name != "id")

    @property
    def relations(self) -> tuple[FieldSpec, ...]:
        """RELATION fields of this object."""
        return tuple(f for f in self.fields if f.relation is not None)

    @property
    def label_identifier(self) -> FieldSpec | None:
        """The field that names a record (``name`` on most objects)."""
        return next((f for f in self.fields if f.id == self.label_identifier_field_id), None)


@dataclass(frozen=True)
class SchemaSnapshot:
    """Every active object of one workspace at one metadata version."""

    workspace_id: str
    version: int
    objects: tuple[ObjectSpec, ...]
    by_plural: Mapping[str, ObjectSpec] = field(default_factory=dict, compare=False, repr=False)
    by_singular: Mapping[str, ObjectSpec] = field(default_factory=dict, compare=False, repr=False)
    by_id: Mapping[str, ObjectSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_plural", {o.name_plural: o for o in self.objects})
        object.__setattr__(self, "by_singular", {o.name_singular: o for o in self.objects})
        object.__setattr__(self, "by_id", {o.id: o for o in self.objects})
