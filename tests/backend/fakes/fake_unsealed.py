"""unsealed: writes Metadata-Version 2.1, so its sdists cannot be sealed (a warning)."""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, kit.metadata(version="2.1"))


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    return kit.write_wheel(wheel_directory, kit.metadata(version="2.1"))
