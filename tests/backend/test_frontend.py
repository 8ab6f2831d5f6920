"""A whole ``python -m build`` (sdist, then the wheel from it) through metaseal."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from .conftest import clean_env

if TYPE_CHECKING:
    from .conftest import MakeProject, Project


def _build(project: Project) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "build", "--no-isolation", "--skip-dependency-check"]
    return subprocess.run(
        [*command, "--outdir", str(project.out("dist")), str(project.root)],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def test_python_m_build_sdist_then_wheel(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    done = _build(project)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in project.out("dist").iterdir()) == [
        "demo_pkg-1.0-py3-none-any.whl",
        "demo_pkg-1.0.tar.gz",
    ]


def test_python_m_build_shows_the_drift_and_publishes_no_wheel(make_project: MakeProject) -> None:
    project = make_project("fake_drift_requires")
    done = _build(project)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    for fragment in ("Requires-Dist", "+ surprise>=2", "To fix:", "metadata drift:"):
        assert fragment in output
    assert sorted(p.name for p in project.out("dist").iterdir()) == ["demo_pkg-1.0.tar.gz"]
