"""Helpers that read camelCase metadata inputs strictly: unknown keys and wrong types are 400s."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, overload

from django.core.exceptions import ValidationError

from api_common.inputs import unknown_keys

__all__ = ["check_keys", "quote_default", "read_bool", "read_text", "unquote_default"]


def check_keys(data: Any, allowed: Iterable[str], ignored: Iterable[str] = (), what: str = "input") -> dict[str, Any]:
    """Return ``data`` if it is an object whose keys are all ``allowed`` (or ``ignored``)."""
    allowed = set(allowed)
    unknown = unknown_keys(data, allowed | set(ignored))
    if unknown is None:
        raise ValidationError(f"{what} must be a JSON object", code="INVALID_INPUT")
    if unknown:
        raise ValidationError(
            f"Unknown propert{'y' if len(unknown) == 1 else 'ies'} {', '.join(repr(k) for k in unknown)} in {what}; "
            f"allowed: {', '.join(sorted(allowed))}",
            code="INVALID_INPUT",
        )
    return {k: v for k, v in data.items() if k in allowed}


def read_bool(data: dict[str, Any], key: str, default: bool) -> bool:
    """Return ``data[key]`` as a boolean (``default`` when absent)."""
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(f"{key} must be true or false", code="INVALID_INPUT")
    return value


@overload
def read_text(data: dict[str, Any], key: str, required: Literal[True], max_length: int = 200) -> str: ...
@overload
def read_text(data: dict[str, Any], key: str, required: bool = False, max_length: int = 200) -> str | None: ...
def read_text(data: dict[str, Any], key: str, required: bool = False, max_length: int = 200) -> str | None:
    """Return ``data[key]`` as a string (None when absent and not required)."""
    value = data.get(key)
    if value is None:
        if required:
            raise ValidationError(f"{key} is required", code="INVALID_INPUT")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError(
            f"{key} must be a non-empty string" if required else f"{key} must be a string", code="INVALID_INPUT"
        )
    if len(value) > max_length:
        raise ValidationError(f"{key} is too long: at most {max_length} characters", code="INVALID_INPUT")
    return value


def unquote_default(value: Any) -> Any:
    """Accept Twenty's quoted default values (``"'NEW'"``) as well as plain JSON (``"NEW"``)."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if isinstance(value, dict):
        return {k: unquote_default(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unquote_default(v) for v in value]
    return value


def quote_default(value: Any) -> Any:
    """Return a stored default value in Twenty's form, strings wrapped in single quotes."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return {k: quote_default(v) for k, v in value.items()}
    if isinstance(value, list):
        return [quote_default(v) for v in value]
    return value
