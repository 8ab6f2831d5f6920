"""Archive readers: wheels (from a path or a seekable file), sdists, sidecars, dist-info dirs.

Nothing is extracted: only the one metadata member is read, after its declared size passed the
limit, and the sdist's whole member list is checked for the one-top-directory layout.
"""

from __future__ import annotations

import gzip
import re
import stat
import tarfile
import zipfile
from typing import TYPE_CHECKING, Protocol

from packaging.utils import InvalidSdistFilename, parse_sdist_filename

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.formats import MAX_METADATA_BYTES, one_dist_info
from metaseal.errors import ArtifactError
from metaseal.sources._common import (
    ARCHIVE_ERRORS,
    checked,
    corrupt,
    exactly_one,
    optional_file,
    parse_sdist_name,
    parse_wheel_name,
    read_file,
    too_big,
    wheel_tags,
)

if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

    from packaging.tags import Tag
    from packaging.utils import NormalizedName
    from packaging.version import Version

_SIDECAR = ".metadata"
_ABSOLUTE = re.compile(r"[/\\]|[A-Za-z]:")


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


class _Layout:
    """The one-top-directory rule of sdists, fed one member name at a time."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.tops: dict[str, None] = {}  # an ordered set
        self.escaping: list[str] = []
        #: Symbolic link members: path -> (its directory's parts, target).
        self.links: dict[str, tuple[list[str], str]] = {}

    def add(self, name: str, link: str | None = None, *, hard: bool = False) -> list[str]:
        """Record member ``name``; return its path components (``[]`` if it escapes).

        ``link`` is a link member's target: a symbolic link's is resolved against the member's
        own directory, a hard link's is a member name; either must stay inside the top
        directory, or unpacking the sdist would reach outside it.
        """
        parts = [part for part in re.split(r"[/\\]", name) if part not in ("", ".")]
        if _ABSOLUTE.match(name) or ".." in parts:
            self.escaping.append(name)
            return []
        if link is not None and not _inside(parts[:1], parts[:-1] if not hard else [], link):
            self.escaping.append(f"{name} -> {link}")
            return []
        if link is not None and not hard:
            self.links["/".join(parts)] = (parts[:-1], link)
        if parts:
            self.tops.setdefault(parts[0], None)
        return parts

    def top(self) -> str:
        """The single top directory; raises for escaping members or other top-level entries."""
        # A target that passes through another link cannot be judged by its text alone
        # (`e -> a/b/up2/../..` with `a/b/up2 -> ../..` leaves the archive): refused.
        for path, (directory, target) in self.links.items():
            if _through_link(directory, target, self.links.keys() - {path}):
                self.escaping.append(f"{path} -> {target}")
        if self.escaping:
            shown = ", ".join(f"`{name}`" for name in self.escaping[:5])
            more = f" and {len(self.escaping) - 5} more" if len(self.escaping) > 5 else ""
            raise ArtifactError(
                self.spec,
                f"the sdist has members escaping the top directory ({shown}{more}); every "
                "member must lie inside its one top-level directory. Do not unpack this file; "
                "rebuild the sdist.",
            )
        tops = list(self.tops)
        if len(tops) != 1:
            shown = f" (`{'`, `'.join(tops[:5])}`)" if tops else ""
            raise ArtifactError(
                self.spec,
                f"the sdist has {len(tops)} top-level entries{shown}; an sdist must hold "
                "exactly one top-level directory, `{name}-{version}`. Rebuild the sdist.",
            )
        return tops[0]


def _inside(top: list[str], directory: list[str], target: str) -> bool:
    """Whether link ``target`` (relative to ``directory``) stays inside the ``top`` directory."""
    if not top or _ABSOLUTE.match(target):
        return False
    resolved = list(directory)
    for part in re.split(r"[/\\]", target):
        if part in ("", "."):
            continue
        if part == "..":
            if len(resolved) <= 1:
                return False
            resolved.pop()
        else:
            resolved.append(part)
    return bool(resolved) and resolved[0] == top[0]


def _through_link(directory: list[str], target: str, links: Collection[str]) -> bool:
    """Whether resolving ``target`` from ``directory`` passes through a link member."""
    resolved = list(directory)
    for part in re.split(r"[/\\]", target):
        if part in ("", "."):
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        resolved.append(part)
        if "/".join(resolved) in links:
            return True
    return False


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
    layout = _Layout(spec)
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
        data, member, duplicates = _tar_pkg_info(spec, path, layout)
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


#: How many copies of PKG-INFO an sdist may hold (backends that rebuild an sdist from an
#: unpacked sdist keep the old one): more is refused before they are all read.
MAX_PKG_INFO_COPIES = 4


def _tar_pkg_info(spec: str, path: Path, layout: _Layout) -> tuple[bytes, str, tuple[bytes, ...]]:
    """Read ``<top>/PKG-INFO`` of a ``.tar.gz`` in one pass, then check the whole layout."""
    found: list[tarfile.TarInfo] = []
    copies: list[bytes] = []
    try:
        # gzip.open, not mode "r:gz": the same handle then checks how the stream ends.
        with gzip.open(path, "rb") as stream, tarfile.open(fileobj=stream, mode="r:") as archive:
            for info in archive:
                link = info.linkname if info.issym() or info.islnk() else None
                if layout.add(info.name, link, hard=info.islnk())[1:] == ["PKG-INFO"]:
                    found.append(info)
                    if len(found) > MAX_PKG_INFO_COPIES:
                        break
                    if info.isreg() and info.size <= MAX_METADATA_BYTES:
                        handle = archive.extractfile(info)
                        copies.append(handle.read(MAX_METADATA_BYTES + 1) if handle else b"")
            # tarfile stops quietly at a cut or garbled header after the first member; make
            # sure the archive ended with its zero block, then drain so gzip checks its trailer.
            stream.seek(archive.offset)
            if len(found) <= MAX_PKG_INFO_COPIES and stream.read(512) != bytes(512):
                raise EOFError(f"no end-of-archive marker at byte {archive.offset:,}")
            while stream.read(1 << 20):
                pass
    except ARCHIVE_ERRORS as exc:
        raise corrupt(spec, "an sdist (gzip-compressed tar archive)", exc) from exc
    member = f"{layout.top()}/PKG-INFO"
    if not found or len(found) > MAX_PKG_INFO_COPIES:
        exactly_one(spec, "sdist", member, len(found))
    for info in found:
        if info.issparse():
            raise ArtifactError(
                spec, f"`{member}` is a sparse file member, not a regular file; rebuild the sdist."
            )
        if not info.isreg():
            kind = "a symbolic link" if info.issym() else "a hard link" if info.islnk() else None
            kind = kind or ("a directory" if info.isdir() else "a special file")
            raise ArtifactError(
                spec, f"`{member}` is {kind}, not a regular file; rebuild the sdist."
            )
        if info.size > MAX_METADATA_BYTES:
            raise too_big(spec, f"`{member}`", info.size)
    # Unpacking writes every copy in turn: the last one is what pip, build and a wheel built
    # from the unpacked sdist read. The others are kept for the `duplicate-pkg-info` rule.
    return copies[-1], member, tuple(copies[:-1])
