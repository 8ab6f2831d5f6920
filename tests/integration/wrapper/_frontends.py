"""Real frontends driving projects whose build backend is metaseal (issue 3 tests).

A session builds metaseal's own wheel from this checkout once (:func:`metaseal_wheelhouse`) and
points every isolated build environment at it with ``PIP_FIND_LINKS`` / ``UV_FIND_LINKS``, so
``requires = ["metaseal", ...]`` resolves to the code under test while everything else comes
from PyPI.

The projects live in two places: the user-facing ones in ``examples/`` (one per backend, and the
drift demonstrations), the test-only ones in ``projects/`` here. :func:`project_dir` finds a
project by name in either; :func:`copy_project` gives each run its own copy.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from integration._build import run_captured

__all__ = [
    "EXAMPLES",
    "FRONTENDS",
    "PROJECTS",
    "ROOT",
    "SDIST_FRONTENDS",
    "FrontendRun",
    "build_metaseal_wheel",
    "build_sdist",
    "copy_project",
    "frontend_env",
    "project_dir",
    "run_frontend",
    "run_sdist_frontend",
    "unpack_sdist",
]

ROOT = Path(__file__).resolve().parents[3]
#: The examples users read and copy (examples/README.md); the tests build them as they are.
EXAMPLES = ROOT / "examples"
#: Projects that only the tests need (the static matrix half, in-tree test backends).
PROJECTS = Path(__file__).resolve().parent / "projects"
#: A cold isolated build installs a backend (and perhaps cmake/meson/maturin) from PyPI.
TIMEOUT = 900
#: Every frontend the wrapper must work through. ``pip-install-editable`` only applies to
#: backends with ``build_editable``.
FRONTENDS = ("build", "pip-wheel", "pip-install-sdist", "pip-install-editable", "uv-build")


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_captured(command, cwd, env, TIMEOUT)


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:  # pragma: no cover - the integration extra installs uv
        raise RuntimeError("uv is not installed; install metaseal[integration]")
    return found


def build_metaseal_wheel(outdir: Path) -> Path:
    """Build metaseal's wheel from this checkout (the code under test) into ``outdir``."""
    env = frontend_env(None)
    source = outdir / "src-copy"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venvs", "__pycache__", ".*_cache", "dist", ".work"),
    )
    process = _run([_uv(), "build", "--wheel", "--out-dir", str(outdir), str(source)], outdir, env)
    if process.returncode != 0:
        raise RuntimeError(f"building metaseal's own wheel failed:\n{process.stdout}")
    shutil.rmtree(source)
    (wheel,) = outdir.glob("metaseal-*.whl")
    return wheel


def project_dir(name: str) -> Path:
    """``examples/<name>`` or ``projects/<name>``, whichever exists (never both)."""
    found = [where / name for where in (EXAMPLES, PROJECTS) if (where / name).is_dir()]
    if len(found) != 1:
        raise LookupError(f"expected one project called {name!r}, found {found}")
    return found[0]


def copy_project(source: Path, dest: Path) -> Path:
    """A fresh copy of the project at ``source`` (a directory), ready for any frontend.

    Backends that write into the source tree (setuptools, meson-python, maturin) then leave the
    checkout alone, and leftovers of a user's own build there (``dist/``, ``build/``...) are
    not copied.
    """
    shutil.copytree(
        source,
        dest,
        ignore=shutil.ignore_patterns(
            "__pycache__", "build", "dist", "target", "*.egg-info", ".mesonpy-*"
        ),
    )
    if (dest / "meson.build").is_file():
        # meson-python makes sdists with `meson dist`, which only works in a Git (or Mercurial)
        # checkout: "Dist currently only works with Git or Mercurial repos". Real meson-python
        # projects live in one; the copy becomes one too.
        git = ["git", "-c", "user.name=metaseal", "-c", "user.email=metaseal@example.invalid"]
        git += ["-c", "commit.gpgsign=false"]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "copy"]):
            subprocess.run(
                [*git, *args], cwd=dest, check=True, capture_output=True, stdin=subprocess.DEVNULL
            )
    return dest


