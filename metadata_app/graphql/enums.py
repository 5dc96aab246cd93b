"""Enums of the metadata schema: ``FieldMetadataType`` (from the field-type table) and ``RelationType``."""

from __future__ import annotations

import graphene

from metadata_app.field_types import ALL_TYPE_NAMES

__all__ = ["FieldMetadataType", "RelationType"]

#: One value per class of the field-type table (so the enum can never drift from it), plus the values
#: of Twenty's enum we do not offer (refused on create with a message naming the type).
FieldMetadataType = graphene.Enum(
    "FieldMetadataType", [(name, name) for name in ALL_TYPE_NAMES], description="Type of a field."
)
RelationType = graphene.Enum(
    "RelationType", [("MANY_TO_ONE", "MANY_TO_ONE"), ("ONE_TO_MANY", "ONE_TO_MANY")], description="Relation type."
)
