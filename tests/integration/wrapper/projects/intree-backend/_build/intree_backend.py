"""An in-tree inner backend (loaded through ``tool.metaseal.backend-path``) delegating to hatchling.

Each hook says on stderr that it ran, so the test can tell this module (and not hatchling
directly) built the files. hatchling has no ``prepare_metadata_for_build_wheel``; metaseal
answers that hook itself.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

_hatchling = importlib.import_module("hatchling.build")


def _say(hook: str) -> None:
    print(f"intree_backend: {hook}", file=sys.stderr)


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    return list(_hatchling.get_requires_for_build_sdist(config_settings))


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return list(_hatchling.get_requires_for_build_wheel(config_settings))


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    _say("build_sdist")
    return str(_hatchling.build_sdist(sdist_directory, config_settings))


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    _say("build_wheel")
    return str(_hatchling.build_wheel(wheel_directory, config_settings, metadata_directory))
