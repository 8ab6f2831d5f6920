"""hostile: an inner backend whose answers are wrong in the way ``$FAKE_ANSWER`` names.

``$FAKE_VERSION`` sets the version it builds (default ``1.0``). ``sleep`` writes the wheel, then
touches ``$FAKE_READY`` and sleeps ``$FAKE_SLEEP`` seconds (for signal tests).
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path
from typing import Any

from . import _fakekit as kit


def _wheel(directory: str, filename: str, version: str) -> str:
    info = f"demo_pkg-{version}.dist-info"
    meta = kit.metadata().replace(b"Version: 1.0\n", f"Version: {version}\n".encode())
    with zipfile.ZipFile(Path(directory, filename), "w") as archive:
        archive.writestr("demo_pkg/__init__.py", b"")
        archive.writestr(f"{info}/METADATA", meta)
        archive.writestr(f"{info}/WHEEL", b"Wheel-Version: 1.0\nTag: py3-none-any\n")
        archive.writestr(f"{info}/RECORD", b"")
    return filename


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> Any:
    answer = os.environ.get("FAKE_ANSWER", "")
    version = os.environ.get("FAKE_VERSION", "1.0")
    name = f"demo_pkg-{version}-py3-none-any.whl"
    here = Path(wheel_directory)
    if answer == "absolute":
        return str(here / _wheel(wheel_directory, name, version))
    if answer == "subdir":
        (here / "sub").mkdir()
        return "sub/" + _wheel(str(here / "sub"), name, version)
    if answer == "dotdot":
        return "../" + name
    if answer == "drive":  # on Windows, joining "C:x" to the staging directory drops it
        return "C:" + _wheel(wheel_directory, name, version)
    if answer == "dot":
        return "."
    if answer == "none":
        return None
    if answer == "missing":
        return name
    if answer == "suffix":
        return _wheel(wheel_directory, name[:-4] + ".zip", version)
    if answer == "symlink":
        (here / "real").mkdir()
        _wheel(str(here / "real"), name, version)
        (here / name).symlink_to(here / "real" / name)
        return name
    if answer == "directory":
        (here / name).mkdir()
        return name
    if answer == "garbage":
        (here / name).write_bytes(b"this is not a zip file\n")
        return name
    if answer == "renamed":
        return _wheel(wheel_directory, "other_pkg-1.0-py3-none-any.whl", version)
    if answer == "version":
        return _wheel(wheel_directory, "demo_pkg-2.0-py3-none-any.whl", version)
    if answer == "bad-filename":
        return _wheel(wheel_directory, "demo_pkg.whl", version)
    written = _wheel(wheel_directory, name, version)
    if answer == "sleep":
        Path(os.environ["FAKE_READY"]).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(float(os.environ.get("FAKE_SLEEP", "30")))
    return written


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    answer = os.environ.get("FAKE_ANSWER", "")
    written = kit.write_sdist(sdist_directory, kit.metadata())
    if answer == "zip-sdist":
        Path(sdist_directory, written).rename(Path(sdist_directory, "demo_pkg-1.0.zip"))
        return "demo_pkg-1.0.zip"
    if answer == "renamed-sdist":
        Path(sdist_directory, written).rename(Path(sdist_directory, "demo_pkg-2.0.tar.gz"))
        return "demo_pkg-2.0.tar.gz"
    return written
