"""Drift with real backends through real frontends (issue 3).

Each case builds an sdist once (``python -m build --sdist``, in the sealing environment), then
runs every frontend that applies on that sdist in a changed environment (``DRIFT_REQUIRES`` set
for the wheel step only), as happens when a user or a distribution rebuilds a released sdist.
The projects are ``drift-*``: the ones users should see are examples (``examples/drift-*``, each
with a README), the rest are test-only (``projects/drift-*``); each pyproject.toml says what its
case is about.

Rejected: the frontend exits non-zero, its output carries metaseal's report (the field, the
values, the fix) and no traceback, and no wheel (nor a ``.metaseal-*`` staging leftover) is
left in the output directory or installed. Passing: the wheel is built, has the metadata the
case expects, and ``metaseal check`` accepts it with its sdist.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

import pytest

from integration._cli import metaseal

from . import _frontends
from ._frontends import (
    SDIST_FRONTENDS,
    FrontendRun,
    build_sdist,
    project_dir,
    run_frontend,
    run_sdist_frontend,
)

pytestmark = pytest.mark.integration

#: What the changed environment adds: every drift-* project that reads the environment reads
#: its extra requirements from ``DRIFT_REQUIRES`` (comma-separated).
ADDED = "attrs>=23"
CHANGED = {"DRIFT_REQUIRES": ADDED}
#: Frontends that build an sdist and then a wheel from it, from the project directory.
PROJECT_FRONTENDS = ("build", "uv-build")
#: Frontends that call ``prepare_metadata_for_build_wheel`` before ``build_wheel``, and pass its
#: ``metadata_directory`` on. uv pip install would too, but uv 0.13 reads setuptools' lower-case
#: ``Dynamic: requires-dist`` case-sensitively, trusts PKG-INFO and never prepares metadata
#: (astral-sh/uv#18667), so it does not apply to the setuptools-based case below.
PREPARING_FRONTENDS = ("pip-wheel-sdist", "pip-install-sdist")
NOT_PREPARING_FRONTENDS = ("build-from-sdist", "uv-build-sdist")


@dataclass(frozen=True)
class Case:
    """One drift case: which project, which environments, which frontends, what must show."""

    id: str
    project: str
    #: Substrings the frontend's output must contain (rejected) or the wheel's Requires-Dist
    #: (passing).
    expect: tuple[str, ...]
    #: The environment the sdist is built (sealed) in, on top of the frontend environment.
    sdist_env: Mapping[str, str] = field(default_factory=dict)
    #: The changed environment of the wheel step.
    wheel_env: Mapping[str, str] = field(default_factory=lambda: dict(CHANGED))
    frontends: tuple[str, ...] = SDIST_FRONTENDS
    #: Frontends that are also run on the project directory (sdist, then wheel, in one go).
    project_frontends: tuple[str, ...] = ()


REQUIRES_ADDED = ("Requires-Dist [static-field]", "PKG-INFO ->", f"+ {ADDED}", "fix:")
SUMMARY = "metaseal drift case: the wheel's METADATA is rewritten after the build."

REJECTED = (
    # 1. setup.py computes install_requires from the environment, empty at sdist time.
    Case("setuptools-setup-py-env", "drift-setuptools-env", REQUIRES_ADDED),
    # 1b. The same with "dependencies" in `project.dynamic`: setuptools still seals the empty
    #     value (no `Dynamic: requires-dist`), so the promise is the same and so is the verdict.
    Case(
        "setuptools-dynamic-but-empty",
        "drift-setuptools-dynamic-empty",
        REQUIRES_ADDED,
        frontends=("build-from-sdist", "pip-wheel-sdist"),
    ),
    # 2. A hatchling metadata hook returns no dependencies at sdist time, some at wheel time.
    Case("hatchling-metadata-hook", "drift-hatchling-hook", REQUIRES_ADDED),
    # 3. A pdm-backend build hook adds a dependency to wheels only: no changed environment
    #    needed, so building from the project directory breaks too.
    Case(
        "pdm-backend-build-hook",
        "drift-pdm-hook",
        REQUIRES_ADDED,
        wheel_env={},
        project_frontends=PROJECT_FRONTENDS,
    ),
    # 4. The inner backend rewrites METADATA (the Summary) in the finished wheel.
    Case(
        "backend-rewrites-metadata",
        "drift-rewrite-metadata",
        (
            "Summary [static-field]",
            "- PKG-INFO",
            SUMMARY,
            f"{SUMMARY} (post-processed)",
            "fix:",
        ),
        wheel_env={},
        project_frontends=PROJECT_FRONTENDS,
    ),
    # 5. build_wheel ignores metadata_directory and builds other metadata than prepare did.
    Case(
        "build-wheel-ignores-prepared",
        "drift-ignore-prepared",
        (
            "Requires-Dist [prepared-metadata]",
            "metaseal_drift_ignore_prepared-1.0.0.dist-info ->",
            f"+ {ADDED}",
            "fix: The two must be identical",
        ),
        wheel_env={},
        frontends=PREPARING_FRONTENDS,
    ),
)

PASSING = (
    # 6. setuptools with the dependencies declared dynamic: the sdist says so, the wheel differs.
    Case("setuptools-dynamic-declared", "drift-setuptools-dynamic", ("packaging>=24", ADDED)),
    # 7. hatchling takes a hook-computed field back from PKG-INFO when building from the sdist,
    #    so the changed environment does not reach the wheel.
    Case(
        "hatchling-rereads-pkg-info",
        "drift-hatchling-hook",
        ("packaging>=24",),
        sdist_env={"DRIFT_REQUIRES": "packaging>=24"},
    ),
    # 5, without prepared metadata: PKG-INFO lists Requires-Dist as Dynamic, so the wheel may add
    #    to it, and nothing else was promised.
    Case(
        "build-wheel-ignores-prepared-unprepared",
        "drift-ignore-prepared",
        ("packaging>=24", ADDED),
        wheel_env={},
        frontends=NOT_PREPARING_FRONTENDS,
    ),
)


def _params(cases: tuple[Case, ...], *, project: bool = False) -> list[object]:
    return [
        pytest.param(case, frontend, id=f"{case.id}-{frontend}")
        for case in cases
        for frontend in (case.project_frontends if project else case.frontends)
    ]


class Sdists:
    """Each case's sdist, built once per module in its sealing environment."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.built: dict[tuple[str, tuple[tuple[str, str], ...]], Path] = {}

    def __call__(self, case: Case) -> Path:
        key = (case.project, tuple(sorted(case.sdist_env.items())))
        if key not in self.built:
            where = self.root / f"{case.project}-{len(self.built)}"
            source = copy_project(case.project, where / "src")
            env = {**self.env, **case.sdist_env}
            try:
                self.built[key] = build_sdist(source, where / "dist", env)
            except RuntimeError as error:
                pytest.fail(str(error), pytrace=False)
        return self.built[key]


