"""The schema registry: an immutable snapshot of each workspace's data model, per process.

Usage::

    from metadata_app.registry import schema_registry

    snapshot = schema_registry.snapshot(workspace)      # cached per (workspace id, version)
    people = snapshot.by_plural["people"]
    people.field("emails").field_type.operators

``snapshot(workspace)`` trusts ``workspace.metadata_version`` as loaded by the caller (the
API-key lookup loads it with the key, so a request costs no extra query). Every metadata change
bumps that version in its own transaction, so the next request of any process sees a version it
has not cached and rebuilds. Nothing in-process is the source of truth: a stale entry is only
ever replaced, never served for a newer version.

Derived artefacts (serializers, GraphQL schemas) hang off the snapshot via :meth:`memo`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.specs import FieldSpec, ObjectSpec, RelationSpec, SchemaSnapshot

__all__ = ["SchemaRegistry", "build_snapshot", "schema_registry"]

T = TypeVar("T")


def build_field_spec(row: FieldMetadata, names_by_id: dict[Any, str]) -> FieldSpec:
    """Return the spec of one field row."""
    relation = None
    settings = row.settings or {}
    if row.type == "RELATION" and row.relation_target_object_id:
        relation = RelationSpec(
            type=settings.get("relationType", "MANY_TO_ONE"),
            target_object_id=str(row.relation_target_object_id),
            target_field_id=str(row.relation_target_field_id) if row.relation_target_field_id else None,
            target_field_name=names_by_id.get(row.relation_target_field_id),
            on_delete=settings.get("onDelete", "SET_NULL"),
        )
    return FieldSpec(
        id=str(row.id),
        object_id=str(row.object_id),
        name=row.name,
        label=row.label,
        type=row.type,
        storage_key=row.storage_key,
        is_nullable=row.is_nullable,
        is_unique=row.is_unique,
        is_indexed=row.effective_is_indexed,
        is_searchable=row.is_searchable,
        is_system=row.is_system,
        is_custom=row.is_custom,
        default_value=row.default_value,
        options=tuple(row.options or ()),
        settings=settings,
        relation=relation,
    )


def build_snapshot(workspace_id: Any, version: int) -> SchemaSnapshot:
    """Read the active objects and fields of a workspace (two queries) into a snapshot."""
    objects = list(ObjectMetadata.objects.filter(workspace_id=workspace_id, is_active=True))
    active_ids = {o.id for o in objects}
    rows = list(FieldMetadata.objects.filter(workspace_id=workspace_id, is_active=True).order_by("created_at", "name"))
    names_by_id = {row.id: row.name for row in rows}
    fields_by_object: dict[Any, list[FieldSpec]] = {}
    for row in rows:
        if row.type == "RELATION" and row.relation_target_object_id not in active_ids:
            continue  # a relation to a deactivated object is hidden with it
        fields_by_object.setdefault(row.object_id, []).append(build_field_spec(row, names_by_id))
    specs = tuple(
        ObjectSpec(
            id=str(o.id),
            name_singular=o.name_singular,
            name_plural=o.name_plural,
            label_singular=o.label_singular,
            label_plural=o.label_plural,
            is_custom=o.is_custom,
            is_system=o.is_system,
            fields=tuple(fields_by_object.get(o.id, ())),
            label_identifier_field_id=str(o.label_identifier_field_metadata_id)
            if o.label_identifier_field_metadata_id
            else None,
            is_searchable=o.is_searchable,
            duplicate_criteria=tuple(tuple(c) for c in (o.duplicate_criteria or ())),
        )
        for o in objects
    )
    return SchemaSnapshot(workspace_id=str(workspace_id), version=version, objects=specs)


class SchemaRegistry:
    """Per-process cache of snapshots keyed by ``(workspace id, metadata version)``."""

    def __init__(self) -> None:
        self._snapshots: dict[str, SchemaSnapshot] = {}
        self._memos: dict[tuple[str, int, str], Any] = {}
        self._lock = threading.Lock()

    def snapshot(self, workspace: Workspace) -> SchemaSnapshot:
        """Return the snapshot of ``workspace`` at its loaded ``metadata_version``."""
        key = str(workspace.pk)
        cached = self._snapshots.get(key)
        if cached is not None and cached.version == workspace.metadata_version:
            return cached
        snapshot = build_snapshot(workspace.pk, workspace.metadata_version)
        with self._lock:
            current = self._snapshots.get(key)
            if current is None or current.version <= snapshot.version:
                self._snapshots[key] = snapshot
                # Drop memos of older versions of this workspace.
                self._memos = {k: v for k, v in self._memos.items() if k[0] != key or k[1] >= snapshot.version}
        return snapshot

    def current(self, workspace_id: Any) -> SchemaSnapshot:
        """Return the snapshot at the version stored now (one query); for callers without a fresh workspace row."""
        workspace = Workspace.objects.only("id", "metadata_version").get(pk=workspace_id)
        return self.snapshot(workspace)

    def memo(self, snapshot: SchemaSnapshot, name: str, build: Callable[[], T]) -> T:
        """Return ``build()`` computed once per snapshot (serializers, GraphQL schema...)."""
        key = (snapshot.workspace_id, snapshot.version, name)
        try:
            # The memo under ``name`` is what a ``build`` of type T returned (one type per name).
            return cast(T, self._memos[key])
        except KeyError:
            value = build()
            self._memos[key] = value
            return value

    def clear(self) -> None:
        """Forget every snapshot (tests use this: never assume a cache is cold or warm)."""
        with self._lock:
            self._snapshots.clear()
            self._memos.clear()


schema_registry = SchemaRegistry()
