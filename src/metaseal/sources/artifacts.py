"""Readers: turn what the user names into :class:`Artifact` records, strictly, never extracting.

Sources understood (see :func:`read_source`):

- an sdist ``.tar.gz`` (or legacy ``.zip``): exactly one top-level directory holding a
  regular-file ``PKG-INFO``;
- a wheel ``.whl``: exactly one ``*.dist-info/METADATA`` at depth 1 (also from a file object,
  :func:`read_wheel`, which index checks use to read a wheel over HTTP range requests);
- a PEP 658 sidecar ``<wheel or sdist filename>.metadata``, standing in for its distribution;
- a bare ``METADATA`` (wheel role) or ``PKG-INFO`` (sdist role) file;
- an unpacked ``*.dist-info`` directory (wheel role);
- ``installed:NAME``: an installed distribution of this interpreter or of ``python``.

Every member read has a size limit. Filenames are parsed with :mod:`packaging.utils`.
This module does I/O only; it makes no judgement about the metadata (the engine does).
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import gzip
import os
import re
import stat
import struct
import sys
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from packaging.tags import parse_tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from metaseal.errors import ArtifactError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.tags import Tag
    from packaging.utils import NormalizedName
    from packaging.version import Version

__all__ = [
    "MAX_HEADER_LINES",
    "MAX_METADATA_BYTES",
    "Artifact",
    "Kind",
    "Role",
    "SeekableReader",
    "discover",
    "read_source",
    "read_wheel",
    "wheel_from_metadata",
]

#: Largest METADATA / PKG-INFO member metaseal reads (real ones are at most a few hundred KiB).
MAX_METADATA_BYTES = 16 * 1024 * 1024
#: Largest number of header lines in one metadata file before it is rejected as a header flood.
MAX_HEADER_LINES = 20_000


class Kind(str, enum.Enum):
    """What kind of thing the source is on disk."""

    SDIST = "sdist"
    WHEEL = "wheel"
    SIDECAR = "sidecar"
    METADATA_FILE = "metadata-file"
    DIST_INFO = "dist-info"
    INSTALLED = "installed"


class Role(str, enum.Enum):
    """Which side of the packaging rules the source stands on."""

    SDIST = "sdist"  # its metadata is a PKG-INFO: the promise (PEP 643)
    WHEEL = "wheel"  # its metadata is a METADATA: built from the sdist


@dataclass(frozen=True)
class Artifact:
    """One source of core metadata with its identity; immutable, no open handles."""

    #: What the user named (a path as given, or ``installed:NAME``).
    source: str
    #: Short name for messages: the file name, or ``installed:NAME``.
    label: str
    kind: Kind
    role: Role
    #: The raw METADATA / PKG-INFO bytes, exactly as stored.
    metadata: bytes
    #: Name and version from the filename (wheels, sdists, sidecars); ``None`` when the source
    #: has no filename identity (bare files, dist-info directories, installed distributions).
    filename_name: NormalizedName | None = None
    filename_version: Version | None = None
    #: The wheel's filename, for sidecars: the filename of the distribution it stands for.
    distribution_filename: str | None = None
    #: Wheel tags: from the filename, or the ``Tag:`` lines of a dist-info's ``WHEEL`` file.
    tags: frozenset[Tag] = field(default_factory=frozenset)
    #: The ``*.dist-info`` directory name the METADATA was found in, when there is one.
    dist_info: str | None = None


_ACCEPTED = (
    "metaseal reads a wheel (`*.whl`), an sdist (`*.tar.gz`, or a legacy `*.zip`), a PEP 658 "
    "sidecar (`<distribution filename>.metadata`), a `METADATA` or `PKG-INFO` file, a "
    "`*.dist-info` directory, or `installed:NAME`"
)
_INSTALLED = "installed:"
_SIDECAR = ".metadata"
_TIMEOUT = 60.0  # seconds an interpreter given as ``python=`` has to answer
_ABSOLUTE = re.compile(r"[/\\]|[A-Za-z]:")

#: What zipfile, tarfile and gzip raise for damaged or hostile archives (RuntimeError covers
#: encrypted members and NotImplementedError for unknown compression). ArtifactError is none of
#: these, so the readers' own errors pass through the ``except`` clauses unchanged.
_ARCHIVE_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, ValueError, RuntimeError)
_ARCHIVE_ERRORS += (struct.error, zlib.error, tarfile.TarError, zipfile.BadZipFile)
try:
    import lzma
except ImportError:  # pragma: no cover - CPython built without liblzma
    pass
else:
    _ARCHIVE_ERRORS += (lzma.LZMAError,)


def read_source(spec: str, *, python: str | None = None) -> Artifact:
    """Read the one metadata source named by ``spec``: a path, or ``installed:NAME``.

    ``python`` is the interpreter asked about ``installed:NAME`` (default: this process); paths
    ignore it. Anything unreadable, malformed or hostile raises
    :class:`~metaseal.errors.ArtifactError`.
    """
    if spec.startswith(_INSTALLED):
        return _read_installed(spec, spec[len(_INSTALLED) :], python)
    path = Path(spec)
    name = path.name
    if name == "pyproject.toml":
        raise ArtifactError(
            spec,
            "`pyproject.toml` is not a distribution file; `metaseal check` and `metaseal diff` "
            "read it directly. Pass it to one of those commands instead.",
        )
    mode = _stat_mode(spec, path)
    if mode is None:
        raise ArtifactError(spec, f"no such file or directory; {_ACCEPTED}. Check the path.")
    if stat.S_ISDIR(mode) and name.endswith(".dist-info"):
        return _read_dist_info_dir(spec, path)
    if stat.S_ISDIR(mode):
        raise ArtifactError(
            spec,
            f"is a directory but not a `*.dist-info` one; {_ACCEPTED}. To read the "
            "distribution files in a directory, pass it to `discover()` or `metaseal check`.",
        )
    if not stat.S_ISREG(mode):
        raise ArtifactError(spec, f"is not a regular file; {_ACCEPTED}.")
    if name.endswith(_SIDECAR):
        return _read_sidecar(spec, path)
    if name.endswith(".whl"):
        return _read_wheel(spec, path)
    if name.endswith((".tar.gz", ".zip")):
        return _read_sdist(spec, path)
    if name in ("METADATA", "PKG-INFO"):
        data = _checked(spec, f"`{name}`", _read_file(spec, path))
        role = Role.WHEEL if name == "METADATA" else Role.SDIST
        return Artifact(spec, name, Kind.METADATA_FILE, role, data)
    raise ArtifactError(spec, f"is not a file metaseal can read; {_ACCEPTED}.")


def discover(
    paths: Sequence[str], *, python: str | None = None
) -> tuple[list[Artifact], list[ArtifactError]]:
    """Read every source under ``paths``; return the artifacts (sorted by label) and the errors.

    A directory (other than a ``*.dist-info`` one) is walked recursively in sorted order,
    skipping hidden directories and ``__pycache__``, for ``*.whl``, ``*.tar.gz``, ``*.zip``
    files named like sdists, and ``*.metadata`` sidecars of those. Every other path goes to
    :func:`read_source`. Each bad file gives its own error without hiding the others; a file
    reached twice (``dist/`` and ``dist/x.whl``) is read once.
    """
    artifacts: list[Artifact] = []
    errors: list[ArtifactError] = []
    seen: set[object] = set()
    for spec in paths:
        sources = [spec]
        if not spec.startswith(_INSTALLED) and not spec.rstrip("/\\").endswith(".dist-info"):
            try:
                mode = _stat_mode(spec, Path(spec))
                if mode is not None and stat.S_ISDIR(mode):
                    sources = _walk(spec, errors)
            except ArtifactError as exc:
                errors.append(exc)
                continue
        for source in sources:
            key = source if source.startswith(_INSTALLED) else _identity(source)
            if key not in seen:
                seen.add(key)
                try:
                    artifacts.append(read_source(source, python=python))
                except ArtifactError as exc:
                    errors.append(exc)
    artifacts.sort(key=lambda artifact: (artifact.label, artifact.source))
    return _unique_labels(artifacts), errors


def _unique_labels(artifacts: list[Artifact]) -> list[Artifact]:
    """Files with the same name from different folders are labelled by their path instead."""
    counts = collections.Counter(artifact.label for artifact in artifacts)
    return [
        dataclasses.replace(artifact, label=artifact.source)
        if counts[artifact.label] > 1
        else artifact
        for artifact in artifacts
    ]


def _identity(path: str) -> object:
    """What tells files apart: device and inode, so a file named twice is read once."""
    try:
        info = os.stat(path)  # noqa: PTH116 - per file in discover(); a Path costs more
    except OSError:
        return path  # read_source() will say what is wrong with it
    return (info.st_dev, info.st_ino)


def _walk(root: str, errors: list[ArtifactError]) -> list[str]:
    found: list[str] = []
    unlistable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        names = sorted(f for f in filenames if _is_distribution(f))
        found.extend(os.path.join(dirpath, f) for f in names)  # noqa: PTH118 - as in _identity
    for exc in unlistable:
        where = exc.filename if isinstance(exc.filename, str) else root
        errors.append(ArtifactError(where, f"cannot be listed ({exc.strerror}); fix its access."))
    if not found and not unlistable:
        raise ArtifactError(
            root,
            "holds no distribution files (`*.whl`, `*.tar.gz`, sdist `*.zip`, `*.metadata` "
            "sidecars); name the directory your build wrote them to (usually `dist/`).",
        )
    return found


def _is_distribution(filename: str) -> bool:
    """Whether :func:`discover` picks ``filename`` up while walking a directory."""
    filename = filename[: -len(_SIDECAR)] if filename.endswith(_SIDECAR) else filename
    if filename.endswith((".whl", ".tar.gz")):
        return True
    try:
        return filename.endswith(".zip") and bool(parse_sdist_filename(filename))
    except InvalidSdistFilename:
        return False


def _stat_mode(spec: str, path: Path) -> int | None:
    """``st_mode`` of ``path`` (following symlinks), or ``None`` when nothing is there."""
    try:
        return path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ArtifactError(spec, f"cannot be read ({exc.strerror}); check the path.") from exc


def _too_big(spec: str, what: str, size: int) -> ArtifactError:
    return ArtifactError(
        spec,
        f"{what} is {size:,} bytes, more than the {MAX_METADATA_BYTES:,}-byte limit for core "
        "metadata (real files are at most a few hundred KiB). Check that this is the right "
        "file, or rebuild the distribution.",
    )


def _checked(spec: str, what: str, data: bytes) -> bytes:
    """``data`` unchanged, once known to be within the size limit, UTF-8 and no header flood."""
    if len(data) > MAX_METADATA_BYTES:
        raise _too_big(spec, what, len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArtifactError(
            spec,
            f"{what} is not valid UTF-8 (byte offset {exc.start}: {exc.reason}); core metadata "
            "must be UTF-8. Re-encode the file as UTF-8, or rebuild the distribution.",
        ) from exc
    # Count the lines before the first blank one, with the line breaks email.parser knows.
    flat = "\n" + (text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text)
    end = flat.find("\n\n")
    lines = flat.count("\n", 0, end + 1) - 1 if end >= 0 else flat.count("\n") - flat.endswith("\n")
    if lines > MAX_HEADER_LINES:
        raise ArtifactError(
            spec,
            f"{what} has more than {MAX_HEADER_LINES:,} header lines before the first blank "
            "line (a header flood); real metadata has a few hundred at most. Rebuild the "
            "distribution, and check where this file came from.",
        )
    return data


def _read_file(spec: str, path: Path) -> bytes:
    """At most ``MAX_METADATA_BYTES + 1`` bytes of a file; a larger size fails before reading."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_METADATA_BYTES:
                raise _too_big(spec, f"`{path.name}`", size)
            return handle.read(MAX_METADATA_BYTES + 1)
    except OSError as exc:
        raise ArtifactError(spec, f"`{path.name}` cannot be read ({exc.strerror}).") from exc


