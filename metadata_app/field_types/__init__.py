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

__all__ = ["FIELD_TYPES", "FieldType", "FieldValueError", "describe", "field_type"]

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


def field_type(name: str) -> FieldType:
    """Return the field type called ``name``; raise KeyError for an unknown one."""
    return FIELD_TYPES[name]
