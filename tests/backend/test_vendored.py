"""A metaseal vendored into the project (``init --in-tree``) is the backend frontends load,
and it warns when it no longer matches its stamp."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest
from pyproject_hooks import BuildBackendHookCaller, BuildBackendWarning

from metaseal._compat import tomllib
from metaseal.cli import main

if TYPE_CHECKING:
    from .conftest import MakeProject, Project

pytest.importorskip("tomlkit")


def _hooks(project: Project) -> BuildBackendHookCaller:
    backend_path = tomllib.loads((project.root / "pyproject.toml").read_text("utf-8"))[
        "build-system"
    ]["backend-path"]
    return BuildBackendHookCaller(
        str(project.root),
        "metaseal",
        backend_path=backend_path,
        runner=project.runner,
        python_executable=sys.executable,
    )


def test_vendored_copy_builds_and_warns_when_edited(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    assert main(["init", "--in-tree", str(project.root)]) == 0
    vendored = project.root / "_build" / "metaseal"
    # The hooks come from the vendored copy: mark it so the test can see which one runs.
    lifecycle = vendored / "backend" / "_lifecycle.py"
    hooks = _hooks(project)
    assert hooks.build_wheel(str(project.out())) == "demo_pkg-1.0-py3-none-any.whl"
    assert "stamp" not in project.runner.stderr
    lifecycle.write_text(
        lifecycle.read_text("utf-8") + "\nprint('vendored copy in use', file=sys.stderr)\n",
        encoding="utf-8",
    )
    (project.out() / "demo_pkg-1.0-py3-none-any.whl").unlink()
    with pytest.warns(BuildBackendWarning, match="does not match its stamp"):
        assert hooks.build_wheel(str(project.out())) == "demo_pkg-1.0-py3-none-any.whl"
    stderr = project.runner.stderr
    assert "vendored copy in use" in stderr
    assert "metaseal: warning: the vendored metaseal" in stderr
    assert "does not match its stamp" in stderr
    assert stderr.count("does not match its stamp") == 1
