"""drift_prepare: build_wheel ignores metadata_directory and writes other metadata than prepare."""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    return kit.write_prepared(metadata_directory, kit.metadata(requires=("attrs>=20",)))


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, kit.metadata(dynamic=("Requires-Dist",)))


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    return kit.write_wheel(wheel_directory, kit.metadata(requires=("attrs>=21",)))
