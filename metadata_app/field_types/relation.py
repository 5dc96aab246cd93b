"""The RELATION field type: a link between two objects, one field on each side."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from metadata_app.field_types.base import FieldType, FieldValueError, with_null
from metadata_app.field_types.scalars import UuidType

if TYPE_CHECKING:
    from metadata_app.specs import FieldSpec

__all__ = ["ON_DELETE_ACTIONS", "RELATION_TYPES", "RelationType"]

RELATION_TYPES = ("MANY_TO_ONE", "ONE_TO_MANY")
ON_DELETE_ACTIONS = ("SET_NULL", "CASCADE", "RESTRICT")


class RelationType(FieldType):
    """A relation. Only the MANY_TO_ONE side stores anything: the target id under its join name
    (``company`` stores ``companyId``). The relation field itself is read through ``depth`` and
    written through the join name; filters use the join name, which compares like a UUID.
    """

    name = "RELATION"
    graphql_scalar = "UUID"
    graphql_filter = "UUIDFilter"
    operators = UuidType.operators
    sortable = False
    index_kind = "text"  # the join id (``companyId``) of the MANY_TO_ONE side
    openapi_type = UuidType.openapi_type
    can_be_unique = False  # many records may point to one record (see unique_value)

    def normalize(self, value: Any, spec: FieldSpec) -> str:
        """Normalise a join id (the value written under ``<name>Id``)."""
        return UuidType().normalize(value, spec)

    def unique_value(self, stored: Any) -> str | None:
        return None

    def openapi_schema(self, spec: FieldSpec, write: bool = False) -> dict[str, Any]:
        """The join id (``companyId``): a UUID, or null to unlink."""
        return with_null(dict(self.openapi_type))

    def openapi_embedded(self, spec: FieldSpec, target: dict[str, Any]) -> dict[str, Any]:
        """The related records embedded with ``depth`` >= 1, given the schema of one ``target`` record:
        a record or null on the MANY_TO_ONE side, an array of records on the ONE_TO_MANY side.
        """
        if spec.is_many_to_one:
            return {"anyOf": [target, {"type": "null"}]}
        return {"type": "array", "items": target}

    def validate_settings(self, raw: Any) -> dict[str, Any] | None:
        settings = super().validate_settings(raw) or {}
        if settings.get("relationType") not in RELATION_TYPES:
            raise FieldValueError(f"settings.relationType must be one of {', '.join(RELATION_TYPES)}")
        if settings.get("onDelete", "SET_NULL") not in ON_DELETE_ACTIONS:
            raise FieldValueError(f"settings.onDelete must be one of {', '.join(ON_DELETE_ACTIONS)}")
        # Shown with a many-to-one's settings but derived from its name, so never stored (a rename moves it).
        return {key: value for key, value in settings.items() if key != "joinColumnName"}
