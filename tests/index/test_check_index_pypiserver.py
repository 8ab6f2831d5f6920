"""``metaseal check --index`` against pypiserver serving a release built by ``python -m build``.

Integration: the build installs flit_core from PyPI into an isolated environment.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from index.client_support import clean_network_env, run_cli
from index.pypi_server import PypiServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.integration

PYPROJECT = """\
[build-system]
requires = ["flit_core>=3.9,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "metaseal-tiny"
version = "0.3.0"
description = "A tiny project for metaseal's index tests."
requires-python = ">=3.9"
dependencies = ["packaging>=24", "tomli>=1.1; python_version < '3.11'"]
optional-dependencies.cli = ["click>=8"]
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel of a tiny flit_core project, built by ``python -m build``."""
    project = tmp_path_factory.mktemp("tiny")
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "metaseal_tiny.py").write_text('"""Tiny."""\n__version__ = "0.3.0"\n')
    out = project.parent / "tiny-dist"
    installer = ["--installer", "uv"] if importlib.util.find_spec("uv") is not None else []
    done = subprocess.run(
        [sys.executable, "-m", "build", *installer, "--outdir", str(out), str(project)],
        env=clean_network_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"python -m build failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    assert sorted(p.name for p in out.iterdir()) == [
        "metaseal_tiny-0.3.0-py3-none-any.whl",
        "metaseal_tiny-0.3.0.tar.gz",
    ]
    return out


@pytest.fixture
def pypi(dist: Path) -> Iterator[PypiServer]:
    with PypiServer(dist) as server:
        yield server


def _releases(run_json: dict[str, Any]) -> list[Any]:
    for release in run_json["releases"]:
        for artifact in release["artifacts"]:
            artifact.pop("source")
    return list(run_json["releases"])


@pytest.mark.parametrize("where", ["--index", "--find-links"])
def test_built_release_on_pypiserver_matches_the_local_check(
    dist: Path, pypi: PypiServer, where: str
) -> None:
    local = run_cli("check", "--format", "json", dist)
    url = pypi.index_url if where == "--index" else pypi.find_links_url
    remote = run_cli(
        "check", "--format", "json", "--no-cache", "--sdists", where, url, "metaseal-tiny"
    )
    assert remote.returncode == local.returncode == 0, str(remote)
    assert _releases(remote.json()) == _releases(local.json())
    [release] = remote.json()["releases"]
    assert [a["label"] for a in release["artifacts"]] == [
        "metaseal_tiny-0.3.0-py3-none-any.whl",
        "metaseal_tiny-0.3.0.tar.gz",
    ]


def test_unknown_project_on_pypiserver(pypi: PypiServer) -> None:
    run = run_cli("check", "--no-cache", "--retries", "0", "--index", pypi.index_url, "nothing")
    assert run.returncode == 4, str(run)
    assert run.stderr.startswith(
        f"metaseal: error: {pypi.index_url}nothing/: no project `nothing` on {pypi.index_url}"
    ), str(run)
