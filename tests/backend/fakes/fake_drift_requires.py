"""drift_requires: the wheel adds a Requires-Dist that the sdist's PKG-INFO does not have."""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, kit.metadata())


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    drifted = kit.metadata(requires=(*kit.REQUIRES, "surprise>=2"))
    return kit.write_wheel(wheel_directory, drifted)
