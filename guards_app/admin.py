"""Admin: each workspace's rate limit per API key (idempotency keys are not edited by hand)."""

from __future__ import annotations

from django.contrib import admin

from guards_app.models import RateLimitPolicy

__all__ = ["RateLimitPolicyAdmin"]


@admin.register(RateLimitPolicy)
class RateLimitPolicyAdmin(admin.ModelAdmin):
    """A policy overrides the defaults (``RATE_LIMIT_REQUESTS`` per ``RATE_LIMIT_WINDOW``) for one workspace."""

    list_display = ("workspace", "requests", "window_seconds", "updated_at")
    list_select_related = ("workspace",)
    search_fields = ("workspace__display_name",)
