"""Shared machinery of the fake inner backends (copied into each test project next to them).

Every fake builds the same tiny project, ``demo-pkg 1.0``, and differs only in which hooks it
has and what it writes. Each hook call is appended as one JSON line to ``$FAKE_BACKEND_LOG``.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

NAME = "demo-pkg"
VERSION = "1.0"
DIST = "demo_pkg-1.0"
WHEEL_NAME = f"{DIST}-py3-none-any.whl"
SDIST_NAME = f"{DIST}.tar.gz"
REQUIRES = ("attrs>=20",)


def log(hook: str, **data: Any) -> None:
    """Record one hook call for the test to inspect."""
    path = os.environ.get("FAKE_BACKEND_LOG")
    if path:
        with Path(path).open("a", encoding="utf-8") as file:
            file.write(json.dumps({"hook": hook, **data}) + "\n")


def metadata(
    *,
    requires: tuple[str, ...] = REQUIRES,
    dynamic: tuple[str, ...] = (),
    version: str = "2.4",
    summary: str = "A demo.",
) -> bytes:
    lines = [f"Metadata-Version: {version}", f"Name: {NAME}", f"Version: {VERSION}"]
    lines += [f"Dynamic: {field}" for field in dynamic]
    lines.append(f"Summary: {summary}")
    lines += [f"Requires-Dist: {req}" for req in requires]
    return ("\n".join(lines) + "\n\n").encode()


def write_wheel(directory: str, meta: bytes, extra: dict[str, bytes] | None = None) -> str:
    """A minimal valid wheel holding ``meta`` as METADATA (and ``extra`` files in .dist-info)."""
    info = f"{DIST}.dist-info"
    files = {
        "demo_pkg/__init__.py": b"",
        f"{info}/METADATA": meta,
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: fake\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    files.update({f"{info}/{name}": data for name, data in (extra or {}).items()})
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(Path(directory, WHEEL_NAME), "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", record)
    return WHEEL_NAME


def write_sdist(directory: str, pkg_info: bytes) -> str:
    """An sdist of the working directory (hidden entries skipped) plus ``pkg_info``."""
    with tarfile.open(Path(directory, SDIST_NAME), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(Path().iterdir()):
            if path.name.startswith((".", "__pycache__", "PKG-INFO")) or path.name in OUTPUTS:
                continue
            tar.add(str(path), arcname=f"{DIST}/{path.name}", filter=_no_cache)
        entry = tarfile.TarInfo(f"{DIST}/PKG-INFO")
        entry.size = len(pkg_info)
        tar.addfile(entry, io.BytesIO(pkg_info))
    return SDIST_NAME


def _no_cache(entry: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if "__pycache__" in entry.name.split("/") else entry


def write_prepared(
    metadata_directory: str, meta: bytes, extra: dict[str, bytes] | None = None
) -> str:
    info = Path(metadata_directory, f"{DIST}.dist-info")
    info.mkdir()
    (info / "METADATA").write_bytes(meta)
    for name, data in (extra or {}).items():
        (info / name).write_bytes(data)
    return info.name


def rewrite_metadata(wheel: Path, meta: bytes) -> None:
    """Replace METADATA inside a built wheel (what a post-build hook might do)."""
    with zipfile.ZipFile(wheel) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[f"{DIST}.dist-info/METADATA"] = meta
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


#: Directories tests build into; never packed into an sdist.
OUTPUTS = frozenset({"dist", "out", "meta"})
