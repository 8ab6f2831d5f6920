"""The layout of a ``.tar.gz`` sdist, read in one pass: one top directory, links that stay
inside it, and one ``PKG-INFO`` (copies kept for the ``duplicate-pkg-info`` rule).

Standard library only (no ``packaging``): the wrapper backend reads every sdist it builds with
it, also when its verdict memo spares it the checking engine.
"""

from __future__ import annotations

import gzip
import re
import tarfile

from metaseal.engine.formats import MAX_METADATA_BYTES
from metaseal.errors import ArtifactError
from metaseal.sources._faults import STREAM_ERRORS, corrupt, exactly_one, too_big

TYPE_CHECKING = False  # typing is not imported at run time (the backend's hook path)
if TYPE_CHECKING:
    from collections.abc import Callable, Collection
    from pathlib import Path

__all__ = ["MAX_PKG_INFO_COPIES", "Layout", "tar_pkg_info"]

_ABSOLUTE = r"[/\\]|[A-Za-z]:"  # compiled on first use (re caches it)


class Layout:
    """The one-top-directory rule of sdists, fed one member name at a time."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.tops: dict[str, None] = {}  # an ordered set
        self.escaping: list[str] = []
        #: Symbolic link members: path -> (its directory's parts, target).
        self.links: dict[str, tuple[list[str], str]] = {}

    def add(self, name: str, link: str | None = None, *, hard: bool = False) -> list[str]:
        """Record member ``name``; return its path components (``[]`` if it escapes).

        ``link`` is a link member's target: a symbolic link's is resolved against the member's
        own directory, a hard link's is a member name; either must stay inside the top
        directory, or unpacking the sdist would reach outside it.
        """
        parts = [part for part in re.split(r"[/\\]", name) if part not in ("", ".")]
        if re.match(_ABSOLUTE, name) or ".." in parts:
            self.escaping.append(name)
            return []
        if link is not None and not _inside(parts[:1], parts[:-1] if not hard else [], link):
            self.escaping.append(f"{name} -> {link}")
            return []
        if link is not None and not hard:
            self.links["/".join(parts)] = (parts[:-1], link)
        if parts:
            self.tops.setdefault(parts[0], None)
        return parts

    def top(self) -> str:
        """The single top directory; raises for escaping members or other top-level entries."""
        # A target that passes through another link cannot be judged by its text alone
        # (`e -> a/b/up2/../..` with `a/b/up2 -> ../..` leaves the archive): refused.
        for path, (directory, target) in self.links.items():
            if _through_link(directory, target, self.links.keys() - {path}):
                self.escaping.append(f"{path} -> {target}")
        if self.escaping:
            shown = ", ".join(f"`{name}`" for name in self.escaping[:5])
            more = f" and {len(self.escaping) - 5} more" if len(self.escaping) > 5 else ""
            raise ArtifactError(
                self.spec,
                f"the sdist has members escaping the top directory ({shown}{more}); every "
                "member must lie inside its one top-level directory. Do not unpack this file; "
                "rebuild the sdist.",
            )
        tops = list(self.tops)
        if len(tops) != 1:
            shown = f" (`{'`, `'.join(tops[:5])}`)" if tops else ""
            raise ArtifactError(
                self.spec,
                f"the sdist has {len(tops)} top-level entries{shown}; an sdist must hold "
                "exactly one top-level directory, `{name}-{version}`. Rebuild the sdist.",
            )
        return tops[0]


def _inside(top: list[str], directory: list[str], target: str) -> bool:
    """Whether link ``target`` (relative to ``directory``) stays inside the ``top`` directory."""
    if not top or re.match(_ABSOLUTE, target):
        return False
    resolved = list(directory)
    for part in re.split(r"[/\\]", target):
        if part in ("", "."):
            continue
        if part == "..":
            if len(resolved) <= 1:
                return False
            resolved.pop()
        else:
            resolved.append(part)
    return bool(resolved) and resolved[0] == top[0]


def _through_link(directory: list[str], target: str, links: Collection[str]) -> bool:
    """Whether resolving ``target`` from ``directory`` passes through a link member."""
    resolved = list(directory)
    for part in re.split(r"[/\\]", target):
        if part in ("", "."):
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        resolved.append(part)
        if "/".join(resolved) in links:
            return True
    return False


#: How many copies of PKG-INFO an sdist may hold (backends that rebuild an sdist from an
#: unpacked sdist keep the old one): more is refused before they are all read.
MAX_PKG_INFO_COPIES = 4


def tar_pkg_info(
    spec: str, path: Path, layout: Layout, seen: Callable[[tarfile.TarInfo], None] | None = None
) -> tuple[bytes, str, tuple[bytes, ...]]:
    """Read ``<top>/PKG-INFO`` of a ``.tar.gz`` in one pass, then check the whole layout;
    ``seen`` is called with every member's header, in order (the backend's verdict memo)."""
    found: list[tarfile.TarInfo] = []
    copies: list[bytes] = []
    try:
        # gzip.open, not mode "r:gz": the same handle then checks how the stream ends.
        with gzip.open(path, "rb") as stream, tarfile.open(fileobj=stream, mode="r:") as archive:
            for info in archive:
                if seen is not None:
                    seen(info)
                link = info.linkname if info.issym() or info.islnk() else None
                if layout.add(info.name, link, hard=info.islnk())[1:] == ["PKG-INFO"]:
                    found.append(info)
                    if len(found) > MAX_PKG_INFO_COPIES:
                        break
                    if info.isreg() and info.size <= MAX_METADATA_BYTES:
                        handle = archive.extractfile(info)
                        copies.append(handle.read(MAX_METADATA_BYTES + 1) if handle else b"")
            # tarfile stops quietly at a cut or garbled header after the first member; make
            # sure the archive ended with its zero block, then drain so gzip checks its trailer.
            stream.seek(archive.offset)
            if len(found) <= MAX_PKG_INFO_COPIES and stream.read(512) != bytes(512):
                raise EOFError(f"no end-of-archive marker at byte {archive.offset:,}")
            while stream.read(1 << 20):
                pass
    except STREAM_ERRORS as exc:
        raise corrupt(spec, "an sdist (gzip-compressed tar archive)", exc) from exc
    member = f"{layout.top()}/PKG-INFO"
    if not found or len(found) > MAX_PKG_INFO_COPIES:
        exactly_one(spec, "sdist", member, len(found))
    for info in found:
        if info.issparse():
            raise ArtifactError(
                spec, f"`{member}` is a sparse file member, not a regular file; rebuild the sdist."
            )
        if not info.isreg():
            kind = "a symbolic link" if info.issym() else "a hard link" if info.islnk() else None
            kind = kind or ("a directory" if info.isdir() else "a special file")
            raise ArtifactError(
                spec, f"`{member}` is {kind}, not a regular file; rebuild the sdist."
            )
        if info.size > MAX_METADATA_BYTES:
            raise too_big(spec, f"`{member}`", info.size)
    # Unpacking writes every copy in turn: the last one is what pip, build and a wheel built
    # from the unpacked sdist read. The others are kept for the `duplicate-pkg-info` rule.
    return copies[-1], member, tuple(copies[:-1])