def _optional_file(spec: str, path: Path) -> bytes | None:
    mode = _stat_mode(spec, path)
    return _read_file(spec, path) if mode is not None and stat.S_ISREG(mode) else None


def _wheel_tags(spec: str, data: bytes | None) -> frozenset[Tag]:
    """The expanded ``Tag:`` lines of a ``WHEEL`` file (none if there is no file)."""
    tags: set[Tag] = set()
    for line in _checked(spec, "`WHEEL`", data or b"").decode("utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "tag":
            try:
                tags |= parse_tag(value.strip())
            except ValueError as exc:
                message = f"`WHEEL` has an invalid `Tag:` line ({exc}); rebuild the wheel."
                raise ArtifactError(spec, message) from exc
    return frozenset(tags)


def _parse_wheel_name(spec: str, filename: str) -> tuple[NormalizedName, Version, frozenset[Tag]]:
    try:
        name, version, _build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        raise ArtifactError(
            spec,
            f"`{filename}` is not a valid wheel filename ({exc}); a wheel is named "
            "`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`. Rename the file the "
            "way its build backend named it, or rebuild it.",
        ) from exc
    return name, version, tags


def _parse_sdist_name(spec: str, filename: str) -> tuple[NormalizedName, Version]:
    try:
        return parse_sdist_filename(filename)
    except InvalidSdistFilename as exc:
        raise ArtifactError(
            spec,
            f"`{filename}` is not a valid sdist filename ({exc}); an sdist is named "
            "`{name}-{version}.tar.gz` (legacy: `.zip`). Rename the file the way its build "
            "backend named it, or rebuild it.",
        ) from exc


def _corrupt(spec: str, what: str, exc: Exception) -> ArtifactError:
    return ArtifactError(
        spec,
        f"cannot be read as {what} ({type(exc).__name__}: {exc}); the file is truncated or "
        "corrupt. Download or build it again.",
    )


def _read_wheel(spec: str, path: Path) -> Artifact:
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
    _parse_wheel_name(spec, filename)  # a bad filename fails before anything is read
    try:
        with zipfile.ZipFile(file) as archive:
            tops = {i.filename.split("/", 1)[0] for i in archive.infolist() if "/" in i.filename}
            dist_infos = sorted(top for top in tops if top.endswith(".dist-info"))
            if len(dist_infos) != 1:
                shown = f" (`{'`, `'.join(dist_infos)}`)" if dist_infos else ""
                raise ArtifactError(
                    spec,
                    f"the wheel holds {len(dist_infos)} `.dist-info` directories{shown}; a "
                    "wheel must hold exactly one. Rebuild the wheel.",
                )
            member = f"{dist_infos[0]}/METADATA"
            data = _checked(spec, f"`{member}`", _zip_member(spec, archive, member, "wheel"))
    except _ARCHIVE_ERRORS as exc:
        raise _corrupt(spec, "a wheel (zip archive)", exc) from exc
    return _wheel_artifact(spec, filename, data, dist_info=dist_infos[0])


def wheel_from_metadata(spec: str, filename: str, metadata: bytes) -> Artifact:
    """The wheel named ``filename`` known only by its METADATA (a PEP 658 sidecar from an index).

    The metadata gets every check a wheel's ``METADATA`` member gets. ``dist_info`` is unknown
    (``None``): the archive was not opened.
    """
    return _wheel_artifact(spec, filename, _checked(spec, f"`{filename}.metadata`", metadata))


def _wheel_artifact(
    spec: str, filename: str, data: bytes, *, dist_info: str | None = None
) -> Artifact:
    name, version, tags = _parse_wheel_name(spec, filename)
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


def _exactly_one(spec: str, what: str, member: str, count: int) -> None:
    """An archive must hold its metadata member once: missing or repeated is an error."""
    if not count:
        raise ArtifactError(spec, f"the {what} has no `{member}`; rebuild the {what}.")
    if count > 1:
        raise ArtifactError(
            spec,
            f"the {what} holds {count} entries named `{member}`; it must hold exactly one, "
            f"or tools may disagree on its metadata. Rebuild the {what}.",
        )


def _zip_member(spec: str, archive: zipfile.ZipFile, member: str, what: str) -> bytes:
    """The bytes of ``member``, read only after its declared size passed the limit."""
    matches = [info for info in archive.infolist() if info.filename.rstrip("/") == member]
    _exactly_one(spec, what, member, len(matches))
    info = matches[0]
    if info.is_dir() or (info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)):
        kind = "a directory" if info.is_dir() else "a symbolic link"
        raise ArtifactError(spec, f"`{member}` is {kind}, not a regular file; rebuild the {what}.")
    if info.file_size > MAX_METADATA_BYTES:
        raise _too_big(spec, f"`{member}`", info.file_size)
    with archive.open(info) as handle:
        return handle.read(MAX_METADATA_BYTES + 1)


