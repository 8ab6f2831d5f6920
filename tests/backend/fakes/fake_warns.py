"""warns: a UserWarning from the inner backend reaches the frontend; the wheel is honest."""

from __future__ import annotations

import warnings
from typing import Any

from . import _fakekit as kit


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    return kit.write_sdist(sdist_directory, kit.metadata())


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    warnings.warn("the fake backend is careful (marker 41b2)", UserWarning, stacklevel=1)
    return kit.write_wheel(wheel_directory, kit.metadata())
