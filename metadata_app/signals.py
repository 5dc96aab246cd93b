"""Receivers that bump the workspace's metadata version on every object or field change.

They run inside the saving transaction, so the version changes exactly when the change
commits, whether it came from a service, the admin or a shell.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apikeys_app import key_cache
from guards_app.models import IdempotencyKey
from metadata_app.models import FieldMetadata, ObjectMetadata, Workspace
from metadata_app.signals_data import workspace_deleting

__all__ = ["bump_metadata_version", "on_metadata_changed", "on_workspace_deleting"]


def bump_metadata_version(workspace_id) -> None:
    """Increase the metadata version of ``workspace_id`` by one (one UPDATE); keys read it again after the commit."""
    Workspace.objects.filter(pk=workspace_id).update(metadata_version=F("metadata_version") + 1)
    key_cache.changed()  # the update sends no signal, and every key's statement reads the version


@receiver(post_save, sender=ObjectMetadata)
@receiver(post_save, sender=FieldMetadata)
@receiver(post_delete, sender=ObjectMetadata)
@receiver(post_delete, sender=FieldMetadata)
def on_metadata_changed(sender, instance, **kwargs) -> None:
    """Mark the workspace's data model as changed."""
    bump_metadata_version(instance.workspace_id)


@receiver(workspace_deleting)
def on_workspace_deleting(sender, workspace_id, **kwargs) -> None:
    """Forget the workspace's stored idempotent answers (one statement: the model has no relations).

    Connected here because ``guards_app`` sits below ``metadata_app`` and cannot hear its signals.
    """
    IdempotencyKey.objects.filter(workspace_id=workspace_id).delete()
