"""The package layout the architecture page promises: one-way imports, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "metaseal"
MAX_LINES = 500

#: Which metaseal packages each package may import (besides itself, ``metaseal`` and the
#: standard-library-only top-level modules ``errors`` and ``_compat``).
ALLOWED = {
    "engine": set(),
    "sources": {"engine"},
    "report": {"engine"},
    "index": {"engine", "sources"},
    "scan": {"engine", "index", "report", "sources"},
    "audit": {"engine", "sources", "backend", "index"},  # seal reseals as the backend does
    "backend": {"engine", "report", "sources"},
    "cli": {"engine", "index", "report", "scan", "sources", "backend", "audit"},
}
TOP_LEVEL = {"metaseal", "metaseal.errors", "metaseal._compat", "metaseal.__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every ``metaseal`` module a file imports, at any depth (lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("metaseal"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").startswith("metaseal")
        ):
            assert node.module is not None
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _graph() -> dict[str, set[str]]:
    """Module -> the metaseal modules it imports (names that are not modules are dropped)."""
    return {
        name: {m for m in _imports(path) if m in MODULES} - {name} for name, path in MODULES.items()
    }


def test_the_layout_has_at_least_four_subpackages() -> None:
    packages = {p.parent.name for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by concern"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_flow_one_way(name: str) -> None:
    if name in TOP_LEVEL:
        return
    package = name.split(".")[1]
    allowed = ALLOWED[package] | {package}
    for imported in _graph()[name]:
        if imported in TOP_LEVEL:
            continue
        assert imported.split(".")[1] in allowed, f"{name} imports {imported}"


def test_no_import_cycle() -> None:
    graph = _graph()
    assert sum(map(len, graph.values())) > 100  # the walk below sees real edges
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_nothing_installed_imports_sphinx_or_docutils() -> None:
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names.append(getattr(node, "module", None) or "")
                assert not any(n.split(".")[0] in ("sphinx", "docutils") for n in names), name
