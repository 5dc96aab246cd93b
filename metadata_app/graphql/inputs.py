"""Input types of the metadata schema and their translation into the services' camelCase dicts.

The services take the same camelCase bodies as the REST API. :func:`to_service_input` passes
on exactly the keys a client sent (an explicit null stays a null, an absent key stays absent),
so an update patch means the same thing through REST and GraphQL.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import graphene
from graphene.utils.str_converters import to_camel_case

from metadata_app.graphql.enums import FieldMetadataType
from metadata_app.graphql.scalars import JSON, UUID, ConnectionCursor

__all__ = [
    "CreateApiKeyInput",
    "CreateFieldInput",
    "CreateObjectInput",
    "CreateOneFieldMetadataInput",
    "CreateOneObjectInput",
    "CursorPaging",
    "DeleteOneFieldInput",
    "DeleteOneObjectInput",
    "GetApiKeyInput",
    "RevokeApiKeyInput",
    "UpdateApiKeyInput",
    "UpdateFieldInput",
    "UpdateObjectPayload",
    "UpdateOneFieldMetadataInput",
    "UpdateOneObjectInput",
    "to_service_input",
]


def to_service_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return an input object as the services' camelCase dict, with only the keys that were sent."""
    return {to_camel_case(key): service_value(value) for key, value in data.items()}


def service_value(value: Any) -> Any:
    """Input objects become dicts and enum members their values; JSON values pass unchanged."""
    if isinstance(value, graphene.InputObjectType):
        return to_service_input(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [service_value(item) for item in value]
    return value


class CursorPaging(graphene.InputObjectType):
    """Page size from the front (``first``) or the back (``last``) of the window after/before the cursors."""

    before = graphene.InputField(ConnectionCursor)
    after = graphene.InputField(ConnectionCursor)
    first = graphene.Int()
    last = graphene.Int()


class CreateObjectInput(graphene.InputObjectType):
    """A new custom object (Twenty's keys; ``shortcut``, ``isRemote`` and primary-key settings are accepted and ignored)."""

    name_singular = graphene.String(required=True)
    name_plural = graphene.String(required=True)
    label_singular = graphene.String(required=True)
    label_plural = graphene.String(required=True)
    description = graphene.String()
    icon = graphene.String()
    shortcut = graphene.String()
    is_remote = graphene.Boolean()
    primary_key_column_type = graphene.String()
    primary_key_field_metadata_settings = graphene.InputField(JSON)
    is_label_synced_with_name = graphene.Boolean()
    is_searchable = graphene.Boolean()


class CreateOneObjectInput(graphene.InputObjectType):
    """``{ object: CreateObjectInput }``."""

    object = graphene.InputField(graphene.NonNull(CreateObjectInput), description="The record to create")


class UpdateObjectPayload(graphene.InputObjectType):
    """An update patch of an object: only the keys sent change."""

    label_singular = graphene.String()
    label_plural = graphene.String()
    name_singular = graphene.String()
    name_plural = graphene.String()
    description = graphene.String()
    icon = graphene.String()
    shortcut = graphene.String()
    color = graphene.String()
    is_active = graphene.Boolean()
    is_searchable = graphene.Boolean()
    is_label_synced_with_name = graphene.Boolean()
    label_identifier_field_metadata_id = UUID()
    image_identifier_field_metadata_id = UUID()
    duplicate_criteria = graphene.List(graphene.NonNull(graphene.List(graphene.NonNull(graphene.String))))


class UpdateOneObjectInput(graphene.InputObjectType):
    """``{ id, update: UpdateObjectPayload }``."""

    id = UUID(required=True)
    update = graphene.InputField(graphene.NonNull(UpdateObjectPayload))


class DeleteOneObjectInput(graphene.InputObjectType):
    """``{ id }`` of the object to delete."""

    id = UUID(required=True)


class CreateFieldInput(graphene.InputObjectType):
    """A new field; ``relationCreationPayload`` creates both sides of a RELATION."""

    type = graphene.InputField(graphene.NonNull(FieldMetadataType))
    name = graphene.String(required=True)
    label = graphene.String(required=True)
    object_metadata_id = UUID(required=True)
    description = graphene.String()
    icon = graphene.String()
    is_custom = graphene.Boolean()
    is_active = graphene.Boolean()
    is_system = graphene.Boolean()
    is_nullable = graphene.Boolean()
    is_unique = graphene.Boolean()
    is_indexed = graphene.Boolean()
    is_searchable = graphene.Boolean()
    is_label_synced_with_name = graphene.Boolean()
    is_remote_creation = graphene.Boolean()
    default_value = graphene.InputField(JSON)
    options = graphene.InputField(JSON)
    settings = graphene.InputField(JSON)
    relation_creation_payload = graphene.InputField(JSON)


class CreateOneFieldMetadataInput(graphene.InputObjectType):
    """``{ field: CreateFieldInput }``."""

    field = graphene.InputField(graphene.NonNull(CreateFieldInput), description="The record to create")


class UpdateFieldInput(graphene.InputObjectType):
    """An update patch of a field: only the keys sent change."""

    name = graphene.String()
    label = graphene.String()
    description = graphene.String()
    icon = graphene.String()
    is_active = graphene.Boolean()
    is_custom = graphene.Boolean()
    is_system = graphene.Boolean()
    is_nullable = graphene.Boolean()
    is_unique = graphene.Boolean()
    is_indexed = graphene.Boolean()
    is_searchable = graphene.Boolean()
    is_label_synced_with_name = graphene.Boolean()
    default_value = graphene.InputField(JSON)
    options = graphene.InputField(JSON)
    settings = graphene.InputField(JSON)


class UpdateOneFieldMetadataInput(graphene.InputObjectType):
    """``{ id, update: UpdateFieldInput }``."""

    id = UUID(required=True)
    update = graphene.InputField(graphene.NonNull(UpdateFieldInput))


class DeleteOneFieldInput(graphene.InputObjectType):
    """``{ id }`` of the field to delete."""

    id = UUID(required=True)


class CreateApiKeyInput(graphene.InputObjectType):
    """A new API key; ``expiresAt`` null or absent means it never expires; ``revokedAt`` (Twenty's) set
    creates it revoked; ``roleId`` null or absent gives it the workspace's default role."""

    name = graphene.String(required=True)
    expires_at = graphene.String()
    revoked_at = graphene.String()
    role_id = UUID()


class UpdateApiKeyInput(graphene.InputObjectType):
    """Rename a key, change its expiry or revoke it (``revokedAt`` set)."""

    id = UUID(required=True)
    name = graphene.String()
    expires_at = graphene.String()
    revoked_at = graphene.String()


class RevokeApiKeyInput(graphene.InputObjectType):
    """``{ id }`` of the key to revoke."""

    id = UUID(required=True)


class GetApiKeyInput(graphene.InputObjectType):
    """``{ id }`` of the key to read."""

    id = UUID(required=True)
