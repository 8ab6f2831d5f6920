"""Issue 11, item 8: real sdists from PyPI, wrapped in metaseal, built by real frontends.

Each project of ``corpus.toml`` is downloaded with pip (cached, sha256-checked), unpacked, and
wrapped: metaseal becomes its build backend and its own backend moves to ``[tool.metaseal]``
(:func:`._corpus.wrap`). Then ``python -m build`` (sdist, then the wheel from that sdist) and
``pip wheel --no-deps`` build it, with metaseal's wheel from this checkout in the isolated
build environments (the ``env`` fixture of the integration tests).

What each frontend did must equal ``expected.toml``: every project and frontend not listed
there must succeed; a listed one must fail the way the table says (a refusal with these
findings, or an error whose output contains ``match``), and the table says why, judged by hand.
The table lists only refusals that are right (true drift) and failures that are not metaseal's;
a false refusal is a bug to fix, so it fails this test.

Set ``METASEAL_CORPUS_LOG`` to a directory to keep every frontend's output there.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from integration.wrapper._frontends import FrontendRun, copy_project, run_frontend

from ._corpus import Project, fetch_sdist, load_corpus, unpack, wrap

if sys.version_info >= (3, 11):
    import tomllib  # noqa: TID251 - metaseal's own modules are not imported here (they move)
else:  # pragma: no cover
    import tomli as tomllib  # noqa: TID251

pytestmark = pytest.mark.integration

PROJECTS = load_corpus()
#: ``build``: ``python -m build`` (sdist, then the wheel from the unpacked sdist);
#: ``pip-wheel``: ``pip wheel --no-deps`` on the project directory.
FRONTENDS = ("build", "pip-wheel")
EXPECTED_FILE = Path(__file__).resolve().parent / "expected.toml"
EXPECTED: dict[str, Any] = tomllib.loads(EXPECTED_FILE.read_text("utf-8"))
#: One finding line of metaseal's refusal report: ``error: Requires-Dist [static-field]  A -> B``.
FINDING = re.compile(r"^\s*(?:[\w.]+\s*:\s*)?error: (\S+) \[([\w-]+)\]", re.MULTILINE)
REFUSED = "metaseal: metadata drift:"


def outcome_of(run: FrontendRun) -> dict[str, Any]:
    """What the frontend did: ``ok``, ``refused`` (with ``Field [rule]`` findings) or ``error``."""
    if run.returncode == 0:
        return {"outcome": "ok"}
    if REFUSED in run.output:
        findings = sorted({f"{field} [{rule}]" for field, rule in FINDING.findall(run.output)})
        return {"outcome": "refused", "findings": findings}
    return {"outcome": "error"}


def _expected(project: Project, frontend: str) -> dict[str, Any]:
    entry: dict[str, Any] = EXPECTED.get(project.id, {}).get(frontend, {"outcome": "ok"})
    return entry


def test_expected_table_names_corpus_projects() -> None:
    """Every entry of ``expected.toml`` is a corpus project and frontend, with a reason."""
    ids = {project.id for project in PROJECTS}
    for project_id, frontends in EXPECTED.items():
        assert project_id in ids, f"expected.toml: {project_id} is not in corpus.toml"
        for frontend, entry in frontends.items():
            assert frontend in FRONTENDS, f"expected.toml: {project_id}: unknown {frontend}"
            assert entry["outcome"] in ("refused", "error"), (project_id, frontend)
            assert entry.get("reason"), f"expected.toml: {project_id}.{frontend} has no reason"
            assert entry.get("verdict") in ("true-drift", "backend-bug", "not-metaseal"), (
                project_id,
                frontend,
            )


def test_corpus_spread() -> None:
    """The corpus keeps the spread issue 11 asks for."""
    assert len(PROJECTS) >= 40
    families = [project.family for project in PROJECTS]
    for family in (
        "setuptools-pyproject",
        "setuptools-legacy",
        "hatchling",
        "flit-core",
        "pdm-backend",
        "poetry-core",
    ):
        assert families.count(family) >= 3, family
    for family in ("uv-build", "scikit-build-core", "meson-python"):
        assert families.count(family) >= 1, family
    assert {project.kind for project in PROJECTS} == {"pure", "compiled"}


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("project", PROJECTS, ids=[project.id for project in PROJECTS])
def test_wrapped_build(
    project: Project, frontend: str, env: dict[str, str], tmp_path: Path
) -> None:
    sdist = fetch_sdist(project)
    source = wrap(unpack(sdist, tmp_path / "unpacked"))
    # copy_project: a fresh tree; meson-python projects become a Git checkout (`meson dist`).
    tree = copy_project(source, tmp_path / "project")
    run = run_frontend(frontend, tree, tmp_path / "work", env)
    log = os.environ.get("METASEAL_CORPUS_LOG")
    if log:
        Path(log).mkdir(parents=True, exist_ok=True)
        (Path(log) / f"{project.id}.{frontend}.log").write_text(
            f"exit {run.returncode}\n{run.output}", "utf-8"
        )
    actual = outcome_of(run)
    expected = _expected(project, frontend)
    context = f"{project.id} via {frontend}:\n{run.output[-6000:]}"
    assert actual["outcome"] == expected["outcome"], context
    if actual["outcome"] == "refused":
        assert actual["findings"] == sorted(expected["findings"]), context
    elif actual["outcome"] == "error":
        assert expected["match"] in run.output, context
    else:
        built = [path.name for path in run.files]
        assert any(name.endswith(".whl") for name in built), context
        if frontend == "build":
            assert any(name.endswith(".tar.gz") for name in built), context
