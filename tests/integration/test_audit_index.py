"""``metaseal audit NAME --index URL`` against a real simple index on 127.0.0.1 (issue 14).

Only the sdist is downloaded; its wheel is built here and compared with the sdist's PKG-INFO
and with the wheels the index serves.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING

import pytest

from factories import make_wheel
from index.servers import StaticIndex

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration

PYPROJECT = """\
[build-system]
requires = ["flit_core>=3.12,<5"]
build-backend = "flit_core.buildapi"

[project]
name = "audited"
version = "1.0"
description = "A project on an index."
requires-python = ">=3.9"
dependencies = ["attrs>=21"]
"""


def _build(project: Path, out: Path, *kinds: str) -> list[Path]:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--installer", "uv", *kinds, "--outdir", str(out),
         str(project)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return sorted(out.iterdir())


def _audit(index: StaticIndex, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.run(
        [sys.executable, "-m", "metaseal", "audit", "--index", index.index_url, "--no-cache",
         "audited==1.0"],
        capture_output=True, text=True, check=False, cwd=tmp_path, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("published", ["honest", "drifting"])
def test_audit_builds_the_sdist_and_compares_with_the_published_wheels(
    tmp_path: Path, published: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "audited.py").write_text('"""An audited module."""\n', encoding="utf-8")
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    dist = tmp_path / "dists"
    built = _build(project, dist)
    assert [p for p in built if p.name.endswith(".tar.gz")], built
    (wheel,) = [p for p in built if p.suffix == ".whl"]
    if published == "drifting":  # a wheel uploaded from another build, with one more dependency
        with zipfile.ZipFile(wheel) as archive:
            metadata = archive.read("audited-1.0.dist-info/METADATA")
        wheel.unlink()
        metadata = metadata.replace(
            b"Requires-Dist: attrs>=21", b"Requires-Dist: attrs>=21\nRequires-Dist: six"
        )
        make_wheel(dist, "audited", "1.0", metadata)
    with StaticIndex(dist) as index:
        done = _audit(index, tmp_path)
    assert "sdist from the index" in done.stdout, done.stdout + done.stderr
    assert "(built here)" in done.stdout
    if published == "honest":
        assert done.returncode == 0, done.stdout + done.stderr
    else:
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Requires-Dist [static-field]" in done.stdout
        assert "+ six" in done.stdout
