"""What a :class:`index.servers.StaticIndex` serves: the dists of a flat directory, their hashes
and sidecars, and the simple-repository pages listing them (stdlib only; rendering is pure)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Union
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

__all__ = [
    "Body",
    "Dist",
    "Junk",
    "Segment",
    "dump_json",
    "normalize",
    "read_dist",
    "render",
    "sha256",
]

_NORMALIZE = re.compile(r"[-_.]+")
_WHEEL_METADATA = re.compile(r"[^/]+\.dist-info/METADATA")
_PKG_INFO = re.compile(r"[^/]+/PKG-INFO")


@dataclass(frozen=True)
class Segment:
    """``length`` bytes of a file from ``start``."""

    path: Path
    start: int
    length: int


@dataclass(frozen=True)
class Junk:
    """``size`` bytes of filler (the ``huge`` fault)."""

    size: int


#: A response body: bytes in memory, part of a file, or filler.
Body = Union[bytes, Segment, Junk]


@dataclass(frozen=True)
class Dist:
    filename: str
    project: str  # normalized
    version: str
    path: Path
    size: int
    mtime_ns: int
    sha256: str
    metadata: bytes | None  # the sidecar
    metadata_sha256: str | None
    requires_python: str | None


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return _NORMALIZE.sub("-", name).lower()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _identity(filename: str) -> tuple[str, str] | None:
    """(normalized name, version) from a wheel or sdist filename; ``None`` for anything else."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return (normalize(parts[0]), parts[1]) if len(parts) in (5, 6) else None
    for suffix in (".tar.gz", ".zip"):
        if filename.endswith(suffix):
            name, dash, version = filename[: -len(suffix)].rpartition("-")
            return (normalize(name), version) if dash and name else None
    return None


def _extract(path: Path) -> bytes | None:
    """The wheel's single ``*.dist-info/METADATA`` or the sdist's ``<top>/PKG-INFO``."""
    try:
        if path.suffix in (".whl", ".zip"):
            pattern = _WHEEL_METADATA if path.suffix == ".whl" else _PKG_INFO
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if pattern.fullmatch(n)]
                return archive.read(names[0]) if len(names) == 1 else None
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.isfile() and _PKG_INFO.fullmatch(member.name):
                    handle = tar.extractfile(member)
                    return handle.read() if handle is not None else None
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, zlib.error):
        return None
    return None


def _requires_python(metadata: bytes | None) -> str | None:
    for line in (metadata or b"").decode("utf-8", "replace").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key.strip().lower() == "requires-python":
            return value.strip()
    return None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_dist(path: Path, previous: Dist | None = None) -> Dist | None:
    """The dist at ``path`` (``None``: not a wheel or sdist); ``previous`` is reused while the
    file's size and mtime are unchanged. A ``<filename>.metadata`` beside it is its sidecar."""
    identity = _identity(path.name)
    if identity is None or not path.is_file():
        return None
    stat = path.stat()
    if previous is not None and (previous.size, previous.mtime_ns) == (
        stat.st_size,
        stat.st_mtime_ns,
    ):
        return previous
    beside = path.with_name(path.name + ".metadata")
    metadata = beside.read_bytes() if beside.is_file() else _extract(path)
    return Dist(
        path.name, identity[0], identity[1], path, stat.st_size, stat.st_mtime_ns,
        _file_sha256(path), metadata, None if metadata is None else sha256(metadata),
        _requires_python(metadata),
    )  # fmt: skip


def dump_json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _html(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.1">'
        f"<title>{html.escape(title)}</title></head>\n<body><h1>{html.escape(title)}</h1>\n"
        f"{body}</body></html>\n"
    ).encode()


@dataclass(frozen=True)
class _Pages:
    """Renders with one index's settings; ``advertise(path, digest)`` is the sha256 a page
    shows for ``path`` (a ``wrong-hash`` fault changes it)."""

    url: str
    sidecars: bool
    yanked: Mapping[str, str]
    advertise: Callable[[str, str], str]

    def sidecar_hash(self, dist: Dist) -> str | None:
        if not self.sidecars or dist.metadata_sha256 is None:
            return None
        return self.advertise(f"/files/{dist.filename}.metadata", dist.metadata_sha256)

    def file_json(self, dist: Dist) -> dict[str, object]:
        yanked: str | bool = False
        if dist.filename in self.yanked:
            yanked = self.yanked[dist.filename] or True
        entry: dict[str, object] = {
            "filename": dist.filename,
            "url": f"{self.url}/files/{quote(dist.filename)}",
            "hashes": {"sha256": self.advertise(f"/files/{dist.filename}", dist.sha256)},
            "size": dist.size,
            "yanked": yanked,
        }
        if dist.requires_python is not None:
            entry["requires-python"] = dist.requires_python
        sidecar = self.sidecar_hash(dist)
        if sidecar is not None:
            entry["core-metadata"] = entry["dist-info-metadata"] = {"sha256": sidecar}
        return entry

    def anchor(self, dist: Dist, prefix: str) -> str:
        sha = self.advertise(f"/files/{dist.filename}", dist.sha256)
        attrs = f'href="{prefix}{quote(dist.filename)}#sha256={sha}"'
        if dist.requires_python is not None:
            attrs += f' data-requires-python="{html.escape(dist.requires_python)}"'
        sidecar = self.sidecar_hash(dist)
        if sidecar is not None:
            attrs += f' data-core-metadata="sha256={sidecar}"'
            attrs += f' data-dist-info-metadata="sha256={sidecar}"'
        if dist.filename in self.yanked:
            attrs += f' data-yanked="{html.escape(self.yanked[dist.filename])}"'
        return f"<a {attrs}>{html.escape(dist.filename)}</a><br/>\n"


def render(
    dists: Sequence[Dist],
    *,
    url: str,
    sidecars: bool,
    yanked: Mapping[str, str],
    advertise: Callable[[str, str], str],
) -> tuple[dict[str, tuple[bytes, bytes]], dict[str, tuple[str, Body]]]:
    """(page path -> (JSON, HTML)), (file path -> (content type, body)) for every dist.

    JSON file URLs are absolute (as on PyPI); HTML links are relative, as on static mirrors.
    """
    pages = _Pages(url, sidecars, yanked, advertise)
    projects: dict[str, list[Dist]] = {}
    for dist in dists:
        projects.setdefault(dist.project, []).append(dist)
    names = sorted(projects)
    root_json = {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
    root_html = "".join(f'<a href="/simple/{n}/">{n}</a><br/>\n' for n in names)
    rendered = {"/simple/": (dump_json(root_json), _html("Simple index", root_html))}
    for name, mine in projects.items():
        document = {
            "meta": {"api-version": "1.1"},
            "name": name,
            "files": [pages.file_json(d) for d in mine],
            "versions": list(dict.fromkeys(d.version for d in mine)),
        }
        anchors = "".join(pages.anchor(d, "../../files/") for d in mine)
        rendered[f"/simple/{name}/"] = (dump_json(document), _html(f"Links for {name}", anchors))
    every = "".join(pages.anchor(d, "../files/") for d in dists)
    rendered["/links/"] = (b"", _html("Links", every))
    files: dict[str, tuple[str, Body]] = {}
    for dist in dists:
        files[f"/files/{dist.filename}"] = (
            "application/octet-stream",
            Segment(dist.path, 0, dist.size),
        )
        if sidecars and dist.metadata is not None:
            files[f"/files/{dist.filename}.metadata"] = ("text/plain", dist.metadata)
    return rendered, files
