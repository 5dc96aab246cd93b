"""Seed the two test workspaces once for this package and share one client handler (tests/seeding.py)."""

from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401

seeded_workspace_ids = seeded_workspaces("package")
