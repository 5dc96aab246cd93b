"""Composite field types: one JSON object per field, with typed sub-fields (api-reference 3.7)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from metadata_app.field_types.base import (
    FieldType,
    FieldValueError,
    describe,
    json_from_text,
    object_items,
    string_items,
    with_null,
)
from metadata_app.field_types.scalars import NumericType, RawJsonType, TextType, UuidType

if TYPE_CHECKING:
    from metadata_app.specs import FieldSpec

__all__ = [
    "ACTOR_SOURCES",
    "ActorSourceType",
    "ActorType",
    "AddressType",
    "CompositeType",
    "CurrencyType",
    "EmailsType",
    "FullNameType",
    "LinksType",
    "PhonesType",
    "RichTextV2Type",
]

TEXT, NUMERIC, JSON, UUID = TextType(), NumericType(), RawJsonType(), UuidType()
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
#: The keys of an ``additionalPhones`` item (Twenty's).
PHONE_ITEM_KEYS = ("number", "countryCode", "callingCode")
ACTOR_SOURCES = ("EMAIL", "CALENDAR", "WORKFLOW", "AGENT", "API", "IMPORT", "MANUAL", "SYSTEM", "WEBHOOK")
#: The addresses ``EmailsType`` accepts, as an OpenAPI ``pattern``.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class CompositeType(FieldType):
    """A JSON object of sub-fields. Every sub-field is always present in the API output.

    On update, a partial object changes only the sub-fields it names.
    """

    #: Sub-fields whose empty value is ``""`` rather than ``null``.
    text_sub_fields: ClassVar[frozenset[str]] = frozenset()
    #: Sub-fields a client may not write.
    read_only_sub_fields: ClassVar[frozenset[str]] = frozenset()
    index_kind = None  # the value itself is an object; ``indexed_sub_fields`` are keyed instead
    can_be_unique = False  # a subclass can when a ``unique_sub_field`` takes part (__init_subclass__)
    #: OpenAPI schemas of sub-fields more precise than their scalar type's (arrays, enums, patterns).
    openapi_sub_fields: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A composite's value takes part in uniqueness through its primary sub-field (EMAILS, LINKS,
        # PHONES), or not at all: the flag follows ``unique_sub_field``.
        cls.can_be_unique = cls.unique_sub_field is not None

    def empty_value(self, spec: FieldSpec) -> dict[str, Any]:
        return {name: ("" if name in self.text_sub_fields else None) for name in self.sub_fields}

    def from_text(self, text: str) -> Any:
        """A whole composite in one CSV cell is its JSON object (``{"firstName": "Ada"}``)."""
        return json_from_text(text)

    def is_empty(self, stored: Any) -> bool:
        if not stored:
            return True
        return all(sub.is_empty(stored.get(name)) for name, sub in self.sub_fields.items())

    def normalize(self, value: Any, spec: FieldSpec) -> dict[str, Any]:
        return self.normalize_update(value, self.empty_value(spec), spec)

    def normalize_update(self, value: Any, current: Any, spec: FieldSpec) -> dict[str, Any]:
        if not isinstance(value, dict):
            names = ", ".join(self.sub_fields)
            raise FieldValueError(f"expected an object with sub-fields {names}, got {describe(value)}")
        result = dict(current or self.empty_value(spec))
        for key, sub_value in value.items():
            sub = self.sub_fields.get(key)
            if sub is None or key in self.read_only_sub_fields:
                names = ", ".join(n for n in self.sub_fields if n not in self.read_only_sub_fields)
                raise FieldValueError(f"unknown sub-field '{key}'; expected {names}", path=key)
            if sub_value is None:
                result[key] = "" if key in self.text_sub_fields else None
                continue
            try:
                result[key] = self.normalize_sub_field(key, sub.normalize(sub_value, spec))
            except FieldValueError as error:
                raise FieldValueError(error.message, path=key) from None
        return result

    def normalize_sub_field(self, key: str, value: Any) -> Any:
        """Check one already-typed sub-field value; subclasses add format rules."""
        return value

    def to_api(self, stored: Any, spec: FieldSpec) -> Any:
        if stored is None:
            return self.empty_value(spec)
        empty = self.empty_value(spec)
        return {name: stored.get(name, empty[name]) for name in self.sub_fields}

    def openapi_sub_field(self, name: str, write: bool) -> dict[str, Any]:
        """The schema of one sub-field: text sub-fields read ``""`` when empty, the others ``null``;
        a body may set any of them to ``null`` (which empties it).
        """
        schema = dict(self.openapi_sub_fields.get(name) or self.sub_fields[name].openapi_value(None, write))  # type: ignore[arg-type]
        return with_null(schema) if write or name not in self.text_sub_fields else schema

    def openapi_schema(self, spec: FieldSpec, write: bool = False) -> dict[str, Any]:
        """An object of sub-fields. Returned whole (never null); a body gives any writable sub-fields,
        or ``null`` to empty the field.
        """
        names = [name for name in self.sub_fields if not (write and name in self.read_only_sub_fields)]
        properties = {name: self.openapi_sub_field(name, write) for name in names}
        if write:
            return with_null({"type": "object", "properties": properties, "additionalProperties": False})
        return {"type": "object", "properties": properties, "required": names}

    def unique_value(self, stored: Any) -> str | None:
        if not stored or not self.unique_sub_field:
            return None
        return super().unique_value(stored.get(self.unique_sub_field))

    def filter_value(self, value: Any, spec: FieldSpec) -> Any:
        raise FieldValueError(
            f"filter on a sub-field of this {self.name} field, e.g. <field>.{next(iter(self.sub_fields))}"
        )


def merge_with_extras(
    values: list[Any],
    primary: str,
    extras: str,
    item_of: Callable[[dict[str, Any]], Any] | None = None,
    key_of: Callable[[Any], Any] = lambda item: item,
) -> Any:
    """Merge composite values keeping every primary of the others among the extras (no repeats).

    ``item_of`` turns another record's value into the extra its primary becomes (default: the
    primary itself); ``key_of`` tells which extras are the same one (default: equal ones).
    """
    item_of = item_of or (lambda value: value.get(primary))
    present = [v for v in values if v]
    if not present:
        return values[0] if values else None
    merged = dict(next((v for v in present if v.get(primary)), present[0]))
    keys: list[Any] = [key_of(item_of(merged))] if merged.get(primary) else []
    collected: list[Any] = []
    for value in present:
        candidates = [item_of(value)] if value.get(primary) and value.get(primary) != merged.get(primary) else []
        for item in [*candidates, *(value.get(extras) or [])]:
            if key_of(item) not in keys:
                keys.append(key_of(item))
                collected.append(item)
    # An untouched value stays as it was (null extras stay null), so a merge reports no change.
    merged[extras] = collected if collected or merged.get(extras) else merged.get(extras)
    return merged


class FullNameType(CompositeType):
    """A person's name: ``firstName``, ``lastName``."""

    name = "FULL_NAME"
    indexed_sub_fields = ("firstName", "lastName")
    aggregate_sub_fields = ("firstName", "lastName")
    sub_fields = {"firstName": TEXT, "lastName": TEXT}
    text_sub_fields = frozenset(sub_fields)


