"""The prepare fast path: packaging's normalization and email's header reading, or decline."""

from __future__ import annotations

import email.parser
import email.policy
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from metaseal.backend import _fastpath
from metaseal.engine import formats

from .conftest import clean_env

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import MakeProject

SEALED = (
    b"Metadata-Version: 2.4\nName: Demo.Pkg\nVersion: 1.0.post1\nRequires-Dist: attrs\n\nBody\n"
)

_num = st.integers(min_value=0, max_value=10**6).map(str)
_versions = st.builds(
    lambda epoch, release, pre, post, dev, local: (
        f"{epoch}{'.'.join(release)}{pre}{post}{dev}{local}"
    ),
    st.sampled_from(["", "0!", "1!", "01!"]),
    st.lists(st.sampled_from(["0", "00", "1", "01", "10", "2024"]), min_size=1, max_size=4),
    st.sampled_from(["", "a1", "b0", "rc3", "c1", "alpha2", "-beta1", ".pre4", "RC1", "a01"]),
    st.sampled_from(["", ".post1", "-1", "post2", ".post", "_post3", ".rev4", ".post01"]),
    st.sampled_from(["", ".dev0", "dev1", ".dev", "-dev2", ".dev01"]),
    st.sampled_from(["", "+local", "+Ubuntu.1", "+1.02", "+a_b-c", "+001", "+0a"]),
)


@given(_versions)
def test_normal_version_agrees_with_packaging(text: str) -> None:
    try:
        normal = str(Version(text))
    except InvalidVersion:
        assert not formats.normal_version(text)
        return
    assert formats.normal_version(text) == (normal == text)
    assert formats.normal_version(normal)


_lines = st.sampled_from([
    "Metadata-Version: 2.2", "Metadata-Version: 2.1", "Metadata-Version: 2.10",
    "Metadata-Version: 3.0", "Name: demo", "Name: x.Y_z", "Version: 1.0", "Version: 1.0.0a1",
    "Version: v1", "Dynamic: Requires-Dist", "Summary: a", "Summary: a\r", "   ", " folded",
    "\tDynamic: x", "Foo Bar: 1", "From x", "no colon", ":", "", "Summary: a\rDynamic: b",
    "X-Thing:", "Summary: \u2028Dynamic: x",
])  # fmt: skip


