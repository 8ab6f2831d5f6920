"""Tamper with real distribution files: header-level edits of core metadata, on bytes.

An *edit* is a function ``bytes -> bytes`` over a METADATA / PKG-INFO file. The edits here
work on the raw header lines (a header is its first line plus any continuation lines), so
they keep everything they do not touch byte-for-byte: line endings, spelling, order, the
body. The archive helpers apply an edit to the metadata inside a copy of a wheel (and fix
its ``RECORD``) or of an sdist (keeping its single top-level directory).

Every edit raises :class:`TamperError` when it would not change anything, so that a test
never passes because its tampering silently did nothing.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import tarfile
import zipfile
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = [
    "Edit",
    "TamperError",
    "add_header",
    "append_bytes",
    "chain",
    "downgrade_metadata_version",
    "field_values",
    "map_values",
    "read_sdist_pkg_info",
    "read_wheel_metadata",
    "remove_header",
    "reorder_headers",
    "respell_requirement",
    "rewrite_sdist_pkg_info",
    "rewrite_wheel_metadata",
    "set_header",
    "to_crlf",
]

#: An edit of a whole METADATA / PKG-INFO file.
Edit = Callable[[bytes], bytes]

#: Fields introduced after Metadata-Version 2.2, with the version that introduced them.
_FIELDS_SINCE = {
    "license-expression": (2, 4),
    "license-file": (2, 4),
    "import-name": (2, 5),
    "import-namespace": (2, 5),
}


class TamperError(AssertionError):
    """The tampering itself went wrong (it would change nothing, or the input is unexpected)."""


# --- header block ---------------------------------------------------------------------------


def _split(data: bytes) -> tuple[list[bytes], bytes]:
    """Split into header chunks (each with its continuation lines) and the rest.

    The rest starts with the blank line that ends the header block (if any) and holds the body.
    """
    lines = data.splitlines(keepends=True)
    headers: list[bytes] = []
    for index, line in enumerate(lines):
        if line in (b"\n", b"\r\n", b"\r"):
            return headers, b"".join(lines[index:])
        if line[:1] in (b" ", b"\t") and headers:
            headers[-1] += line
        else:
            headers.append(line)
    return headers, b""


def _name(chunk: bytes) -> str:
    name, colon, _ = chunk.partition(b":")
    if not colon:
        raise TamperError(f"not a header line: {chunk!r}")
    return name.decode("utf-8").strip().lower()


def _value(chunk: bytes) -> str:
    return chunk.partition(b":")[2].decode("utf-8").strip()


def _eol(data: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in data else b"\n"


def _line(name: str, value: str, eol: bytes) -> bytes:
    return f"{name}: {value}".encode() + eol


def _changed(before: bytes, after: bytes, what: str) -> bytes:
    if before == after:
        raise TamperError(f"{what}: the edit changed nothing")
    return after


def field_values(data: bytes, name: str) -> list[str]:
    """The values of every header called ``name`` (case-insensitive), in file order."""
    headers, _ = _split(data)
    return [_value(chunk) for chunk in headers if _name(chunk) == name.lower()]


# --- edits ----------------------------------------------------------------------------------


def add_header(name: str, value: str) -> Edit:
    """Add ``Name: value`` after the last header called ``name`` (or at the end of the headers)."""

    def edit(data: bytes) -> bytes:
        headers, rest = _split(data)
        positions = [i for i, chunk in enumerate(headers) if _name(chunk) == name.lower()]
        where = positions[-1] + 1 if positions else len(headers)
        headers.insert(where, _line(name, value, _eol(data)))
        return b"".join(headers) + rest

    return edit


def remove_header(name: str, value: str | None = None) -> Edit:
    """Remove the headers called ``name`` (only those whose value is ``value``, if given)."""

    def edit(data: bytes) -> bytes:
        headers, rest = _split(data)
        kept = [
            chunk
            for chunk in headers
            if not (_name(chunk) == name.lower() and value in (None, _value(chunk)))
        ]
        if len(kept) == len(headers):
            raise TamperError(f"no header {name}: {value} to remove")
        return b"".join(kept) + rest

    return edit


def set_header(name: str, value: str) -> Edit:
    """Set a single-use header to ``value``: replace it where it is, or add it at the end."""

    def edit(data: bytes) -> bytes:
        headers, rest = _split(data)
        positions = [i for i, chunk in enumerate(headers) if _name(chunk) == name.lower()]
        if len(positions) > 1:
            raise TamperError(f"{name} is not a single-use header here: {len(positions)} found")
        line = _line(name, value, _eol(data))
        if positions:
            headers[positions[0]] = line
        else:
            headers.append(line)
        return b"".join(headers) + rest

    return edit


def map_values(name: str, function: Callable[[str], str]) -> Edit:
    """Replace the value of every header called ``name`` by ``function(value)``."""

    def edit(data: bytes) -> bytes:
        headers, rest = _split(data)
        eol = _eol(data)
        result = [
            _line(chunk.partition(b":")[0].decode("utf-8"), function(_value(chunk)), eol)
            if _name(chunk) == name.lower()
            else chunk
            for chunk in headers
        ]
        return _changed(data, b"".join(result) + rest, f"map_values({name!r})")

    return edit


def reorder_headers(data: bytes) -> bytes:
    """Reverse the order of the header *fields*, keeping ``Metadata-Version`` first.

    Headers of one field stay together and keep their relative order, so multiple-use values
    (Requires-Dist, Classifier, ...) are not reordered: only the fields move.
    """
    headers, rest = _split(data)
    groups: dict[str, list[bytes]] = {}
    for chunk in headers:
        groups.setdefault(_name(chunk), []).append(chunk)
    first = groups.pop("metadata-version", [])
    ordered = first + [chunk for group in reversed(list(groups.values())) for chunk in group]
    return _changed(data, b"".join(ordered) + rest, "reorder_headers")


def to_crlf(data: bytes) -> bytes:
    """Use CRLF line endings everywhere (headers and body)."""
    return _changed(data, re.sub(rb"\r?\n", b"\r\n", data), "to_crlf")


def append_bytes(suffix: bytes) -> Edit:
    """Append ``suffix`` to the file (for example extra trailing newlines)."""

    def edit(data: bytes) -> bytes:
        return _changed(data, data + suffix, "append_bytes")

    return edit


def downgrade_metadata_version(version: str) -> Edit:
    """Declare ``Metadata-Version: version`` and drop the fields that version does not define.

    Fields introduced later (License-Expression, License-File in 2.4; Import-Name,
    Import-Namespace in 2.5) are removed together with ``Dynamic`` entries naming them, so
    that the file stays valid for the version it now declares.
    """
    major, minor = (int(part) for part in version.split("."))

    def edit(data: bytes) -> bytes:
        headers, rest = _split(data)
        kept: list[bytes] = []
        for chunk in headers:
            name = _name(chunk)
            if _FIELDS_SINCE.get(name, (0, 0)) > (major, minor):
                continue
            if name == "dynamic" and _FIELDS_SINCE.get(_value(chunk).lower(), (0, 0)) > (
                major,
                minor,
            ):
                continue
            kept.append(chunk)
        return set_header("Metadata-Version", version)(b"".join(kept) + rest)

    return edit


def chain(*edits: Edit) -> Edit:
    """Apply ``edits`` in order."""

    def edit(data: bytes) -> bytes:
        for step in edits:
            data = step(data)
        return data

    return edit


# --- requirement respelling (cosmetic only) -------------------------------------------------

_OPERATOR = re.compile(r"\s*(===|~=|==|!=|<=|>=|<|>)\s*")
_PARENTHESIZED = re.compile(r"^(?P<name>[^\s(]+)\s*\((?P<spec>[^)]*)\)\s*$")


_SWAP_QUOTES = str.maketrans("\"'", "'\"")


def _swap_quotes(text: str) -> str:
    return text.translate(_SWAP_QUOTES)


def _escape_template(text: str) -> str:
    return text.replace("\\", "\\\\")


def respell_requirement(value: str, *, extras: Iterable[tuple[str, str]] = ()) -> str:
    """Spell a requirement differently without changing its meaning.

    ``foo>=1; python_version<"3.10"`` becomes ``foo >= 1 ; python_version < '3.10'``: spaces
    around every operator and around ``;``, quotes swapped, version parentheses dropped
    (``foo (>=1)`` -> ``foo >= 1``). ``extras`` maps extra names in ``extra == ...`` clauses
    to another spelling of the same (PEP 685) name. Requirements with a URL are left alone.
    """
    if "@" in value:
        return value
    spec, semicolon, marker = value.partition(";")
    spec = spec.strip()
    match = _PARENTHESIZED.match(spec)
    if match:
        spec = f"{match['name']} {match['spec']}"
    spec = _OPERATOR.sub(lambda m: f" {m.group(1)} ", spec)
    spec = re.sub(r"\s+", " ", spec).strip()
    if not semicolon:
        return spec
    marker = _swap_quotes(_OPERATOR.sub(lambda m: f" {m.group(1)} ", marker))
    for old, new in extras:
        pattern = rf"""(extra\s*==\s*)(["']){re.escape(old)}\2"""
        marker = re.sub(pattern, rf"\g<1>\g<2>{_escape_template(new)}\g<2>", marker)
    marker = re.sub(r"\s+", " ", marker).strip()
    return f"{spec} ; {marker}"


# --- archives -------------------------------------------------------------------------------


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _wheel_metadata_name(archive: zipfile.ZipFile) -> str:
    names = [
        name
        for name in archive.namelist()
        if name.count("/") == 1 and name.split("/")[0].endswith(".dist-info")
        if name.endswith("/METADATA")
    ]
    if len(names) != 1:
        raise TamperError(f"expected exactly one *.dist-info/METADATA, found {names}")
    return names[0]


def read_wheel_metadata(wheel: Path) -> bytes:
    """The bytes of the wheel's ``*.dist-info/METADATA``."""
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(_wheel_metadata_name(archive))


def _fix_record(record: bytes, member: str, data: bytes) -> bytes:
    lines = record.decode("utf-8").splitlines(keepends=True)
    fixed = []
    found = False
    for line in lines:
        row = next(csv.reader([line]))
        if row and row[0] == member:
            out = io.StringIO()
            csv.writer(out, lineterminator="").writerow([member, _record_hash(data), len(data)])
            line = out.getvalue() + line[len(line.rstrip("\r\n")) :]  # noqa: PLW2901
            found = True
        fixed.append(line)
    if not found:
        raise TamperError(f"RECORD has no row for {member}")
    return "".join(fixed).encode("utf-8")


def rewrite_wheel_metadata(wheel: Path, dest_dir: Path, edit: Edit) -> Path:
    """Copy ``wheel`` into ``dest_dir`` (same file name) with its METADATA passed through ``edit``.

    Every other member is copied unchanged, in the same order and with the same zip
    attributes; the METADATA row of ``RECORD`` gets the new hash and size.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / wheel.name
    if target.resolve() == wheel.resolve():
        raise TamperError("refusing to rewrite a wheel in place")
    with zipfile.ZipFile(wheel) as source:
        metadata_name = _wheel_metadata_name(source)
        record_name = metadata_name.rsplit("/", 1)[0] + "/RECORD"
        new_metadata = _changed(
            source.read(metadata_name), edit(source.read(metadata_name)), wheel.name
        )
        with zipfile.ZipFile(target, "w") as out:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == metadata_name:
                    data = new_metadata
                elif info.filename == record_name:
                    data = _fix_record(data, metadata_name, new_metadata)
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                out.writestr(copy, data)
    return target


def _sdist_pkg_info_member(archive: tarfile.TarFile) -> tarfile.TarInfo:
    members = archive.getmembers()
    tops = {member.name.split("/", 1)[0] for member in members}
    if len(tops) != 1:
        raise TamperError(f"an sdist has exactly one top-level directory, found {sorted(tops)}")
    wanted = f"{tops.pop()}/PKG-INFO"
    for member in members:
        if member.name == wanted and member.isfile():
            return member
    raise TamperError(f"no regular file {wanted} in the sdist")


def read_sdist_pkg_info(sdist: Path) -> bytes:
    """The bytes of the sdist's top-level ``PKG-INFO``."""
    with tarfile.open(sdist, "r:gz") as archive:
        stream = archive.extractfile(_sdist_pkg_info_member(archive))
        if stream is None:  # pragma: no cover - a regular file always has a stream
            raise TamperError("PKG-INFO has no content")
        return stream.read()


def rewrite_sdist_pkg_info(sdist: Path, dest_dir: Path, edit: Edit) -> Path:
    """Copy ``sdist`` into ``dest_dir`` (same file name) with its PKG-INFO passed through ``edit``.

    Only ``<top>/PKG-INFO`` changes; every other member (including any ``*.egg-info/PKG-INFO``)
    is copied as is, in order, under the same single top-level directory.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / sdist.name
    if target.resolve() == sdist.resolve():
        raise TamperError("refusing to rewrite an sdist in place")
    with tarfile.open(sdist, "r:gz") as source:
        pkg_info = _sdist_pkg_info_member(source)
        stream = source.extractfile(pkg_info)
        if stream is None:  # pragma: no cover - a regular file always has a stream
            raise TamperError("PKG-INFO has no content")
        old = stream.read()
        new = _changed(old, edit(old), sdist.name)
        with tarfile.open(target, "w:gz", format=source.format) as out:
            for member in source.getmembers():
                if member.name == pkg_info.name:
                    member.size = len(new)
                    out.addfile(member, io.BytesIO(new))
                elif member.isfile():
                    out.addfile(member, source.extractfile(member))
                else:
                    out.addfile(member)
    return target
