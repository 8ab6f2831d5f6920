"""Fixtures for scan tests: a universe of projects on a static index on 127.0.0.1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from factories import make_sdist, make_wheel, metadata_bytes
from index.conftest import MakeIndex, dists, static_index
from scan.scan_support import Scan

__all__ = ["Universe", "build_universe", "dists", "scan_setup", "static_index", "universe"]


@dataclass(frozen=True)
class Universe:
    """A flat directory of dists for ``metaseal scan`` tests, and what each project is."""

    root: Path
    consistent: tuple[str, ...]  # sdist and wheels agree, wheels alike
    drift: tuple[str, ...]  # the newest wheel breaks the sdist's promise (an error)
    expressible: tuple[str, ...]  # wheels vary; a verified marker proposal expresses it
    no_op: tuple[str, ...]  # wheels differ by a requirement whose own marker excludes them
    inexpressible: tuple[str, ...]  # wheels vary in a way no marker can tell apart
    missing: tuple[str, ...]  # not on the index (404)
    broken: tuple[str, ...]  # on disk; tests make their pages fail (500)

    @property
    def varying(self) -> tuple[str, ...]:
        return self.expressible + self.no_op + self.inexpressible

    @property
    def names(self) -> tuple[str, ...]:
        return self.consistent + self.drift + self.varying + self.broken + self.missing


WIN = "cp312-cp312-win_amd64"
LINUX = "cp312-cp312-manylinux_2_17_x86_64"
MUSL = "cp312-cp312-musllinux_1_1_x86_64"


def _meta(name: str, version: str, *extra: tuple[str, str], summary: str = "A project") -> bytes:
    fields = [
        ("Metadata-Version", "2.2"),
        ("Name", name),
        ("Version", version),
        ("Summary", summary),
    ]
    return metadata_bytes([*fields, *extra])


def build_universe(root: Path) -> Universe:
    """~30 projects: consistent, drifting, varying (expressible, no-op, not), broken."""
    consistent = tuple(f"ok-{i:02d}" for i in range(16))
    for name in consistent:
        make_sdist(root, name, "1.0", _meta(name, "1.0", ("Requires-Dist", "attrs>=22")))
        make_wheel(root, name, "1.0", _meta(name, "1.0", ("Requires-Dist", "attrs>=22")))
    make_sdist(root, "ok-00", "0.9", _meta("ok-00", "0.9"))
    make_wheel(root, "ok-00", "0.9", _meta("ok-00", "0.9"))
    drift = ("drift-deps", "drift-summary", "drift-old")
    make_sdist(root, "drift-deps", "1.0", _meta("drift-deps", "1.0"))
    make_wheel(root, "drift-deps", "1.0", _meta("drift-deps", "1.0", ("Requires-Dist", "rich")))
    make_sdist(root, "drift-summary", "2.0", _meta("drift-summary", "2.0"))
    make_wheel(root, "drift-summary", "2.0", _meta("drift-summary", "2.0", summary="Changed"))
    for version in ("0.9", "1.0"):  # only the newest drifts
        make_sdist(root, "drift-old", version, _meta("drift-old", version))
        extra = (("Requires-Dist", "six"),) if version == "1.0" else ()
        make_wheel(root, "drift-old", version, _meta("drift-old", version, *extra))
    expressible = ("vary-win", "vary-win-dynamic")
    pywin = ("Requires-Dist", "pywin32>=300")
    for name in expressible:
        make_wheel(root, name, "1.0", _meta(name, "1.0", pywin), tag=WIN)
        make_wheel(root, name, "1.0", _meta(name, "1.0"), tag=LINUX)
    dynamic = ("Dynamic", "Requires-Dist")
    make_sdist(root, "vary-win-dynamic", "1.0", _meta("vary-win-dynamic", "1.0", dynamic))
    no_op = ("vary-noop",)
    colorama = ("Requires-Dist", 'colorama; sys_platform == "win32"')
    make_wheel(root, "vary-noop", "1.0", _meta("vary-noop", "1.0", colorama), tag=WIN)
    make_wheel(root, "vary-noop", "1.0", _meta("vary-noop", "1.0"), tag=LINUX)
    inexpressible = ("vary-libc", "vary-summary")
    glibc = ("Requires-Dist", "glibc-helper")
    make_wheel(root, "vary-libc", "1.0", _meta("vary-libc", "1.0", glibc), tag=LINUX)
    make_wheel(root, "vary-libc", "1.0", _meta("vary-libc", "1.0"), tag=MUSL)
    make_wheel(root, "vary-summary", "1.0", _meta("vary-summary", "1.0", summary="Win"), tag=WIN)
    make_wheel(root, "vary-summary", "1.0", _meta("vary-summary", "1.0"), tag=LINUX)
    broken = ("broken-page",)
    make_wheel(root, "broken-page", "1.0", _meta("broken-page", "1.0"))
    missing = ("missing-one", "missing-two")
    return Universe(root, consistent, drift, expressible, no_op, inexpressible, missing, broken)


@pytest.fixture(scope="session")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Universe:
    return build_universe(tmp_path_factory.mktemp("universe"))


@pytest.fixture
def scan_setup(tmp_path: Path, universe: Universe, static_index: MakeIndex) -> Scan:
    """The universe on a fresh :class:`StaticIndex` whose ``broken-page`` page fails (500)."""
    server = static_index(universe.root)
    server.fault("/simple/broken-page/", "500")
    return Scan(server, universe, tmp_path, tmp_path / "scan.sqlite3")
