"""Archive readers: wheels (from a path or a seekable file), sdists, sidecars, dist-info dirs.

Nothing is extracted: only the one metadata member is read, after its declared size passed the
limit, and the sdist's whole member list is checked for the one-top-directory layout.
"""

from __future__ import annotations

import stat
import zipfile
from typing import TYPE_CHECKING, Protocol

from packaging.utils import InvalidSdistFilename, parse_sdist_filename

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.formats import MAX_METADATA_BYTES, one_dist_info
from metaseal.errors import ArtifactError
from metaseal.sources._common import (
    ARCHIVE_ERRORS,
    checked,
    optional_file,
    parse_sdist_name,
    parse_wheel_name,
    read_file,
    wheel_tags,
)
from metaseal.sources._faults import corrupt, exactly_one, too_big
from metaseal.sources.sdist_layout import Layout, tar_pkg_info

if TYPE_CHECKING:
    from pathlib import Path

    from packaging.tags import Tag
    from packaging.utils import NormalizedName
    from packaging.version import Version

_SIDECAR = ".metadata"


def read_wheel_file(spec: str, path: Path) -> Artifact:
    return read_wheel(spec, path.name, path)


class SeekableReader(Protocol):
    """What :func:`read_wheel` reads from besides a path: a seekable binary file object."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


def read_wheel(spec: str, filename: str, file: Path | SeekableReader) -> Artifact:
    """Read the wheel named ``filename`` from a path or a seekable binary file object.

    ``spec`` is what messages and :attr:`Artifact.source` name (a path, or a URL for a wheel
    read over HTTP). Every check of a local read applies; nothing is extracted.
    """
    parse_wheel_name(spec, filename)  # a bad filename fails before anything is read
    try:
        with zipfile.ZipFile(file) as archive:
            dist_info = one_dist_info((i.filename for i in archive.infolist()), spec)
            member = f"{dist_info}/METADATA"
            data = checked(spec, f"`{member}`", _zip_member(spec, archive, member, "wheel"))
    except ARCHIVE_ERRORS as exc:
        raise corrupt(spec, "a wheel (zip archive)", exc) from exc
    return _wheel_artifact(spec, filename, data, dist_info=dist_info)


def read_dist_info_member(spec: str, path: Path, name: str) -> bytes | None:
    """The bytes of ``<dist-info>/name`` in the wheel at ``path`` (``None`` when absent), read
    under the same size limit as METADATA."""
    try:
        with zipfile.ZipFile(path) as archive:
            dist_info = one_dist_info((i.filename for i in archive.infolist()), spec)
            member = f"{dist_info}/{name}"
            if not any(i.filename.rstrip("/") == member for i in archive.infolist()):
                return None
            return _zip_member(spec, archive, member, "wheel")
    except ARCHIVE_ERRORS as exc:
        raise corrupt(spec, "a wheel (zip archive)", exc) from exc


def wheel_from_metadata(spec: str, filename: str, metadata: bytes) -> Artifact:
    """The wheel named ``filename`` known only by its METADATA (a PEP 658 sidecar from an index).

    The metadata gets every check a wheel's ``METADATA`` member gets. ``dist_info`` is unknown
    (``None``): the archive was not opened.
    """
    return _wheel_artifact(spec, filename, checked(spec, f"`{filename}.metadata`", metadata))


def _wheel_artifact(
    spec: str, filename: str, data: bytes, *, dist_info: str | None = None
) -> Artifact:
    name, version, tags = parse_wheel_name(spec, filename)
    return Artifact(
        spec,
        filename,
        Kind.WHEEL,
        Role.WHEEL,
        data,
        filename_name=name,
        filename_version=version,
        tags=tags,
        dist_info=dist_info,
    )


def _zip_member(spec: str, archive: zipfile.ZipFile, member: str, what: str) -> bytes:
    """The bytes of ``member``, read only after its declared size passed the limit."""
    matches = [info for info in archive.infolist() if info.filename.rstrip("/") == member]
    exactly_one(spec, what, member, len(matches))
    info = matches[0]
    if info.is_dir() or (info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)):
        kind = "a directory" if info.is_dir() else "a symbolic link"
        raise ArtifactError(spec, f"`{member}` is {kind}, not a regular file; rebuild the {what}.")
    if info.file_size > MAX_METADATA_BYTES:
        raise too_big(spec, f"`{member}`", info.file_size)
    with archive.open(info) as handle:
        data = handle.read(MAX_METADATA_BYTES + 1)
    if len(data) != info.file_size:
        raise ArtifactError(
            spec,
            f"`{member}` holds {len(data):,} bytes but the archive declares {info.file_size:,}; "
            f"the {what} is damaged or forged. Rebuild the {what}.",
        )
    return data


def read_sidecar(spec: str, path: Path) -> Artifact:
    distribution = path.name[: -len(_SIDECAR)]
    tags: frozenset[Tag] = frozenset()
    if distribution.endswith(".whl"):
        role = Role.WHEEL
        name, version, tags = parse_wheel_name(spec, distribution)
    elif distribution.endswith((".tar.gz", ".zip")):
        role = Role.SDIST
        name, version = parse_sdist_name(spec, distribution)
    else:
        raise ArtifactError(
            spec,
            f"`{distribution}` is not a wheel or sdist filename, so `{path.name}` is no PEP 658 "
            "sidecar; a sidecar is named after its distribution plus `.metadata` (for example "
            "`pkg-1.0-py3-none-any.whl.metadata`). Rename the file.",
        )
    data = checked(spec, f"`{path.name}`", read_file(spec, path))
    return Artifact(
        spec,
        path.name,
        Kind.SIDECAR,
        role,
        data,
        filename_name=name,
        filename_version=version,
        distribution_filename=distribution,
        tags=tags,
    )


def read_dist_info_dir(spec: str, path: Path) -> Artifact:
    metadata = optional_file(spec, path / "METADATA")
    if metadata is None:
        message = "the `*.dist-info` directory has no `METADATA` file; reinstall or rebuild it."
        raise ArtifactError(spec, message)
    data = checked(spec, "`METADATA`", metadata)
    tags = wheel_tags(spec, optional_file(spec, path / "WHEEL"))
    return Artifact(
        spec, path.name, Kind.DIST_INFO, Role.WHEEL, data, tags=tags, dist_info=path.name
    )


def _check_top(spec: str, top: str, name: NormalizedName, version: Version) -> None:
    """The sdist's top directory is ``{name}-{version}`` of its own file name."""
    try:
        top_name, top_version = parse_sdist_filename(f"{top}.tar.gz")
    except InvalidSdistFilename:
        top_name, top_version = None, None
    if top_name != name or top_version != version:
        raise ArtifactError(
            spec,
            f"the sdist's top directory is `{top}`, not `{{name}}-{{version}}` of its file name "
            f"({name} {version}); the file was renamed or assembled by hand. Rebuild the sdist.",
        )


def read_sdist(spec: str, path: Path, filename: str | None = None) -> Artifact:
    """Read the sdist at ``path``, named ``filename`` (default: the path's own name; a
    download is stored under a short temporary name and read under its real one)."""
    filename = filename or path.name
    name, version = parse_sdist_name(spec, filename)
    layout = Layout(spec)
    if filename.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    layout.add(info.filename)
                top = layout.top()
                _check_top(spec, top, name, version)
                member = f"{top}/PKG-INFO"
                data = _zip_member(spec, archive, member, "sdist")
                duplicates: tuple[bytes, ...] = ()
        except ARCHIVE_ERRORS as exc:
            raise corrupt(spec, "an sdist (zip archive)", exc) from exc
    else:
        data, member, duplicates = tar_pkg_info(spec, path, layout)
        _check_top(spec, member.split("/")[0], name, version)
    data = checked(spec, f"`{member}`", data)
    duplicates = tuple(checked(spec, f"`{member}`", copy) for copy in duplicates)
    return Artifact(
        spec,
        filename,
        Kind.SDIST,
        Role.SDIST,
        data,
        filename_name=name,
        filename_version=version,
        duplicates=duplicates,
    )
