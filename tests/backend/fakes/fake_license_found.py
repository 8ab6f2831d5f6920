"""license_found: setuptools' way with license files. The sdist's PKG-INFO lists the license
files it found and marks ``License-File`` Dynamic; the wheel lists one more file, which it finds
only at wheel time (as pbr's generated ``AUTHORS`` is found when a wheel is built from its sdist).
The backend's own prepare hook lists only the sdist's files, so its promise breaks."""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


def _metadata(*files: str) -> bytes:
    head, _, rest = kit.metadata().partition(b"Summary:")
    extra = "".join(f"License-File: {name}\n" for name in files).encode()
    return head + b"License-File: LICENSE\n" + extra + b"Dynamic: license-file\nSummary:" + rest


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, _metadata())


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    kit.log("prepare_metadata_for_build_wheel")
    return kit.write_prepared(metadata_directory, _metadata())


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    return kit.write_wheel(wheel_directory, _metadata("extra/NOTICE.txt"))
