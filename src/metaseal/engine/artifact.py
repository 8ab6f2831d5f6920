"""The record every reader produces and the engine consumes: one source of core metadata.

Immutable and free of open handles; the parsed form of its metadata is computed once, on first
use (:attr:`Artifact.parsed`).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.tags import Tag
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from metaseal.engine.model import ParsedMetadata

__all__ = ["Artifact", "Kind", "Role"]


class Kind(str, enum.Enum):
    """What kind of thing the source is on disk."""

    SDIST = "sdist"
    WHEEL = "wheel"
    SIDECAR = "sidecar"
    METADATA_FILE = "metadata-file"
    DIST_INFO = "dist-info"
    INSTALLED = "installed"


class Role(str, enum.Enum):
    """Which side of the packaging rules the source stands on."""

    SDIST = "sdist"  # its metadata is a PKG-INFO: the promise (PEP 643)
    WHEEL = "wheel"  # its metadata is a METADATA: built from the sdist


@dataclass(frozen=True)
class Artifact:
    """One source of core metadata with its identity; immutable, no open handles."""

    #: What the user named (a path as given, or ``installed:NAME``).
    source: str
    #: Short name for messages: the file name, or ``installed:NAME``.
    label: str
    kind: Kind
    role: Role
    #: The raw METADATA / PKG-INFO bytes, exactly as stored.
    metadata: bytes
    #: Name and version from the filename (wheels, sdists, sidecars); ``None`` when the source
    #: has no filename identity (bare files, dist-info directories, installed distributions).
    filename_name: NormalizedName | None = None
    filename_version: Version | None = None
    #: The wheel's filename, for sidecars: the filename of the distribution it stands for.
    distribution_filename: str | None = None
    #: Wheel tags: from the filename, or the ``Tag:`` lines of a dist-info's ``WHEEL`` file.
    tags: frozenset[Tag] = field(default_factory=frozenset)
    #: The ``*.dist-info`` directory name the METADATA was found in, when there is one.
    dist_info: str | None = None
    #: Other copies of the metadata member in the same archive, in archive order (an sdist
    #: rebuilt from an unpacked sdist may hold its old PKG-INFO too); :attr:`metadata` is the
    #: last copy, the one unpacking leaves on disk.
    duplicates: tuple[bytes, ...] = ()

    @functools.cached_property
    def parsed(self) -> ParsedMetadata:
        """The metadata, parsed (once per record, on first use)."""
        from metaseal.engine.model import parse_metadata

        return parse_metadata(self.metadata)
