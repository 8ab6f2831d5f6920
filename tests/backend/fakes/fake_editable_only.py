"""editable_only: build_editable but no prepare hooks, exposed as a ``module:object`` backend."""

from __future__ import annotations

from typing import Any

from . import _fakekit as kit


class _Backend:
    def build_sdist(
        self, sdist_directory: str, config_settings: dict[str, Any] | None = None
    ) -> str:
        return kit.write_sdist(sdist_directory, kit.metadata())

    def build_wheel(
        self,
        wheel_directory: str,
        config_settings: dict[str, Any] | None = None,
        metadata_directory: str | None = None,
    ) -> str:
        kit.log("build_wheel", metadata_directory=metadata_directory)
        return kit.write_wheel(wheel_directory, kit.metadata())

    def build_editable(
        self,
        wheel_directory: str,
        config_settings: dict[str, Any] | None = None,
        metadata_directory: str | None = None,
    ) -> str:
        kit.log("build_editable", metadata_directory=metadata_directory)
        return kit.write_wheel(wheel_directory, kit.metadata(requires=(*kit.REQUIRES, "editables")))


backend = _Backend()
