"""setuptools marks ``Dynamic: license-file`` whenever a project has a license file (issue 15).

metaseal answers ``prepare_metadata_for_build_wheel`` from such an sdist's PKG-INFO (the only
Dynamic field is License-File and its files are in the sdist), without importing setuptools.
The wheels pip and ``python -m build`` then build from that sdist hold exactly PKG-INFO, and
``build_wheel`` held them to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import metaseal
from integration._tamper import read_sdist_pkg_info, read_wheel_metadata

from ._frontends import build_sdist, run_sdist_frontend, unpack_sdist

pytestmark = pytest.mark.integration

SRC = Path(metaseal.__file__).resolve().parent.parent

PYPROJECT = """\
[build-system]
requires = ["metaseal", "setuptools>=77"]
build-backend = "metaseal"

[project]
name = "demo-license-file"
version = "1.0.0"
description = "A setuptools project with a license file."
requires-python = ">=3.9"
license = "MIT"
license-files = ["LICENSE"]
dependencies = ["attrs>=22"]

[tool.metaseal]
backend = "setuptools.build_meta"
allow-dynamic = ["License-File"]
"""

_PREPARE = (
    "import sys\n"
    "from pyproject_hooks import BuildBackendHookCaller\n"
    "caller = BuildBackendHookCaller(sys.argv[1], 'metaseal')\n"
    "print(caller.prepare_metadata_for_build_wheel(sys.argv[2]))\n"
)


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    project = tmp_path_factory.mktemp("license-file") / "project"
    package = project / "src" / "demo_license_file"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Demo."""\n', encoding="utf-8")
    (project / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return build_sdist(project, project.parent / "dist", env)


def test_the_sdist_says_only_license_file_is_dynamic(sdist: Path) -> None:
    headers = read_sdist_pkg_info(sdist).split(b"\n\n", 1)[0].lower().splitlines()
    assert [line for line in headers if line.startswith(b"dynamic:")] == [b"dynamic: license-file"]
    assert b"license-file: license" in headers


def test_prepare_is_answered_from_pkg_info(sdist: Path, tmp_path: Path) -> None:
    tree = unpack_sdist(sdist, tmp_path / "unpacked")
    metadata_directory = tmp_path / "prepared"
    metadata_directory.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("METASEAL_")}
    env["PYTHONPATH"] = str(SRC)
    done = subprocess.run(
        [sys.executable, "-c", _PREPARE, str(tree), str(metadata_directory)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    dist_info = done.stdout.split()[-1]
    # The marker metaseal leaves for build_wheel: PKG-INFO answered, not setuptools' own hook.
    assert (metadata_directory / ".metaseal-prepared").read_text(encoding="utf-8") == "pkg-info\n"
    assert (metadata_directory / dist_info / "METADATA").read_bytes() == read_sdist_pkg_info(sdist)


@pytest.mark.parametrize("frontend", ["pip-wheel-sdist", "build-from-sdist"])
def test_the_wheel_holds_exactly_pkg_info(
    sdist: Path, tmp_path: Path, env: dict[str, str], frontend: str
) -> None:
    """pip prepares metadata first (the fast path answers), then builds the wheel, which
    metaseal holds to PKG-INFO; ``python -m build`` builds the wheel in the unpacked sdist."""
    run = run_sdist_frontend(frontend, sdist, tmp_path, env)
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output
    (wheel,) = run.outdir.glob("*.whl")
    assert read_wheel_metadata(wheel) == read_sdist_pkg_info(sdist)
