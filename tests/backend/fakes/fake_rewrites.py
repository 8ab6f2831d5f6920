"""rewrites_after_build: a correct wheel whose METADATA is rewritten after the build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import _fakekit as kit


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, kit.metadata())


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    name = kit.write_wheel(wheel_directory, kit.metadata())
    kit.rewrite_metadata(Path(wheel_directory, name), kit.metadata(summary="Rewritten later."))
    return name
