"""Create, update and delete fields, with the rules of api-reference 3.4, 3.5 and 3.8.

A relation is two fields, one on each object, created and deleted together. Changes that
touch existing records (nullability, uniqueness, options) are checked and carried out by the
receivers of :data:`metadata_app.signals_data.field_data_changing`, inside the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from metadata_app.field_types import FIELD_TYPES, UNOFFERED_TYPES, FieldValueError
from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.registry import build_field_spec
from metadata_app.services.inputs import check_keys, read_bool, read_text, unquote_default
from metadata_app.services.locking import data_model_change
from metadata_app.services.names import camel_case, validate_custom_field_name
from metadata_app.signals_data import data_model_changed, field_added, field_data_changing, field_removing

__all__ = ["add_field", "create_field", "delete_field", "get_field", "parse_uuid", "update_field"]

CREATE_KEYS = (
    "objectMetadataId",
    "type",
    "name",
    "label",
    "description",
    "icon",
    "isNullable",
    "isUnique",
    "isIndexed",
    "isSearchable",
    "defaultValue",
    "options",
    "settings",
    "isLabelSyncedWithName",
    "isActive",
    "relationCreationPayload",
)
IGNORED_KEYS = ("isRemoteCreation", "isCustom", "isSystem", "isUIReadOnly", "standardOverrides", "workspaceId")
UPDATE_KEYS = (
    "name",
    "label",
    "description",
    "icon",
    "isActive",
    "isNullable",
    "isUnique",
    "isIndexed",
    "isSearchable",
    "defaultValue",
    "options",
    "settings",
    "isLabelSyncedWithName",
)
#: Types whose values a client may mark ``isSearchable`` (api-reference §13.2).
SEARCHABLE_TYPES = frozenset({"TEXT", "FULL_NAME", "EMAILS", "PHONES", "LINKS"})
#: Types a client may not create directly (server-maintained system types).
SYSTEM_ONLY_TYPES = frozenset({"ACTOR", "POSITION"})


def parse_uuid(value: Any, what: str = "id") -> uuid.UUID:
    """Return ``value`` as a UUID or raise a 400 naming it (a path id is named by its value alone)."""
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        where = "" if what == "id" else f" ({what})"
        raise ValidationError(f"'{value}' is not a valid UUID{where}", code="INVALID_UUID") from None


def get_field(workspace: Workspace, field_id: Any) -> FieldMetadata:
    """Return a field of ``workspace`` by id; 404 when it is not one of its fields."""
    try:
        return FieldMetadata.objects.select_related("object").get(pk=parse_uuid(field_id), workspace=workspace)
    except FieldMetadata.DoesNotExist:
        raise Http404(f"Field {field_id} not found") from None


def allocate_storage_key(obj: ObjectMetadata, name: str) -> str:
    """Return a storage key never used before on ``obj`` (the name itself when it is fresh)."""
    used = set(obj.used_storage_keys or ())
    key, n = name, 2
    while key in used:
        key, n = f"{name}~{n}", n + 1
    obj.used_storage_keys = [*used, key]
    ObjectMetadata.objects.filter(pk=obj.pk).update(used_storage_keys=obj.used_storage_keys)
    return key


#: Fields every object has without a metadata row of its own: ``searchVector``, computed from the
#: search fields (api-reference §13.2). Twenty's objects all hold it, so it is taken there too.
IMPLICIT_FIELD_NAMES = frozenset({"searchVector"})


def taken_names(obj: ObjectMetadata, exclude: Any = None) -> set[str]:
    """Return the field names and join names already used on ``obj`` (the implicit ones included)."""
    names: set[str] = set(IMPLICIT_FIELD_NAMES)
    for name, type_, settings in obj.fields.exclude(pk=exclude).values_list("name", "type", "settings"):
        names.add(name)
        if type_ == "RELATION" and (settings or {}).get("relationType") == "MANY_TO_ONE":
            names.add(f"{name}Id")
    return names


def check_name_free(obj: ObjectMetadata, name: str, many_to_one: bool = False, exclude: Any = None) -> None:
    """Refuse a field name (or its join name) already used on the object."""
    taken = taken_names(obj, exclude)
    for candidate in (name, f"{name}Id") if many_to_one else (name,):
        if candidate in taken:
            raise ValidationError(
                f'Field "{candidate}" already exists on object "{obj.name_singular}"', code="FIELD_ALREADY_EXISTS"
            )


def add_field(obj: ObjectMetadata, *, name: str, type: str, label: str | None = None, **attrs: Any) -> FieldMetadata:
    """Create one field row on ``obj`` with a fresh storage key; no name rules (seeds use this)."""
    return FieldMetadata.objects.create(
        workspace_id=obj.workspace_id,
        object=obj,
        name=name,
        type=type,
        label=label or name[:1].upper() + name[1:],
        storage_key=allocate_storage_key(obj, name),
        **attrs,
    )


def clean_type_attributes(type_name: str, data: dict[str, Any], current: FieldMetadata | None = None) -> dict[str, Any]:
    """Validate ``options``, ``settings`` and ``defaultValue`` against the field type."""
    field_type = FIELD_TYPES[type_name]
    cleaned: dict[str, Any] = {}
    try:
        if "options" in data or (current is None and field_type.has_options):
            cleaned["options"] = field_type.validate_options(data.get("options"))
        if "settings" in data and type_name != "RELATION":
            cleaned["settings"] = field_type.validate_settings(data["settings"])
    except FieldValueError as error:
        raise ValidationError(error.message, code="INVALID_FIELD_INPUT") from None
    if "defaultValue" in data:
        default = unquote_default(data["defaultValue"])
    elif current is not None and ("options" in cleaned or "settings" in cleaned):
        # New options (or settings) must still accept the current default, or records created
        # later get a value the field refuses.
        default = current.default_value
    else:
        return cleaned
    if default is None:
        cleaned["default_value"] = None
        return cleaned
    probe = FieldMetadata(
        type=type_name,
        name=current.name if current else "field",
        label="",
        storage_key="probe",
        options=cleaned.get("options", current.options if current else None),
        settings=cleaned.get("settings", current.settings if current else None),
    )
    try:
        cleaned["default_value"] = field_type.normalize(default, build_field_spec(probe, {}))
    except FieldValueError as error:
        where = f"defaultValue.{error.path}" if error.path else "defaultValue"
        hint = "" if "defaultValue" in data else "; send a new defaultValue (or null) with the change"
        raise ValidationError(f"{where} is invalid: {error.message}{hint}", code="INVALID_DEFAULT_VALUE") from None
    return cleaned


def get_object_for_field(workspace: Workspace, object_id: Any) -> ObjectMetadata:
    """Return the object a new field goes on; a clear 400 when it is not one of the workspace's."""
    if object_id is None:
        raise ValidationError("objectMetadataId is required", code="INVALID_FIELD_INPUT")
    obj = ObjectMetadata.objects.filter(pk=parse_uuid(object_id, "objectMetadataId"), workspace=workspace).first()
    if obj is None:
        raise ValidationError(f"Object {object_id} not found (objectMetadataId)", code="OBJECT_NOT_FOUND")
    return obj


