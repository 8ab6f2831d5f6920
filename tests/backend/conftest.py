"""Fake projects driven through the real frontend protocol: pyproject-hooks, a subprocess a hook.

``make_project("fake_full")`` copies the ``fakes`` package into a fresh project whose
``build-backend`` is metaseal and whose ``[tool.metaseal]`` names ``fakes.fake_full`` as the
inner backend, found through ``backend-path = ["."]``. The hook subprocess imports metaseal
from wherever this process does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest
from pyproject_hooks import BuildBackendHookCaller

import metaseal

SRC = Path(metaseal.__file__).resolve().parent.parent
FAKES = Path(__file__).resolve().parent / "fakes"

PROJECT_TABLE = """\
[project]
name = "demo-pkg"
version = "1.0"
description = "A demo."
dependencies = ["attrs>=20"]
"""


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without METASEAL_* variables (but the session's verdict
    memo, see tests/conftest.py), metaseal importable."""
    keep = ("METASEAL_VERDICT_CACHE",)
    env = {k: v for k, v in os.environ.items() if not k.startswith("METASEAL_") or k in keep}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


class HookFailed(subprocess.CalledProcessError):
    """A failed hook subprocess; ``str()`` ends with its stderr, so failures explain themselves."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n--- hook stderr ---\n{self.stderr}"


@dataclass
class Runner:
    """A pyproject-hooks subprocess runner that keeps the hook's output for assertions."""

    env: dict[str, str]
    stdout: str = ""
    stderr: str = ""

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        proc = subprocess.run(
            list(cmd),
            cwd=cwd,
            env={**self.env, **(extra_environ or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        self.stdout, self.stderr = proc.stdout, proc.stderr
        if proc.returncode:
            raise HookFailed(proc.returncode, cmd, proc.stdout, proc.stderr)


@dataclass
class Project:
    root: Path
    env: dict[str, str] = field(default_factory=dict)
    runner: Runner = field(init=False)

    def __post_init__(self) -> None:
        self.runner = Runner(clean_env(FAKE_BACKEND_LOG=str(self.log), **self.env))

    @property
    def log(self) -> Path:
        return self.root.parent / f"{self.root.name}.log"

    def hooks(self, backend: str = "metaseal") -> BuildBackendHookCaller:
        return BuildBackendHookCaller(
            str(self.root), backend, runner=self.runner, python_executable=sys.executable
        )

    def calls(self, hook: str | None = None) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        found = [json.loads(line) for line in lines]
        return [c for c in found if hook is None or c["hook"] == hook]

    def out(self, name: str = "out") -> Path:
        path = self.root.parent / f"{self.root.name}-{name}"
        path.mkdir(exist_ok=True)
        return path

    def build_sdist(self) -> Path:
        name = self.hooks().build_sdist(str(self.out("dist")))
        return self.out("dist") / name

    def unpacked(self, env: Mapping[str, str] | None = None) -> Project:
        """Build an sdist and return a project for its unpacked tree (sdist -> wheel builds)."""
        sdist = self.build_sdist()
        target = self.root.parent / f"{self.root.name}-unpacked"
        with tarfile.open(sdist) as tar:
            top = tar.getnames()[0].split("/")[0]
            tar.extractall(target, filter="data")
        return Project(target / top, dict(env or self.env))


MakeProject = Callable[..., Project]


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    counter = iter(range(1000))

    def make(
        fake: str,
        *,
        tool: str = "",
        project: str = PROJECT_TABLE,
        env: Mapping[str, str] | None = None,
    ) -> Project:
        root = tmp_path / f"{fake}-{next(counter)}"
        root.mkdir()
        shutil.copytree(FAKES, root / "fakes", ignore=shutil.ignore_patterns("__pycache__"))
        (root / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["metaseal"]\nbuild-backend = "metaseal"\n\n'
            f'{project}\n[tool.metaseal]\nbackend = "fakes.{fake}"\nbackend-path = ["."]\n'
            f"{tool}",
            encoding="utf-8",
        )
        return Project(root, dict(env or {}))

    return make
