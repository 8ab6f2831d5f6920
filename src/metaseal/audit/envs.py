"""Isolated build environments for one interpreter each (PEP 517 build isolation).

A virtual environment is made for the interpreter (with uv when it is on ``PATH``, else the
interpreter's own ``venv`` and ``pip``), the build requirements are installed into it, and the
backend's hooks run in it through :mod:`pyproject_hooks`. Nothing touches the user's
environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.errors import MetasealError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["BuildEnv", "make_env"]

#: Seconds one environment step (creating it, installing requirements) may take.
TIMEOUT = 900


@dataclass(frozen=True)
class BuildEnv:
    """A virtual environment for one interpreter; ``python`` runs inside it."""

    root: Path
    python: str
    version: str  # "3.12"
    uv: str | None

    def install(self, requirements: Sequence[str], environ: Mapping[str, str]) -> None:
        if not requirements:
            return
        if self.uv is not None:
            command = [self.uv, "pip", "install", "--quiet", "--python", self.python]
        else:
            command = [self.python, "-m", "pip", "install", "--quiet"]
        _run([*command, *requirements], environ, f"installing {', '.join(requirements)}")


def _run(command: list[str], environ: Mapping[str, str], what: str) -> str:
    try:
        done = subprocess.run(
            command,
            env={**os.environ, **environ},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MetasealError(f"{what} took more than {TIMEOUT} s; check the network.") from None
    except OSError as exc:
        raise MetasealError(f"{what} failed: cannot run `{command[0]}` ({exc.strerror}).") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise MetasealError(f"{what} failed (exit code {done.returncode}):\n{tail}")
    return done.stdout


def make_env(python: str, where: Path, environ: Mapping[str, str]) -> BuildEnv:
    """A fresh virtual environment for ``python`` in ``where``."""
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    version = _run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        environ,
        f"asking `{python}` for its version",
    ).strip()
    if uv is not None:
        _run([uv, "venv", "--quiet", "--python", python, str(where)], environ, "creating a venv")
    else:
        _run([python, "-m", "venv", str(where)], environ, f"creating a venv with `{python}`")
    bindir = where / ("Scripts" if os.name == "nt" else "bin")
    return BuildEnv(where, str(bindir / "python"), version, uv)
