"""Fixtures of the hostile-input and fault suite: one seeded workspace per module, real API keys."""

from __future__ import annotations

from tests.seeding import make_client, seeded_workspaces, workspace  # noqa: F401  (fixtures)

seeded_workspace_ids = seeded_workspaces("module")
