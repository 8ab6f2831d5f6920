"""Write small, valid distribution files for tests, without any build backend.

Every archive is deterministic: fixed timestamps, sorted members, ``gzip`` mtime 0. Names in
``extra_files`` are archive member paths relative to the archive root (not to an sdist's top
directory), so tests can also place members where a well-formed file would never have them.
An ``extra_files`` entry with the same path as a generated member replaces it.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import tarfile
import zipfile
from typing import TYPE_CHECKING

from packaging.tags import parse_tag
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

__all__ = ["make_sdist", "make_sidecar", "make_wheel", "metadata_bytes"]

#: 1980-01-01, the earliest time a zip file can hold; also used for tar members.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_TAR_MTIME = 315532800


def metadata_bytes(
    fields: Sequence[tuple[str, str]], body: str | None = None, *, newline: str = "\n"
) -> bytes:
    """An email-style header block, ``Name: value`` per field in order, plus an optional body.

    Values are written verbatim (fold multi-line values yourself). The body follows one blank
    line. The result is UTF-8.
    """
    text = "".join(f"{name}: {value}{newline}" for name, value in fields)
    if body is not None:
        text += newline + body
    return text.encode("utf-8")


def _stem(name: str, version: str) -> str:
    """``{name}-{version}`` normalized the way wheel and sdist filenames are."""
    with contextlib.suppress(InvalidVersion):  # a deliberately invalid version is kept
        version = str(Version(version))
    return f"{canonicalize_name(name).replace('-', '_')}-{version}"


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}\n"


def make_wheel(
    directory: Path,
    name: str,
    version: str,
    metadata: bytes,
    *,
    tag: str = "py3-none-any",
    dist_info: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
    filename: str | None = None,
) -> Path:
    """Write a wheel holding ``METADATA``, ``WHEEL`` (one ``Tag:`` per expanded tag), ``RECORD``.

    ``tag`` may be a compressed tag set (``py2.py3-none-any``). ``dist_info`` defaults to the
    normalized ``<name>-<version>.dist-info`` and ``filename`` to ``<name>-<version>-<tag>.whl``.
    ``extra_files`` are written first (the ``.dist-info`` goes last, as archivers should do).
    """
    stem = _stem(name, version)
    dist_info = dist_info or f"{stem}.dist-info"
    tags = sorted(str(t) for t in parse_tag(tag))
    wheel = "Wheel-Version: 1.0\nGenerator: metaseal-tests\nRoot-Is-Purelib: true\n"
    wheel += "".join(f"Tag: {t}\n" for t in tags)
    members = dict(extra_files or {})
    members.setdefault(f"{dist_info}/METADATA", metadata)
    members.setdefault(f"{dist_info}/WHEEL", wheel.encode())
    record = f"{dist_info}/RECORD"
    payload = sorted(members.items(), key=lambda item: (item[0].startswith(dist_info), item[0]))
    if record not in members:
        lines = "".join(_record_line(path, data) for path, data in payload)
        payload.append((record, (lines + f"{record},,\n").encode()))
    target = directory / (filename or f"{stem}-{tag}.whl")
    with zipfile.ZipFile(target, "w") as archive:
        for path, data in payload:
            info = zipfile.ZipInfo(path, _ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def make_sdist(
    directory: Path,
    name: str,
    version: str,
    pkg_info: bytes,
    *,
    top: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
    filename: str | None = None,
) -> Path:
    """Write a PAX ``.tar.gz`` sdist holding ``<top>/PKG-INFO`` and ``<top>/pyproject.toml``.

    ``top`` defaults to the normalized ``<name>-<version>`` and ``filename`` to
    ``<top>.tar.gz``. ``extra_files`` keys are member paths from the archive root.
    """
    stem = _stem(name, version)
    top = top or stem
    pyproject = f'[build-system]\nrequires = []\n\n[project]\nname = "{name}"\n'
    pyproject += f'version = "{version}"\n'
    members = {f"{top}/PKG-INFO": pkg_info, f"{top}/pyproject.toml": pyproject.encode()}
    members.update(extra_files or {})
    target = directory / (filename or f"{stem}.tar.gz")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, data in sorted(members.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), _TAR_MTIME, 0o644
            archive.addfile(info, io.BytesIO(data))
    target.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return target


def make_sidecar(directory: Path, distribution_filename: str, metadata: bytes) -> Path:
    """Write the PEP 658 sidecar ``<distribution_filename>.metadata`` holding ``metadata``."""
    target = directory / f"{distribution_filename}.metadata"
    target.write_bytes(metadata)
    return target
