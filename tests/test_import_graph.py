"""The import graph of the project's packages points one way, with no cycle.

Every module's imports are read with ``ast`` (module-level and local imports alike), so the test
needs no Django and imports nothing it checks. The layers, lowest first:

- ``api_common``: shared API code (error format, JSON, pagination, OpenAPI, GraphQL edge); no app;
- ``guards_app``: rate limits and idempotency keys; only ``api_common`` (keys and writes are handed in);
- ``roles_app``: roles and the permissions compiled from them; only ``api_common``;
- ``apikeys_app``: API keys; ``api_common`` and ``roles_app`` (and ``guards_app``, which it does not need);
- ``metadata_app`` -> ``core_app`` -> ``transfers_app`` -> ``webhooks_app``: each may import the layers below it
  (the task worker, in ``webhooks_app``, sweeps for stalled import jobs);
- ``settings_ui``: the staff pages over keys and webhooks;
- ``config``: settings and URLs, the only package that wires everything together; nobody imports it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Lowest first: a package may import only packages listed before it.
LAYERS = (
    "api_common",
    "guards_app",
    "roles_app",
    "apikeys_app",
    "metadata_app",
    "core_app",
    "transfers_app",
    "webhooks_app",
    "settings_ui",
    "config",
)
APPS = (
    "roles_app",
    "metadata_app",
    "core_app",
    "apikeys_app",
    "transfers_app",
    "webhooks_app",
    "guards_app",
    "settings_ui",
)


def imported_modules(source: str) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of every absolute import in ``source``, local imports included."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def package_imports(root: Path) -> list[tuple[str, str, str]]:
    """``(importing package, imported package, "file:line")`` for every import across ``LAYERS``."""
    edges = []
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            for line, module in imported_modules(path.read_text()):
                target = module.split(".")[0]
                if target in LAYERS and target != package:
                    edges.append((package, target, f"{path.relative_to(root)}:{line}"))
    return edges


def violations(edges: list[tuple[str, str, str]]) -> list[str]:
    """Every import that breaks a rule of the module docstring, each with where it is."""
    found = []
    for source, target, where in edges:
        if target == "config":
            found.append(f"{where}: {source} imports config (read settings through django.conf.settings)")
        elif source == "api_common":
            found.append(f"{where}: api_common imports the app {target}")
        elif LAYERS.index(target) > LAYERS.index(source):
            found.append(f"{where}: {source} imports {target}, which is above it")
    return found


def cycle(edges: list[tuple[str, str, str]]) -> list[str] | None:
    """One cycle of the package graph, as the packages along it, or None."""
    graph: dict[str, set[str]] = {}
    for source, target, _ in edges:
        graph.setdefault(source, set()).add(target)
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":  # open nodes are exactly the ones on ``trail``
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt, [*trail, nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_no_app_imports_config_and_api_common_imports_no_app():
    # when
    found = violations(package_imports(ROOT))
    # then
    assert found == []


def test_the_package_graph_has_no_cycle():
    assert cycle(package_imports(ROOT)) is None


def test_every_package_of_the_project_is_in_a_layer():
    # given: top-level directories holding Python packages, other than tools and tests
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    # then
    assert packages == set(LAYERS)


# --- the checker itself ---------------------------------------------------------------------------


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


@pytest.mark.parametrize(
    ("relative", "source", "message"),
    [
        pytest.param(
            "core_app/views.py",
            "def f():\n    from config.settings import DEBUG\n",
            "core_app/views.py:2: core_app imports config (read settings through django.conf.settings)",
            id="local_import_of_config",
        ),
        pytest.param(
            "api_common/rest.py",
            "import metadata_app.registry\n",
            "api_common/rest.py:1: api_common imports the app metadata_app",
            id="api_common_imports_an_app",
        ),
        pytest.param(
            "apikeys_app/cmd.py",
            "from metadata_app.models import Workspace\n",
            "apikeys_app/cmd.py:1: apikeys_app imports metadata_app, which is above it",
            id="upward_import",
        ),
    ],
)
def test_the_checker_names_each_forbidden_import(tmp_path, relative, source, message):
    # given
    write(tmp_path, relative, source)
    # when
    found = violations(package_imports(tmp_path))
    # then
    assert found == [message]


def test_the_checker_finds_a_cycle(tmp_path):
    # given
    write(tmp_path, "metadata_app/a.py", "from core_app import b\n")
    write(tmp_path, "core_app/b.py", "from metadata_app import a\n")
    # then
    assert cycle(package_imports(tmp_path)) == ["core_app", "metadata_app", "core_app"]
