"""An sdist pdm-backend writes as Metadata 2.1 comes out of metaseal sealed (issue 14).

Built with ``python -m build`` through the wrapper, the sdist says Metadata-Version 2.2, its
wheels pass ``metaseal check``, and uv resolves it from static metadata without building it.
(For a `[project]` project uv reads `pyproject.toml` first either way; the sealed PKG-INFO meets
uv's rule for trusting PKG-INFO too, Metadata 2.2+ with none of Requires-Dist, Provides-Extra
and Requires-Python Dynamic, which the test checks, so every other reader gets the same promise.)
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from typing import TYPE_CHECKING

import pytest

from ._frontends import run_frontend

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration

PYPROJECT = """\
[build-system]
requires = ["metaseal", "pdm-backend==2.5.0"]
build-backend = "metaseal"

[project]
name = "sealed-demo"
dynamic = ["version"]
description = "pdm-backend writes this sdist as Metadata 2.1 (no PEP 639 license)."
requires-python = ">=3.9"
dependencies = ["attrs>=21"]

[tool.pdm.version]
source = "file"
path = "src/sealed_demo/__init__.py"

[tool.metaseal]
backend = "pdm.backend"
"""


def test_pdm_backend_sdist_is_sealed_and_uv_reads_it_statically(
    env: dict[str, str], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    (project / "src" / "sealed_demo").mkdir(parents=True)
    (project / "src" / "sealed_demo" / "__init__.py").write_text(
        '__version__ = "1.0"\n', encoding="utf-8"
    )
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    run = run_frontend("build", project, tmp_path / "run", env)
    assert run.returncode == 0, run.output
    assert "metaseal: sealed `sealed_demo-1.0.tar.gz`" in run.output, run.output
    (sdist,) = [p for p in run.files if p.name.endswith(".tar.gz")]
    with tarfile.open(sdist) as archive:
        member = archive.extractfile("sealed_demo-1.0/PKG-INFO")
        assert member is not None
        pkg_info = member.read()
    assert pkg_info.startswith(b"Metadata-Version: 2.2\n")
    assert b"Dynamic:" not in pkg_info  # only the version was dynamic, and it never is in PKG-INFO
    check = subprocess.run(
        [sys.executable, "-m", "metaseal", "check", str(run.outdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "sealed_demo-1.0.tar.gz" in check.stdout
    uv = subprocess.run(
        [sys.executable, "-m", "uv", "pip", "compile", "-v", "--no-deps", "-"],
        input=f"sealed-demo @ file://{sdist}\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert "Found static `" in uv.stderr, uv.stderr
    assert "Building" not in uv.stderr, uv.stderr
