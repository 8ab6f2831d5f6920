"""raises: the inner backend's own errors must reach the frontend unchanged."""

from __future__ import annotations

from typing import Any


class FakeBuildError(Exception):
    pass


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    raise FakeBuildError("the fake sdist build exploded (marker 7f3a)")


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    raise FakeBuildError("the fake wheel build exploded (marker 9c1e)")
