"""mandatory_only: build_sdist and build_wheel, nothing else (no prepare, no editable)."""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    kit.log("build_sdist", config_settings=config_settings)
    return kit.write_sdist(sdist_directory, kit.metadata())


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    kit.log("build_wheel", config_settings=config_settings, metadata_directory=metadata_directory)
    return kit.write_wheel(wheel_directory, kit.metadata())
