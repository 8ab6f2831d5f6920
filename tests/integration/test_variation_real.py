"""Issue 4 with real wheels: a setuptools project whose setup.py picks a dependency by the
building Python, built under two CPythons; metaseal groups the variation and proposes one
static, verified list with a marker."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from ._build import run_captured
from ._cli import metaseal

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).parent / "projects-variation" / "pyversion"
OLD, NEW = (3, 9), (3, 12)


def _python(minor: tuple[int, int]) -> str:
    """A CPython of that version: on PATH or in pyenv's versions directory (as scripts/test)."""
    name = f"python{minor[0]}.{minor[1]}"
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = sorted(root.glob(f"{minor[0]}.{minor[1]}.*/bin/{name}"), reverse=True)
    found = [str(p) for p in candidates] + [p for p in [shutil.which(name)] if p]
    for path in found:
        if run_captured([path, "-c", "pass"], Path.cwd(), dict(os.environ), 60).returncode == 0:
            return path
    pytest.fail(f"this test builds wheels with CPython {name[6:]}, which is not installed")


def test_python_version_variation_gets_a_verified_proposal(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    for minor in (OLD, NEW):
        source = tmp_path / f"src-{minor[1]}"
        shutil.copytree(PROJECT, source)
        command = [uv, "build", "--wheel", "--python", _python(minor), "--out-dir", str(dist)]
        process = run_captured([*command, str(source)], tmp_path, env, 600)
        assert process.returncode == 0, process.stdout
    wheels = sorted(p.name for p in dist.glob("*.whl"))  # uv also writes a .gitignore
    assert wheels == [
        "pyversion_demo-1.0.0-cp312-none-any.whl",
        "pyversion_demo-1.0.0-cp39-none-any.whl",
    ]
    run = metaseal("check", "--format", "json", str(dist))
    assert run.returncode == 0, str(run)
    (release,) = run.json()["releases"]
    (variation,) = release["variation"]
    assert variation["field"] == "Requires-Dist"
    assert variation["present_in"] == ["pyversion_demo-1.0.0-cp39-none-any.whl"]
    assert variation["absent_from"] == ["pyversion_demo-1.0.0-cp312-none-any.whl"]
    assert variation["no_op"] is False
    assert release["inexpressible"] == []
    proposal = release["proposal"]
    assert proposal["verified"] is True
    requirements = {Requirement(r).name: Requirement(r) for r in proposal["requires_dist"]}
    assert set(requirements) == {"attrs", "tomli"}
    marker = requirements["tomli"].marker
    assert isinstance(marker, Marker)
    for version, wanted in (("3.9", True), ("3.12", False)):  # what the two wheels cover
        env_ = {"python_version": version, "python_full_version": f"{version}.0"}
        assert marker.evaluate(env_) is wanted, (version, str(marker))
    # --strict turns the variation into a failing warning
    assert metaseal("check", "--strict", str(dist)).returncode == 1
