"""What every reader shares: bounded file reads, the metadata checks, filename parsing, errors."""

from __future__ import annotations

import math
import os
import re
import stat
import zipfile

from metaseal.engine.formats import MAX_HEADER_LINES, MAX_METADATA_BYTES
from metaseal.errors import ArtifactError
from metaseal.sources._faults import STREAM_ERRORS, too_big

TYPE_CHECKING = False  # typing is not imported at run time (the backend's hook path)
if TYPE_CHECKING:
    from pathlib import Path

    from packaging.tags import Tag
    from packaging.utils import NormalizedName
    from packaging.version import Version

#: What zipfile, tarfile and gzip raise for damaged or hostile archives (see
#: :data:`metaseal.sources._faults.STREAM_ERRORS`; zip archives add ``BadZipFile``).
ARCHIVE_ERRORS: tuple[type[Exception], ...] = (*STREAM_ERRORS, zipfile.BadZipFile)


def stat_mode(spec: str, path: Path) -> int | None:
    """``st_mode`` of ``path`` (following symlinks), or ``None`` when nothing is there."""
    try:
        return path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ArtifactError(spec, f"cannot be read ({exc.strerror}); check the path.") from exc


def checked(spec: str, what: str, data: bytes, *, metadata: bool = True) -> bytes:
    """``data`` unchanged, once known to be within the size limit, UTF-8 and no header flood,
    and (for core metadata, not a ``WHEEL`` file) with the three required fields and a
    Metadata-Version of a known major version."""
    if len(data) > MAX_METADATA_BYTES:
        raise too_big(spec, what, len(data))
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
    if not metadata:
        return data
    head = flat[: end + 1] if end >= 0 else flat
    missing = [field for field, pattern in _REQUIRED if not pattern.search(head)]
    if missing:
        raise ArtifactError(
            spec,
            f"{what} has no {' and no '.join(f'`{field}`' for field in missing)}, which every "
            "core metadata file must have; it is empty or not core metadata. Rebuild the "
            "distribution.",
        )
    version = _METADATA_VERSION.search(head)
    assert version is not None
    if not _KNOWN_MAJOR.fullmatch(version[1].strip()):
        raise ArtifactError(
            spec,
            f"{what} says Metadata-Version `{version[1].strip()}`, which is no version of the "
            "core metadata specification metaseal knows (1.0 to 2.x); a reader must refuse an "
            "unknown major version. Rebuild the distribution with a current backend.",
        )
    return data


_METADATA_VERSION = re.compile(r"^metadata-version[ \t]*:(.*)$", re.IGNORECASE | re.MULTILINE)
_REQUIRED = (
    ("Metadata-Version", _METADATA_VERSION),
    ("Name", re.compile(r"^name[ \t]*:[ \t]*\S", re.IGNORECASE | re.MULTILINE)),
    ("Version", re.compile(r"^version[ \t]*:[ \t]*\S", re.IGNORECASE | re.MULTILINE)),
)
_KNOWN_MAJOR = re.compile(r"[12]\.[0-9]+", re.ASCII)


def read_file(spec: str, path: Path) -> bytes:
    """At most ``MAX_METADATA_BYTES + 1`` bytes of a file; a larger size fails before reading."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_METADATA_BYTES:
                raise too_big(spec, f"`{path.name}`", size)
            return handle.read(MAX_METADATA_BYTES + 1)
    except OSError as exc:
        raise ArtifactError(spec, f"`{path.name}` cannot be read ({exc.strerror}).") from exc


def optional_file(spec: str, path: Path) -> bytes | None:
    mode = stat_mode(spec, path)
    return read_file(spec, path) if mode is not None and stat.S_ISREG(mode) else None


#: Most tags the ``Tag:`` lines of one ``WHEEL`` file may expand to (compressed tag sets such as
#: ``py2.py3-none-any`` multiply out); real wheels have a few hundred at most.
MAX_TAGS = 10_000


def wheel_tags(spec: str, data: bytes | None) -> frozenset[Tag]:
    """The expanded ``Tag:`` lines of a ``WHEEL`` file (none if there is no file)."""
    from packaging.tags import parse_tag

    tags: set[Tag] = set()
    expanded = 0
    for line in checked(spec, "`WHEEL`", data or b"", metadata=False).decode("utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "tag":
            parts = value.strip().split("-")
            expanded += math.prod(len(part.split(".")) for part in parts)
            if expanded > MAX_TAGS:
                raise ArtifactError(
                    spec,
                    f"`WHEEL` has `Tag:` lines that expand to more than {MAX_TAGS:,} tags; a "
                    "real wheel has a few hundred at most. Rebuild the wheel.",
                )
            try:
                tags |= parse_tag(value.strip())
            except ValueError as exc:
                message = f"`WHEEL` has an invalid `Tag:` line ({exc}); rebuild the wheel."
                raise ArtifactError(spec, message) from exc
    return frozenset(tags)


def parse_wheel_name(spec: str, filename: str) -> tuple[NormalizedName, Version, frozenset[Tag]]:
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

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


def parse_sdist_name(spec: str, filename: str) -> tuple[NormalizedName, Version]:
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename

    try:
        return parse_sdist_filename(filename)
    except InvalidSdistFilename as exc:
        raise ArtifactError(
            spec,
            f"`{filename}` is not a valid sdist filename ({exc}); an sdist is named "
            "`{name}-{version}.tar.gz` (legacy: `.zip`). Rename the file the way its build "
            "backend named it, or rebuild it.",
        ) from exc
