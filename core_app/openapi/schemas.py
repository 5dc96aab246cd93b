"""Component schemas of one object: the record as returned, and the bodies of create and update.

Every value schema comes from the field-type table (``FieldType.openapi_schema``): composites
are objects of sub-fields, SELECT values enums of the field's options, UUIDs and instants
carry their formats, nullable fields accept ``null``. Nothing here branches on a type name.

Component names have no spaces and cannot collide: an object's are ``Company``,
``Company_Create`` and ``Company_Update`` (object names are camelCase, so they never hold an
underscore), shared ones are ``Common_*``.
"""

from __future__ import annotations

from typing import Any, cast

from api_common.openapi import ref
from core_app.query.search_vector import SEARCH_VECTOR, has_search_vector
from metadata_app.field_types import FIELD_TYPES
from metadata_app.field_types.base import with_null
from metadata_app.field_types.relation import RelationType
from metadata_app.services.names import cap
from metadata_app.specs import FieldSpec, ObjectSpec, SchemaSnapshot

__all__ = ["ERROR", "PAGE_INFO", "create_name", "object_schemas", "record_name", "update_name"]

ERROR = "Common_Error"
PAGE_INFO = "Common_PageInfo"
RELATION = cast(RelationType, FIELD_TYPES["RELATION"])


def record_name(spec: ObjectSpec) -> str:
    """Component name of a record of ``spec`` (``Company``)."""
    return cap(spec.name_singular)


def create_name(spec: ObjectSpec) -> str:
    """Component name of the create body (``Company_Create``)."""
    return f"{record_name(spec)}_Create"


def update_name(spec: ObjectSpec) -> str:
    """Component name of the update body (``Company_Update``)."""
    return f"{record_name(spec)}_Update"


def described(schema: dict[str, Any], field: FieldSpec, extra: str = "") -> dict[str, Any]:
    """``schema`` with the field's label, type and extra notes as its description."""
    notes = [f"{field.label} ({field.type})"]
    if field.is_unique:
        notes.append("unique")
    if extra:
        notes.append(extra)
    return {**schema, "description": "; ".join(notes)} if "$ref" not in schema else schema


def record_schema(spec: ObjectSpec, snapshot: SchemaSnapshot) -> dict[str, Any]:
    """A record as the API returns it; relations appear with ``depth`` >= 1.

    Only ``id`` is certain: ``fields=`` may select fewer keys.
    """
    properties: dict[str, Any] = {}
    for field in spec.fields:
        if field.relation is not None:
            target = snapshot.by_id.get(field.relation.target_object_id)
            if field.is_many_to_one:
                properties[field.join_name] = described(
                    RELATION.openapi_schema(field), field, "id of the related record"
                )
            if target is not None:
                embedded = RELATION.openapi_embedded(field, ref(record_name(target)))
                properties[field.name] = {**embedded, "description": f"{field.label}: embedded with depth >= 1"}
            continue
        properties[field.name] = described(field.field_type.openapi_schema(field), field)
    if has_search_vector(spec):
        properties[SEARCH_VECTOR] = {
            "type": "string",
            "readOnly": True,
            "description": "The record's search tokens in one string (TS_VECTOR; computed from the search fields, "
            "never written): returned only when `fields` names it.",
        }
    return {
        "type": "object",
        "title": spec.label_singular,
        "description": f"A {spec.label_singular} record. Every field is returned unless `fields` selects some.",
        "properties": properties,
        "required": ["id"],
    }


def writable(spec: ObjectSpec, allowed: frozenset[str] | None = None) -> list[FieldSpec]:
    """Fields a client may write (system and read-only fields left out; only ``allowed`` ids when given)."""
    return [
        f
        for f in spec.fields
        if not f.is_read_only and (f.relation is None or f.is_many_to_one) and (allowed is None or f.id in allowed)
    ]


def relation_input(field: FieldSpec, snapshot: SchemaSnapshot) -> dict[str, Any]:
    """Twenty's ``{Target}RelationInput`` of a MANY_TO_ONE field (api-reference §12): ``connect`` to
    the record an ``id`` or a unique field of the target names, or ``disconnect``."""
    assert field.relation is not None
    target = snapshot.by_id.get(field.relation.target_object_id)
    where: dict[str, Any] = {"id": {"type": ["string", "null"], "format": "uuid"}}
    for unique in target.unique_fields if target is not None else ():
        field_type, sub = unique.field_type, unique.field_type.unique_sub_field
        if field_type.is_composite and sub:
            sub_schema = {"type": ["string", "null"]}
            where[unique.name] = {"type": "object", "properties": {sub: sub_schema}, "additionalProperties": False}
        elif not field_type.is_composite:
            where[unique.name] = with_null(field_type.openapi_value(unique, True))
    connect = {
        "type": "object",
        "properties": {
            "where": {
                "type": "object",
                "description": "One unique constraint of the target, fully given: `id`, or a unique field.",
                "properties": where,
                "additionalProperties": False,
            }
        },
        "required": ["where"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "description": f"Link to a {field.name} record by `id` or a unique field, or unlink it (instead of "
        f"`{field.join_name}`).",
        "properties": {"connect": connect, "disconnect": {"type": "boolean"}},
        "additionalProperties": False,
    }


def write_schema(
    spec: ObjectSpec, create: bool, allowed: frozenset[str] | None = None, snapshot: SchemaSnapshot | None = None
) -> dict[str, Any]:
    """The body of a create (``create``) or an update: writable fields, MANY_TO_ONE by join id or by
    Twenty's ``connect`` / ``disconnect`` under the relation's name (with ``snapshot``, which knows
    the targets' unique fields).

    ``allowed``: ids of the fields the caller's role may write (None: all).
    """
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in writable(spec, allowed):
        if field.is_many_to_one:
            properties[field.join_name] = described(
                RELATION.openapi_schema(field, write=True), field, "id of the related record, or null"
            )
            if snapshot is not None:
                properties[field.name] = relation_input(field, snapshot)
        elif field.name == "id":
            if create:
                properties["id"] = described(
                    field.field_type.openapi_value(field, True), field, "optional: chosen by the server when left out"
                )
        else:
            properties[field.name] = described(field.field_type.openapi_schema(field, write=True), field)
            no_default = field.default_value is None and not field.field_type.is_composite
            if create and not field.is_nullable and no_default and field.column is None:
                required.append(field.name)
    schema: dict[str, Any] = {
        "type": "object",
        "description": (
            f"A new {spec.label_singular}." if create else f"The fields of a {spec.label_singular} to change."
        )
        + " Relations are written through their join ids (e.g. `companyId`) or with `connect` / `disconnect`"
        " under their names (e.g. `company`).",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def object_schemas(
    spec: ObjectSpec, snapshot: SchemaSnapshot, allowed: frozenset[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The three components of ``spec`` (bodies with only the ``allowed`` fields, when given)."""
    return {
        record_name(spec): record_schema(spec, snapshot),
        create_name(spec): write_schema(spec, create=True, allowed=allowed, snapshot=snapshot),
        update_name(spec): write_schema(spec, create=False, allowed=allowed, snapshot=snapshot),
    }
