"""Sealing an old sdist rewrites only its PKG-INFO, reproducibly (issue 14)."""

from __future__ import annotations

import gzip
import io
import tarfile
from typing import TYPE_CHECKING

import pytest

from metaseal.backend._reseal import reseal, sealed_pkg_info

if TYPE_CHECKING:
    from pathlib import Path

PKG_INFO = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: attrs\n\nBody\n"


def _sdist(path: Path) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data, mtime in (
            ("demo-1.0/pyproject.toml", b"[project]\n", 1_600_000_000),
            ("demo-1.0/PKG-INFO", PKG_INFO, 1_600_000_001),
            ("demo-1.0/src/demo.py", b"x = 1\n", 1_600_000_002),
        ):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            archive.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=1_600_000_003))
    return path


def test_sealed_pkg_info_changes_only_the_version_and_adds_dynamic() -> None:
    sealed = sealed_pkg_info(PKG_INFO, ["Requires-Dist", "Classifier"])
    assert sealed == PKG_INFO.replace(
        b"Metadata-Version: 2.1",
        b"Metadata-Version: 2.2\nDynamic: Classifier\nDynamic: Requires-Dist",
    )
    crlf = PKG_INFO.replace(b"\n", b"\r\n")
    assert sealed_pkg_info(crlf, ["X"]).startswith(b"Metadata-Version: 2.2\r\nDynamic: X\r\n")
    with pytest.raises(ValueError, match="no Metadata-Version"):
        sealed_pkg_info(b"Name: demo\n\nMetadata-Version: 2.1\n", [])


def test_reseal_keeps_every_other_member_and_is_reproducible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = _sdist(tmp_path / "a.tar.gz"), _sdist(tmp_path / "b.tar.gz")
    reseal(str(first), ["Classifier"])
    reseal(str(second), ["Classifier"])
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes()[4:8] == (1_600_000_003).to_bytes(4, "little")  # gzip mtime kept
    with tarfile.open(first) as archive:
        members = archive.getmembers()
        assert [m.name for m in members] == [
            "demo-1.0/pyproject.toml",
            "demo-1.0/PKG-INFO",
            "demo-1.0/src/demo.py",
        ]
        assert [m.mtime for m in members] == [1_600_000_000, 1_600_000_001, 1_600_000_002]
        pkg_info = archive.extractfile("demo-1.0/PKG-INFO")
        assert pkg_info is not None
        assert pkg_info.read().startswith(b"Metadata-Version: 2.2\nDynamic: Classifier\n")
        source = archive.extractfile("demo-1.0/src/demo.py")
        assert source is not None and source.read() == b"x = 1\n"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    third = _sdist(tmp_path / "c.tar.gz")
    reseal(str(third), ["Classifier"])
    assert third.read_bytes()[4:8] == (1_700_000_000).to_bytes(4, "little")
    assert not list(tmp_path.glob("*.metaseal-reseal"))


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
def test_reseal_keeps_the_tar_format(tmp_path: Path, fmt: int) -> None:
    """A GNU archive stays GNU (long names as ././@LongLink), a PAX one PAX."""
    long_name = "demo-1.0/" + "d" * 60 + "/" + "f" * 60 + ".py"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as archive:
        for name, data in (("demo-1.0/PKG-INFO", PKG_INFO), (long_name, b"x = 1\n")):
            if fmt == tarfile.USTAR_FORMAT and len(name) > 100:
                name = "demo-1.0/short.py"  # noqa: PLW2901 - ustar cannot hold a long name
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_600_000_000
            archive.addfile(info, io.BytesIO(data))
    original = buffer.getvalue()
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(gzip.compress(original, mtime=0))
    reseal(str(path), [])
    resealed = gzip.decompress(path.read_bytes())
    assert resealed[257:265] == original[257:265]  # the same header magic
    assert (b"././@LongLink" in resealed) == (b"././@LongLink" in original)
