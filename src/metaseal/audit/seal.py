"""``metaseal seal SDIST``: seal an existing Metadata 2.1 sdist once its promise is proven.

The sdist is unpacked, its wheel built from it in an isolated environment, and its PKG-INFO
rewritten as Metadata-Version 2.2 with ``Dynamic`` from ``project.dynamic`` (as the wrapper
backend does for the sdists it builds, :mod:`metaseal.backend._reseal`). Only when the wheel
keeps every promise the sealed PKG-INFO makes is the sealed sdist written, under a new
directory: the original file is never changed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.audit.envs import make_env
from metaseal.audit.runner import caller_for, unpack
from metaseal.backend._reseal import seal_if_old
from metaseal.engine import formats
from metaseal.engine.release import check_releases
from metaseal.errors import MetasealError, UsageError
from metaseal.sources.artifacts import read_source
from metaseal.sources.toml import TomlProblem, load_toml

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metaseal.engine.release import Release

__all__ = ["SealResult", "seal_sdist"]


@dataclass(frozen=True)
class SealResult:
    """What happened: already sealed, sealed and written (``written``), or refused."""

    already: bool = False
    message: str = ""
    written: Path | None = None
    releases: tuple[Release, ...] = ()


def seal_sdist(
    sdist: Path, out_dir: Path, python: str, environ: Mapping[str, str], *, strict: bool = False
) -> SealResult:
    """Seal ``sdist`` into ``out_dir`` if a wheel built from it keeps the sealed promise."""
    original = read_source(str(sdist))
    version = original.parsed.metadata_version
    if formats.is_sealed(version):
        return SealResult(already=True, message=f"`{sdist.name}` is already Metadata {version}.")
    if out_dir.resolve() == sdist.parent.resolve():
        raise UsageError(
            f"`--out-dir {out_dir}` is where `{sdist.name}` is: metaseal never replaces the "
            "original; name another directory."
        )
    with tempfile.TemporaryDirectory(prefix="metaseal-seal-") as tmp:
        root = Path(tmp)
        unpacked = unpack(sdist, root / "unpacked")
        try:
            pyproject = load_toml(str(unpacked / "pyproject.toml"))
        except (FileNotFoundError, TomlProblem):
            pyproject = {}
        copy = root / "sealed" / sdist.name
        copy.parent.mkdir()
        shutil.copyfile(sdist, copy)
        message = seal_if_old(pyproject, str(copy), lambda: "its backend")
        if message is None:
            raise MetasealError(
                f"`{sdist.name}` cannot be sealed: it needs Metadata-Version 2.0 or 2.1 (it says "
                f"{version or 'none'}) and a `[project]` table saying what is dynamic."
            )
        env = make_env(python, root / "env", environ)
        caller = caller_for(unpacked, env, environ)
        env.install(caller.get_requires_for_build_wheel(), environ)
        out = root / "wheel"
        out.mkdir()
        wheel = read_source(str(out / caller.build_wheel(str(out))))
        releases = tuple(check_releases([read_source(str(copy)), wheel]))
        if any(f.severity.fails(strict=strict) for r in releases for f in r.findings):
            return SealResult(message=message, releases=releases)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / sdist.name
        shutil.copyfile(copy, target)
        return SealResult(message=message, written=target, releases=releases)
