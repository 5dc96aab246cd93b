"""The shape check shared by the small metadata bodies (API keys, webhooks).

It lives in api_common because apikeys_app may import no other app and webhooks_app needs the
same check with the same message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

__all__ = ["check_input"]


def check_input(data: Any, allowed: frozenset[str]) -> dict[str, Any]:
    """Refuse a body that is not an object or names unknown properties (``id`` is tolerated)."""
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object", code="INVALID_INPUT")
    unknown = sorted(set(data) - allowed - {"id"})
    if unknown:
        raise ValidationError(
            f"Unknown properties {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}", code="INVALID_INPUT"
        )
    return data