@data_model_change
def create_field(workspace: Workspace, data: Any) -> FieldMetadata:
    """Create a custom field from API input; a RELATION creates its counterpart field too."""
    field = build_field(workspace, data)
    data_model_changed.send(sender=FieldMetadata, workspace_id=workspace.pk)
    return field


def build_field(workspace: Workspace, data: Any) -> FieldMetadata:
    """The body of :func:`create_field`."""
    data = check_keys(data, CREATE_KEYS, IGNORED_KEYS, "field input")
    obj = get_object_for_field(workspace, data.get("objectMetadataId"))
    type_name = data.get("type")
    if type_name in UNOFFERED_TYPES:
        # Twenty has these types (api-reference §3.6); we do not offer them yet (§17, Decisions).
        raise ValidationError(f"Field type {type_name} is not supported", code="INVALID_FIELD_INPUT")
    if type_name not in FIELD_TYPES or type_name in SYSTEM_ONLY_TYPES:
        allowed = ", ".join(t for t in FIELD_TYPES if t not in SYSTEM_ONLY_TYPES)
        if type_name is None:
            raise ValidationError(f"type is required: one of {allowed}", code="INVALID_FIELD_INPUT")
        raise ValidationError(f"type {type_name!r} is invalid; expected one of {allowed}", code="INVALID_FIELD_INPUT")
    name = validate_custom_field_name(data.get("name"))
    label = read_text(data, "label", required=True)
    synced = read_bool(data, "isLabelSyncedWithName", False)
    if synced and camel_case(label) != name:
        raise ValidationError(
            f'Name is not synced with label. Expected name: "{camel_case(label)}", got {name}', code="NAME_NOT_SYNCED"
        )
    common: dict[str, Any] = {
        "label": label,
        "description": read_text(data, "description", max_length=5000),
        "icon": read_text(data, "icon", max_length=100),
        "is_custom": True,
        "is_nullable": read_bool(data, "isNullable", True),
        "is_unique": read_unique(type_name, data, False),
        "is_indexed": read_bool(data, "isIndexed", False),
        "is_searchable": read_searchable(type_name, data, False),
        "is_active": read_bool(data, "isActive", True),
        "is_label_synced_with_name": synced,
    }
    if type_name == "RELATION":
        return create_relation(obj, name, common, data.get("relationCreationPayload"))
    if "relationCreationPayload" in data and data["relationCreationPayload"] is not None:
        raise ValidationError("relationCreationPayload is only for fields of type RELATION", code="INVALID_FIELD_INPUT")
    check_name_free(obj, name)
    attrs = clean_type_attributes(type_name, data)
    if attrs.get("default_value") is None and not common["is_nullable"] and not FIELD_TYPES[type_name].is_composite:
        # A new non-nullable field needs a value for the records that already exist.
        if obj.records_exist():
            raise ValidationError(
                f'A non-nullable field needs a defaultValue: object "{obj.name_singular}" already has records',
                code="DEFAULT_VALUE_REQUIRED",
            )
    field = add_field(obj, name=name, type=type_name, **common, **attrs)
    field_added.send(sender=FieldMetadata, field=field)
    return field


