"""The field-type table: one class per ``FieldMetadataType``, each owning everything type-specific.

Usage::

    from metadata_app.field_types import FIELD_TYPES, FieldValueError

    text = FIELD_TYPES["TEXT"]
    text.normalize("Ada", spec)          # -> "Ada" (the stored form)
    text.normalize(42, spec)             # raises FieldValueError("expected a string, got 42")
    "ilike" in text.operators            # -> True

Adding a type is adding one class here; nothing else branches on type names.
"""

from metadata_app.field_types.base import FieldType, FieldValueError, describe
from metadata_app.field_types.choices import MultiSelectType, RatingType, SelectType
from metadata_app.field_types.composites import (
    ActorType,
    AddressType,
    CurrencyType,
    EmailsType,
    FullNameType,
    LinksType,
    PhonesType,
    RichTextV2Type,
)
from metadata_app.field_types.relation import RelationType
from metadata_app.field_types.scalars import (
    ArrayType,
    BooleanType,
    DateTimeType,
    DateType,
    NumberType,
    NumericType,
    PositionType,
    RawJsonType,
    RichTextType,
    TextType,
    UuidType,
)

__all__ = ["ALL_TYPE_NAMES", "FIELD_TYPES", "UNOFFERED_TYPES", "FieldType", "FieldValueError", "describe", "field_type"]

FIELD_TYPES: dict[str, FieldType] = {
    cls.name: cls()
    for cls in (
        UuidType,
        TextType,
        PhonesType,
        EmailsType,
        DateTimeType,
        DateType,
        BooleanType,
        NumberType,
        NumericType,
        LinksType,
        CurrencyType,
        FullNameType,
        RatingType,
        SelectType,
        MultiSelectType,
        RelationType,
        PositionType,
        AddressType,
        RawJsonType,
        RichTextType,
        RichTextV2Type,
        ActorType,
        ArrayType,
    )
}

#: Values of Twenty 2.43's ``FieldMetadataType`` we have no class for (api-reference §3.6): they are
#: in the GraphQL enum and the OpenAPI documents so Twenty's clients validate, but creating a field of
#: one of them is a 400 naming the type (§17).
UNOFFERED_TYPES: tuple[str, ...] = ("MORPH_RELATION", "TS_VECTOR", "FILES")
#: Every type name a client may see or send.
ALL_TYPE_NAMES: tuple[str, ...] = (*FIELD_TYPES, *UNOFFERED_TYPES)


def field_type(name: str) -> FieldType:
    """Return the field type called ``name``; raise KeyError for an unknown one."""
    return FIELD_TYPES[name]
