"""Answer ``prepare_metadata_for_build_wheel`` from a sealed sdist's PKG-INFO, stdlib only.

When the build runs in an unpacked sdist (``PKG-INFO`` at the top of the working directory) whose
Metadata-Version is 2.2 or later and which lists nothing as ``Dynamic``, PEP 643 makes every
field of the wheel's METADATA equal to PKG-INFO's. The prepared metadata is then PKG-INFO itself,
written as ``<name>-<version>.dist-info/METADATA`` without importing the inner backend, packaging
or the ``email`` package; ``build_wheel`` verifies the wheel against it later.

Only header lines are scanned. The directory name follows the wheel specification: the name is
normalized (runs of ``-_.`` become ``_``, lower case) and the version must already be in PEP 440
normal form (what ``str(packaging.version.Version(v))`` returns); any other spelling, or anything
unexpected, returns ``None`` and the caller falls back to the inner backend.
"""

# pathlib is avoided on purpose: it imports urllib.parse, and this module runs on every pip
# metadata request, where a few milliseconds are a measurable share of the whole hook call.
# ruff: noqa: PTH103, PTH113, PTH118, PTH123

from __future__ import annotations

import os
import re

__all__ = [
    "MARKER",
    "dist_info_name",
    "is_sealed",
    "metadata_version",
    "normal_version",
    "prepare",
]

#: Written next to the dist-info so ``build_wheel`` knows who prepared it (see ``_proxy``).
MARKER = ".metaseal-prepared"

_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE | re.ASCII)
_N = r"(?:0|[1-9][0-9]*)"
_LOCAL_PART = r"(?:0|[1-9][0-9]*|[a-z0-9]*[a-z][a-z0-9]*)"
# The exact output of str(Version(...)): epoch only when non-zero, no leading zeros, canonical
# pre-release letters, ".postN", ".devN", and a lower-case local segment joined with dots.
_NORMAL_VERSION = re.compile(
    rf"(?:[1-9][0-9]*!)?{_N}(?:\.{_N})*(?:(?:a|b|rc){_N})?(?:\.post{_N})?(?:\.dev{_N})?"
    rf"(?:\+{_LOCAL_PART}(?:\.{_LOCAL_PART})*)?"
)
_MAX_BYTES = 16 * 1024 * 1024
# A header name as email's parser recognises one: printable ASCII except space and colon.
_HEADER = re.compile(r"([!-9;-~]+):")


def normal_version(text: str) -> bool:
    """Whether ``text`` is a PEP 440 version already in normal form."""
    return _NORMAL_VERSION.fullmatch(text) is not None


def dist_info_name(name: str, version: str) -> str | None:
    """``<name>-<version>.dist-info`` as the wheel spec spells it, or ``None`` if unsure."""
    if not _NAME.fullmatch(name) or not normal_version(version):
        return None
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}.dist-info"


def _headers(data: bytes) -> dict[str, list[str]] | None:
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
        match = _HEADER.match(line)
        if match is None:
            return None
        last = found.setdefault(match[1].lower(), [])
        last.append(line[match.end() :])
    return {name: [value.strip() for value in values] for name, values in found.items()}


def is_sealed(metadata_version: str | None) -> bool:
    """Metadata-Version 2.2 or later (PEP 643): the sdist's non-Dynamic fields bind its wheels."""
    major, _, minor = (metadata_version or "").partition(".")
    return major == "2" and minor.isascii() and minor.isdigit() and int(minor) >= 2


def metadata_version(data: bytes) -> str | None:
    """The one Metadata-Version of a metadata file, or ``None`` (missing, repeated, unreadable)."""
    values = (_headers(data) or {}).get("metadata-version", [])
    return values[0] if len(values) == 1 else None


def prepare(metadata_directory: str, cwd: str = ".") -> str | None:
    """Write the dist-info from ``cwd/PKG-INFO`` and return its basename, or ``None`` to decline."""
    path = os.path.join(cwd, "PKG-INFO")
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as file:
        data = file.read(_MAX_BYTES + 1)
    headers = _headers(data) if len(data) <= _MAX_BYTES else None
    if headers is None or "dynamic" in headers:
        return None
    identity = [headers.get(key, []) for key in ("metadata-version", "name", "version")]
    if any(len(values) != 1 for values in identity):
        return None  # missing or repeated
    (mv,), (name,), (version,) = identity
    if not is_sealed(mv):
        return None
    dist_info = dist_info_name(name, version)
    if dist_info is None:
        return None
    target = os.path.join(metadata_directory, dist_info)
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "METADATA"), "wb") as file:
        file.write(data)
    with open(os.path.join(metadata_directory, MARKER), "w", encoding="utf-8") as file:
        file.write("pkg-info\n")
    return dist_info
