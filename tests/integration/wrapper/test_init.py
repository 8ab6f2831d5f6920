"""``metaseal init`` on real projects, then real frontends (issue 14, items 3 and 4).

The examples are already wrapped; each test first puts back the project as its maintainer had
it (the inner backend as ``build-backend``, no ``[tool.metaseal]``), adopts it with ``init``
and builds it.
"""

from __future__ import annotations

import re
import shutil
import tarfile
from typing import TYPE_CHECKING

import pytest

from metaseal._compat import tomllib
from metaseal.cli import main

from ._frontends import copy_project, frontend_env, project_dir, run_frontend

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration
pytest.importorskip("tomlkit")


def _unwrapped(name: str, dest: Path) -> Path:
    """A copy of ``examples/<name>`` as it was before metaseal: the inner backend in charge."""
    project = copy_project(project_dir(name), dest)
    path = project / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    inner = re.search(r'^\[tool\.metaseal\]\nbackend = "([^"]+)"\n', text, re.MULTILINE)
    assert inner is not None, text
    text = text[: inner.start()] + text[inner.end() :]
    text = text.replace('build-backend = "metaseal"', f'build-backend = "{inner[1]}"')
    text = re.sub(r'requires = \["metaseal", ', "requires = [", text)
    assert "metaseal" not in text.split("[project]")[0], text
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return project


def _sdist_pyproject(run_files: list[Path]) -> str:
    (sdist,) = [p for p in run_files if p.name.endswith(".tar.gz")]
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("/pyproject.toml"))
        handle = archive.extractfile(member)
        assert handle is not None
        return handle.read().decode("utf-8")


def test_init_then_build_through_the_wrapper(tmp_path: Path, env: dict[str, str]) -> None:
    project = _unwrapped("hatchling", tmp_path / "project")
    before = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert main(["init", str(project)]) == 0
    after = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert 'build-backend = "metaseal"' in after
    assert '[tool.metaseal]\nbackend = "hatchling.build"' in after
    for line in before.splitlines():
        if not line.startswith(("requires", "build-backend")):
            assert line in after.splitlines(), line
    run = run_frontend("build", project, tmp_path / "work", env)
    assert run.returncode == 0, run.output
    assert len(run.files) == 2, run.output
    assert 'build-backend = "metaseal"' in _sdist_pyproject(run.files)


BACKENDS = (
    "setuptools",
    "hatchling",
    "flit-core",
    "pdm-backend",
    "poetry-core",
    "uv-build",
    "scikit-build-core",
    "meson-python",
    "maturin",
)


@pytest.mark.parametrize("example", BACKENDS)
def test_init_wraps_every_backend_and_the_result_builds(
    example: str, tmp_path: Path, env: dict[str, str]
) -> None:
    """Acceptance of issue 14: `init` on a project of each backend; `python -m build` then
    builds the sdist and the wheel from it through the wrapper."""
    project = _unwrapped(example, tmp_path / "project")
    inner = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["build-system"][
        "build-backend"
    ]
    assert main(["init", str(project)]) == 0
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["build-system"]["build-backend"] == "metaseal"
    assert data["tool"]["metaseal"]["backend"] == inner
    run = run_frontend("build", project, tmp_path / "work", env)
    assert run.returncode == 0, run.output
    assert sorted(p.suffix for p in run.files) == [".gz", ".whl"], run.output


def _no_index_metaseal() -> dict[str, str]:
    """Frontends that can install only what PyPI has: metaseal is not there (or not this one),
    and no wheelhouse offers it."""
    env = frontend_env(None)
    for name in ("PIP_FIND_LINKS", "UV_FIND_LINKS", "PIP_NO_INDEX", "UV_NO_INDEX"):
        env.pop(name, None)
    return env


def test_in_tree_builds_without_metaseal_on_any_index(tmp_path: Path) -> None:
    env = _no_index_metaseal()
    project = _unwrapped("hatchling", tmp_path / "project")
    assert main(["init", "--in-tree", str(project)]) == 0
    build_system = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["build-system"]
    assert "metaseal" not in build_system["requires"]
    assert build_system["backend-path"] == ["_build"]
    built = run_frontend("build", project, tmp_path / "build", env)
    assert built.returncode == 0, built.output
    assert len(built.files) == 2, built.output
    with tarfile.open(next(p for p in built.files if p.name.endswith(".tar.gz"))) as archive:
        names = archive.getnames()
    assert any(n.endswith("/_build/metaseal/VENDORED.json") for n in names), names
    assert any(n.endswith("/_build/metaseal/backend/_lifecycle.py") for n in names), names
    shutil.rmtree(project / "build", ignore_errors=True)
    wheel = run_frontend("pip-wheel", project, tmp_path / "pip", env)
    assert wheel.returncode == 0, wheel.output
    assert [p.suffix for p in wheel.files] == [".whl"], wheel.output


def test_in_tree_still_refuses_a_drifting_wheel(tmp_path: Path) -> None:
    env = _no_index_metaseal()
    project = _unwrapped("drift-pdm-hook", tmp_path / "project")
    assert main(["init", "--in-tree", str(project)]) == 0
    run = run_frontend("build", project, tmp_path / "work", env)
    assert run.returncode != 0, run.output
    assert "metaseal: metadata drift:" in run.output
    assert "attrs>=23" in run.output
    assert "Requires-Dist" in run.output
    assert not [p for p in run.files if p.suffix == ".whl"], run.output
