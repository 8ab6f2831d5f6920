"""The ``.dist-info`` beyond METADATA: copied out of a wheel built to answer a prepare hook, and
the other file PEP 517 binds, ``entry_points.txt`` of the prepared directory against the built
wheel's (bounded reads; the comparison by meaning is the engine's).
"""

from __future__ import annotations

import shutil

from metaseal.engine import formats
from metaseal.errors import ArtifactError

TYPE_CHECKING = False  # typing is not imported at run time (the backend's hook path)
if TYPE_CHECKING:
    import zipfile
    from pathlib import Path

__all__ = ["entry_points_of", "extract_dist_info", "same_entry_points"]


def entry_points_of(prepared_dir: Path, wheel: Path) -> tuple[bytes | None, bytes | None]:
    """``entry_points.txt`` of the prepared ``.dist-info`` and of the built wheel (bounded)."""
    from metaseal.engine.entrypoints import ENTRY_POINTS
    from metaseal.sources._common import optional_file
    from metaseal.sources.archives import read_dist_info_member

    prepared = optional_file(str(prepared_dir), prepared_dir / ENTRY_POINTS)
    return prepared, read_dist_info_member(str(wheel), wheel, ENTRY_POINTS)


def same_entry_points(archive: zipfile.ZipFile, dist_info: str, prepared_dir: Path) -> bool:
    """Whether the prepared and the built ``entry_points.txt`` are byte-identical or both
    absent (bounded: a large one is left to the engine's reader)."""
    prepared = prepared_dir / "entry_points.txt"
    names = set(archive.namelist())
    member = f"{dist_info}/entry_points.txt"
    if not prepared.is_file() or member not in names:
        return not prepared.exists() and member not in names
    info = archive.getinfo(member)
    if info.file_size > formats.MAX_METADATA_BYTES:
        return False
    if prepared.stat().st_size != info.file_size:
        return False
    return prepared.read_bytes() == archive.read(member)


def extract_dist_info(wheel: Path, target: Path) -> str:
    """Copy the one ``*.dist-info/`` of ``wheel`` into ``target``; return its name."""
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        dist_info = formats.one_dist_info(archive.namelist(), str(wheel))
        for member in archive.infolist():
            parts = member.filename.split("/")
            if parts[0] != dist_info or member.is_dir():
                continue
            if any(part in ("", ".", "..") for part in parts):
                raise ArtifactError(str(wheel), f"has an unsafe member {member.filename!r}.")
            dest = target.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)
    return dist_info
