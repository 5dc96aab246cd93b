"""Create, update and delete objects (api-reference 3.3 and 3.5)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.services.fields import add_field, parse_uuid, taken_names
from metadata_app.services.inputs import check_keys, read_bool, read_text
from metadata_app.services.locking import data_model_change
from metadata_app.services.names import camel_case, cap, validate_object_names
from metadata_app.signals_data import (
    data_model_changed,
    field_removing,
    object_created,
    object_removing,
    object_renaming,
)

__all__ = [
    "add_default_fields",
    "add_target_relations",
    "add_timeline_relation",
    "create_object",
    "delete_object",
    "get_object",
    "update_object",
]

CREATE_KEYS = (
    "nameSingular",
    "namePlural",
    "labelSingular",
    "labelPlural",
    "description",
    "icon",
    "isLabelSyncedWithName",
    "isSearchable",
)
IGNORED_KEYS = (
    "shortcut",
    "isRemote",
    "primaryKeyColumnType",
    "primaryKeyFieldMetadataSettings",
    "color",
    "standardOverrides",
    "workspaceId",
    "dataSourceId",
)
UPDATE_KEYS = (
    *CREATE_KEYS,
    "isActive",
    "labelIdentifierFieldMetadataId",
    "imageIdentifierFieldMetadataId",
    "duplicateCriteria",
)
#: Objects that link notes, tasks and attachments to records; every new custom object gets a relation from each.
TARGET_OBJECTS = ("noteTarget", "taskTarget", "attachment")
#: The audit trail's object (api-reference §16): one ``target{Singular}`` relation per business and custom object.
TIMELINE_OBJECT = "timelineActivity"
#: Types a label identifier may have, in the order messages list them: Twenty's
#: ``LABEL_IDENTIFIER_FIELD_METADATA_TYPES`` (twenty-shared), which every standard object's meets.
LABEL_IDENTIFIER_TYPES = ("TEXT", "FULL_NAME", "UUID")


def get_object(workspace: Workspace, object_id: Any) -> ObjectMetadata:
    """Return an object of ``workspace`` by id; 404 when it is not one of its objects."""
    try:
        return ObjectMetadata.objects.get(pk=parse_uuid(object_id), workspace=workspace)
    except ObjectMetadata.DoesNotExist:
        raise Http404(f"Object {object_id} not found") from None


def add_default_fields(obj: ObjectMetadata, name_field: bool = True) -> None:
    """Give a new object its system fields (and a ``name`` TEXT label identifier)."""
    add_field(
        obj, name="id", type="UUID", label="Id", is_system=True, is_custom=False, is_nullable=False, is_unique=True
    )
    if name_field:
        name = add_field(
            obj,
            name="name",
            type="TEXT",
            label="Name",
            icon="IconAbc",
            is_custom=False,
            default_value="",
            is_indexed=True,
            # A custom object is searched by its label identifier (api-reference §13.2).
            is_searchable=True,
        )
        obj.label_identifier_field_metadata_id = name.pk
        obj.save(update_fields=["label_identifier_field_metadata_id", "updated_at"])
    for field_name, label, type_, nullable in (
        ("createdAt", "Creation date", "DATE_TIME", False),
        ("updatedAt", "Last update", "DATE_TIME", False),
        ("deletedAt", "Deleted at", "DATE_TIME", True),
        ("createdBy", "Created by", "ACTOR", False),
        ("updatedBy", "Updated by", "ACTOR", False),
        ("position", "Position", "POSITION", False),
    ):
        # Twenty indexes createdAt, position and deletedAt; the record store keeps them indexed.
        indexed = field_name in ("createdAt", "position", "deletedAt")
        add_field(
            obj,
            name=field_name,
            type=type_,
            label=label,
            is_system=True,
            is_custom=False,
            is_nullable=nullable,
            is_indexed=indexed,
        )


def timeline_field_name(singular: str) -> str:
    """``person`` -> ``targetPerson``: the timeline's relation to an object (Twenty's migrated naming, §16.2).

    Cut to the 63 characters a name may have (an object name may be 63 long itself).
    """
    return f"target{cap(singular)}"[:63]


def add_timeline_relation(obj: ObjectMetadata) -> None:
    """Link ``obj`` from the timeline (``timelineActivity.target<Singular>`` <-> ``<obj>.timelineActivities``).

    Destroying a record destroys its activities (CASCADE, api-reference §16.2).
    """
    timeline = ObjectMetadata.objects.filter(workspace_id=obj.workspace_id, name_singular=TIMELINE_OBJECT).first()
    if timeline is None:
        return
    many = add_field(
        timeline,
        name=timeline_field_name(obj.name_singular),
        type="RELATION",
        label=obj.label_singular,
        is_custom=obj.is_custom,
        relation_target_object=obj,
        settings={"relationType": "MANY_TO_ONE", "onDelete": "CASCADE"},
    )
    one = add_field(
        obj,
        name="timelineActivities",
        type="RELATION",
        label="Timeline Activities",
        is_custom=False,
        is_system=True,
        relation_target_object=timeline,
        relation_target_field=many,
        settings={"relationType": "ONE_TO_MANY", "onDelete": "CASCADE"},
    )
    many.relation_target_field = one
    many.save(update_fields=["relation_target_field", "updated_at"])


def add_target_relations(obj: ObjectMetadata, targets: tuple[str, ...] = TARGET_OBJECTS) -> None:
    """Link ``obj`` from noteTarget, taskTarget and attachment (``noteTarget.<singular>`` <-> ``<obj>.noteTargets``)."""
    for target in ObjectMetadata.objects.filter(workspace_id=obj.workspace_id, name_singular__in=targets):
        many = add_field(
            target,
            name=obj.name_singular,
            type="RELATION",
            label=obj.label_singular,
            is_custom=obj.is_custom,
            relation_target_object=obj,
            settings={"relationType": "MANY_TO_ONE", "onDelete": "CASCADE"},
        )
        one = add_field(
            obj,
            name=target.name_plural,
            type="RELATION",
            label=target.label_plural,
            is_custom=obj.is_custom,
            is_system=False,
            relation_target_object=target,
            relation_target_field=many,
            settings={"relationType": "ONE_TO_MANY", "onDelete": "CASCADE"},
        )
        many.relation_target_field = one
        many.save(update_fields=["relation_target_field", "updated_at"])


def check_names_free(workspace: Workspace, singular: str, plural: str, exclude: Any = None) -> None:
    """Refuse names already used as another object's singular or plural name."""
    clash = (
        ObjectMetadata.objects.filter(workspace=workspace)
        .filter(Q(name_singular__in=(singular, plural)) | Q(name_plural__in=(singular, plural)))
        .exclude(pk=exclude)
        .first()
    )
    if clash is not None:
        name = singular if singular in (clash.name_singular, clash.name_plural) else plural
        raise ValidationError(
            f'The name "{name}" is already used by object "{clash.name_singular}" ({clash.name_plural})',
            code="OBJECT_ALREADY_EXISTS",
        )


