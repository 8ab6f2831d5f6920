"""Run the builds of an audit and check every pair under the rule that binds it.

Steps, each in an isolated environment (:mod:`metaseal.audit.envs`): the sdist from the tree;
then, per interpreter, the metadata ``prepare_metadata_for_build_wheel`` returns and the wheel,
from the tree and from the unpacked sdist. Checked: the sdist against every wheel built from it
(PEP 643/808) and against ``[project]``, each wheel against the metadata prepared for it (PEP
517), the wheels from the tree against ``[project]``, and the wheels built by different
interpreters against each other (with a verified marker proposal when they differ).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.tags import Tag

from metaseal.audit.envs import TIMEOUT, BuildEnv, make_env
from metaseal.engine.compare import compare_identical
from metaseal.engine.project import compare_pyproject
from metaseal.engine.release import check_releases
from metaseal.errors import MetasealError
from metaseal.sources.artifacts import read_source
from metaseal.sources.pyproject import static_project
from metaseal.sources.toml import TomlProblem, load_toml

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.findings import Finding
    from metaseal.engine.project import StaticProject
    from metaseal.engine.release import Release

__all__ = ["Audit", "Step", "as_built_by", "audit_project", "caller_for", "unpack"]

#: What a project without ``[build-system]`` builds with (PEP 517's legacy fallback).
_LEGACY_REQUIRES = ["setuptools>=40.8.0"]
_LEGACY_BACKEND = "setuptools.build_meta:__legacy__"


@dataclass(frozen=True)
class Step:
    """One build step: what was built, by which interpreter, how long it took, and its result."""

    name: str
    python: str
    seconds: float
    produced: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Audit:
    """Every step, the release the sdist and its wheels make, and the other pairs' findings."""

    steps: tuple[Step, ...]
    releases: tuple[Release, ...]
    findings: tuple[Finding, ...]

    @property
    def failed_steps(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.error is not None)


class _Steps:
    def __init__(self) -> None:
        self.done: list[Step] = []

    def run(self, name: str, python: str, action: Callable[[], Any]) -> Any:
        start = time.monotonic()
        try:
            result = action()
        except Exception as exc:
            message = str(exc).strip() or type(exc).__name__
            self.done.append(Step(name, python, time.monotonic() - start, error=message))
            return None
        produced = result if isinstance(result, str) else None
        self.done.append(Step(name, python, time.monotonic() - start, produced=produced))
        return result


def _runner(environ: Mapping[str, str]) -> Callable[..., None]:
    def run(cmd: Sequence[str], cwd: str | None = None, extra_environ: Any = None) -> None:
        env = {**os.environ, **environ, **(extra_environ or {})}
        done = subprocess.run(
            list(cmd),
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-20:])
            raise MetasealError(f"the build backend failed (exit code {done.returncode}):\n{tail}")

    return run


def caller_for(source: Path, env: BuildEnv, environ: Mapping[str, str]) -> Any:
    from pyproject_hooks import BuildBackendHookCaller

    try:
        data = load_toml(str(source / "pyproject.toml"))
    except FileNotFoundError:
        data = {}
    except TomlProblem as exc:
        raise MetasealError(f"`{source / 'pyproject.toml'}` {exc}.") from None
    table = data.get("build-system")
    if not isinstance(table, dict):
        table = {"requires": _LEGACY_REQUIRES}
    env.install([str(r) for r in table.get("requires", [])], environ)
    return BuildBackendHookCaller(
        str(source),
        str(table.get("build-backend", _LEGACY_BACKEND)),
        backend_path=table.get("backend-path"),
        runner=_runner(environ),
        python_executable=env.python,
    )


def unpack(sdist: Path, into: Path) -> Path:
    with tarfile.open(sdist) as archive:
        members = archive.getmembers()
        for member in members:
            if member.name.startswith(("/", "..")) or ".." in member.name.split("/"):
                raise MetasealError(f"`{sdist.name}` has a member outside its top directory.")
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - Python before 3.8.17 / 3.9.17
            archive.extractall(into)
    (top,) = {member.name.split("/")[0] for member in members}
    return into / top


