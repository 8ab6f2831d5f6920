"""metaseal's settings through real frontends (issue 3).

A typo in any settings source fails the build with a "did you mean" suggestion; config-settings
meant for the inner backend reach it while ``metaseal.*`` ones are consumed; ``mode = "warn"``
and the ``METASEAL_ALLOW_BROKEN_SEAL`` escape hatch publish a drifting wheel with the report.
The drift projects of :mod:`test_drift` supply the drift.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from ._frontends import build_sdist, run_frontend, run_sdist_frontend
from .test_drift import ADDED, CHANGED, copy_project, explain, requires_dist

pytestmark = pytest.mark.integration

HATCH = {"METASEAL_ALLOW_BROKEN_SEAL": "1"}


def _with_typo(project: Path) -> None:
    """Add ``mdoe = "warn"`` to the project's ``[tool.metaseal]`` table."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert text.count("[tool.metaseal]\n") == 1
    pyproject.write_text(
        text.replace("[tool.metaseal]\n", '[tool.metaseal]\nmdoe = "warn"\n'), encoding="utf-8"
    )


def _read(wheel: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name)


@pytest.mark.parametrize(
    ("source", "frontend", "expected"),
    [
        pytest.param(
            "pyproject",
            "build",
            "unknown setting `tool.metaseal.mdoe` in pyproject.toml; "
            "did you mean `tool.metaseal.mode`?",
            id="pyproject-build",
        ),
        pytest.param(
            "config-settings",
            "uv-build",
            "unknown setting `metaseal.mdoe` in config-settings; did you mean `metaseal.mode`?",
            id="config-settings-uv-build",
        ),
        pytest.param(
            "environment",
            "pip-wheel",
            "unknown setting `METASEAL_MDOE` in environment; did you mean `METASEAL_MODE`?",
            id="environment-pip-wheel",
        ),
    ],
)
def test_typo_fails_with_a_suggestion(
    source: str, frontend: str, expected: str, env: dict[str, str], tmp_path: Path
) -> None:
    project = copy_project("drift-pdm-hook", tmp_path / "src")
    config_settings: dict[str, str] = {}
    if source == "pyproject":
        _with_typo(project)
    elif source == "config-settings":
        config_settings["metaseal.mdoe"] = "warn"
    else:
        env = {**env, "METASEAL_MDOE": "warn"}
    run = run_frontend(frontend, project, tmp_path, env, config_settings=config_settings)
    assert run.returncode != 0, explain(run)
    assert expected in run.output, explain(run)
    assert run.files == [], explain(run)


def test_escape_hatch_demotes_a_typo(env: dict[str, str], tmp_path: Path) -> None:
    project = copy_project("drift-setuptools-dynamic", tmp_path / "src")
    _with_typo(project)
    run = run_frontend("build", project, tmp_path, {**env, **HATCH})
    assert run.returncode == 0, explain(run)
    assert (
        "metaseal: METASEAL_ALLOW_BROKEN_SEAL=1 is set, so this is ignored: unknown setting "
        "`tool.metaseal.mdoe`" in run.output
    ), explain(run)
    assert sorted(p.suffix for p in run.files) == [".gz", ".whl"], explain(run)


@pytest.mark.parametrize("frontend", ["build", "uv-build", "pip-wheel"])
def test_config_settings_reach_the_inner_backend_and_warn_mode_publishes(
    frontend: str, env: dict[str, str], tmp_path: Path
) -> None:
    """The in-tree backend of drift-rewrite-metadata stores the config-settings it received in
    the wheel it builds (and rewrites its Summary, which breaks the seal).
    """
    project = copy_project("drift-rewrite-metadata", tmp_path / "src")
    settings = {"metaseal.mode": "warn", "stamp": "hello"}
    run = run_frontend(frontend, project, tmp_path, env, config_settings=settings)
    assert run.returncode == 0, explain(run)
    (wheel,) = [p for p in run.files if p.suffix == ".whl"]
    # metaseal consumed its own key and forwarded the rest untouched.
    received = json.loads(_read(wheel, "/_config_settings.json"))
    assert received == {"stamp": "hello"}, explain(run)
    # The drifting wheel was published ...
    assert b"(post-processed)" in _read(wheel, ".dist-info/METADATA")
    # ... with the report (pip shows a backend's output only when the build fails).
    if frontend != "pip-wheel":
        for text in (
            "metaseal: warning: metadata drift:",
            'the wheel was kept because `tool.metaseal.mode` is "warn".',
            "built by `rewriting_backend`, in-tree from `tool.metaseal.backend-path`",
            "Summary [static-field]",
            "(post-processed)",
            "fix:",
        ):
            assert text in run.output, f"{text!r} missing\n{explain(run)}"


@pytest.mark.parametrize("frontend", ["build-from-sdist", "uv-build-sdist", "pip-wheel-sdist"])
def test_escape_hatch_publishes_with_a_loud_warning(
    frontend: str, env: dict[str, str], tmp_path: Path
) -> None:
    """drift-setuptools-env's sdist promises no Requires-Dist; DRIFT_REQUIRES adds one."""
    source = copy_project("drift-setuptools-env", tmp_path / "src")
    sdist = build_sdist(source, tmp_path / "dist", env)
    run = run_sdist_frontend(frontend, sdist, tmp_path / "run", {**env, **CHANGED, **HATCH})
    assert run.returncode == 0, explain(run)
    (wheel,) = run.files
    assert requires_dist(_read(wheel, ".dist-info/METADATA")) == {ADDED}
    if frontend != "pip-wheel-sdist":  # pip shows a backend's output only when the build fails
        for text in (
            (
                "metaseal: warning: metadata drift: the wheel's Requires-Dist differs from the "
                "sdist's PKG-INFO; the wheel was kept because METASEAL_ALLOW_BROKEN_SEAL=1 is set."
            ),
            (
                "wheel: metaseal_drift_setuptools_env-1.0.0-py3-none-any.whl, built by "
                "`setuptools.build_meta`, setuptools 84.2.1"
            ),
            "Requires-Dist [static-field]",
            f"+ {ADDED}",
            "fix:",
        ):
            assert text in run.output, f"{text!r} missing\n{explain(run)}"
