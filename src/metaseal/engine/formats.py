"""Facts of the distribution formats that every part of metaseal shares (standard library only).

The build backend's hot path imports this module, so it stays free of :mod:`packaging`,
:mod:`email` and :mod:`typing`: the limits on metadata files, which Metadata-Versions seal an
sdist (PEP 643), the one-``.dist-info`` rule of wheels, the dist-info directory name, and a
small header reader that splits a metadata file exactly as :mod:`email` (``compat32``) would, or
declines.
"""

from __future__ import annotations

import re

from metaseal.errors import ArtifactError

TYPE_CHECKING = False  # typing is not imported at run time (the backend's hot path)
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MAX_HEADER_LINES",
    "MAX_METADATA_BYTES",
    "NEVER_DYNAMIC",
    "dist_info_name",
    "is_sealed",
    "metadata_version",
    "normal_version",
    "one_dist_info",
    "read_headers",
]

#: Fields that can never be Dynamic (core metadata spec; PEP 643), lower-cased.
NEVER_DYNAMIC = frozenset({"name", "version", "metadata-version"})

#: Largest METADATA / PKG-INFO metaseal reads (real ones are at most a few hundred KiB).
MAX_METADATA_BYTES = 16 * 1024 * 1024
#: Largest number of header lines in one metadata file before it is rejected as a header flood.
MAX_HEADER_LINES = 20_000

# Regular expressions are compiled on first use (``re`` caches them): every hook call imports
# this module, and compiling them all up front cost half a millisecond per call.
_N = r"(?:0|[1-9][0-9]*)"
_LOCAL_PART = r"(?:0|[1-9][0-9]*|[a-z0-9]*[a-z][a-z0-9]*)"
# The exact output of str(Version(...)): epoch only when non-zero, no leading zeros, canonical
# pre-release letters, ".postN", ".devN", and a lower-case local segment joined with dots.
_NORMAL_VERSION = (
    rf"(?:[1-9][0-9]*!)?{_N}(?:\.{_N})*(?:(?:a|b|rc){_N})?(?:\.post{_N})?(?:\.dev{_N})?"
    rf"(?:\+{_LOCAL_PART}(?:\.{_LOCAL_PART})*)?"
)
# A header name as email's parser recognises one: printable ASCII except space and colon.
_HEADER = r"([!-9;-~]+):"


def _digits(text: str) -> bool:
    """ASCII digits only, at least one."""
    return text.isascii() and text.isdigit()


def is_sealed(metadata_version: str | None) -> bool:
    """Metadata-Version 2.2 or later (PEP 643): the sdist's non-Dynamic fields bind its wheels.

    Minor versions compare as numbers (``2.10`` is later than ``2.2``). Another major version
    is not one this code knows (readers must refuse an unknown major), and anything that is not
    ``X.Y`` (or ``X.Y.Z``) in ASCII digits is not a version: neither is sealed.
    """
    parts = (metadata_version or "").strip().split(".")
    if len(parts) < 2 or not all(_digits(part) for part in parts):
        return False
    # Compared as digit strings: int() refuses more than 4,300 digits (a hostile PKG-INFO).
    major, minor = (parts[0].lstrip("0") or "0"), (parts[1].lstrip("0") or "0")
    return major == "2" and (len(minor) > 1 or minor >= "2")


def normal_version(text: str) -> bool:
    """Whether ``text`` is a PEP 440 version already in normal form."""
    parts = text.split(".")
    if all(_digits(part) and (part == "0" or part[0] != "0") for part in parts):
        return True  # a plain release such as 1.2.3, decided without a regular expression
    return re.fullmatch(_NORMAL_VERSION, text) is not None


def escaped_name(name: str) -> str:
    """A project name as wheel and ``.dist-info`` names spell it: every run of ``-``, ``_``
    and ``.`` becomes one ``_``, in lower case."""
    escaped = name.lower().replace("-", "_").replace(".", "_")
    while "__" in escaped:
        escaped = escaped.replace("__", "_")
    return escaped


def dist_info_name(name: str, version: str) -> str | None:
    """``<name>-<version>.dist-info`` as the wheel spec spells it, or ``None`` if unsure."""
    # A valid name: ASCII letters and digits, with "-", "_" or "." inside (PEP 508).
    letters = name.replace("-", "").replace("_", "").replace(".", "")
    valid = name.isascii() and letters.isalnum() and name[0].isalnum() and name[-1].isalnum()
    if not valid or not normal_version(version):
        return None
    return f"{escaped_name(name)}-{version}.dist-info"


def one_dist_info(members: Iterable[str], where: str) -> str:
    """The wheel's one top-level ``*.dist-info`` directory, from its member names.

    A wheel holds exactly one; anything else raises :class:`~metaseal.errors.ArtifactError`
    naming ``where``.
    """
    tops = {name.split("/", 1)[0] for name in members if "/" in name}
    found = sorted(top for top in tops if top.endswith(".dist-info"))
    if len(found) != 1:
        shown = f" (`{'`, `'.join(found)}`)" if found else ""
        raise ArtifactError(
            where,
            f"the wheel holds {len(found)} `.dist-info` directories{shown}; a wheel must hold "
            "exactly one. Rebuild the wheel.",
        )
    return found[0]


def read_headers(data: bytes) -> dict[str, list[str]] | None:
    """The header values by lower-cased name, parsed exactly as ``email`` (compat32) splits them.

    ``None`` for anything this small reader might read differently from ``email``: non-UTF-8,
    lone carriage returns, or a line in the header block that is not ``Name: value``.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    found: dict[str, list[str]] = {}
    last: list[str] = []
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if "\r" in line:
            return None
        if not line:
            break  # the empty line that ends the header block; the body is the Description
        if line[0] in " \t":  # a folded continuation: part of the previous header's value
            if not last:
                return None
            last[-1] += "\n" + line
            continue
        match = re.match(_HEADER, line)
        if match is None:
            return None
        last = found.setdefault(match[1].lower(), [])
        last.append(line[match.end() :])
    return {name: [value.strip() for value in values] for name, values in found.items()}


def metadata_version(data: bytes) -> str | None:
    """The one Metadata-Version of a metadata file, or ``None`` (missing, repeated, unreadable)."""
    values = (read_headers(data) or {}).get("metadata-version", [])
    return values[0] if len(values) == 1 else None
