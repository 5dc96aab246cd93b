"""What ``import_records`` and ``export_records`` share: the workspace and object of the command line,
the record context of a trusted caller, and a progress bar on standard error (``rich``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from core_app.services.context import RecordContext
from metadata_app.models import Workspace
from metadata_app.registry import schema_registry

__all__ = ["command_context", "progress_bar"]


def as_uuid(text: str) -> uuid.UUID | None:
    """``text`` as a UUID, or None."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def command_context(workspace: str, plural: str, actor: dict[str, Any]) -> RecordContext:
    """The record context of object ``plural`` of ``workspace`` (id or display name), with every right."""
    found = list(Workspace.objects.filter(Q(display_name=workspace) | Q(pk=as_uuid(workspace)))[:2])
    if len(found) != 1:
        raise CommandError(f"{'No' if not found else 'More than one'} workspace matches {workspace!r}; give its id")
    snapshot = schema_registry.snapshot(found[0])
    spec = snapshot.by_plural.get(plural)
    if spec is None:
        raise CommandError(f"object '{plural}' not found; objects: {', '.join(sorted(snapshot.by_plural))}")
    return RecordContext(found[0].pk, snapshot, spec, actor)


def progress_bar(what: str) -> Progress:
    """A progress bar of ``what`` (rows, records) on standard error, so the data on standard output stays clean."""
    return Progress(
        TextColumn(f"[bold]{what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
