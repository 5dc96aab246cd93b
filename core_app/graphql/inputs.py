"""Turn graphene input values into the plain JSON the record service takes (as REST gives it)."""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["plain"]


def plain(value: Any) -> Any:
    """Input objects to dicts, lists to lists, enum members to their values; recursively."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value
