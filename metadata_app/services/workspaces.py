"""Create workspaces with their standard data model."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from metadata_app.models import Workspace
from metadata_app.standard_objects import seed_standard_objects

__all__ = ["create_workspace"]


@transaction.atomic
def create_workspace(display_name: str) -> Workspace:
    """Create a workspace and seed its standard objects, fields and relations."""
    if not isinstance(display_name, str) or not display_name.strip():
        raise ValidationError("displayName is required", code="INVALID_INPUT")
    workspace = Workspace.objects.create(display_name=display_name.strip())
    seed_standard_objects(workspace)
    workspace.refresh_from_db(fields=["metadata_version"])
    return workspace
