"""Name rules for objects and fields (api-reference 3.5), each with its own message."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

__all__ = [
    "RESERVED_NAMES",
    "ROUTE_NAMES",
    "camel_case",
    "cap",
    "validate_custom_field_name",
    "validate_name",
    "validate_object_names",
]

NAME_PATTERN = re.compile(r"^[a-z][a-zA-Z0-9]*$")
MAX_NAME_LENGTH = 63

_CORE_RESERVED = (
    "approvedAccessDomain",
    "appToken",
    "billingCustomer",
    "billingEntitlement",
    "billingMeter",
    "billingProduct",
    "billingSubscription",
    "billingSubscriptionItem",
    "featureFlag",
    "job",
    "keyValuePair",
    "pageLayout",
    "pageLayoutTab",
    "pageLayoutWidget",
    "postgresCredential",
    "twoFactorMethod",
    "user",
    "userWorkspace",
    "workspace",
    "role",
    "userWorkspaceRole",
    "plan",
    "event",
    "field",
    "link",
    "type",
    "object",
    "relation",
)
#: Names no object may take (singular and plural forms).
RESERVED_NAMES = frozenset(
    [
        *(_CORE_RESERVED),
        *(f"{n}s" for n in _CORE_RESERVED),
        "currency",
        "currencies",
        "fullNames",
        "address",
        "addresses",
        "index",
        "aggregate",
        # the cross-object search: GraphQL root field ``search`` and ``GET /rest/search`` (api-reference §13)
        "search",
        "searches",
    ]
)


#: Fixed segments of ``/rest/...`` (config/urls.py and the apps' urls) that an object's name would
#: collide with: ``/rest/{plural}`` of such an object would reach the fixed route instead (an object
#: ``imports`` could never be listed), and ``/rest/{name}/{id}`` would be read as the route's own
#: argument. Objects only: a field may be called ``metadata``. ``open-api`` is no valid name anyway.
ROUTE_NAMES = frozenset(
    {"batch", "restore", "metadata", "search", "imports", "exports", "events", "webhooks", "apiKeys"}
)


def validate_name(name: object, what: str = "name") -> str:
    """Check the syntax and length of an object or field name; return it."""
    if not isinstance(name, str) or not name:
        raise ValidationError(f"{what} is required and must be a string", code="INVALID_NAME")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            f'{what} "{name}" is too long: {len(name)} characters, at most {MAX_NAME_LENGTH}', code="NAME_TOO_LONG"
        )
    if not NAME_PATTERN.match(name):
        raise ValidationError(
            f'{what} "{name}" is invalid: it must start with a lower-case letter and contain only letters '
            f'and digits (camelCase), e.g. "myObject"',
            code="INVALID_NAME",
        )
    return name


def validate_custom_field_name(name: object, what: str = "name") -> str:
    """Check a custom field's name: syntax, length and the reserved words of api-reference §3.5.

    Twenty refuses the reserved words for custom fields too; standard fields (company's ``address``)
    are created by the server and keep their names.
    """
    name = validate_name(name, what)
    if name in RESERVED_NAMES:
        raise ValidationError(f'The name "{name}" is not available', code="RESERVED_KEYWORD")
    return name


def validate_object_names(singular: object, plural: object) -> tuple[str, str]:
    """Check both names of an object: syntax, reserved words, route segments, singular different from plural."""
    singular = validate_name(singular, "nameSingular")
    plural = validate_name(plural, "namePlural")
    for name in (singular, plural):
        if name in ROUTE_NAMES:
            raise ValidationError(
                f'The name "{name}" is not available: /rest/{name} is a route of the API', code="RESERVED_KEYWORD"
            )
        if name in RESERVED_NAMES:
            raise ValidationError(f'The name "{name}" is not available', code="RESERVED_KEYWORD")
    if singular == plural:
        raise ValidationError(
            "The singular and plural name cannot be the same for an object", code="INVALID_OBJECT_INPUT"
        )
    return singular, plural


def cap(name: str) -> str:
    """First letter upper-cased: an API name in type and operation names (``person`` -> ``Person``)."""
    return name[:1].upper() + name[1:]


def camel_case(label: str) -> str:
    """Return the camelCase API name derived from a label (``"Account owner"`` -> ``accountOwner``)."""
    words = re.findall(r"[A-Za-z0-9]+", label)
    if not words:
        return ""
    name = words[0][0].lower() + words[0][1:] + "".join(w[0].upper() + w[1:] for w in words[1:])
    return name if name[:1].isalpha() else f"n{name}"
