"""Loading objects and fields so that nested selections cost a fixed number of queries.

Rows handed to the schema come in groups: a page of objects, a page of fields, the fields of
a page of objects. Every object handed out belongs to an :class:`ObjectBatch`, and the first
time any of them needs its fields, the fields of the whole batch load in one query. Relation
counterparts are wired in memory (:func:`prepare_fields`), so ``relation { ... }`` costs no
query either. The number of queries thus grows with the depth of a selection, never with the
number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.db.models.fields.mixins import FieldCacheMixin

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.services import fields as field_services
from metadata_app.services import objects as object_services

__all__ = [
    "ObjectBatch",
    "fields_of",
    "fields_queryset",
    "load_field",
    "load_object",
    "objects_queryset",
    "prepare_fields",
]

#: What a field's API shape reads besides its own columns (its object, target and counterpart).
FIELD_RELATED = ("object", "relation_target_object", "relation_target_field")
BATCH_ATTR = "_graphql_batch"


def objects_queryset(workspace: Workspace) -> QuerySet:
    """The objects of ``workspace``."""
    return ObjectMetadata.objects.filter(workspace=workspace)


def fields_queryset(workspace: Workspace) -> QuerySet:
    """The fields of ``workspace``, joined with what their API shape reads."""
    return FieldMetadata.objects.filter(workspace=workspace).select_related(*FIELD_RELATED)


class ObjectBatch:
    """Objects handed out together; the fields of all of them load in one query, once."""

    def __init__(self, objects: Iterable[ObjectMetadata]) -> None:
        self.objects = list(objects)
        self.fields: dict[Any, list[FieldMetadata]] | None = None
        for obj in self.objects:
            setattr(obj, BATCH_ATTR, self)

    def fields_of(self, obj: ObjectMetadata) -> list[FieldMetadata]:
        """Return the fields of ``obj`` ordered by id, loading those of the whole batch first."""
        if self.fields is None:
            by_id = {o.pk: o for o in self.objects}
            rows = list(
                FieldMetadata.objects.filter(object_id__in=list(by_id))
                .select_related("relation_target_object", "relation_target_field")
                .order_by("pk")
            )
            grouped: dict[Any, list[FieldMetadata]] = defaultdict(list)
            for field in rows:
                # The parent is already in memory: reuse it instead of joining it again.
                field.object = by_id[field.object_id]
                grouped[field.object_id].append(field)
            prepare_fields(rows, known=by_id)
            self.fields = grouped
        return self.fields.get(obj.pk, [])


def fields_of(obj: ObjectMetadata) -> list[FieldMetadata]:
    """The fields of ``obj`` ordered by id: those it had when deleted, or its batch's load."""
    deleted = getattr(obj, "deleted_fields", None)
    if deleted is not None:
        return sorted(deleted, key=lambda field: field.pk)
    batch = getattr(obj, BATCH_ATTR, None) or ObjectBatch([obj])
    return batch.fields_of(obj)


def is_cached(field: FieldMetadata, name: str) -> bool:
    """True when the related row ``name`` of ``field`` is in memory (reading it costs no query)."""
    return cast(FieldCacheMixin, FieldMetadata._meta.get_field(name)).is_cached(field)  # a relation field


def prepare_fields(
    fields: Sequence[FieldMetadata], known: Mapping[Any, ObjectMetadata] | None = None
) -> Sequence[FieldMetadata]:
    """Wire relation counterparts in memory and batch every object the fields point to.

    Each object is kept as one instance (``known`` ones first, so that they keep their batch).
    A counterpart lives on the target object and points back at the field's own object and
    at the field itself, so all three links are known without a query.
    """
    objects: dict[Any, ObjectMetadata] = dict(known or {})
    for field in fields:
        for name in ("object", "relation_target_object"):
            if is_cached(field, name) and getattr(field, name) is not None:
                related = getattr(field, name)
                setattr(field, name, objects.setdefault(related.pk, related))
    for field in fields:
        counterpart = field.relation_target_field if is_cached(field, "relation_target_field") else None
        if counterpart is None:
            continue
        if counterpart.relation_target_field_id == field.pk:
            counterpart.relation_target_field = field
        if counterpart.object_id == field.relation_target_object_id and field.relation_target_object_id in objects:
            counterpart.object = objects[field.relation_target_object_id]
        if counterpart.relation_target_object_id == field.object_id and field.object_id in objects:
            counterpart.relation_target_object = objects[field.object_id]
    unbatched = [obj for obj in objects.values() if getattr(obj, BATCH_ATTR, None) is None]
    if unbatched:
        ObjectBatch(unbatched)
    return fields


def load_object(workspace: Workspace, object_id: Any) -> ObjectMetadata:
    """Return one object of ``workspace`` (404 through the service), ready for the schema."""
    obj = object_services.get_object(workspace, object_id)
    ObjectBatch([obj])
    return obj


def load_field(workspace: Workspace, field_id: Any) -> FieldMetadata:
    """Return one field of ``workspace`` (404 through the service), ready for the schema."""
    field_services.get_field(workspace, field_id)
    field = fields_queryset(workspace).get(pk=field_id)
    prepare_fields([field])
    return field