class EmailsType(CompositeType):
    """``primaryEmail`` (unique when the field is) and ``additionalEmails`` (array of strings)."""

    name = "EMAILS"
    indexed_sub_fields = ("primaryEmail",)
    aggregate_sub_fields = ("primaryEmail",)
    sub_fields = {"primaryEmail": TEXT, "additionalEmails": JSON}
    text_sub_fields = frozenset({"primaryEmail"})
    unique_sub_field = "primaryEmail"
    openapi_sub_fields = {
        "primaryEmail": {"type": "string", "pattern": f"({EMAIL_PATTERN})|(^$)"},
        "additionalEmails": {"type": "array", "items": {"type": "string", "pattern": EMAIL_PATTERN}},
    }

    def normalize_sub_field(self, key: str, value: Any) -> Any:
        if key == "primaryEmail":
            if value and not EMAIL.match(value):
                raise FieldValueError(f"expected an email address, got {describe(value)}")
            return value
        return string_items(value, "email addresses", "an email address", lambda email: bool(EMAIL.match(email)))

    def merge(self, values: list[Any]) -> Any:
        """The first primary email wins; every other address is kept in ``additionalEmails``."""
        return merge_with_extras(values, "primaryEmail", "additionalEmails")


class LinksType(CompositeType):
    """``primaryLinkUrl`` (unique when the field is), ``primaryLinkLabel``, ``secondaryLinks``."""

    name = "LINKS"
    indexed_sub_fields = ("primaryLinkUrl",)
    aggregate_sub_fields = ("primaryLinkUrl",)
    sub_fields = {"primaryLinkUrl": TEXT, "primaryLinkLabel": TEXT, "secondaryLinks": JSON}
    text_sub_fields = frozenset({"primaryLinkUrl", "primaryLinkLabel"})
    unique_sub_field = "primaryLinkUrl"
    openapi_sub_fields = {
        "secondaryLinks": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"url": {"type": "string"}, "label": {"type": ["string", "null"]}},
                "required": ["url"],
                "additionalProperties": False,
            },
        },
    }

    def normalize_sub_field(self, key: str, value: Any) -> Any:
        if key == "secondaryLinks":
            return object_items(value, "{url, label}", "url", ("url", "label"))
        return value

    def unique_value(self, stored: Any) -> str | None:
        """The lower-cased primary URL without its trailing slashes: ``https://Acme.com/`` and
        ``https://acme.com`` are one link to Twenty (unique constraint, upsert, ``connect``)."""
        value = super().unique_value(stored)
        if value is None:
            return None
        return value.rstrip("/") or None  # "/" alone is no link

    def merge(self, values: list[Any]) -> Any:
        """The first primary link wins; the others are kept in ``secondaryLinks``."""
        return merge_with_extras(
            values,
            "primaryLinkUrl",
            "secondaryLinks",
            item_of=lambda link: {"url": link["primaryLinkUrl"], "label": ""},
        )


