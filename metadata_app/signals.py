"""Receivers that bump the workspace's metadata version on every object or field change.

They run inside the saving transaction, so the version changes exactly when the change
commits, whether it came from a service, the admin or a shell.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace

__all__ = ["bump_metadata_version", "on_metadata_changed"]


def bump_metadata_version(workspace_id) -> None:
    """Increase the metadata version of ``workspace_id`` by one (one UPDATE)."""
    Workspace.objects.filter(pk=workspace_id).update(metadata_version=F("metadata_version") + 1)


@receiver(post_save, sender=ObjectMetadata)
@receiver(post_save, sender=FieldMetadata)
@receiver(post_delete, sender=ObjectMetadata)
@receiver(post_delete, sender=FieldMetadata)
def on_metadata_changed(sender, instance, **kwargs) -> None:
    """Mark the workspace's data model as changed."""
    bump_metadata_version(instance.workspace_id)