def create_relation(obj: ObjectMetadata, name: str, common: dict[str, Any], payload: Any) -> FieldMetadata:
    """Create both sides of a relation from ``relationCreationPayload``; return the source side."""
    payload = check_keys(
        payload,
        ("targetObjectMetadataId", "targetFieldLabel", "targetFieldIcon", "type", "targetFieldName"),
        what="relationCreationPayload",
    )
    relation_type = payload.get("type")
    if relation_type not in ("MANY_TO_ONE", "ONE_TO_MANY"):
        raise ValidationError(
            "relationCreationPayload.type must be MANY_TO_ONE or ONE_TO_MANY", code="INVALID_FIELD_INPUT"
        )
    target = ObjectMetadata.objects.filter(
        pk=parse_uuid(payload.get("targetObjectMetadataId"), "targetObjectMetadataId"), workspace_id=obj.workspace_id
    ).first()
    if target is None:
        raise ValidationError(
            f"Target object {payload.get('targetObjectMetadataId')} not found (relationCreationPayload.targetObjectMetadataId)",
            code="OBJECT_NOT_FOUND",
        )
    target_label = read_text(payload, "targetFieldLabel", required=True)
    target_name = validate_custom_field_name(
        payload.get("targetFieldName") or camel_case(target_label), "target field name"
    )
    inverse = "ONE_TO_MANY" if relation_type == "MANY_TO_ONE" else "MANY_TO_ONE"
    check_name_free(obj, name, many_to_one=relation_type == "MANY_TO_ONE")
    check_name_free(target, target_name, many_to_one=inverse == "MANY_TO_ONE")
    if (target.pk == obj.pk and target_name in (name, f"{name}Id")) or (
        target.pk == obj.pk and name == f"{target_name}Id"
    ):
        raise ValidationError(
            "The two sides of a relation on the same object need different names", code="FIELD_ALREADY_EXISTS"
        )
    common = {**common, "is_unique": False, "is_nullable": True}
    source = add_field(
        obj,
        name=name,
        type="RELATION",
        relation_target_object=target,
        settings={"relationType": relation_type, "onDelete": "SET_NULL"},
        **common,
    )
    other = add_field(
        target,
        name=target_name,
        type="RELATION",
        label=target_label,
        icon=payload.get("targetFieldIcon"),
        is_custom=True,
        is_active=common["is_active"],  # both sides share one state, as updates keep them
        relation_target_object=obj,
        relation_target_field=source,
        settings={"relationType": inverse, "onDelete": "SET_NULL"},
    )
    source.relation_target_field = other
    source.save(update_fields=["relation_target_field", "updated_at"])
    return source


