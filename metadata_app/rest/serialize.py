"""API shapes of objects and fields (api-reference 3.3, 3.4 and the metadata GraphQL subset)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from metadata_app.field_types.scalars import format_instant
from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.services.inputs import quote_default

__all__ = ["base_url", "field_to_api", "instant", "object_to_api", "workspace_to_api"]


def instant(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds, or None."""
    return format_instant(moment) if moment else None


def optional_id(value: Any) -> str | None:
    """A UUID as a string, or None."""
    return str(value) if value else None


def relation_to_api(field: FieldMetadata) -> dict[str, Any] | None:
    """The ``relation`` block of a RELATION field (both objects and both fields)."""
    if field.type != "RELATION" or field.relation_target_object_id is None:
        return None
    source, target, counterpart = field.object, field.relation_target_object, field.relation_target_field
    assert target is not None  # its id is set
    return {
        "type": (field.settings or {}).get("relationType"),
        "sourceObjectMetadata": {
            "id": str(source.pk),
            "nameSingular": source.name_singular,
            "namePlural": source.name_plural,
        },
        "targetObjectMetadata": {
            "id": str(target.pk),
            "nameSingular": target.name_singular,
            "namePlural": target.name_plural,
        },
        "sourceFieldMetadata": {"id": str(field.pk), "name": field.name},
        "targetFieldMetadata": {"id": str(counterpart.pk), "name": counterpart.name} if counterpart else None,
    }


def field_to_api(field: FieldMetadata) -> dict[str, Any]:
    """A field as the metadata API returns it."""
    return {
        "id": str(field.pk),
        "type": field.type,
        "name": field.name,
        "label": field.label,
        "description": field.description,
        "icon": field.icon,
        "isCustom": field.is_custom,
        "isActive": field.is_active,
        "isSystem": field.is_system,
        "isNullable": field.is_nullable,
        "isUnique": field.is_unique,
        "isIndexed": field.effective_is_indexed,
        "isSearchable": field.is_searchable,
        "isLabelSyncedWithName": field.is_label_synced_with_name,
        "defaultValue": quote_default(field.default_value),
        "options": field.options,
        "settings": settings_to_api(field),
        "objectMetadataId": str(field.object_id),
        "relation": relation_to_api(field),
        "createdAt": instant(field.created_at),
        "updatedAt": instant(field.updated_at),
    }


def settings_to_api(field: FieldMetadata) -> dict[str, Any] | None:
    """A field's ``settings``; a MANY_TO_ONE relation's also name its join column, as Twenty's do."""
    settings = field.settings
    if field.type == "RELATION" and settings and settings.get("relationType") == "MANY_TO_ONE":
        return {**settings, "joinColumnName": f"{field.name}Id"}
    return settings


def object_to_api(obj: ObjectMetadata, fields: Iterable[FieldMetadata] | None = None) -> dict[str, Any]:
    """An object as the metadata API returns it, with its fields when given."""
    data = {
        "id": str(obj.pk),
        "nameSingular": obj.name_singular,
        "namePlural": obj.name_plural,
        "labelSingular": obj.label_singular,
        "labelPlural": obj.label_plural,
        "description": obj.description,
        "icon": obj.icon,
        "isCustom": obj.is_custom,
        "isRemote": False,
        "isActive": obj.is_active,
        "isSystem": obj.is_system,
        "isSearchable": obj.is_searchable,
        "isLabelSyncedWithName": obj.is_label_synced_with_name,
        "labelIdentifierFieldMetadataId": optional_id(obj.label_identifier_field_metadata_id),
        "imageIdentifierFieldMetadataId": optional_id(obj.image_identifier_field_metadata_id),
        "duplicateCriteria": obj.duplicate_criteria,
        "createdAt": instant(obj.created_at),
        "updatedAt": instant(obj.updated_at),
    }
    if fields is not None:
        data["fields"] = [field_to_api(field) for field in fields]
    return data


def workspace_to_api(workspace: Workspace, base_url: str) -> dict[str, Any]:
    """A workspace's settings (api-reference 15); ``base_url`` is this server's, as the request reached it."""
    return {
        "id": str(workspace.pk),
        "displayName": workspace.display_name,
        "logo": workspace.logo,
        "createdAt": instant(workspace.created_at),
        "updatedAt": instant(workspace.updated_at),
        "activationStatus": "ACTIVE",
        "metadataVersion": workspace.metadata_version,
        "trashRetentionDays": workspace.trash_retention_days,
        "eventLogRetentionDays": workspace.event_log_retention_days,
        "defaultRoleId": optional_id(workspace.default_role_id),
        "workspaceUrls": {"customUrl": None, "subdomainUrl": base_url},
    }


def base_url(request: Any) -> str:
    """This server's base URL as ``request`` reached it (``workspaceUrls.subdomainUrl``)."""
    return request.build_absolute_uri("/")
