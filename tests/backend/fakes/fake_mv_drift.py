"""mv_drift: the wheel says another Metadata-Version than the sdist (a warning, not an error)."""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, kit.metadata(version="2.4"))


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    return kit.write_wheel(wheel_directory, kit.metadata(version="2.3"))