#: Types a field may be ``isUnique`` on (``FieldType.can_be_unique``), in the field-type table's order.
UNIQUE_TYPES = tuple(name for name, field_type in FIELD_TYPES.items() if field_type.can_be_unique)


def read_unique(type_name: str, data: dict[str, Any], current: bool) -> bool:
    """``isUnique``: true only on types whose values can be told apart (``FieldType.can_be_unique``;
    a field already unique may stay so)."""
    unique = read_bool(data, "isUnique", current)
    if unique and not current and not FIELD_TYPES[type_name].can_be_unique:
        raise ValidationError(
            f"Field type {type_name} cannot be unique; isUnique is for fields of type {', '.join(UNIQUE_TYPES)}",
            code="INVALID_FIELD_INPUT",
        )
    return unique


def read_searchable(type_name: str, data: dict[str, Any], current: bool) -> bool:
    """``isSearchable``: true only on the types of api-reference §13.2 (a field already searchable may stay so)."""
    searchable = read_bool(data, "isSearchable", current)
    if searchable and not current and type_name not in SEARCHABLE_TYPES:
        raise ValidationError(f"Field type {type_name} cannot be searchable", code="INVALID_FIELD_INPUT")
    return searchable


@data_model_change
def update_field(workspace: Workspace, field_id: Any, data: Any) -> FieldMetadata:
    """Apply an update patch to a field; changes existing data violates are refused with a count."""
    field = get_field(workspace, field_id)
    if isinstance(data, dict) and data.get("type", field.type) != field.type:
        raise ValidationError(f'The type of field "{field.name}" cannot be changed', code="FIELD_MUTATION_NOT_ALLOWED")
    data = check_keys(data, UPDATE_KEYS, (*IGNORED_KEYS, "id", "type", "objectMetadataId"), "field update")
    changes: dict[str, Any] = {}
    if "name" in data and data["name"] != field.name:
        if not field.is_custom:
            raise ValidationError(f'Standard field "{field.name}" cannot be renamed', code="FIELD_MUTATION_NOT_ALLOWED")
        name = validate_custom_field_name(data["name"])
        check_name_free(
            field.object,
            name,
            many_to_one=(field.settings or {}).get("relationType") == "MANY_TO_ONE",
            exclude=field.pk,
        )
        changes["name"] = name
    if "label" in data:
        changes["label"] = read_text(data, "label", required=True)
    for key, attr, max_length in (("description", "description", 5000), ("icon", "icon", 100)):
        if key in data:
            changes[attr] = read_text(data, key, max_length=max_length)
    for key, attr in (
        ("isActive", "is_active"),
        ("isNullable", "is_nullable"),
        ("isIndexed", "is_indexed"),
        ("isLabelSyncedWithName", "is_label_synced_with_name"),
    ):
        if key in data:
            changes[attr] = read_bool(data, key, getattr(field, attr))
    if "isSearchable" in data:
        changes["is_searchable"] = read_searchable(field.type, data, field.is_searchable)
    if "isUnique" in data:
        changes["is_unique"] = read_unique(field.type, data, field.is_unique)
    if field.is_system and any(k in changes for k in ("is_active", "is_nullable", "is_unique")):
        raise ValidationError(f'System field "{field.name}" cannot be changed', code="FIELD_MUTATION_NOT_ALLOWED")
    if field.type == "RELATION" and any(k in data for k in ("isUnique", "defaultValue", "options")):
        raise ValidationError(
            "isUnique, defaultValue and options do not apply to RELATION fields", code="INVALID_FIELD_INPUT"
        )
    changes.update(clean_type_attributes(field.type, data, current=field))
    if str(field.pk) == str(field.object.label_identifier_field_metadata_id) and changes.get("is_active") is False:
        raise ValidationError(
            f'Field "{field.name}" names the records of its object and cannot be deactivated',
            code="FIELD_MUTATION_NOT_ALLOWED",
        )
    before = {attr: getattr(field, attr) for attr in changes}
    field_data_changing.send(sender=FieldMetadata, field=field, before=before, after=changes)
    for attr, value in changes.items():
        setattr(field, attr, value)
    field.save()
    if field.type == "RELATION" and "is_active" in changes and field.relation_target_field_id:
        counterpart = FieldMetadata.objects.get(pk=field.relation_target_field_id)
        counterpart.is_active = changes["is_active"]
        counterpart.save(update_fields=["is_active", "updated_at"])
    data_model_changed.send(sender=FieldMetadata, workspace_id=workspace.pk)
    return field


