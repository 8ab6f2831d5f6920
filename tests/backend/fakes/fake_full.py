"""full_hooks: every PEP 517 / PEP 660 hook, an UnsupportedOperation class, honest metadata.

The editable wheel gains ``Requires-Dist: editables`` (allowed by PEP 660). Setting the
config-setting ``no-sdist`` makes build_sdist raise UnsupportedOperation.
"""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


class UnsupportedOperation(Exception):
    """This fake cannot make an sdist (when asked not to)."""


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    kit.log("get_requires_for_build_sdist", config_settings=config_settings)
    return ["sdist-req"]


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    kit.log("get_requires_for_build_wheel", config_settings=config_settings)
    return ["wheel-req"]


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    kit.log("get_requires_for_build_editable", config_settings=config_settings)
    return ["editable-req"]


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    kit.log("prepare_metadata_for_build_wheel", config_settings=config_settings)
    return kit.write_prepared(metadata_directory, kit.metadata())


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    kit.log("prepare_metadata_for_build_editable", config_settings=config_settings)
    return kit.write_prepared(
        metadata_directory, kit.metadata(requires=(*kit.REQUIRES, "editables"))
    )


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    kit.log("build_sdist", config_settings=config_settings)
    if config_settings and "no-sdist" in config_settings:
        raise UnsupportedOperation("no sdist today")
    return kit.write_sdist(sdist_directory, kit.metadata())


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    kit.log("build_wheel", config_settings=config_settings, metadata_directory=metadata_directory)
    return kit.write_wheel(wheel_directory, kit.metadata())


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    kit.log(
        "build_editable", config_settings=config_settings, metadata_directory=metadata_directory
    )
    return kit.write_wheel(wheel_directory, kit.metadata(requires=(*kit.REQUIRES, "editables")))
