"""Setting a workspace's rate limit (the settings page and any other caller; the admin edits the model)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from guards_app import conf
from guards_app.models import RateLimitPolicy

__all__ = ["EffectiveLimit", "clear_rate_limit", "effective_rate_limit", "set_rate_limit"]


@dataclass(frozen=True)
class EffectiveLimit:
    """What a workspace's keys get: ``requests`` per ``window_seconds``, its own or the defaults."""

    requests: int
    window_seconds: int
    is_default: bool


def effective_rate_limit(workspace_id: Any) -> EffectiveLimit:
    """The limit of ``workspace_id``'s keys."""
    row = RateLimitPolicy.objects.filter(workspace_id=workspace_id).values_list("requests", "window_seconds").first()
    if row is None:
        return EffectiveLimit(conf.rate_limit_requests(), conf.rate_limit_window(), True)
    return EffectiveLimit(row[0], row[1], False)


def parse_positive(value: Any, label: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label} must be a whole number") from None
    return number


@transaction.atomic
def set_rate_limit(workspace_id: Any, requests: Any, window_seconds: Any) -> RateLimitPolicy:
    """Give ``workspace_id``'s keys ``requests`` per ``window_seconds``; ValidationError names what is wrong."""
    policy = RateLimitPolicy.objects.filter(workspace_id=workspace_id).first() or RateLimitPolicy(
        workspace_id=workspace_id
    )
    policy.requests = parse_positive(requests, "Requests")
    policy.window_seconds = parse_positive(window_seconds, "Window")
    policy.full_clean(exclude=["workspace"])
    policy.save()
    return policy


def clear_rate_limit(workspace_id: Any) -> None:
    """Back to the defaults (``RATE_LIMIT_REQUESTS`` per ``RATE_LIMIT_WINDOW``)."""
    for policy in RateLimitPolicy.objects.filter(workspace_id=workspace_id):
        policy.delete()
