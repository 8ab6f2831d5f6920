"""stale: the sdist's PKG-INFO always says ``Old readme.`` whatever README.md holds, and adds
the Requires-Dist entries of ``$FAKE_EXTRA_REQUIRES`` (comma-separated) when set."""

from __future__ import annotations

import os
from typing import Any

from . import _fakekit as kit


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    kit.log("build_sdist")
    extra = tuple(filter(None, os.environ.get("FAKE_EXTRA_REQUIRES", "").split(",")))
    headers = kit.metadata(requires=(*kit.REQUIRES, *extra))[:-1]
    pkg_info = headers + b"Description-Content-Type: text/markdown\n\nOld readme.\n"
    return kit.write_sdist(sdist_directory, pkg_info)


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    return kit.write_wheel(wheel_directory, kit.metadata())
