"""``metaseal seal SDIST`` on sdists pdm-backend writes as Metadata 2.1 (issue 14)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[build-system]
requires = ["pdm-backend==2.5.0"]
build-backend = "pdm.backend"

[project]
name = "seal-demo"
version = "1.0"
requires-python = ">=3.9"
dependencies = ["attrs>=21"]
"""


def _sdist(project: Path, out: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--installer", "uv", "--sdist", "--outdir", str(out),
         str(project)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (sdist,) = out.glob("*.tar.gz")
    return sdist


def _seal(sdist: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metaseal", "seal", "--out-dir", str(out), str(sdist)],
        capture_output=True,
        text=True,
        check=False,
    )


def _pkg_info(sdist: Path) -> bytes:
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        member = archive.extractfile(f"{top}/PKG-INFO")
        assert member is not None
        return member.read()


def test_seal_writes_a_sealed_copy_when_the_wheel_keeps_the_promise(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "src" / "seal_demo").mkdir(parents=True)
    (project / "src" / "seal_demo" / "__init__.py").write_text("", encoding="utf-8")
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    sdist = _sdist(project, tmp_path / "dist")
    before = sdist.read_bytes()
    assert _pkg_info(sdist).startswith(b"Metadata-Version: 2.1\n")
    done = _seal(sdist, tmp_path / "sealed")
    assert done.returncode == 0, done.stdout + done.stderr
    sealed = tmp_path / "sealed" / sdist.name
    assert _pkg_info(sealed).startswith(b"Metadata-Version: 2.2\n")
    assert sdist.read_bytes() == before  # the original is never changed
    again = _seal(sealed, tmp_path / "again")
    assert again.returncode == 0 and "already Metadata 2.2" in again.stdout


def test_seal_refuses_an_sdist_whose_wheel_breaks_the_promise(tmp_path: Path) -> None:
    project = shutil.copytree(ROOT / "examples" / "drift-pdm-hook", tmp_path / "drift")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").replace('"metaseal", "pdm-backend', '"pdm-backend')
    text = text.replace('build-backend = "metaseal"', 'build-backend = "pdm.backend"')
    # without a PEP 639 license pdm-backend writes Metadata 2.1, which seal can rewrite
    text = text.replace('license = "MIT"\n', "")
    pyproject.write_text(text, encoding="utf-8")
    sdist = _sdist(project, tmp_path / "dist")
    done = _seal(sdist, tmp_path / "sealed")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Requires-Dist [static-field]" in done.stdout
    assert "was not sealed" in done.stderr
    assert not (tmp_path / "sealed").exists()