@given(st.lists(_lines, max_size=12))
def test_accepts_only_what_email_reads_the_same_way(lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode()
    headers = formats.read_headers(data)
    if headers is None or "dynamic" in headers:
        return
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
    assert message.get_all("Dynamic") is None
    for name in ("Metadata-Version", "Name", "Version"):
        assert [v.strip() for v in message.get_all(name) or []] == headers.get(name.lower(), [])


@given(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?", fullmatch=True), _versions)
def test_dist_info_name_is_the_wheel_spelling(name: str, version: str) -> None:
    answer = formats.dist_info_name(name, version)
    if answer is not None:
        expected = canonicalize_name(name).replace("-", "_")
        assert answer == f"{expected}-{Version(version)}.dist-info"


@pytest.mark.parametrize("name", ["", "-a", "a-", "a b", "\u212a", "caf\u00e9", "a\n", "a:b", "."])
def test_dist_info_name_declines_invalid_names(name: str) -> None:
    assert formats.dist_info_name(name, "1.0") is None


@given(st.from_regex(r"[A-Za-z0-9._-]{1,30}", fullmatch=True))
def test_escaped_name_is_the_canonical_name_with_underscores(name: str) -> None:
    assert formats.escaped_name(name) == canonicalize_name(name).replace("-", "_")


@pytest.mark.parametrize(
    ("text", "sealed"),
    [
        ("2.2", True), ("2.10", True), ("2.5.1", True), (" 2.4 ", True), ("02.02", True),
        ("2.1", False), ("1.2", False), ("3.0", False), ("2", False), ("2.", False),
        (".2", False), ("2..2", False), ("2.x", False), ("2.\u0662", False), ("", False),
        (None, False), ("2." + "9" * 5000, True), ("9" * 5000 + ".2", False),
    ],
)  # fmt: skip
def test_is_sealed(text: str | None, sealed: bool) -> None:
    assert formats.is_sealed(text) is sealed


def test_writes_pkg_info_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "PKG-INFO").write_bytes(SEALED)
    meta = tmp_path / "meta"
    meta.mkdir()
    assert _fastpath.prepare(str(meta), str(tmp_path)) == "demo_pkg-1.0.post1.dist-info"
    assert (meta / "demo_pkg-1.0.post1.dist-info" / "METADATA").read_bytes() == SEALED
    assert (meta / _fastpath.MARKER).read_text(encoding="utf-8") == "pkg-info\n"


@pytest.mark.parametrize(
    "pkg_info",
    [
        SEALED.replace(b"Requires-Dist: attrs", b"Dynamic: Requires-Dist"),
        SEALED.replace(b"2.4", b"2.1"),
        SEALED.replace(b"2.4", b"3.0"),
        SEALED.replace(b"1.0.post1", b"1.0-1"),  # valid, but not the normal form
        SEALED.replace(b"Name: Demo.Pkg\n", b""),
        SEALED.replace(b"Name: Demo.Pkg\n", b"Name: a\nName: b\n"),
        SEALED.replace(b"Requires-Dist: attrs", b"Requires-Dist: attrs\n \ndynamic: X"),
        b"\xff\xfe" + SEALED,
    ],
)
def test_declines(tmp_path: Path, pkg_info: bytes) -> None:
    (tmp_path / "PKG-INFO").write_bytes(pkg_info)
    assert _fastpath.prepare(str(tmp_path), str(tmp_path)) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PKG-INFO"]


def test_declines_without_pkg_info(tmp_path: Path) -> None:
    assert _fastpath.prepare(str(tmp_path), str(tmp_path)) is None


# --- through the frontend protocol -----------------------------------------------------------


def test_fast_path_never_imports_the_inner_backend(make_project: MakeProject) -> None:
    project = make_project("fake_import_bomb")
    (project.root / "PKG-INFO").write_bytes(SEALED)
    meta = project.out("meta")
    dist_info = project.hooks().prepare_metadata_for_build_wheel(str(meta))
    assert (meta / dist_info / "METADATA").read_bytes() == SEALED


def test_unsealed_pkg_info_goes_to_the_inner_backend(make_project: MakeProject) -> None:
    project = make_project("fake_import_bomb")
    (project.root / "PKG-INFO").write_bytes(SEALED.replace(b"2.4", b"2.1"))
    with pytest.raises(subprocess.CalledProcessError) as info:
        project.hooks().prepare_metadata_for_build_wheel(str(project.out("meta")))
    assert "marker 5d0c" in str(info.value.stderr)


def test_fast_path_imports_only_the_standard_library(make_project: MakeProject) -> None:
    project = make_project("fake_import_bomb")
    (project.root / "PKG-INFO").write_bytes(SEALED)
    script = (
        "import sys, metaseal\n"
        "metaseal.prepare_metadata_for_build_wheel(sys.argv[1])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[2:]))\n"
    )
    heavy = ["packaging", "email", "tomllib", "tomli", "pathlib", "urllib", "json", "argparse",
             "dataclasses", "fakes", "metaseal"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script, str(project.out("meta")), *heavy],
        cwd=project.root,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    stdlib_only = [
        "metaseal",
        "metaseal.backend",
        "metaseal.backend._fastpath",
        "metaseal.engine",
        "metaseal.engine.formats",
        "metaseal.errors",
    ]
    assert done.stdout.strip() == str(stdlib_only)


SETUPTOOLS_LICENSE = SEALED.replace(
    b"Requires-Dist: attrs", b"Requires-Dist: attrs\nLicense-File: LICENSE\nDynamic: license-file"
)


def test_answers_when_only_license_file_is_dynamic_and_present(tmp_path: Path) -> None:
    """setuptools writes `Dynamic: license-file` whenever a project has a license file; with
    every listed file in the sdist it finds the same ones again, so PKG-INFO is the answer."""
    assert SETUPTOOLS_LICENSE != SEALED
    (tmp_path / "PKG-INFO").write_bytes(SETUPTOOLS_LICENSE)
    (tmp_path / "LICENSE").write_text("MIT\n", encoding="utf-8")
    meta = tmp_path / "meta"
    meta.mkdir()
    assert _fastpath.prepare(str(meta), str(tmp_path)) == "demo_pkg-1.0.post1.dist-info"
    assert (meta / "demo_pkg-1.0.post1.dist-info" / "METADATA").read_bytes() == SETUPTOOLS_LICENSE


@pytest.mark.parametrize(
    ("pkg_info", "files"),
    [
        (SETUPTOOLS_LICENSE, []),  # the listed file is not in the sdist
        (SETUPTOOLS_LICENSE.replace(b"License-File: LICENSE\n", b""), ["LICENSE"]),  # none listed
        (SETUPTOOLS_LICENSE.replace(b"License-File: LICENSE", b"License-File: ../LICENSE"), []),
        (  # more than License-File is dynamic
            SETUPTOOLS_LICENSE.replace(b"license-file", b"license-file\nDynamic: requires-dist"),
            ["LICENSE"],
        ),
        # A file setuptools' default patterns match that PKG-INFO does not list: the wheel
        # build may find it (stevedore 5.10.0: pbr writes AUTHORS after PKG-INFO listed LICENSE).
        (SETUPTOOLS_LICENSE, ["LICENSE", "AUTHORS"]),
        (SETUPTOOLS_LICENSE, ["LICENSE", "NOTICE.md"]),
        (SETUPTOOLS_LICENSE, ["LICENSE", "COPYING"]),
        (SETUPTOOLS_LICENSE, ["LICENSE", "LICENCE-APACHE"]),
    ],
)
def test_declines_other_dynamic_license_files(
    tmp_path: Path, pkg_info: bytes, files: list[str]
) -> None:
    (tmp_path / "PKG-INFO").write_bytes(pkg_info)
    for name in files:
        (tmp_path / name).write_text("MIT\n", encoding="utf-8")
    meta = tmp_path / "meta"
    meta.mkdir()
    assert _fastpath.prepare(str(meta), str(tmp_path)) is None


@pytest.mark.parametrize("other", ["AUTHORS", "LICENSES", "authors.txt", "README.md"])
def test_answers_beside_files_the_default_patterns_do_not_add(tmp_path: Path, other: str) -> None:
    """A listed AUTHORS, a LICENSES directory, names the patterns do not match (they are
    case-sensitive, as setuptools' glob is on POSIX): PKG-INFO is still the answer."""
    listed = SETUPTOOLS_LICENSE.replace(
        b"License-File: LICENSE", b"License-File: LICENSE\nLicense-File: AUTHORS"
    )
    (tmp_path / "PKG-INFO").write_bytes(listed if other == "AUTHORS" else SETUPTOOLS_LICENSE)
    (tmp_path / "LICENSE").write_text("MIT\n", encoding="utf-8")
    if other == "LICENSES":
        (tmp_path / other).mkdir()
    else:
        (tmp_path / other).write_text("x\n", encoding="utf-8")
    meta = tmp_path / "meta"
    meta.mkdir()
    assert _fastpath.prepare(str(meta), str(tmp_path)) == "demo_pkg-1.0.post1.dist-info"
