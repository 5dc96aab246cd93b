"""Mutations of objects and fields, each one call of the metadata services (same rules, same messages as REST)."""

from __future__ import annotations

from typing import Any

import graphene

from metadata_app.graphql.context import workspace_of
from metadata_app.graphql.inputs import (
    CreateOneFieldMetadataInput,
    CreateOneObjectInput,
    DeleteOneFieldInput,
    DeleteOneObjectInput,
    UpdateOneFieldMetadataInput,
    UpdateOneObjectInput,
    to_service_input,
)
from metadata_app.graphql.loading import load_field, load_object, prepare_fields
from metadata_app.graphql.types import FieldNode, ObjectNode
from metadata_app.models import FieldMetadata, ObjectMetadata
from metadata_app.services import fields as field_services
from metadata_app.services import objects as object_services
from roles_app.checks import flag_required
from roles_app.flags import DATA_MODEL

__all__ = ["MetadataMutations", "input_argument"]


def input_argument(input_type: type[graphene.InputObjectType]) -> graphene.Argument:
    """``input: <Type>!``."""
    return graphene.Argument(graphene.NonNull(input_type))


class MetadataMutations(graphene.ObjectType):
    """Change the caller's data model (the ``DATA_MODEL`` permission); answers are read back as the queries would return them."""

    create_one_object = graphene.NonNull(ObjectNode, input=input_argument(CreateOneObjectInput))
    update_one_object = graphene.NonNull(ObjectNode, input=input_argument(UpdateOneObjectInput))
    delete_one_object = graphene.NonNull(ObjectNode, input=input_argument(DeleteOneObjectInput))
    create_one_field = graphene.NonNull(FieldNode, input=input_argument(CreateOneFieldMetadataInput))
    update_one_field = graphene.NonNull(FieldNode, input=input_argument(UpdateOneFieldMetadataInput))
    delete_one_field = graphene.NonNull(FieldNode, input=input_argument(DeleteOneFieldInput))

    @staticmethod
    @flag_required(DATA_MODEL)
    def resolve_create_one_object(root: Any, info: Any, input: Any) -> ObjectMetadata:
        """Create a custom object with its default fields."""
        workspace = workspace_of(info)
        obj = object_services.create_object(workspace, to_service_input(input["object"]))
        return load_object(workspace, obj.pk)

    @staticmethod
    @flag_required(DATA_MODEL)
    def resolve_update_one_object(root: Any, info: Any, input: Any) -> ObjectMetadata:
        """Apply an update patch to an object."""
        workspace = workspace_of(info)
        obj = object_services.update_object(workspace, input["id"], to_service_input(input["update"]))
        return load_object(workspace, obj.pk)

    @staticmethod
    @flag_required(DATA_MODEL)
    def resolve_delete_one_object(root: Any, info: Any, input: Any) -> ObjectMetadata:
        """Delete a custom object; the answer is the object as it was, with the fields it had."""
        deleted = object_services.delete_object(workspace_of(info), input["id"])
        prepare_fields(deleted.deleted_fields, known={deleted.pk: deleted})
        return deleted

    @staticmethod
    @flag_required(DATA_MODEL)
    def resolve_create_one_field(root: Any, info: Any, input: Any) -> FieldMetadata:
        """Create a field (both sides of a relation for RELATION); the answer is the source side."""
        workspace = workspace_of(info)
        field = field_services.create_field(workspace, to_service_input(input["field"]))
        return load_field(workspace, field.pk)

    @staticmethod
    @flag_required(DATA_MODEL)
    def resolve_update_one_field(root: Any, info: Any, input: Any) -> FieldMetadata:
        """Apply an update patch to a field."""
        workspace = workspace_of(info)
        field = field_services.update_field(workspace, input["id"], to_service_input(input["update"]))
        return load_field(workspace, field.pk)

    @staticmethod
    @flag_required(DATA_MODEL)
    def resolve_delete_one_field(root: Any, info: Any, input: Any) -> FieldMetadata:
        """Delete a custom field; the answer is the field as it was."""
        deleted = field_services.delete_field(workspace_of(info), input["id"])
        prepare_fields([deleted])
        return deleted
