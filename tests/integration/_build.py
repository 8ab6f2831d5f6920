"""Build the bundled projects under ``projects/`` with a real frontend and real backends."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BACKENDS", "PROJECTS", "BuiltProject", "build_project", "run_captured"]

#: One consistent project per backend, each pinning its backend in ``[build-system]``.
PROJECTS = Path(__file__).parent / "projects"
BACKENDS = ("setuptools", "hatchling", "flit-core", "pdm-backend", "poetry-core")

#: Generous: a cold build installs the backend from PyPI into two isolated environments.
BUILD_TIMEOUT = 600


@dataclass(frozen=True)
class BuiltProject:
    """The sdist and the wheel ``python -m build`` made (the wheel is built from the sdist)."""

    backend: str
    dist: Path
    sdist: Path
    wheel: Path


def _installer() -> list[str]:
    # build's uv installer is much faster than pip and is still an isolated build from PyPI.
    return ["--installer", "uv"] if importlib.util.find_spec("uv") is not None else []


def run_captured(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run a frontend with no stdin, stdout and stderr together as text, never raising."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )


def build_project(backend: str, workdir: Path) -> BuiltProject:
    """Copy ``projects/<backend>`` into ``workdir`` and build it there into ``workdir/dist``."""
    source = workdir / backend
    shutil.copytree(
        PROJECTS / backend,
        source,
        ignore=shutil.ignore_patterns("__pycache__", "dist", "build", "*.egg-info"),
    )
    dist = workdir / "dist"
    command = [sys.executable, "-m", "build", *_installer(), "--outdir", str(dist), str(source)]
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "PYTHONUTF8": "1"}
    env.pop("PYTHONPATH", None)
    process = run_captured(command, workdir, env, BUILD_TIMEOUT)
    if process.returncode != 0:
        raise RuntimeError(
            f"building projects/{backend} failed (exit {process.returncode}):\n"
            f"$ {' '.join(command)}\n{process.stdout}"
        )
    sdists = sorted(dist.glob("*.tar.gz"))
    wheels = sorted(dist.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        raise RuntimeError(f"expected one sdist and one wheel in {dist}, found {sdists + wheels}")
    return BuiltProject(backend=backend, dist=dist, sdist=sdists[0], wheel=wheels[0])
