"""What every record operation runs against: the workspace, its snapshot, the object and the actor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core_app.models import Record
from core_app.query.lookups import JsonValueIn
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["RecordContext", "api_actor"]


def api_actor(name: str) -> dict[str, Any]:
    """The ``createdBy``/``updatedBy`` value of a change made with an API key called ``name``."""
    return {"source": "API", "workspaceMemberId": None, "name": name, "context": {}}


@dataclass(frozen=True)
class RecordContext:
    """One object of one workspace at one metadata version, acted on by ``actor``."""

    workspace_id: Any
    snapshot: SchemaSnapshot
    spec: ObjectSpec
    actor: dict[str, Any]

    def records(self, with_deleted: bool = False):
        """The object's records (live ones unless ``with_deleted``), scoped to the workspace."""
        queryset = Record.objects.filter(workspace_id=self.workspace_id, object_id=self.spec.id)
        return queryset if with_deleted else queryset.filter(deleted_at__isnull=True)

    def for_object(self, spec: ObjectSpec) -> RecordContext:
        """The same context on another object."""
        return RecordContext(self.workspace_id, self.snapshot, spec, self.actor)

    def referencing(self) -> Iterator[tuple[RecordContext, FieldSpec]]:
        """For each ONE_TO_MANY relation: the related object's context and its join field here."""
        for field in self.spec.relations:
            if not field.is_one_to_many:
                continue
            target = self.snapshot.by_id.get(field.relation.target_object_id)
            inverse = target.field(field.relation.target_field_name or "") if target else None
            if inverse is not None and inverse.is_many_to_one:
                yield self.for_object(target), inverse

    def records_pointing_at(self, join: FieldSpec, ids: list[str]) -> list[Record]:
        """Records of this object (trash included) whose ``join`` holds one of ``ids``."""
        return list(self.records(with_deleted=True).filter(JsonValueIn("data", (join.join_storage_key,), ids)))
