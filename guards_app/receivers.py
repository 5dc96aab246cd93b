"""Keep every process's cached rate-limit policies exact (see ``guards_app.ratelimit.policy_for``)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from guards_app.models import RateLimitPolicy

__all__ = ["on_policy_changed"]


@receiver(post_save, sender=RateLimitPolicy)
@receiver(post_delete, sender=RateLimitPolicy)
def on_policy_changed(sender: Any, instance: RateLimitPolicy, **kwargs: Any) -> None:
    """Touch the workspace's ``updated_at`` in the same transaction: the version the caches are keyed by."""
    workspace_model = apps.get_model("metadata_app", "Workspace")
    workspace_model.objects.filter(pk=instance.workspace_id).update(updated_at=timezone.now())
