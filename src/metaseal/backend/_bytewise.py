"""The byte-level check of a wheel built from a sealed sdist, before any parsing.

With one backend version, the sdist's PKG-INFO, the prepared METADATA and the wheel's METADATA
are usually the same bytes; then every rule that binds the wheel holds, and the checking engine
(packaging, ``email``) is not loaded. A wheel of an sdist metaseal sealed (its backend writes
Metadata-Version 2.1) differs from PKG-INFO only in what sealing changed, which the engine
reports as information: decided here too. Anything else goes to the engine, which explains it.
Rules that hold for identical files too (a field that may never be Dynamic) send the pair to
the engine as well. Standard library only, like the rest of the hook path.
"""

# pathlib is avoided on the hook path (see _lifecycle).
# ruff: noqa: PTH113, PTH118, PTH123

from __future__ import annotations

import os

from metaseal.engine import formats
from metaseal.errors import ArtifactError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Literal

    Kind = Literal["sdist", "wheel", "editable"]

__all__ = ["identical_to_pkg_info"]


def identical_to_pkg_info(
    root: str,
    kind: Kind,
    path: str,
    metadata_directory: str | None,
    *,
    fast_path: bool = False,
) -> dict[str, list[str]] | None:
    """The headers of PKG-INFO when a wheel built from an sdist holds it byte for byte, or holds
    what metaseal sealed into it (:func:`_sealed_from`), and any prepared METADATA is one of
    the two: then every check passes (the second case earns only information), and the engine
    (packaging, email) need not be loaded; else ``None``. ``fast_path``: the prepared METADATA
    is metaseal's answer from PKG-INFO, which has no entry points to compare.
    """
    import zipfile

    pkg_info = os.path.join(root, "PKG-INFO")
    if kind == "sdist" or not os.path.isfile(pkg_info):
        return None
    promised = _bounded(pkg_info)
    if promised is None:
        return None  # too big, or a header flood: the engine's reader refuses it, and says why
    if not formats.is_sealed(formats.metadata_version(promised)):
        return None  # an unsealed PKG-INFO proves nothing: [project] must still be checked
    headers = formats.read_headers(promised) or {}
    dynamic = headers.get("dynamic", [])
    if any(name.lower() in formats.NEVER_DYNAMIC for name in dynamic):
        return None  # identical or not, the engine reports the forbidden Dynamic
    prepared = os.path.join(metadata_directory, "METADATA") if metadata_directory else None
    answered = None
    if prepared is not None and os.path.isfile(prepared):
        answered = _bounded(prepared)
        if answered is None:
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            dist_info = formats.one_dist_info(names, path)
            member = f"{dist_info}/METADATA"
            info = archive.getinfo(member)
            kind_bits = (info.external_attr >> 16) & 0o170000
            if (
                names.count(member) != 1  # which copy an installer reads is anyone's guess
                or info.is_dir()
                or kind_bits not in (0, 0o100000)  # a link, not a regular file
                or info.file_size > formats.MAX_METADATA_BYTES
            ):
                return None  # the engine's reader refuses it, with the reason
            written = archive.read(info)
            same = written == promised or _sealed_from(written, promised, headers)
            if answered is not None and answered not in (promised, written):
                return None  # the prepared metadata differs: the engine explains how
            if same and prepared is not None and answered is not None and not fast_path:
                from pathlib import Path

                from metaseal.backend._distinfo import same_entry_points

                same = same_entry_points(archive, dist_info, Path(prepared).parent)
    except (OSError, KeyError, zipfile.BadZipFile, ArtifactError):
        return None  # the engine's reader explains what is wrong
    return headers if same else None


def _bounded(path: str) -> bytes | None:
    """The bytes of a metadata file, or ``None`` when the engine's reader would refuse it for
    its size or its number of lines (a header flood)."""
    with open(path, "rb") as file:
        data = file.read(formats.MAX_METADATA_BYTES + 1)
    if len(data) > formats.MAX_METADATA_BYTES or data.count(b"\n") >= formats.MAX_HEADER_LINES:
        return None  # counting every line is stricter than the reader: the engine then decides
    return data


def _sealed_from(written: bytes, promised: bytes, headers: Mapping[str, list[str]]) -> bool:
    """Whether PKG-INFO (``promised``, parsed as ``headers``) is exactly what metaseal makes of
    the wheel's METADATA (``written``) when it seals an old sdist: Metadata-Version 2.2 and its
    ``Dynamic`` lines in place of a 2.1 or 2.0 one, every other byte the same. A backend that
    writes 2.1 (pdm-backend rebuilding an sdist) builds such wheels from every sealed sdist;
    the engine reports the pair only as information (rule ``sealed-sdist``)."""
    if headers.get("metadata-version") != ["2.2"]:
        return False
    theirs = formats.read_headers(written)
    if theirs is None or theirs.get("metadata-version") not in (["2.1"], ["2.0"]):
        return False
    if "dynamic" in theirs:
        return False
    from metaseal.backend._reseal import sealed_pkg_info

    try:
        return sealed_pkg_info(written, headers.get("dynamic", [])) == promised
    except ValueError:  # no Metadata-Version line to replace, a non-ASCII Dynamic value
        return False
