"""Which wheels of a release are a repair tool's input and output (pure).

auditwheel turns a ``linux_*`` wheel into a ``manylinux*``/``musllinux*`` one; delocate retags
a macOS wheel's deployment target. Neither may change metadata, so :mod:`metaseal.engine.release`
compares each pair found here under the ``repair`` rule.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from metaseal.engine.environments import platform_family

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.engine.artifact import Artifact

__all__ = ["repair_pairs"]


def _identity(artifact: Artifact) -> tuple[object, ...] | None:
    if not artifact.tags:
        return None
    python_abi = frozenset((tag.interpreter, tag.abi) for tag in artifact.tags)
    name, version = artifact.filename_name, artifact.filename_version
    if name is None or version is None:
        meta = artifact.parsed
        found_name, found_version = meta.values("name"), meta.values("version")
        if not found_name or not found_version:
            return None
        return (canonicalize_name(found_name[0].strip()), found_version[0].strip(), python_abi)
    return (name, str(version), python_abi)


def _repair_order(a: Artifact, b: Artifact) -> int:
    """1: ``a`` looks like the original of ``b``; -1: the other way round; 0: not a pair."""
    platforms_a = {tag.platform for tag in a.tags}
    platforms_b = {tag.platform for tag in b.tags}
    if platforms_a == platforms_b:
        return 0  # same file name: analyze() reports differing metadata as inexpressible
    families_a = {platform_family(p) for p in platforms_a}
    families_b = {platform_family(p) for p in platforms_b}
    if None in families_a | families_b:
        return 0
    kinds_a = {f[0] for f in families_a if f is not None}
    kinds_b = {f[0] for f in families_b if f is not None}
    archs_a = {f[1] for f in families_a if f is not None}
    archs_b = {f[1] for f in families_b if f is not None}
    if archs_a != archs_b:
        return 0
    repaired = {"manylinux", "musllinux"}
    if kinds_a == {"linux"} and kinds_b <= repaired:
        return 1
    if kinds_b == {"linux"} and kinds_a <= repaired:
        return -1
    return 1 if kinds_a == kinds_b == {"macosx"} else 0  # delocate retags the macOS version


def repair_pairs(wheels: Sequence[Artifact]) -> list[tuple[Artifact, Artifact]]:
    """(original, repaired) wheel pairs whose metadata a repair tool must not have changed.

    Same name, version and python/abi tags, and: a ``linux_*`` platform against
    ``manylinux*`` / ``musllinux*`` of the same architecture (auditwheel), or macOS platforms
    of the same binary format but another deployment target (delocate). delvewheel keeps the
    file name, so its input and output have identical tags; :func:`analyze` reports those.
    """
    pairs = []
    for a, b in itertools.combinations(wheels, 2):
        identity = _identity(a)
        if identity is None or identity != _identity(b):
            continue
        order = _repair_order(a, b)
        if order:
            pairs.append((a, b) if order > 0 else (b, a))
    return pairs
