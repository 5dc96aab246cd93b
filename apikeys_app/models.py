"""API keys. The token is shown once; only a keyed digest of its secret part is stored."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

__all__ = ["ApiKey"]

if TYPE_CHECKING:
    from roles_app.permissions import RolePermissions


class ApiKey(models.Model):
    """A workspace's API key, looked up by ``key_id`` and checked against ``digest``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A string reference keeps this app free of imports from the metadata app.
    workspace = models.ForeignKey("metadata_app.Workspace", on_delete=models.CASCADE, related_name="api_keys")
    # What the key may do (roles_app); set at creation, null only for keys written outside the
    # services, which then hold the workspace's default role.
    role = models.ForeignKey(
        "roles_app.Role", null=True, blank=True, on_delete=models.RESTRICT, related_name="api_keys"
    )
    name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=32, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    #: Set by the authentication (``apikeys_app.authentication.load_key``): the role's compiled rights.
    permissions: RolePermissions

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.last4})"

    @property
    def is_expired(self) -> bool:
        """True once ``expires_at`` has passed."""
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        """``active``, ``expired``, ``revoked`` or ``deleted``, for display."""
        if self.deleted_at:
            return "deleted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "active"
