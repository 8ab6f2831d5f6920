"""Issue 3 acceptance: 9 real backends x 2 projects, each built through metaseal by every frontend.

Every project, ``<backend>-static`` (``projects/<backend>-static``, test-only: everything in
``[project]`` static) and ``<backend>-dynamic`` (the backend's own dynamic features, used the
ordinary way: the user-facing example ``examples/<backend>/``), says
``build-backend = "metaseal"`` and names its real backend in ``[tool.metaseal]``. Each goes
through every frontend of :data:`FRONTENDS`; the frontend must succeed and what it made must
pass ``metaseal check``: built files on their own (a wheel from ``pip wheel`` together with the
release's sdist), installed distributions against the sdist. What ``python -m build`` makes
of an example must also pass ``metaseal check --strict`` against its ``pyproject.toml``, as the
example's README says.

``python -m build`` runs once per project (session-scoped): its sdist is the one
``pip install`` installs. Every run works on a fresh copy of the project in a temporary
directory, so backends that write into the source tree (setuptools, meson-python, maturin)
leave the checkout alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name

from integration._cli import EXIT_OK, Run, metaseal
from metaseal._compat import tomllib

from ._frontends import (
    EXAMPLES,
    FRONTENDS,
    PROJECTS,
    FrontendRun,
    _uv,
    copy_project,
    run_frontend,
)

pytestmark = pytest.mark.integration

#: The backends of issue 3, as the project directories spell them.
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
#: The version each kind of project builds: the dynamic ones compute theirs (from a module, a
#: file, ``meson.build`` or ``Cargo.toml``), so the number shows the backend's feature worked.
VERSIONS = {"static": "1.0.0", "dynamic": "2.1.0"}
#: Where each matrix project lives: the static half is test-only, the dynamic half is what users
#: read as the example of the backend.
LOCATIONS = {
    f"{backend}-{kind}": PROJECTS / f"{backend}-static" if kind == "static" else EXAMPLES / backend
    for backend in BACKENDS
    for kind in VERSIONS
}
MATRIX = tuple(LOCATIONS)


def _copy_project(name: str, dest: Path) -> Path:
    """A fresh copy of the matrix project ``name`` at ``dest``, ready for any frontend."""
    return copy_project(LOCATIONS[name], dest)


def _distribution(project: str) -> str:
    """The normalized distribution name the matrix project declares in ``[project]``."""
    pyproject = tomllib.loads((LOCATIONS[project] / "pyproject.toml").read_text("utf-8"))
    return canonicalize_name(pyproject["project"]["name"])


def _show(run: FrontendRun) -> str:
    return f"{run.frontend} exited {run.returncode}:\n{run.output}"


def _check(*sources: str | Path, python: Path | None = None) -> tuple[Run, dict[str, Any]]:
    """``metaseal check --format json`` must exit 0 with no error findings and no bad input."""
    # `--python` stands between the sources, as users write `check installed:NAME --python PY X`
    options = ["--python", str(python)] if python is not None else []
    first, *others = sources
    run = metaseal("check", "--format", "json", first, *options, *others)
    report = run.json()
    releases = report["releases"]
    errors = [
        finding
        for release in releases
        for finding in release["findings"]
        if finding["severity"] == "error"
    ]
    assert run.returncode == EXIT_OK, str(run)
    assert not errors, str(run)
    assert not report["errors"], str(run)
    return run, report


def _assert_release(run: Run, report: dict[str, Any], project: str, count: int) -> None:
    """The report is one release of ``project`` at its expected version, with ``count`` files."""
    releases = report["releases"]
    assert len(releases) == 1, str(run)
    (release,) = releases
    assert canonicalize_name(release["name"]) == _distribution(project), str(run)
    assert release["version"] == VERSIONS[project.rsplit("-", 1)[1]], str(run)
    assert len(release["artifacts"]) == count, str(run)


@dataclass
class SessionBuilds:
    """``python -m build`` of each project, run once per session on first use."""

    root: Path
    env: dict[str, str]
    runs: dict[str, FrontendRun]

    def get(self, project: str) -> FrontendRun:
        if project not in self.runs:
            work = self.root / project
            source = _copy_project(project, work / "src")
            self.runs[project] = run_frontend("build", source, work, self.env)
        return self.runs[project]

    def sdist(self, project: str) -> Path:
        """The sdist ``python -m build`` made (fails the test if it made none)."""
        run = self.get(project)
        sdists = [path for path in run.files if path.name.endswith(".tar.gz")]
        if run.returncode != 0 or len(sdists) != 1:
            pytest.fail(f"no sdist of {project} from `python -m build`:\n{_show(run)}")
        return sdists[0]


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> SessionBuilds:
    return SessionBuilds(tmp_path_factory.mktemp("matrix-build"), env, {})


_PROBE = """
import importlib, json, os, sys
from metaseal._compat import tomllib
import metaseal.backend as wrapper

