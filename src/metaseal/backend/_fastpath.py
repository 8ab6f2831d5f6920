"""Answer ``prepare_metadata_for_build_wheel`` from a sealed sdist's PKG-INFO, stdlib only.

When the build runs in an unpacked sdist (``PKG-INFO`` at the top of the working directory) whose
Metadata-Version is 2.2 or later and which lists nothing as ``Dynamic`` (or only
``License-File``, whose files are all in the sdist and no other file at its top looks like one:
setuptools marks it whenever a project has a license file), PEP 643 makes every field of the
wheel's METADATA equal to PKG-INFO's (but License-File then). The prepared metadata is then
PKG-INFO itself, written as ``<name>-<version>.dist-info/METADATA`` without importing the inner
backend, packaging or the ``email`` package; ``build_wheel`` holds the wheel to PKG-INFO.

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

from metaseal.engine.formats import MAX_METADATA_BYTES, dist_info_name, is_sealed, read_headers

__all__ = ["MARKER", "prepare"]

#: Written next to the dist-info so ``build_wheel`` knows who prepared it (see ``_lifecycle``).
MARKER = ".metaseal-prepared"


#: setuptools' default ``license_files`` patterns (``LICEN[CS]E*``, ``COPYING*``, ``NOTICE*``,
#: ``AUTHORS*``, at the top of the project), as the name prefixes they match.
_DEFAULT_LICENSE_PREFIXES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")


def _static_enough(headers: dict[str, list[str]], cwd: str) -> bool:
    """Nothing is Dynamic; or, as setuptools writes whenever a project has a license file,
    only ``License-File`` is, every file it lists is in the sdist, and no other file at the top
    of the sdist has a name setuptools' default patterns match: setuptools then likely finds
    the same files again (pbr, for one, writes ``AUTHORS`` after PKG-INFO listed the license
    files, and the wheel lists it too). A wheel that still lists other files is kept: PKG-INFO
    marks ``License-File`` Dynamic, and the prepared metadata is metaseal's guess, not the
    inner backend's promise (see ``_lifecycle``)."""
    dynamic = {value.strip().lower() for value in headers.get("dynamic", [])}
    if not dynamic:
        return True
    files = headers.get("license-file", [])
    if dynamic != {"license-file"} or not files:
        return False
    for name in files:
        parts = name.replace("\\", "/").split("/")
        if name.startswith("/") or any(part in ("", ".", "..") for part in parts):
            return False
        if not os.path.isfile(os.path.join(cwd, *parts)):
            return False
    listed = {name.replace("\\", "/") for name in files}
    try:
        entries = os.listdir(cwd)  # noqa: PTH208
    except OSError:
        return False
    return not any(
        entry.startswith(_DEFAULT_LICENSE_PREFIXES)
        and entry not in listed
        and os.path.isfile(os.path.join(cwd, entry))
        for entry in entries
    )


def prepare(metadata_directory: str, cwd: str = ".") -> str | None:
    """Write the dist-info from ``cwd/PKG-INFO`` and return its basename, or ``None`` to decline."""
    path = os.path.join(cwd, "PKG-INFO")
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as file:
        data = file.read(MAX_METADATA_BYTES + 1)
    headers = read_headers(data) if len(data) <= MAX_METADATA_BYTES else None
    if headers is None or not _static_enough(headers, cwd):
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
