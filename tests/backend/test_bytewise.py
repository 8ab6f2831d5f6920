"""The byte-level wheel check (``metaseal.backend._bytewise``): it decides only pairs the engine
would pass, and hands everything else, including what the engine's reader refuses, to it."""

from __future__ import annotations

import warnings
import zipfile
from typing import TYPE_CHECKING

import pytest

from metaseal.backend._bytewise import identical_to_pkg_info
from metaseal.backend._reseal import sealed_pkg_info
from metaseal.engine.formats import MAX_HEADER_LINES, MAX_METADATA_BYTES

if TYPE_CHECKING:
    from pathlib import Path

OLD = b"Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\nRequires-Dist: attrs>=20\n\nBody\n"
WHEEL = "demo_pkg-1.0-py3-none-any.whl"


def _wheel(tmp_path: Path, *metadata: bytes) -> str:
    """A wheel holding ``metadata`` as its METADATA (more than one: duplicate entries)."""
    path = tmp_path / WHEEL
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name
        for data in metadata:
            archive.writestr("demo_pkg-1.0.dist-info/METADATA", data)
        archive.writestr("demo_pkg-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n")
    return str(path)


def _decide(
    tmp_path: Path, pkg_info: bytes, *metadata: bytes, prepared: bytes | None = None
) -> dict[str, list[str]] | None:
    (tmp_path / "PKG-INFO").write_bytes(pkg_info)
    directory = None
    if prepared is not None:
        (tmp_path / "meta").mkdir()
        (tmp_path / "meta" / "METADATA").write_bytes(prepared)
        directory = str(tmp_path / "meta")
    wheel = _wheel(tmp_path, *metadata)
    return identical_to_pkg_info(str(tmp_path), "wheel", wheel, directory, fast_path=True)


def test_identical_files(tmp_path: Path) -> None:
    sealed = OLD.replace(b"2.1", b"2.4")
    decided = _decide(tmp_path, sealed, sealed)
    assert decided is not None
    assert decided["name"] == ["demo-pkg"]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
@pytest.mark.parametrize("dynamic", [[], ["Classifier", "Keywords"]])
@pytest.mark.parametrize("version", [b"2.1", b"2.0"])
def test_a_wheel_of_a_sealed_old_sdist(
    tmp_path: Path, newline: bytes, dynamic: list[str], version: bytes
) -> None:
    written = OLD.replace(b"2.1", version).replace(b"\n", newline)
    assert _decide(tmp_path, sealed_pkg_info(written, dynamic), written) is not None


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda p, w: (p.replace(b"2.2", b"2.3"), w), "not what sealing writes"),
        (lambda p, w: (p, w.replace(b"attrs>=20", b"attrs>=21")), "another difference"),
        (lambda p, w: (p, w.replace(b"2.1\n", b"2.1\nDynamic: Keywords\n")), "wheel Dynamic"),
        (
            lambda p, w: (
                p.replace(b"Dynamic: Classifier\n", b"").replace(
                    b"0\n\n", b"0\nDynamic: Classifier\n\n"
                ),
                w,
            ),
            "a Dynamic line where sealing does not write it",
        ),
        (lambda p, w: (p, w.replace(b"2.1", b"1.2")), "not a version sealing starts from"),
        (lambda p, w: (p.replace(b"Classifier", b"Version"), w), "Version may never be Dynamic"),
    ],
)
def test_anything_else_goes_to_the_engine(tmp_path: Path, change: object, why: str) -> None:
    pkg_info, written = change(sealed_pkg_info(OLD, ["Classifier"]), OLD)  # type: ignore[operator]
    assert _decide(tmp_path, pkg_info, written) is None, why


def test_prepared_metadata_may_be_either_file(tmp_path: Path) -> None:
    pkg_info = sealed_pkg_info(OLD, ["Classifier"])
    for index, prepared in enumerate((pkg_info, OLD)):
        where = tmp_path / str(index)
        where.mkdir()
        assert _decide(where, pkg_info, OLD, prepared=prepared) is not None
    other = tmp_path / "other"
    other.mkdir()
    assert _decide(other, pkg_info, OLD, prepared=OLD + b"more\n") is None


def test_what_the_reader_refuses_goes_to_the_engine(tmp_path: Path) -> None:
    sealed = OLD.replace(b"2.1", b"2.4")
    cases = {
        "duplicate METADATA": (sealed, (OLD.replace(b"attrs", b"evil"), sealed)),
        "too big": (sealed + b"x" * MAX_METADATA_BYTES, (sealed,)),
        "header flood": (sealed.replace(b"\n\n", b"\nX: y" * MAX_HEADER_LINES + b"\n\n"), None),
    }
    for name, (pkg_info, metadata) in cases.items():
        where = tmp_path / name.replace(" ", "-")
        where.mkdir()
        assert _decide(where, pkg_info, *(metadata or (pkg_info,))) is None, name
    where = tmp_path / "prepared-too-big"
    where.mkdir()
    big = sealed + b"x" * MAX_METADATA_BYTES
    assert _decide(where, sealed, sealed, prepared=big) is None


def test_an_sdist_or_a_tree_without_pkg_info_is_not_decided_here(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path, OLD)
    assert identical_to_pkg_info(str(tmp_path), "wheel", wheel, None, fast_path=False) is None
    (tmp_path / "PKG-INFO").write_bytes(OLD.replace(b"2.1", b"2.4"))
    assert identical_to_pkg_info(str(tmp_path), "sdist", wheel, None, fast_path=False) is None