answers = []
for project in sys.argv[1:]:
    os.chdir(project)
    with open("pyproject.toml", "rb") as file:
        spec = tomllib.load(file)["tool"]["metaseal"]["backend"]
    module, _, attribute = spec.partition(":")
    inner = importlib.import_module(module)
    for part in filter(None, attribute.split(".")):
        inner = getattr(inner, part)
    answers.append({
        "inner": hasattr(inner, "build_editable"),
        "metaseal": hasattr(wrapper, "build_editable"),
    })
print(json.dumps(answers))
"""


@pytest.fixture(scope="session")
def editable_hooks(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> dict[str, bool]:
    """For each project, whether its inner backend has ``build_editable``: asked of the backend.

    One virtual environment holds every pinned backend and metaseal; a script imports each
    project's inner backend and probes it with ``hasattr``, as frontends probe hooks, and asks
    metaseal's hook module the same question in that project (it must mirror the answer).
    """
    root = tmp_path_factory.mktemp("backends")
    requirements: set[str] = set()
    for location in LOCATIONS.values():
        pyproject = location / "pyproject.toml"
        requirements.update(tomllib.loads(pyproject.read_text("utf-8"))["build-system"]["requires"])
    python = root / "venv" / "bin" / "python"
    for command in (
        [_uv(), "venv", "--quiet", "--python", sys.executable, str(root / "venv")],
        [_uv(), "pip", "install", "--quiet", "--python", str(python), *sorted(requirements)],
        [str(python), "-c", _PROBE, *(str(location) for location in LOCATIONS.values())],
    ):
        process = subprocess.run(
            command, env=env, cwd=root, capture_output=True, text=True, check=False, timeout=900
        )
        assert process.returncode == 0, f"$ {' '.join(command)}\n{process.stdout}{process.stderr}"
    answers = dict(zip(LOCATIONS, json.loads(process.stdout)))
    mismatched = {p: a for p, a in answers.items() if a["inner"] != a["metaseal"]}
    assert not mismatched, f"metaseal does not mirror the inner build_editable: {mismatched}"
    return {project: answer["inner"] for project, answer in answers.items()}


def test_every_project_is_here() -> None:
    """The matrix covers exactly the ``<backend>-<kind>`` projects in ``projects/`` (drift
    projects aside) and the backend examples ``examples/<backend>/``; every backend has both.
    """
    present = {
        path
        for path in PROJECTS.iterdir()
        if path.is_dir() and path.name.rsplit("-", 1)[-1] in VERSIONS
    } - set(PROJECTS.glob("drift-*"))
    present |= {path for path in EXAMPLES.iterdir() if path.name in BACKENDS}
    assert present == set(LOCATIONS.values())
    assert all((path / "pyproject.toml").is_file() for path in present)


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("project", MATRIX)
def test_matrix(
    project: str,
    frontend: str,
    builds: SessionBuilds,
    editable_hooks: dict[str, bool],
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    if frontend == "build":
        run = builds.get(project)
    elif frontend == "pip-install-sdist":
        run = run_frontend(frontend, LOCATIONS[project], tmp_path, env, sdist=builds.sdist(project))
    else:
        if frontend == "pip-install-editable" and not editable_hooks[project]:
            pytest.skip(f"the inner backend of {project} has no build_editable (asked it)")
        run = run_frontend(frontend, _copy_project(project, tmp_path / "src"), tmp_path, env)
    assert run.returncode == 0, _show(run)

    if frontend in ("pip-install-sdist", "pip-install-editable"):
        assert run.venv is not None
        python = run.venv / "bin" / "python"
        installed = f"installed:{_distribution(project)}"
        checked, report = _check(installed, builds.sdist(project), python=python)
        _assert_release(checked, report, project, 2)
        return
    files = run.files
    # metaseal stages each file in a private `.metaseal-*` directory: none may be left behind.
    assert not list(run.outdir.glob(".metaseal-*")), _show(run)
    wheels = [path for path in files if path.suffix == ".whl"]
    sdists = [path for path in files if path.name.endswith(".tar.gz")]
    assert len(wheels) == 1, _show(run)
    if frontend == "pip-wheel":
        # pip builds the wheel from the source tree: it must agree with the release's sdist.
        assert not sdists, _show(run)
        checked, report = _check(wheels[0], builds.sdist(project))
    else:
        assert len(sdists) == 1, _show(run)
        checked, report = _check(*files)
    _assert_release(checked, report, project, 2)
    if frontend == "build" and LOCATIONS[project].parent == EXAMPLES:
        # What examples/<backend>/README.md promises: the release also passes the strict check
        # against the project's own `[project]` table.
        strict = metaseal("check", "--strict", *files, LOCATIONS[project] / "pyproject.toml")
        assert strict.returncode == EXIT_OK, str(strict)


def test_in_tree_inner_backend(env: dict[str, str], tmp_path: Path) -> None:
    """``tool.metaseal.backend-path``: the inner backend is a module of the project itself."""
    source = copy_project(PROJECTS / "intree-backend", tmp_path / "src")
    run = run_frontend("build", source, tmp_path, env)
    assert run.returncode == 0, _show(run)
    # The in-tree module built both files: from the tree (sdist) and from the unpacked sdist.
    assert "intree_backend: build_sdist" in run.output, _show(run)
    assert "intree_backend: build_wheel" in run.output, _show(run)
    assert [path.suffix for path in run.files] == [".whl", ".gz"], _show(run)
    checked, report = _check(*run.files)
    assert [r["name"] for r in report["releases"]] == ["metaseal-wrap-intree"], str(checked)


def test_poetry_core_classifiers_it_adds_are_a_warning(env: dict[str, str], tmp_path: Path) -> None:
    """Known backend behaviour: poetry-core 2 fills in ``Classifier`` (Python versions from
    ``requires-python``) when ``project.classifiers`` is absent and not dynamic, which PEP 621
    forbids. Installers do not act on classifiers and the maintainer cannot change the backend,
    so it is a warning naming the classifiers (issue 11); ``strict = true`` refuses it.
    """
    source = _copy_project("poetry-core-static", tmp_path / "src")
    pyproject = source / "pyproject.toml"
    text = pyproject.read_text("utf-8")
    line = 'classifiers = ["Programming Language :: Python :: 3"]\n'
    assert line in text
    pyproject.write_text(text.replace(line, ""), "utf-8")
    run = run_frontend("build", source, tmp_path / "lenient", env)
    assert run.returncode == 0, _show(run)
    assert "Classifier [pyproject-undeclared]" in run.output, _show(run)
    assert "Programming Language :: Python :: 3.9" in run.output, _show(run)
    assert "Installers do not act on this field" in run.output, _show(run)
    assert sorted(p.suffix for p in run.files) == [".gz", ".whl"], _show(run)
    pyproject.write_text(pyproject.read_text("utf-8") + "strict = true\n", "utf-8")
    strict = run_frontend("build", source, tmp_path / "strict", env)
    assert strict.returncode != 0, _show(strict)
    assert "metaseal: metadata drift:" in strict.output, _show(strict)
    assert "Traceback" not in strict.output, _show(strict)
    assert strict.files == [], _show(strict)