def check_target_names_free(workspace: Workspace, singular: str) -> None:
    """Refuse a singular name that noteTarget or taskTarget already use as a field (or join) name.

    A new object gets a field named after its singular on both (see ``add_target_relations``),
    so ``position`` or ``createdBy`` must be refused here rather than fail in the database.
    """
    targets = ObjectMetadata.objects.filter(workspace=workspace, name_singular__in=TARGET_OBJECTS)
    for target in sorted(targets, key=lambda o: TARGET_OBJECTS.index(o.name_singular)):
        taken = taken_names(target)
        for candidate in (singular, f"{singular}Id"):
            if candidate in taken:
                raise ValidationError(
                    f'The name "{singular}" is not available: object "{target.name_singular}" already has a field "{candidate}"',
                    code="NAME_NOT_AVAILABLE",
                )
    timeline = ObjectMetadata.objects.filter(workspace=workspace, name_singular=TIMELINE_OBJECT).first()
    if timeline is not None:
        name = timeline_field_name(singular)
        taken = taken_names(timeline)
        for candidate in (name, f"{name}Id"):
            if candidate in taken:
                raise ValidationError(
                    f'The name "{singular}" is not available: object "{TIMELINE_OBJECT}" already has a field "{candidate}"',
                    code="NAME_NOT_AVAILABLE",
                )


def rename_target_relations(obj: ObjectMetadata, singular: str) -> None:
    """Keep ``noteTarget.<singular>`` and ``taskTarget.<singular>`` named after a renamed object.

    Only the API name changes; the storage key (and so every record's link) stays.
    """
    for field in FieldMetadata.objects.filter(
        workspace_id=obj.workspace_id,
        object__name_singular__in=TARGET_OBJECTS,
        relation_target_object=obj,
        name=obj.name_singular,
    ):
        field.name = singular
        field.save(update_fields=["name", "updated_at"])
    FieldMetadata.objects.filter(
        workspace_id=obj.workspace_id,
        object__name_singular=TIMELINE_OBJECT,
        relation_target_object=obj,
        name=timeline_field_name(obj.name_singular),
    ).update(name=timeline_field_name(singular))