def forget_references(field: FieldMetadata) -> None:
    """Let the field's object stop naming a field being deleted: as its image identifier and in its
    ``duplicateCriteria`` (a group naming it goes; a new field of the same name must not inherit it)."""
    obj = ObjectMetadata.objects.get(pk=field.object_id)
    changed: list[str] = []
    if str(obj.image_identifier_field_metadata_id) == str(field.pk):
        obj.image_identifier_field_metadata_id = None
        changed.append("image_identifier_field_metadata_id")
    criteria = [group for group in obj.duplicate_criteria or [] if all(p.split(".")[0] != field.name for p in group)]
    if criteria != (obj.duplicate_criteria or []):
        obj.duplicate_criteria = criteria
        changed.append("duplicate_criteria")
    if changed:
        ObjectMetadata.objects.filter(pk=obj.pk).update(**{name: getattr(obj, name) for name in changed})


@data_model_change
def delete_field(workspace: Workspace, field_id: Any) -> FieldMetadata:
    """Delete a deactivated custom field (both sides of a relation); its data becomes unreachable at once.

    Refused (400) for a standard field, the object's label identifier and a field still active.
    """
    field = get_field(workspace, field_id)
    if not field.is_custom:
        advice = "deactivate it instead (isActive: false)" if field.is_active else "it stays deactivated"
        raise ValidationError(
            f'Standard field "{field.name}" cannot be deleted; {advice}', code="FIELD_MUTATION_NOT_ALLOWED"
        )
    if str(field.pk) == str(field.object.label_identifier_field_metadata_id):
        raise ValidationError(
            f'Field "{field.name}" names the records of its object and cannot be deleted',
            code="FIELD_MUTATION_NOT_ALLOWED",
        )
    counterpart_id = field.relation_target_field_id
    if counterpart_id is None and field.type == "RELATION":
        counterpart_id = FieldMetadata.objects.filter(relation_target_field=field).values_list("pk", flat=True).first()
    sides = FieldMetadata.objects.filter(pk__in=[pk for pk in (field.pk, counterpart_id) if pk])
    # Twenty's rule ("Active fields cannot be deleted"): deleting loses the data at once, so it
    # takes two deliberate steps, and a deactivated field can still be brought back. Both sides
    # of a relation go together: neither may be active.
    active = sides.filter(is_active=True).first()
    if active is not None:
        raise ValidationError(
            f'Active field "{active.name}" cannot be deleted; deactivate it first (isActive: false)',
            code="INVALID_FIELD_INPUT",
        )
    snapshot = FieldMetadata.objects.select_related("object", "relation_target_object", "relation_target_field").get(
        pk=field.pk
    )
    sides.update(relation_target_field=None)
    for row in sides:
        field_removing.send(sender=FieldMetadata, field=row)
        forget_references(row)
        row.delete()
    data_model_changed.send(sender=FieldMetadata, workspace_id=workspace.pk)
    return snapshot
