"""Readers: turn what the user names into :class:`Artifact` records, strictly, never extracting.

Sources understood (see :func:`read_source`):

- an sdist ``.tar.gz`` (or legacy ``.zip``): exactly one top-level directory holding a
  regular-file ``PKG-INFO``;
- a wheel ``.whl``: exactly one ``*.dist-info/METADATA`` at depth 1 (also from a file object,
  :func:`read_wheel`, which index checks use to read a wheel over HTTP range requests);
- a PEP 658 sidecar ``<wheel or sdist filename>.metadata``, standing in for its distribution;
- a bare ``METADATA`` (wheel role) or ``PKG-INFO`` (sdist role) file;
- an unpacked ``*.dist-info`` directory (wheel role);
- ``installed:NAME``: an installed distribution of this interpreter or of ``python``;
  ``installed:`` (to :func:`discover`): every distribution of that environment.

Every member read has a size limit. Filenames are parsed with :mod:`packaging.utils`.
This module does I/O only; it makes no judgement about the metadata (the engine does).
"""

from __future__ import annotations

import collections
import dataclasses
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import (
    InvalidSdistFilename,
    parse_sdist_filename,
)

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.errors import ArtifactError
from metaseal.sources._common import checked, read_file, stat_mode
from metaseal.sources.archives import (
    SeekableReader,
    read_dist_info_dir,
    read_sdist,
    read_sidecar,
    read_wheel,
    read_wheel_file,
    wheel_from_metadata,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = [
    "SeekableReader",
    "discover",
    "read_sdist",
    "read_source",
    "read_wheel",
    "wheel_from_metadata",
]

_ACCEPTED = (
    "metaseal reads a wheel (`*.whl`), an sdist (`*.tar.gz`, or a legacy `*.zip`), a PEP 658 "
    "sidecar (`<distribution filename>.metadata`), a `METADATA` or `PKG-INFO` file, a "
    "`*.dist-info` directory, or `installed:NAME`"
)
_INSTALLED = "installed:"
_SIDECAR = ".metadata"


def read_source(spec: str, *, python: str | None = None) -> Artifact:
    """Read the one metadata source named by ``spec``: a path, or ``installed:NAME``.

    ``python`` is the interpreter asked about ``installed:NAME`` (default: this process); paths
    ignore it. Anything unreadable, malformed or hostile raises
    :class:`~metaseal.errors.ArtifactError`.
    """
    if spec.startswith(_INSTALLED):
        from metaseal.sources.installed import read_installed  # not on the backend's path

        return read_installed(spec, spec[len(_INSTALLED) :], python)
    path = Path(spec)
    name = path.name
    if name == "pyproject.toml":
        raise ArtifactError(
            spec,
            "`pyproject.toml` is not a distribution file; `metaseal check` and `metaseal diff` "
            "read it directly. Pass it to one of those commands instead.",
        )
    mode = stat_mode(spec, path)
    if mode is None:
        raise ArtifactError(spec, f"no such file or directory; {_ACCEPTED}. Check the path.")
    if stat.S_ISDIR(mode) and name.endswith(".dist-info"):
        return read_dist_info_dir(spec, path)
    if stat.S_ISDIR(mode):
        raise ArtifactError(
            spec,
            f"is a directory but not a `*.dist-info` one; {_ACCEPTED}. To read the "
            "distribution files in a directory, pass it to `discover()` or `metaseal check`.",
        )
    if not stat.S_ISREG(mode):
        raise ArtifactError(spec, f"is not a regular file; {_ACCEPTED}.")
    if name.endswith(_SIDECAR):
        return read_sidecar(spec, path)
    if name.endswith(".whl"):
        return read_wheel_file(spec, path)
    if name.endswith((".tar.gz", ".zip")):
        return read_sdist(spec, path)
    if name in ("METADATA", "PKG-INFO"):
        data = checked(spec, f"`{name}`", read_file(spec, path))
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
        if spec == _INSTALLED:  # every distribution of the environment, in one subprocess
            try:
                from metaseal.sources.installed import read_environment

                found, failed = read_environment(spec, python)
            except ArtifactError as exc:
                errors.append(exc)
                continue
            errors += failed
            for artifact in found:
                if artifact.source not in seen:
                    seen.add(artifact.source)
                    artifacts.append(artifact)
            continue
        sources = [spec]
        if not spec.startswith(_INSTALLED) and not spec.rstrip("/\\").endswith(".dist-info"):
            try:
                mode = stat_mode(spec, Path(spec))
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
    base = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        names = sorted(f for f in filenames if _is_distribution(f))
        for name in names:
            path = os.path.join(dirpath, name)  # noqa: PTH118 - as in _identity
            if os.path.islink(path) and not _within(os.path.realpath(path), base):  # noqa: PTH114
                errors.append(
                    ArtifactError(
                        path,
                        "is a symbolic link to a file outside the directory named "
                        f"(`{root}`), so it was not read; name that file itself to check it.",
                    )
                )
                continue
            found.append(path)
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


def _within(path: str, directory: str) -> bool:
    return os.path.commonpath([path, directory]) == directory


def _is_distribution(filename: str) -> bool:
    """Whether :func:`discover` picks ``filename`` up while walking a directory."""
    filename = filename[: -len(_SIDECAR)] if filename.endswith(_SIDECAR) else filename
    if filename.endswith((".whl", ".tar.gz")):
        return True
    try:
        return filename.endswith(".zip") and bool(parse_sdist_filename(filename))
    except InvalidSdistFilename:
        return False