def check_label_sync(data: dict[str, Any], singular: str, plural: str, labels: tuple[str, str]) -> None:
    """With ``isLabelSyncedWithName``, the names must be the camelCase of the labels."""
    for name, label in zip((singular, plural), labels):
        if camel_case(label) != name:
            raise ValidationError(
                f'Name is not synced with label. Expected name: "{camel_case(label)}", got {name}',
                code="NAME_NOT_SYNCED",
            )


@data_model_change
def create_object(workspace: Workspace, data: Any) -> ObjectMetadata:
    """Create a custom object with its default fields and its noteTarget/taskTarget relations."""
    data = check_keys(data, CREATE_KEYS, IGNORED_KEYS, "object input")
    singular, plural = validate_object_names(data.get("nameSingular"), data.get("namePlural"))
    label_singular = read_text(data, "labelSingular", required=True)
    label_plural = read_text(data, "labelPlural", required=True)
    synced = read_bool(data, "isLabelSyncedWithName", False)
    if synced:
        check_label_sync(data, singular, plural, (label_singular, label_plural))
    check_names_free(workspace, singular, plural)
    check_target_names_free(workspace, singular)
    obj = ObjectMetadata.objects.create(
        workspace=workspace,
        name_singular=singular,
        name_plural=plural,
        label_singular=label_singular,
        label_plural=label_plural,
        description=read_text(data, "description", max_length=5000),
        icon=read_text(data, "icon", max_length=100),
        is_custom=True,
        is_label_synced_with_name=synced,
        is_searchable=read_bool(data, "isSearchable", True),
        duplicate_criteria=[["name"]],
    )
    add_default_fields(obj)
    add_target_relations(obj)
    add_timeline_relation(obj)
    # The record store may refuse the names (their GraphQL types would clash).
    object_created.send(sender=ObjectMetadata, workspace_id=workspace.pk)
    return obj


def clean_duplicate_criteria(obj: ObjectMetadata, value: Any) -> list[list[str]]:
    """Check that ``duplicateCriteria`` is a list of lists of active field names (dotted sub-fields allowed)."""
    states = dict(obj.fields.values_list("name", "is_active"))
    names = {name for name, active in states.items() if active}
    inactive = {name for name, active in states.items() if not active}
    if not isinstance(value, list) or not all(isinstance(group, list) and group for group in value):
        raise ValidationError(
            "duplicateCriteria must be an array of arrays of field names", code="INVALID_OBJECT_INPUT"
        )
    for group in value:
        for path in group:
            if isinstance(path, str) and path.split(".")[0] in inactive:
                raise ValidationError(
                    f"duplicateCriteria names an inactive field: {path!r} (activate it first)",
                    code="INVALID_OBJECT_INPUT",
                )
            if not isinstance(path, str) or path.split(".")[0] not in names:
                raise ValidationError(
                    f"duplicateCriteria names an unknown field: {path!r}", code="INVALID_OBJECT_INPUT"
                )
    return value


