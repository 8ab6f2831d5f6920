"""flit_core, plus a post-processing step that rewrites the METADATA of the finished wheel.

The step appends " (post-processed)" to the Summary and writes the config-settings this backend
received to ``<package>/_config_settings.json`` (RECORD is updated to match), so the wheel is
still a valid wheel, just not the one the sdist promised.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
from typing import Any

from flit_core import buildapi as _flit
from flit_core.buildapi import (  # the hooks this backend does not change
    build_editable,
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    name: str = _flit.build_wheel(wheel_directory, config_settings, metadata_directory)
    _post_process(os.path.join(wheel_directory, name), config_settings)
    return name


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _post_process(wheel: str, config_settings: dict[str, Any] | None) -> None:
    with zipfile.ZipFile(wheel) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    (dist_info,) = {n.split("/")[0] for n in members if n.split("/")[0].endswith(".dist-info")}
    package = dist_info.split("-")[0]
    metadata = members[f"{dist_info}/METADATA"].decode("utf-8")
    lines = [
        f"{line} (post-processed)" if line.startswith("Summary: ") else line
        for line in metadata.split("\n")
    ]
    members[f"{dist_info}/METADATA"] = "\n".join(lines).encode("utf-8")
    members[f"{package}/_config_settings.json"] = json.dumps(config_settings).encode("utf-8")
    record = f"{dist_info}/RECORD"
    members.pop(record)
    rows = [_record_line(name, data) for name, data in members.items()]
    members[record] = "".join(f"{row}\n" for row in [*rows, f"{record},,"]).encode("utf-8")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