def _read_sidecar(spec: str, path: Path) -> Artifact:
    distribution = path.name[: -len(_SIDECAR)]
    tags: frozenset[Tag] = frozenset()
    if distribution.endswith(".whl"):
        role = Role.WHEEL
        name, version, tags = _parse_wheel_name(spec, distribution)
    elif distribution.endswith((".tar.gz", ".zip")):
        role = Role.SDIST
        name, version = _parse_sdist_name(spec, distribution)
    else:
        raise ArtifactError(
            spec,
            f"`{distribution}` is not a wheel or sdist filename, so `{path.name}` is no PEP 658 "
            "sidecar; a sidecar is named after its distribution plus `.metadata` (for example "
            "`pkg-1.0-py3-none-any.whl.metadata`). Rename the file.",
        )
    data = _checked(spec, f"`{path.name}`", _read_file(spec, path))
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


def _read_dist_info_dir(spec: str, path: Path) -> Artifact:
    metadata = _optional_file(spec, path / "METADATA")
    if metadata is None:
        message = "the `*.dist-info` directory has no `METADATA` file; reinstall or rebuild it."
        raise ArtifactError(spec, message)
    data = _checked(spec, "`METADATA`", metadata)
    tags = _wheel_tags(spec, _optional_file(spec, path / "WHEEL"))
    return Artifact(
        spec, path.name, Kind.DIST_INFO, Role.WHEEL, data, tags=tags, dist_info=path.name
    )