@data_model_change
def update_object(workspace: Workspace, object_id: Any, data: Any) -> ObjectMetadata:
    """Apply an update patch; standard objects keep their names."""
    obj = get_object(workspace, object_id)
    data = check_keys(data, UPDATE_KEYS, (*IGNORED_KEYS, "id"), "object update")
    singular = data.get("nameSingular", obj.name_singular)
    plural = data.get("namePlural", obj.name_plural)
    if (singular, plural) != (obj.name_singular, obj.name_plural):
        if not obj.is_custom:
            raise ValidationError(
                f'Standard object "{obj.name_singular}" cannot be renamed', code="OBJECT_MUTATION_NOT_ALLOWED"
            )
        singular, plural = validate_object_names(singular, plural)
        check_names_free(workspace, singular, plural, exclude=obj.pk)
        if singular != obj.name_singular:
            check_target_names_free(workspace, singular)
            object_renaming.send(sender=ObjectMetadata, obj=obj, name=singular)
            rename_target_relations(obj, singular)
        obj.name_singular, obj.name_plural = singular, plural
    for key, attr in (("labelSingular", "label_singular"), ("labelPlural", "label_plural")):
        if key in data:
            setattr(obj, attr, read_text(data, key, required=True))
    for key, max_length in (("description", 5000), ("icon", 100)):
        if key in data:
            setattr(obj, key, read_text(data, key, max_length=max_length))
    if "isActive" in data:
        obj.is_active = read_bool(data, "isActive", obj.is_active)
        if obj.is_system and not obj.is_active:
            raise ValidationError(
                f'System object "{obj.name_singular}" cannot be deactivated', code="OBJECT_MUTATION_NOT_ALLOWED"
            )
    if "isLabelSyncedWithName" in data:
        obj.is_label_synced_with_name = read_bool(data, "isLabelSyncedWithName", False)
    if "isSearchable" in data:
        # Its records' tokens are written or dropped by the store in this transaction (api-reference §13.2).
        obj.is_searchable = read_bool(data, "isSearchable", obj.is_searchable)
    if obj.is_label_synced_with_name and obj.is_custom:
        check_label_sync(data, obj.name_singular, obj.name_plural, (obj.label_singular, obj.label_plural))
    for key, attr in (
        ("labelIdentifierFieldMetadataId", "label_identifier_field_metadata_id"),
        ("imageIdentifierFieldMetadataId", "image_identifier_field_metadata_id"),
    ):
        if key in data:
            setattr(obj, attr, clean_identifier_field(obj, data[key], key))
    if "duplicateCriteria" in data:
        obj.duplicate_criteria = clean_duplicate_criteria(obj, data["duplicateCriteria"])
    obj.save()
    data_model_changed.send(sender=ObjectMetadata, workspace_id=workspace.pk)
    return obj


def clean_identifier_field(obj: ObjectMetadata, value: Any, key: str) -> Any:
    """Check that ``value`` is the id of an active, suitable field of ``obj``."""
    if value is None:
        if key == "labelIdentifierFieldMetadataId":
            raise ValidationError(f"{key} cannot be null", code="INVALID_OBJECT_INPUT")
        return None
    field = FieldMetadata.objects.filter(pk=parse_uuid(value, key), object=obj, is_active=True).first()
    if field is None:
        raise ValidationError(f"{key} must be the id of an active field of this object", code="INVALID_OBJECT_INPUT")
    if key == "labelIdentifierFieldMetadataId" and field.type not in LABEL_IDENTIFIER_TYPES:
        allowed = f"{', '.join(LABEL_IDENTIFIER_TYPES[:-1])} or {LABEL_IDENTIFIER_TYPES[-1]}"
        raise ValidationError(
            f"A {field.type} field cannot name records (labelIdentifierFieldMetadataId): use a {allowed} field",
            code="INVALID_OBJECT_INPUT",
        )
    return field.pk


@data_model_change
def delete_object(workspace: Workspace, object_id: Any) -> ObjectMetadata:
    """Delete a deactivated custom object, its records and every relation field pointing to it.

    Refused (400) for a standard object and an object still active.
    """
    obj = get_object(workspace, object_id)
    if not obj.is_custom:
        advice = "deactivate it instead (isActive: false)" if obj.is_active else "it stays deactivated"
        raise ValidationError(
            f'Standard object "{obj.name_singular}" cannot be deleted; {advice}', code="OBJECT_MUTATION_NOT_ALLOWED"
        )
    if obj.is_active:
        # Twenty's rule ("Active objects cannot be deleted"): its records go with it, so deleting
        # takes two deliberate steps, and a deactivated object can still be brought back.
        raise ValidationError(
            f'Active object "{obj.name_singular}" cannot be deleted; deactivate it first (isActive: false)',
            code="INVALID_OBJECT_INPUT",
        )
    snapshot = ObjectMetadata.objects.get(pk=obj.pk)
    snapshot.deleted_fields = list(
        obj.fields.select_related("object", "relation_target_object", "relation_target_field").order_by(
            "created_at", "name"
        )
    )
    # Its records go first, while the relation fields pointing here still say which records
    # elsewhere go with them (CASCADE); then those fields, with their counterparts on this object.
    object_removing.send(sender=ObjectMetadata, obj=obj)
    FieldMetadata.objects.filter(Q(relation_target_object=obj) | Q(object=obj)).update(relation_target_field=None)
    for field in FieldMetadata.objects.filter(relation_target_object=obj).exclude(object=obj):
        field_removing.send(sender=FieldMetadata, field=field)
        field.delete()
    obj.delete()
    data_model_changed.send(sender=ObjectMetadata, workspace_id=workspace.pk)
    return snapshot