def frontend_env(wheelhouse: Path | None) -> dict[str, str]:
    """The environment for a frontend: metaseal from ``wheelhouse``, the rest from PyPI."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "PYTHONUTF8": "1"}
    for name in ("PYTHONPATH", "METASEAL_ALLOW_BROKEN_SEAL", "PIP_REQUIRE_VIRTUALENV"):
        env.pop(name, None)
    for name in [n for n in env if n.startswith("METASEAL_")]:
        if name != "METASEAL_VERDICT_CACHE":  # the session's memo (tests/conftest.py)
            env.pop(name)
    if wheelhouse is not None:
        env["PIP_FIND_LINKS"] = str(wheelhouse)
        env["UV_FIND_LINKS"] = str(wheelhouse)
    env["CARGO_NET_OFFLINE"] = "true"  # maturin projects must build without crates.io
    return env


@dataclass(frozen=True)
class FrontendRun:
    """What one frontend did: its exit code, its combined output, and the files it left."""

    frontend: str
    returncode: int
    output: str
    outdir: Path
    #: For ``pip-install-*``: the virtual environment the project was installed into.
    venv: Path | None = None

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.outdir.iterdir() if p.suffix in (".whl", ".gz"))


def _venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(path)
    return path / "bin" / "python"


def run_frontend(
    frontend: str,
    project: Path,
    workdir: Path,
    env: dict[str, str],
    *,
    sdist: Path | None = None,
    config_settings: dict[str, str] | None = None,
) -> FrontendRun:
    """Run ``frontend`` on ``project`` (or on ``sdist`` for ``pip-install-sdist``).

    Built files land in ``workdir/out``; installs go into a fresh venv ``workdir/venv``.
    """
    out = workdir / "out"
    out.mkdir(parents=True, exist_ok=True)
    settings = config_settings or {}
    py = sys.executable
    environment: Path | None = None
    if frontend == "build":
        cs = [f"-C{k}={v}" for k, v in settings.items()]
        command = [py, "-m", "build", "--installer", "uv", *cs, "--outdir", str(out), str(project)]
    elif frontend == "pip-wheel":
        cs = [f"--config-settings={k}={v}" for k, v in settings.items()]
        command = [py, "-m", "pip", "wheel", "--no-deps", *cs, "-w", str(out), str(project)]
    elif frontend in ("pip-install-sdist", "pip-install-editable"):
        environment = workdir / "venv"
        python = _venv(environment)
        cs = [f"--config-settings={k}={v}" for k, v in settings.items()]
        target = ["-e", str(project)] if frontend == "pip-install-editable" else [str(sdist)]
        if frontend == "pip-install-sdist" and sdist is None:
            raise ValueError("pip-install-sdist needs the sdist to install")
        command = [str(python), "-m", "pip", "install", "--no-deps", *cs, *target]
    elif frontend == "uv-build":
        cs = [f"--config-setting={k}={v}" for k, v in settings.items()]
        command = [_uv(), "build", "--python", py, *cs, "--out-dir", str(out), str(project)]
    else:
        raise ValueError(f"unknown frontend {frontend!r}")
    process = _run(command, workdir, env)
    return FrontendRun(
        frontend, process.returncode, f"$ {' '.join(command)}\n{process.stdout}", out, environment
    )


#: Frontends that turn an existing sdist into a wheel (:func:`run_sdist_frontend`): what happens
#: to a released sdist. ``build-from-sdist`` is the second half of ``python -m build`` (which
#: unpacks the sdist it just built and runs ``--wheel`` in it); ``uv-pip-install-sdist`` installs
#: into a fresh ``uv venv``.
SDIST_FRONTENDS = (
    "build-from-sdist",
    "pip-wheel-sdist",
    "pip-install-sdist",
    "uv-build-sdist",
    "uv-pip-install-sdist",
)


def build_sdist(project: Path, outdir: Path, env: dict[str, str]) -> Path:
    """``python -m build --sdist`` of ``project`` into ``outdir``; the one sdist it made."""
    outdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "build", "--installer", "uv", "--sdist"]
    process = _run([*command, "--outdir", str(outdir), str(project)], outdir, env)
    sdists = sorted(outdir.glob("*.tar.gz"))
    if process.returncode != 0 or len(sdists) != 1:
        raise RuntimeError(f"building the sdist of {project} failed:\n{process.stdout}")
    return sdists[0]


def unpack_sdist(sdist: Path, into: Path) -> Path:
    """Unpack ``sdist`` below ``into`` and return its one top-level directory."""
    import tarfile

    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - Python < 3.10.12 / 3.11.4
            archive.extractall(into)  # our own freshly built sdist
    (top,) = into.iterdir()
    return top


def run_sdist_frontend(
    frontend: str,
    sdist: Path,
    workdir: Path,
    env: dict[str, str],
    *,
    config_settings: dict[str, str] | None = None,
) -> FrontendRun:
    """Run one of :data:`SDIST_FRONTENDS` on ``sdist``: wheels land in ``workdir/out``,
    installs go into a fresh venv ``workdir/venv``.
    """
    if frontend in ("pip-install-sdist", "pip-wheel-sdist"):
        # pip takes the archive where it takes a project directory.
        delegate = "pip-wheel" if frontend == "pip-wheel-sdist" else frontend
        run = run_frontend(
            delegate, sdist, workdir, env, sdist=sdist, config_settings=config_settings
        )
        return dataclasses.replace(run, frontend=frontend)
    out = workdir / "out"
    out.mkdir(parents=True, exist_ok=True)
    settings = config_settings or {}
    py = sys.executable
    environment: Path | None = None
    if frontend == "build-from-sdist":
        source = unpack_sdist(sdist, workdir / "unpacked")
        cs = [f"-C{k}={v}" for k, v in settings.items()]
        command = [py, "-m", "build", "--installer", "uv", "--wheel", *cs, "--outdir", str(out)]
        command.append(str(source))
    elif frontend == "uv-build-sdist":
        cs = [f"--config-setting={k}={v}" for k, v in settings.items()]
        command = [_uv(), "build", "--wheel", "--python", py, *cs, "--out-dir", str(out)]
        command.append(str(sdist))
    elif frontend == "uv-pip-install-sdist":
        environment = workdir / "venv"
        venv_made = _run([_uv(), "venv", "--python", py, str(environment)], workdir, env)
        if venv_made.returncode != 0:
            raise RuntimeError(f"uv venv failed:\n{venv_made.stdout}")
        # uv caches the wheel it built from a local archive by path and mtime, so a copy keeps
        # an earlier build of the same sdist (in another environment) from being reused.
        fresh = workdir / sdist.name
        shutil.copyfile(sdist, fresh)
        cs = [f"--config-setting={k}={v}" for k, v in settings.items()]
        python = environment / "bin" / "python"
        command = [_uv(), "pip", "install", "--python", str(python), "--no-deps", *cs, str(fresh)]
    else:
        raise ValueError(f"unknown sdist frontend {frontend!r}")
    process = _run(command, workdir, env)
    return FrontendRun(
        frontend, process.returncode, f"$ {' '.join(command)}\n{process.stdout}", out, environment
    )