@pytest.fixture(scope="module")
def sdists(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Sdists:
    return Sdists(tmp_path_factory.mktemp("drift-sdists"), env)


def copy_project(name: str, to: Path) -> Path:
    """A private copy of the drift project ``name`` (setuptools writes egg-info and build/ into
    it), from ``examples/`` or ``projects/``.
    """
    return _frontends.copy_project(project_dir(name), to)


def explain(run: FrontendRun) -> str:
    return f"{run.frontend} exited {run.returncode}:\n{run.output}"


def installed(run: FrontendRun) -> list[Path]:
    """The ``metaseal_drift_*`` distributions installed into the run's environment."""
    assert run.venv is not None
    return sorted(run.venv.glob("lib/python*/site-packages/metaseal_drift_*.dist-info"))


def assert_rejected(run: FrontendRun, case: Case) -> None:
    assert run.returncode != 0, explain(run)
    assert "metaseal: metadata drift:" in run.output, explain(run)
    assert "was not written" in run.output, explain(run)
    assert "fix:" in run.output, explain(run)
    # A refusal is a report, not a crash: no frontend shows a traceback (issue 12).
    assert "Traceback" not in run.output, explain(run)
    for text in case.expect:
        assert text in run.output, f"{text!r} missing from the report\n{explain(run)}"
    left = [p.name for p in run.outdir.iterdir()]
    assert not [n for n in left if n.endswith(".whl") or n.startswith(".metaseal")], left
    if run.venv is not None:
        assert installed(run) == [], explain(run)


def requires_dist(metadata: bytes) -> set[str]:
    return set(HeaderParser().parsestr(metadata.decode("utf-8")).get_all("Requires-Dist", []))


@pytest.mark.parametrize(("case", "frontend"), _params(REJECTED))
def test_drift_from_sdist_is_rejected(
    case: Case, frontend: str, sdists: Sdists, env: dict[str, str], tmp_path: Path
) -> None:
    sdist = sdists(case)
    run = run_sdist_frontend(frontend, sdist, tmp_path, {**env, **case.wheel_env})
    assert_rejected(run, case)


@pytest.mark.parametrize(("case", "frontend"), _params(REJECTED, project=True))
def test_drift_from_project_is_rejected(
    case: Case, frontend: str, env: dict[str, str], tmp_path: Path
) -> None:
    source = copy_project(case.project, tmp_path / "src")
    run = run_frontend(frontend, source, tmp_path, {**env, **case.wheel_env})
    assert_rejected(run, case)
    # The sdist itself keeps the seal and is published; only the wheel is refused.
    assert [p.suffix for p in run.files] == [".gz"], explain(run)


@pytest.mark.parametrize(("case", "frontend"), _params(PASSING))
def test_allowed_drift_builds(
    case: Case, frontend: str, sdists: Sdists, env: dict[str, str], tmp_path: Path
) -> None:
    sdist = sdists(case)
    run = run_sdist_frontend(frontend, sdist, tmp_path, {**env, **case.wheel_env})
    assert run.returncode == 0, explain(run)
    assert "metadata drift:" not in run.output, explain(run)
    if run.venv is not None:
        (dist_info,) = installed(run)
        metadata = (dist_info / "METADATA").read_bytes()
    else:
        (wheel,) = run.files
        with zipfile.ZipFile(wheel) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
            metadata = archive.read(name)
        check = metaseal("check", sdist, wheel)
        assert check.returncode == 0, str(check)
    assert requires_dist(metadata) == set(case.expect), explain(run)
