"""Seed the two test workspaces once for this package and share one client handler (tests/seeding.py)."""

from tests.seeding import anonymous, api, other_api, other_workspace, seeded_workspaces, workspace  # noqa: F401

seeded_workspace_ids = seeded_workspaces("package")
