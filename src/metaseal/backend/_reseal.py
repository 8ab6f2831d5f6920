"""Seal an sdist whose backend wrote Metadata-Version below 2.2 (PEP 643), reproducibly.

Such an sdist promises nothing about its wheels: resolvers (uv) must build it to learn its
dependencies, and nothing binds a wheel built from it. :func:`reseal` rewrites its ``PKG-INFO``
as Metadata-Version 2.2 with ``Dynamic`` for every field the project declares dynamic, and
repacks the archive with everything else unchanged: member order, names, modes, owners and
mtimes, and a gzip header without a file name whose mtime is ``SOURCE_DATE_EPOCH`` or the
original's. Rebuilding the same sdist gives the same bytes.

Standard library only: it runs in the build backend.
"""

# pathlib is avoided on purpose (the backend's hook path); see _fastpath.
# ruff: noqa: PTH105, PTH107, PTH110, PTH119, PTH123

from __future__ import annotations

import gzip
import io
import os
import re
import struct
import tarfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

__all__ = ["SEALED_VERSION", "reseal", "seal_if_old", "sealed_pkg_info"]

#: The version a resealed PKG-INFO declares: the first with ``Dynamic`` (PEP 643).
SEALED_VERSION = "2.2"
_VERSION_LINE = re.compile(rb"^Metadata-Version:[ \t]*[^\r\n]*", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def sealed_pkg_info(data: bytes, dynamic: Iterable[str]) -> bytes:
    """``data`` with Metadata-Version 2.2 and a ``Dynamic`` line per field in ``dynamic``,
    inserted right after the Metadata-Version line; every other byte unchanged."""
    match = _VERSION_LINE.search(data)
    end = _HEADER_END.search(data)
    if match is None or (end is not None and match.start() > end.start()):
        raise ValueError("PKG-INFO has no Metadata-Version header")
    newline = b"\r\n" if data[match.end() : match.end() + 2] == b"\r\n" else b"\n"
    lines = [b"Metadata-Version: " + SEALED_VERSION.encode("ascii")]
    lines += [b"Dynamic: " + name.encode("ascii") for name in sorted(set(dynamic))]
    return data[: match.start()] + newline.join(lines) + data[match.end() :]


def _gzip_mtime(path: str) -> int:
    with open(path, "rb") as file:
        header = file.read(10)
    if len(header) < 10 or header[:2] != b"\x1f\x8b":
        raise ValueError("not a gzip file")
    (mtime,) = struct.unpack("<I", header[4:8])
    return int(mtime)


def reseal(path: str, dynamic: Iterable[str]) -> None:
    """Rewrite the sdist at ``path`` in place (through a temporary file beside it)."""
    names = sorted(set(dynamic))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    mtime = int(epoch) if epoch.isdigit() else _gzip_mtime(path)
    temporary = path + ".metaseal-reseal"
    try:
        with tarfile.open(path, "r:gz") as source:
            members = source.getmembers()
            tops = {member.name.split("/")[0] for member in members}
            target = {f"{top}/PKG-INFO" for top in tops}
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w", format=_format(path, members)) as out:
                for member in members:
                    handle = source.extractfile(member) if member.isreg() else None
                    data = handle.read() if handle is not None else None
                    if data is not None and member.name in target:
                        data = sealed_pkg_info(data, names)
                        member = _copy(member)  # noqa: PLW2901 - a fresh copy, resized
                        member.size = len(data)
                    out.addfile(member, io.BytesIO(data) if data is not None else None)
        with (
            open(temporary, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=mtime) as compressed,
        ):
            compressed.write(buffer.getvalue())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _format(path: str, members: list[tarfile.TarInfo]) -> int:
    """The tar format the archive was written in (reading always reports the default): GNU by
    its header magic, PAX when a member has extended headers, else plain ustar."""
    with gzip.open(path, "rb") as stream:
        header = stream.read(512)
    if header[257:265] == b"ustar  \x00":
        return tarfile.GNU_FORMAT
    if any(member.pax_headers for member in members):
        return tarfile.PAX_FORMAT
    return tarfile.USTAR_FORMAT


def _copy(member: tarfile.TarInfo) -> tarfile.TarInfo:
    copy = tarfile.TarInfo(member.name)
    for attribute in ("mode", "uid", "gid", "mtime", "type", "linkname", "uname", "gname"):
        setattr(copy, attribute, getattr(member, attribute))
    copy.pax_headers = dict(member.pax_headers)
    return copy


def seal_if_old(
    pyproject: Mapping[str, Any], sdist: str, describe: Callable[[], str]
) -> str | None:
    """Reseal ``sdist`` when its backend wrote Metadata-Version 2.0 or 2.1; return what to say.

    ``Dynamic`` comes from ``project.dynamic`` (never Name or Version); without a ``[project]``
    table what is dynamic is the build script's secret, and nothing is done. ``backend``
    describes the inner backend for the message.
    """
    from metaseal.engine import formats

    table = pyproject.get("project")
    if not isinstance(table, dict) or not sdist.endswith(".tar.gz"):
        return None
    try:
        with tarfile.open(sdist, "r:gz") as archive:
            member = next((m for m in archive if _is_top_pkg_info(m)), None)
            handle = archive.extractfile(member) if member is not None else None
            data = handle.read(formats.MAX_METADATA_BYTES + 1) if handle is not None else b""
    except (OSError, EOFError, tarfile.TarError):
        return None  # the engine's reader explains what is wrong with the file
    version = formats.metadata_version(data)
    if version not in ("2.0", "2.1"):
        return None
    from metaseal.engine.formats import NEVER_DYNAMIC
    from metaseal.engine.project import KEY_FIELDS

    declared = table.get("dynamic")
    keys = [key for key in declared if isinstance(key, str)] if isinstance(declared, list) else []
    fields = sorted(
        {
            name
            for key in keys
            for name in KEY_FIELDS.get(key, ())
            if name.lower() not in NEVER_DYNAMIC
        }
    )
    reseal(sdist, fields)
    listed = ", ".join(fields) or "nothing"
    name = os.path.basename(sdist)
    return (
        f"metaseal: sealed `{name}`: {describe()} wrote it as Metadata-Version {version}, "
        f"which promises nothing about its wheels; its PKG-INFO now says {SEALED_VERSION} with "
        f"Dynamic: {listed} (from `project.dynamic`). Set "
        "`tool.metaseal.seal-old-sdists = false` to keep the backend's file as written."
    )


def _is_top_pkg_info(member: tarfile.TarInfo) -> bool:
    """Whether a tar member is the sdist's ``<top>/PKG-INFO`` (a regular file)."""
    return member.isreg() and member.name.count("/") == 1 and member.name.endswith("/PKG-INFO")