def as_built_by(wheel: Artifact, version: str) -> Artifact:
    """The wheel as what CPython ``version`` installs: pure and generic tags narrowed to it."""
    cp = "cp" + version.replace(".", "")
    tags = frozenset(
        Tag(tag.interpreter if tag.interpreter.startswith("cp") else cp, tag.abi, tag.platform)
        for tag in wheel.tags
    )
    return dataclasses.replace(wheel, tags=tags, label=f"{wheel.label} [Python {version}]")


def audit_project(
    path: Path, pythons: Sequence[str], environ: Mapping[str, str], work: Path | None = None
) -> Audit:
    """Build ``path`` every way and check every pair; build failures are failed steps."""
    project = _project(path)
    steps = _Steps()
    with tempfile.TemporaryDirectory(prefix="metaseal-audit-") as tmp:
        root = Path(work or tmp)
        sdist_wheels: list[Artifact] = []
        pairs: list[tuple[Artifact, Artifact]] = []
        tree_wheels: list[Artifact] = []
        sdist: Artifact | None = None
        unpacked: Path | None = None
        for index, python in enumerate(pythons):
            env = make_env(python, root / f"env-{index}", environ)
            tree = caller_for(path, env, environ)
            if index == 0:
                out = root / "sdist"
                out.mkdir()

                def build_sdist(tree: Any = tree, out: Path = out, env: BuildEnv = env) -> str:
                    env.install(tree.get_requires_for_build_sdist(), environ)
                    return str(tree.build_sdist(str(out)))

                name = steps.run("sdist from the tree", env.version, build_sdist)
                if name is not None:
                    sdist = read_source(str(out / name))
                    unpacked = unpack(out / name, root / "unpacked")
            env.install(tree.get_requires_for_build_wheel(), environ)
            sources = [("the tree", tree, tree_wheels)]
            if unpacked is not None:
                sources.append(("the sdist", caller_for(unpacked, env, environ), sdist_wheels))
            for where, caller, built in sources:
                base = root / f"{where.split()[-1]}-{index}"
                base.mkdir()
                prepared = _prepare(steps, f"prepare from {where}", env, caller, base / "meta")
                wheel = _wheel(steps, f"wheel from {where}", env, caller, base / "wheel")
                if wheel is not None:
                    built.append(as_built_by(wheel, env.version))
                    if prepared is not None:
                        pairs.append((prepared, wheel))
    findings: list[Finding] = []
    for prepared, wheel in pairs:
        findings += compare_identical(prepared, wheel)
    if project is not None:
        for wheel in tree_wheels:
            findings += compare_pyproject(project, wheel)
    release_files = ([sdist] if sdist is not None else []) + sdist_wheels
    releases = check_releases(release_files, [project] if project is not None else [])
    return Audit(tuple(steps.done), tuple(releases), tuple(findings))


def _prepare(steps: _Steps, name: str, env: BuildEnv, caller: Any, out: Path) -> Artifact | None:
    out.mkdir()

    def prepare() -> str | None:
        answer = caller.prepare_metadata_for_build_wheel(str(out), _allow_fallback=False)
        return None if answer is None else str(answer)

    answer = steps.run(name, env.version, prepare)
    return read_source(str(out / answer)) if answer else None


def _wheel(steps: _Steps, name: str, env: BuildEnv, caller: Any, out: Path) -> Artifact | None:
    out.mkdir()
    answer = steps.run(name, env.version, lambda: str(caller.build_wheel(str(out))))
    return read_source(str(out / answer)) if answer else None


def _project(path: Path) -> StaticProject | None:
    pyproject = path / "pyproject.toml"
    try:
        data = load_toml(str(pyproject))
    except FileNotFoundError:
        return None
    except TomlProblem as exc:
        raise MetasealError(f"`{pyproject}` {exc}.") from None
    if not isinstance(data.get("project"), dict):
        return None
    return static_project(data, pyproject)
