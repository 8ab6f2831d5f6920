"""``metaseal audit`` on real projects with real backends (issue 14).

A consistent project of each backend: exit 0 and a line per step. A pdm-backend build hook that
adds a dependency to wheels only: exit 1 naming the field. A setup.py that adds a dependency
below Python 3.10, built under two interpreters: the marker proposal that makes it static.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from integration._build import BACKENDS, PROJECTS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 1800


def _audit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metaseal", "audit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _interpreter(minor: int) -> str | None:
    """A real python3.X (pyenv's versions, not its shims, which may refuse to run it)."""
    versions = Path.home() / ".pyenv" / "versions"
    candidates = sorted(versions.glob(f"3.{minor}.*/bin/python3.{minor}"))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(f"python3.{minor}")
    return found if found and "shims" not in found else None


@pytest.mark.parametrize("backend", BACKENDS)
def test_consistent_project_passes_with_every_step(backend: str, tmp_path: Path) -> None:
    project = shutil.copytree(PROJECTS / backend, tmp_path / backend)
    done = _audit("--format", "json", str(project), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    names = [step["name"] for step in report["steps"]]
    assert names[0] == "sdist from the tree"
    assert {"wheel from the tree", "wheel from the sdist"} <= set(names)
    assert all(step["error"] is None for step in report["steps"]), report["steps"]
    (release,) = report["releases"]
    assert [a["kind"] for a in release["artifacts"]] == ["sdist", "wheel"]
    text = _audit(str(project), cwd=tmp_path).stdout
    assert "sdist from the tree" in text and "PASSED" in text


def test_drifting_wheel_fails_naming_the_field(tmp_path: Path) -> None:
    project = shutil.copytree(ROOT / "examples" / "drift-pdm-hook", tmp_path / "drift")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    # The project before adopting metaseal: the real backend in [build-system].
    text = text.replace(
        'requires = ["metaseal", "pdm-backend==2.5.0"]', 'requires = ["pdm-backend==2.5.0"]'
    )
    text = text.replace('build-backend = "metaseal"', 'build-backend = "pdm.backend"')
    pyproject.write_text(text, encoding="utf-8")
    done = _audit(str(project), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Requires-Dist [static-field]" in done.stdout
    assert "+ attrs>=23" in done.stdout


SETUP_PY = """\
import sys
from setuptools import setup

setup(
    name="audit-demo",
    version="1.0",
    py_modules=["audit_demo"],
    install_requires=["importlib-resources"] if sys.version_info < (3, 10) else [],
)
"""


def test_two_interpreters_give_the_marker_proposal(tmp_path: Path) -> None:
    pythons = [_interpreter(9), _interpreter(10)]
    if None in pythons:
        pytest.fail("this test needs Python 3.9 and 3.10 (pyenv)", pytrace=False)
    project = tmp_path / "demo"
    project.mkdir()
    (project / "setup.py").write_text(SETUP_PY, encoding="utf-8")
    (project / "audit_demo.py").write_text("", encoding="utf-8")
    args = [f"--python={python}" for python in pythons if python is not None]
    done = _audit(*args, str(project), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r'"importlib-resources; python_version < \\"3.10\\""', done.stdout), (
        done.stdout
    )
    assert "verified on" in done.stdout