class _Layout:
    """The one-top-directory rule of sdists, fed one member name at a time."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.tops: dict[str, None] = {}  # an ordered set
        self.escaping: list[str] = []

    def add(self, name: str) -> list[str]:
        """Record member ``name``; return its path components (``[]`` if it escapes)."""
        parts = [part for part in re.split(r"[/\\]", name) if part not in ("", ".")]
        if _ABSOLUTE.match(name) or ".." in parts:
            self.escaping.append(name)
            return []
        if parts:
            self.tops.setdefault(parts[0], None)
        return parts

    def top(self) -> str:
        """The single top directory; raises for escaping members or other top-level entries."""
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


def _read_sdist(spec: str, path: Path) -> Artifact:
    name, version = _parse_sdist_name(spec, path.name)
    layout = _Layout(spec)
    if path.name.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    layout.add(info.filename)
                member = f"{layout.top()}/PKG-INFO"
                data = _zip_member(spec, archive, member, "sdist")
        except _ARCHIVE_ERRORS as exc:
            raise _corrupt(spec, "an sdist (zip archive)", exc) from exc
    else:
        data, member = _tar_pkg_info(spec, path, layout)
    data = _checked(spec, f"`{member}`", data)
    return Artifact(
        spec, path.name, Kind.SDIST, Role.SDIST, data, filename_name=name, filename_version=version
    )


def _tar_pkg_info(spec: str, path: Path, layout: _Layout) -> tuple[bytes, str]:
    """Read ``<top>/PKG-INFO`` of a ``.tar.gz`` in one pass, then check the whole layout."""
    found: list[tarfile.TarInfo] = []
    data = b""
    try:
        # gzip.open, not mode "r:gz": the same handle then checks how the stream ends.
        with gzip.open(path, "rb") as stream, tarfile.open(fileobj=stream, mode="r:") as archive:
            for info in archive:
                if layout.add(info.name)[1:] == ["PKG-INFO"]:
                    found.append(info)
                    if len(found) == 1 and info.isreg() and info.size <= MAX_METADATA_BYTES:
                        handle = archive.extractfile(info)
                        data = handle.read(MAX_METADATA_BYTES + 1) if handle else b""
            # tarfile stops quietly at a cut or garbled header after the first member; make
            # sure the archive ended with its zero block, then drain so gzip checks its trailer.
            stream.seek(archive.offset)
            if stream.read(512) != bytes(512):
                raise EOFError(f"no end-of-archive marker at byte {archive.offset:,}")
            while stream.read(1 << 20):
                pass
    except _ARCHIVE_ERRORS as exc:
        raise _corrupt(spec, "an sdist (gzip-compressed tar archive)", exc) from exc
    member = f"{layout.top()}/PKG-INFO"
    _exactly_one(spec, "sdist", member, len(found))
    info = found[0]
    if not info.isreg():
        kind = "a symbolic link" if info.issym() else "a hard link" if info.islnk() else None
        kind = kind or ("a directory" if info.isdir() else "a special file")
        raise ArtifactError(spec, f"`{member}` is {kind}, not a regular file; rebuild the sdist.")
    if info.size > MAX_METADATA_BYTES:
        raise _too_big(spec, f"`{member}`", info.size)
    return data, member


#: Run by the interpreter given as ``python=`` (stdlib only, Python 3.8+); prints one JSON line
#: with base64 METADATA (or PKG-INFO) and WHEEL bytes, as the in-process reader below finds them.
_INSTALLED_SCRIPT = """\
import base64, json, pathlib, sys
from importlib import metadata
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]  # what is installed, not what is in the working directory
name, limit = sys.argv[1], int(sys.argv[2])
try:
    dist = metadata.distribution(name)
