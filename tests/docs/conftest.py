"""Fixtures of the docs suite: seeded workspaces, a custom object, staff users, screenshots.

Workspaces are seeded once per module (``tests/seeding.py``); each test runs in its own
rolled-back transaction, except the browser tests, which need a live server and so commit.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.seeding import make_client, other_workspace, seeded_workspaces, workspace  # noqa: F401  (fixtures)

seeded_workspace_ids = seeded_workspaces("module")

#: Screenshots of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: end-to-end test in headless Chromium (/usr/bin/chromium)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip browser tests, with the reason, where Debian's Chromium is not installed."""
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium chromium-driver)")


def first_value(body: dict[str, Any]) -> Any:
    """The single value of ``body["data"]``."""
    (value,) = body["data"].values()
    return value


@pytest.fixture
def staff_client(db, client, django_user_model):
    """A Django test client logged in as a staff member (not a superuser)."""
    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw-ops-123", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The screenshot folder, emptied once per run."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS
