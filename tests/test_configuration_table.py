"""Every variable of the README's configuration table is read from the environment.

The table promises "All settings come from the environment": a setting the code reads with
``getattr(settings, NAME, default)`` but that ``config/settings.py`` (or ``dev.py``, for the
server's own) never takes from ``os.environ`` would be documented and do nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def documented_variables() -> set[str]:
    """The names in the first column of the README's configuration table."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Configuration")
    section = readme[start : readme.index("\n## ", start + 1)]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_every_documented_variable_is_read_from_the_environment():
    # given
    sources = (ROOT / "config" / "settings.py").read_text() + (ROOT / "dev.py").read_text()
    read = set(re.findall(r'(?:environ\.get|environ\.setdefault|env_bool|environ\[)\(?\s*"([A-Z][A-Z0-9_]+)"', sources))
    # when
    documented = documented_variables()
    # then
    assert len(documented) > 40
    assert sorted(documented - read) == []