except (metadata.PackageNotFoundError, ValueError):
    print(json.dumps({"found": False}))
    raise SystemExit
base = getattr(dist, "_path", None)
def raw(filename):
    if isinstance(base, pathlib.Path):
        if not (base / filename).is_file():
            return None
        with (base / filename).open("rb") as handle:
            return base64.b64encode(handle.read(limit)).decode()
    text = dist.read_text(filename)
    return None if text is None else base64.b64encode(text.encode("utf-8")).decode()
meta = raw("METADATA")
meta = raw("PKG-INFO") if meta is None else meta
print(json.dumps({"found": True, "metadata": meta, "wheel": raw("WHEEL"),
                  "dir": base.name if isinstance(base, pathlib.Path) else None}))
"""


def _read_installed(spec: str, name: str, python: str | None) -> Artifact:
    if not name.strip():
        raise ArtifactError(spec, "names no distribution; write `installed:NAME`.")
    found = _installed_here(spec, name) if python is None else _installed_in(spec, name, python)
    metadata, directory, wheel = found
    if metadata is None:
        raise ArtifactError(spec, f"`{name}` is installed without `METADATA`; reinstall it.")
    data = _checked(spec, "`METADATA`", metadata)
    dist_info = directory if directory and directory.endswith(".dist-info") else None
    tags = _wheel_tags(spec, wheel)
    return Artifact(spec, spec, Kind.INSTALLED, Role.WHEEL, data, tags=tags, dist_info=dist_info)


def _not_installed(spec: str, name: str, interpreter: str) -> ArtifactError:
    return ArtifactError(
        spec,
        f"`{name}` is not installed in `{interpreter}`; install it there, or name the "
        "interpreter that has it (`python=` / `--python`).",
    )


#: What an installed distribution gives: METADATA bytes, its directory name, WHEEL bytes.
_Found = tuple["bytes | None", "str | None", "bytes | None"]


def _installed_here(spec: str, name: str) -> _Found:
    # Imported here: only `installed:` sources need it, and the build backend stays light.
    from importlib import metadata as importlib_metadata

    try:
        dist = importlib_metadata.distribution(name)
    except (importlib_metadata.PackageNotFoundError, ValueError) as exc:
        raise _not_installed(spec, name, sys.executable) from exc
    if isinstance(dist, importlib_metadata.PathDistribution) and isinstance(dist._path, Path):
        base = dist._path  # the raw bytes on disk, rather than read_text()'s decoded copy
        metadata = _optional_file(spec, base / "METADATA")
        if metadata is None:
            metadata = _optional_file(spec, base / "PKG-INFO")
        return metadata, base.name, _optional_file(spec, base / "WHEEL")
    try:
        texts = [dist.read_text(file) for file in ("METADATA", "PKG-INFO", "WHEEL")]
    except (OSError, ValueError) as exc:
        raise ArtifactError(spec, f"cannot be read ({exc}); reinstall `{name}`.") from exc
    meta, pkg_info, wheel = (None if text is None else text.encode("utf-8") for text in texts)
    return (pkg_info if meta is None else meta), None, wheel


def _installed_in(spec: str, name: str, python: str) -> _Found:
    import base64
    import json
    import subprocess

    command = [python, "-c", _INSTALLED_SCRIPT, name, str(MAX_METADATA_BYTES + 1)]
    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, timeout=_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        message = f"`{python}` did not answer within {_TIMEOUT:g} s; check that it runs."
        raise ArtifactError(spec, message) from exc
    except OSError as exc:
        message = f"cannot run `{python}` ({exc.strerror}); name a Python 3.8+ interpreter."
        raise ArtifactError(spec, message) from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-300:] or "no output"
        raise ArtifactError(
            spec,
            f"`{python}` failed looking up `{name}` ({detail}); name a working Python 3.8+ "
            "interpreter.",
        )
    try:
        report = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
        if not report["found"]:
            raise _not_installed(spec, name, python)
        values = [report[key] for key in ("metadata", "dir", "wheel")]
        if not all(value is None or isinstance(value, str) for value in values):
            raise TypeError(f"unexpected values {values!r}")  # noqa: TRY301
        meta, directory, wheel = values
        decode = base64.b64decode
        return (
            (None if meta is None else decode(meta, validate=True)),
            directory,
            (None if wheel is None else decode(wheel, validate=True)),
        )
    except (ValueError, LookupError, TypeError) as exc:
        raise ArtifactError(
            spec,
            f"`{python}` could not report on `{name}` ({exc}); name a working Python 3.8+ "
            "interpreter.",
        ) from exc
