"""Hostile inputs through the real command line: exit code 3, one paragraph naming the file,
no traceback, and the other files still checked."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Callable

import pytest

from factories import make_wheel, metadata_bytes
from sources.test_artifacts import _declare_size, _member, _tar_gz, _zip

META = metadata_bytes([("Metadata-Version", "2.4"), ("Name", "demo"), ("Version", "1.0")])


def truncated_zip(d: Path) -> Path:
    wheel = make_wheel(d, "demo", "1.0", META)
    wheel.write_bytes(wheel.read_bytes()[:-40])
    return wheel


def non_utf8(d: Path) -> Path:
    return make_wheel(d, "demo", "1.0", META.replace(b"demo", b"d\xe9mo", 1))


def missing_pkg_info(d: Path) -> Path:
    return _tar_gz(d / "demo-1.0.tar.gz", [(_member("demo-1.0/pyproject.toml"), b"")])


def pkg_info_symlink(d: Path) -> Path:
    return _tar_gz(
        d / "demo-1.0.tar.gz", [(_member("demo-1.0/PKG-INFO", tarfile.SYMTYPE, "/etc/passwd"), b"")]
    )


def pkg_info_directory(d: Path) -> Path:
    return _tar_gz(d / "demo-1.0.tar.gz", [(_member("demo-1.0/PKG-INFO", tarfile.DIRTYPE), b"")])


def escaping_member(d: Path) -> Path:
    return _tar_gz(
        d / "demo-1.0.tar.gz",
        [(_member("demo-1.0/PKG-INFO"), META), (_member("demo-1.0/../evil"), b"x")],
    )


def two_dist_infos(d: Path) -> Path:
    return _zip(
        d / "demo-1.0-py3-none-any.whl",
        [("demo-1.0.dist-info/METADATA", META), ("other-1.0.dist-info/METADATA", META)],
    )


def huge_declared_size(d: Path) -> Path:
    wheel = make_wheel(d, "demo", "1.0", META)
    _declare_size(wheel, "demo-1.0.dist-info/METADATA", 4 * 1024**3 - 1)
    return wheel


def header_flood(d: Path) -> Path:
    flood = META.rstrip(b"\n") + b"\n" + b"Classifier: x\n" * 25_000 + b"\n"
    return make_wheel(d, "demo", "1.0", flood)


def wrong_wheel_filename(d: Path) -> Path:
    wheel = make_wheel(d, "demo", "1.0", META)
    return wheel.rename(d / "demo-1.0.whl")


def wrong_sdist_filename(d: Path) -> Path:
    path = _tar_gz(d / "x.tar.gz", [(_member("demo-1.0/PKG-INFO"), META)])
    return path.rename(d / "demo.tar.gz")


HOSTILE: list[Callable[[Path], Path]] = [
    truncated_zip,
    non_utf8,
    missing_pkg_info,
    pkg_info_symlink,
    pkg_info_directory,
    escaping_member,
    two_dist_infos,
    huge_declared_size,
    header_flood,
    wrong_wheel_filename,
    wrong_sdist_filename,
]


@pytest.mark.parametrize("make", HOSTILE, ids=lambda f: f.__name__)
def test_hostile_input(make: Callable[[Path], Path], tmp_path: Path) -> None:
    bad_dir, good_dir = tmp_path / "bad", tmp_path / "good"
    bad_dir.mkdir()
    good_dir.mkdir()
    bad = make(bad_dir)
    make_wheel(good_dir, "fine", "2.0", META.replace(b"demo", b"fine").replace(b"1.0", b"2.0"))
    proc = subprocess.run(
        [sys.executable, "-m", "metaseal", "check", str(bad), str(good_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().split("\n")  # one paragraph
    assert line.startswith("metaseal: error: ")
    assert str(bad) in line
    assert "fine 2.0: 1 file, PASSED" in proc.stdout  # the good file is still checked