class PhonesType(CompositeType):
    """``primaryPhoneNumber`` (unique when the field is), country and calling codes, ``additionalPhones``."""

    name = "PHONES"
    indexed_sub_fields = ("primaryPhoneNumber",)
    aggregate_sub_fields = ("primaryPhoneNumber",)
    sub_fields = {
        "primaryPhoneNumber": TEXT,
        "primaryPhoneCountryCode": TEXT,
        "primaryPhoneCallingCode": TEXT,
        "additionalPhones": JSON,
    }
    text_sub_fields = frozenset({"primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode"})
    unique_sub_field = "primaryPhoneNumber"
    openapi_sub_fields = {
        "additionalPhones": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {key: {"type": ["string", "null"]} for key in PHONE_ITEM_KEYS},
                "required": ["number"],
                "additionalProperties": False,
            },
        }
    }

    def normalize_sub_field(self, key: str, value: Any) -> Any:
        if key == "additionalPhones":
            return object_items(value, "{number, countryCode, callingCode}", "number", PHONE_ITEM_KEYS)
        return value

    def merge(self, values: list[Any]) -> Any:
        """The first primary number wins; every other number is kept in ``additionalPhones`` (as
        Twenty's ``{number, countryCode, callingCode}`` items, codes included), one item per number."""
        return merge_with_extras(
            values,
            "primaryPhoneNumber",
            "additionalPhones",
            item_of=lambda phone: {
                "number": phone["primaryPhoneNumber"],
                "countryCode": phone.get("primaryPhoneCountryCode") or "",
                "callingCode": phone.get("primaryPhoneCallingCode") or "",
            },
            key_of=lambda item: item.get("number") if isinstance(item, dict) else item,
        )


class CurrencyType(CompositeType):
    """``amountMicros`` (amount times 1,000,000) and ``currencyCode`` (ISO 4217, e.g. USD)."""

    name = "CURRENCY"
    indexed_sub_fields = ("amountMicros", "currencyCode")
    aggregate_operations = frozenset({"min", "max", "avg", "sum"})  # over amountMicros
    aggregate_sub_fields = ("amountMicros",)
    sub_fields = {"amountMicros": NUMERIC, "currencyCode": TEXT}
    text_sub_fields = frozenset({"currencyCode"})
    openapi_sub_fields = {"currencyCode": {"type": "string", "pattern": "^([A-Z]{3})?$"}}

    def normalize_sub_field(self, key: str, value: Any) -> Any:
        if key == "currencyCode" and value and not CURRENCY_CODE.match(value):
            raise FieldValueError(
                f'expected a currency code of three capital letters such as "USD", got {describe(value)}'
            )
        return value

    def is_empty(self, stored: Any) -> bool:
        return not stored or stored.get("amountMicros") is None


class AddressType(CompositeType):
    """A postal address with optional coordinates."""

    name = "ADDRESS"
    indexed_sub_fields = ("addressCity", "addressPostcode", "addressCountry")
    aggregate_sub_fields = ("addressStreet1", "addressCity", "addressPostcode", "addressCountry")
    sub_fields = {
        "addressStreet1": TEXT,
        "addressStreet2": TEXT,
        "addressCity": TEXT,
        "addressPostcode": TEXT,
        "addressState": TEXT,
        "addressCountry": TEXT,
        "addressLat": NUMERIC,
        "addressLng": NUMERIC,
    }
    text_sub_fields = frozenset(
        {"addressStreet1", "addressStreet2", "addressCity", "addressPostcode", "addressState", "addressCountry"}
    )


class RichTextV2Type(CompositeType):
    """Rich text as ``blocknote`` (BlockNote JSON as a string) and ``markdown``."""

    name = "RICH_TEXT_V2"
    aggregate_sub_fields = ("markdown",)
    sub_fields = {"blocknote": TEXT, "markdown": TEXT}


class ActorSourceType(TextType):
    """An ACTOR's ``source``: one of ``ACTOR_SOURCES`` (Twenty's SELECT sub-field). Compared as TEXT,
    but a written value and a filter operand (``eq``, ``neq``, ``in``) must be a source, as a
    SELECT's must be one of its options."""

    def normalize(self, value: Any, spec: FieldSpec) -> str:
        source = super().normalize(value, spec)
        if source not in ACTOR_SOURCES:
            raise FieldValueError(f"expected one of {', '.join(ACTOR_SOURCES)}, got {describe(source)}")
        return source


class ActorType(CompositeType):
    """Who made a change: ``source``, ``workspaceMemberId``, ``name``, ``context``. Filled by the server."""

    name = "ACTOR"
    aggregate_sub_fields = ("source",)
    sub_fields = {"source": ActorSourceType(), "workspaceMemberId": UUID, "name": TEXT, "context": JSON}
    text_sub_fields = frozenset({"name"})
    read_only_sub_fields = frozenset({"workspaceMemberId", "name"})
    openapi_sub_fields = {"source": {"type": "string", "enum": list(ACTOR_SOURCES)}}

    def empty_value(self, spec: FieldSpec) -> dict[str, Any]:
        return {"source": "MANUAL", "workspaceMemberId": None, "name": "", "context": {}}
