"""The readers: every source kind, discover(), and hostile inputs (each an ArtifactError)."""

from __future__ import annotations

import gzip
import io
import re
import stat
import struct
import sys
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest
from packaging.tags import Tag, parse_tag
from packaging.utils import canonicalize_name
from packaging.version import Version

from factories import make_sdist, make_sidecar, make_wheel, metadata_bytes
from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.findings import Severity
from metaseal.engine.formats import MAX_HEADER_LINES, MAX_METADATA_BYTES
from metaseal.errors import ArtifactError
from metaseal.sources.artifacts import discover, read_source

META = metadata_bytes(
    [("Metadata-Version", "2.4"), ("Name", "Demo.Pkg"), ("Version", "1.0"), ("Summary", "Ünïcode")],
    "A body.\r\nWith CRLF and a trailing space \n",
    newline="\r\n",
)
WHEEL_NAME = "demo_pkg-1.0-py3-none-any.whl"


def _read_error(spec: Path | str, match: str, *, python: str | None = None) -> ArtifactError:
    """Read ``spec``, expecting an ArtifactError whose message names the file and ``match``."""
    with pytest.raises(ArtifactError, match=match) as info:
        read_source(str(spec), python=python)
    assert info.value.path == str(spec)
    assert str(info.value).startswith(f"{spec}: ")
    return info.value


def _tar_gz(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    """Write ``members`` (their TarInfo fully set up by the caller) as a PAX .tar.gz."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    path.write_bytes(gzip.compress(buffer.getvalue()))
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info


def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            archive.writestr(info, data)
    return path


# --------------------------------------------------------------------------------------------
# Every source kind
# --------------------------------------------------------------------------------------------


def test_wheel(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "Demo.Pkg", "1.0", META, extra_files={"demo/__init__.py": b""})
    assert wheel.name == WHEEL_NAME
    artifact = read_source(str(wheel))
    assert artifact == Artifact(
        source=str(wheel),
        label=WHEEL_NAME,
        kind=Kind.WHEEL,
        role=Role.WHEEL,
        metadata=META,
        filename_name=canonicalize_name("Demo.Pkg"),
        filename_version=Version("1.0"),
        tags=frozenset({Tag("py3", "none", "any")}),
        dist_info="demo_pkg-1.0.dist-info",
    )
    assert artifact.metadata == META  # raw bytes: CRLF, UTF-8 and trailing space preserved


def test_wheel_compressed_tags_and_build_tag(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        "demo",
        "2.0",
        META,
        tag="py2.py3-none-any",
        filename="demo-2.0-1-py2.py3-none-any.whl",
    )
    artifact = read_source(str(wheel))
    assert artifact.tags == parse_tag("py2.py3-none-any")
    assert artifact.filename_version == Version("2.0")


def test_wheel_dist_info_mismatching_filename_is_read(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", META, dist_info="Other-9.dist-info")
    assert read_source(str(wheel)).dist_info == "Other-9.dist-info"


def test_wheel_ignores_nested_dist_info(tmp_path: Path) -> None:
    vendored = {"demo/_vendor/dep-1.0.dist-info/METADATA": b"Name: dep\n"}
    wheel = make_wheel(tmp_path, "demo", "1.0", META, extra_files=vendored)
    assert read_source(str(wheel)).dist_info == "demo-1.0.dist-info"


def test_wheel_reads_only_central_directory_and_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = {f"demo/module{i}.py": b"x = 1\n" * 1000 for i in range(20)}
    wheel = make_wheel(tmp_path, "demo", "1.0", META, extra_files=payload)
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(
        self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kw: object
    ) -> object:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return original(self, name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    read_source(str(wheel))
    assert opened == ["demo-1.0.dist-info/METADATA"]


def test_sdist(tmp_path: Path) -> None:
    nested = {"demo-1.0/src/demo.egg-info/PKG-INFO": b"Name: other\n"}  # setuptools' copy
    sdist = make_sdist(tmp_path, "Demo", "1.0", META, extra_files=nested)
    artifact = read_source(str(sdist))
    assert (artifact.kind, artifact.role, artifact.label) == (
        Kind.SDIST,
        Role.SDIST,
        "demo-1.0.tar.gz",
    )
    assert (artifact.filename_name, artifact.filename_version) == ("demo", Version("1.0"))
    assert artifact.metadata == META
    assert artifact.tags == frozenset()
    assert artifact.dist_info is None


def test_sdist_with_directory_entries_and_dot_prefix(tmp_path: Path) -> None:
    members = [
        (_member("./demo-1.0", tarfile.DIRTYPE), b""),
        (_member("./demo-1.0/PKG-INFO"), META),
        (_member("./demo-1.0/pyproject.toml"), b""),
    ]
    sdist = _tar_gz(tmp_path / "demo-1.0.tar.gz", members)
    assert read_source(str(sdist)).metadata == META


def test_legacy_zip_sdist(tmp_path: Path) -> None:
    sdist = _zip(
        tmp_path / "demo-1.0.zip", [("demo-1.0/PKG-INFO", META), ("demo-1.0/setup.py", b"")]
    )
    artifact = read_source(str(sdist))
    assert (artifact.kind, artifact.role, artifact.metadata) == (Kind.SDIST, Role.SDIST, META)
    assert artifact.filename_version == Version("1.0")


@pytest.mark.parametrize(
    ("distribution", "role", "tags"),
    [
        (WHEEL_NAME, Role.WHEEL, frozenset({Tag("py3", "none", "any")})),
        ("demo_pkg-1.0.tar.gz", Role.SDIST, frozenset()),
        ("demo_pkg-1.0.zip", Role.SDIST, frozenset()),
    ],
)
def test_sidecar(tmp_path: Path, distribution: str, role: Role, tags: frozenset[Tag]) -> None:
    sidecar = make_sidecar(tmp_path, distribution, META)
    artifact = read_source(str(sidecar))
    assert artifact.kind is Kind.SIDECAR
    assert artifact.role is role
    assert artifact.label == f"{distribution}.metadata"
    assert artifact.distribution_filename == distribution
    assert (artifact.filename_name, artifact.filename_version) == ("demo-pkg", Version("1.0"))
    assert artifact.tags == tags
    assert artifact.metadata == META


@pytest.mark.parametrize(("name", "role"), [("METADATA", Role.WHEEL), ("PKG-INFO", Role.SDIST)])
def test_bare_metadata_file(tmp_path: Path, name: str, role: Role) -> None:
    path = tmp_path / name
    path.write_bytes(META)
    assert read_source(str(path)) == Artifact(str(path), name, Kind.METADATA_FILE, role, META)


def test_dist_info_directory(tmp_path: Path) -> None:
    directory = tmp_path / "demo-1.0.dist-info"
    directory.mkdir()
    (directory / "METADATA").write_bytes(META)
    (directory / "WHEEL").write_text(
        "Wheel-Version: 1.0\nTag: cp311-cp311-linux_x86_64\nTag: py3-none-any\n"
    )
    artifact = read_source(f"{directory}/")
    assert (artifact.kind, artifact.role, artifact.label) == (
        Kind.DIST_INFO,
        Role.WHEEL,
        directory.name,
    )
    assert artifact.dist_info == directory.name
    assert artifact.tags == {Tag("cp311", "cp311", "linux_x86_64"), Tag("py3", "none", "any")}
    assert artifact.metadata == META
    assert artifact.filename_name is None


def test_dist_info_directory_without_wheel_file(tmp_path: Path) -> None:
    directory = tmp_path / "demo-1.0.dist-info"
    directory.mkdir()
    (directory / "METADATA").write_bytes(META)
    assert read_source(str(directory)).tags == frozenset()


def _installed_metadata() -> bytes:
    from importlib import metadata

    dist = metadata.distribution("packaging")
    (member,) = [
        f for f in dist.files or () if f.name == "METADATA" and f.parent.name.endswith(".dist-info")
    ]
    return Path(str(dist.locate_file(member))).read_bytes()


@pytest.mark.parametrize("python", [None, sys.executable])
def test_installed(python: str | None) -> None:
    artifact = read_source("installed:packaging", python=python)
    assert (artifact.kind, artifact.role) == (Kind.INSTALLED, Role.WHEEL)
    assert artifact.source == artifact.label == "installed:packaging"
    assert artifact.metadata == _installed_metadata()
    assert artifact.dist_info is not None
    assert artifact.dist_info.startswith("packaging-")
    assert artifact.dist_info.endswith(".dist-info")
    assert Tag("py3", "none", "any") in artifact.tags


def test_installed_here_and_in_subprocess_agree() -> None:
    assert read_source("installed:packaging") == read_source(
        "installed:packaging", python=sys.executable
    )


@pytest.mark.parametrize("python", [None, sys.executable])
def test_installed_missing(python: str | None) -> None:
    error = _read_error(
        "installed:no-such-dist-xyz", "`no-such-dist-xyz` is not installed", python=python
    )
    assert sys.executable in str(error)


def test_installed_needs_a_name() -> None:
    _read_error("installed:", "names no distribution")


def test_installed_with_missing_interpreter(tmp_path: Path) -> None:
    _read_error("installed:packaging", "cannot run", python=str(tmp_path / "nope" / "python"))


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell script as interpreter")
@pytest.mark.parametrize(
    ("script", "match"),
    [
        ("echo boom >&2; exit 3", "failed looking up `packaging` \\(boom\\)"),
        ("echo not json", "could not report on `packaging`"),
        ('echo \'{"found": true, "metadata": 5, "dir": null, "wheel": null}\'', "could not report"),
    ],
)
def test_installed_with_broken_interpreter(tmp_path: Path, script: str, match: str) -> None:
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    _read_error("installed:packaging", match, python=str(fake))


# --------------------------------------------------------------------------------------------
# discover()
# --------------------------------------------------------------------------------------------


def test_discover_walks_directories(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "nested" / "deeper").mkdir(parents=True)
    (dist / ".hidden").mkdir()
    (dist / "__pycache__").mkdir()
    make_wheel(dist, "b", "1.0", META)
    make_sdist(dist / "nested", "a", "1.0", META)
    make_sidecar(dist / "nested" / "deeper", "c-1.0-py3-none-any.whl", META)
    _zip(dist / "d-1.0.zip", [("d-1.0/PKG-INFO", META)])
    make_wheel(dist / ".hidden", "hidden", "1.0", META)
    make_wheel(dist / "__pycache__", "cached", "1.0", META)
    (dist / "notes.zip").write_bytes(b"not an sdist name, not picked up")
    (dist / "README.txt").write_text("ignored")
    (dist / "x.metadata").write_text("not a sidecar name, not picked up")
    artifacts, errors = discover([str(dist)])
    assert errors == []
    assert [a.label for a in artifacts] == [
        "a-1.0.tar.gz",
        "b-1.0-py3-none-any.whl",
        "c-1.0-py3-none-any.whl.metadata",
        "d-1.0.zip",
    ]


def test_discover_collects_errors_per_file(tmp_path: Path) -> None:
    good = make_wheel(tmp_path, "good", "1.0", META)
    bad = make_wheel(tmp_path, "bad", "1.0", META)
    bad.write_bytes(bad.read_bytes()[:50])
    flood = make_sdist(tmp_path, "flood", "1.0", b"X: y\n" * (MAX_HEADER_LINES + 1))
    missing = tmp_path / "missing-1.0.tar.gz"
    artifacts, errors = discover([str(tmp_path), str(missing), "installed:no-such-dist-xyz"])
    assert [a.source for a in artifacts] == [str(good)]
    assert [e.path for e in errors] == [
        str(bad),
        str(flood),
        str(missing),
        "installed:no-such-dist-xyz",
    ]
    assert all(isinstance(e, ArtifactError) for e in errors)


def test_discover_mixed_sources_sorted_and_deduplicated(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "zed", "1.0", META)
    directory = tmp_path / "aaa-1.0.dist-info"
    directory.mkdir()
    (directory / "METADATA").write_bytes(META)
    artifacts, errors = discover([str(wheel), str(directory), str(tmp_path), "installed:packaging"])
    assert errors == []
    assert [a.label for a in artifacts] == ["aaa-1.0.dist-info", "installed:packaging", wheel.name]


def test_discover_passes_python_on(tmp_path: Path) -> None:
    artifacts, errors = discover(["installed:packaging"], python=sys.executable)
    assert (len(artifacts), errors) == (1, [])


def test_discover_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("nothing to see")
    artifacts, errors = discover([str(tmp_path)])
    assert artifacts == []
    assert len(errors) == 1
    assert errors[0].path == str(tmp_path)
    assert "holds no distribution files" in str(errors[0])


# --------------------------------------------------------------------------------------------
# Hostile and malformed inputs
# --------------------------------------------------------------------------------------------


def test_truncated_wheel(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", META)
    wheel.write_bytes(wheel.read_bytes()[: wheel.stat().st_size // 2])
    _read_error(wheel, "cannot be read as a wheel .*truncated or corrupt")


def test_wheel_that_is_no_zip(tmp_path: Path) -> None:
    wheel = tmp_path / WHEEL_NAME
    wheel.write_bytes(b"\x00" * 100)
    _read_error(wheel, "BadZipFile")


def test_wheel_with_corrupt_metadata_member(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", META * 10)
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo("demo-1.0.dist-info/METADATA")
    start = info.header_offset + 30 + len(info.filename) + 5
    data[start : start + 20] = b"\xff" * 20  # damage the deflate stream
    wheel.write_bytes(bytes(data))
    _read_error(wheel, "truncated or corrupt")


@pytest.mark.parametrize("cut", ["half", "trailer"])
def test_truncated_sdist(tmp_path: Path, cut: str) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", META)
    data = sdist.read_bytes()
    sdist.write_bytes(data[: len(data) // 2] if cut == "half" else data[:-4])
    _read_error(sdist, "gzip-compressed tar archive\\).*truncated or corrupt")


@pytest.mark.parametrize("cut", [512 * 4 + 100, 512 * 4])  # inside a header / on a boundary
def test_truncated_tar_in_intact_gzip(tmp_path: Path, cut: int) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in [("demo-1.0/PKG-INFO", META), ("demo-1.0/a", b"a"), ("demo-1.0/b", b"b")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    sdist = tmp_path / "demo-1.0.tar.gz"
    sdist.write_bytes(gzip.compress(buffer.getvalue()[:cut]))
    _read_error(sdist, "no end-of-archive marker")


def test_sdist_that_is_no_gzip(tmp_path: Path) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    sdist.write_bytes(b"PK\x03\x04 not gzip at all")
    _read_error(sdist, "truncated or corrupt")


def _non_utf8(tmp_path: Path) -> list[tuple[Path, str]]:
    bad = b"Metadata-Version: 2.1\nName: demo\nSummary: caf\xe9\n"
    sdist_dir, wheel_dir = tmp_path / "s", tmp_path / "w"
    sdist_dir.mkdir()
    wheel_dir.mkdir()
    bare = tmp_path / "METADATA"
    bare.write_bytes(bad)
    return [
        (make_wheel(wheel_dir, "demo", "1.0", bad), "`demo-1.0.dist-info/METADATA`"),
        (make_sdist(sdist_dir, "demo", "1.0", bad), "`demo-1.0/PKG-INFO`"),
        (make_sidecar(tmp_path, WHEEL_NAME, bad), f"`{WHEEL_NAME}.metadata`"),
        (bare, "`METADATA`"),
    ]


def test_non_utf8_metadata(tmp_path: Path) -> None:
    for path, member in _non_utf8(tmp_path):
        error = _read_error(path, "is not valid UTF-8 \\(byte offset 45: invalid continuation byte")
        assert member in str(error)


def test_missing_pkg_info(tmp_path: Path) -> None:
    sdist = _tar_gz(tmp_path / "demo-1.0.tar.gz", [(_member("demo-1.0/setup.py"), b"")])
    _read_error(sdist, "has no `demo-1.0/PKG-INFO`")


@pytest.mark.parametrize(
    ("member", "kind"),
    [
        (_member("demo-1.0/PKG-INFO", tarfile.SYMTYPE, "pyproject.toml"), "a symbolic link"),
        (_member("demo-1.0/PKG-INFO", tarfile.LNKTYPE, "demo-1.0/pyproject.toml"), "a hard link"),
        (_member("demo-1.0/PKG-INFO", tarfile.DIRTYPE), "a directory"),
        (_member("demo-1.0/PKG-INFO", tarfile.FIFOTYPE), "a special file"),
    ],
)
def test_pkg_info_not_a_regular_file(tmp_path: Path, member: tarfile.TarInfo, kind: str) -> None:
    members = [(_member("demo-1.0/pyproject.toml"), b""), (member, b"")]
    sdist = _tar_gz(tmp_path / "demo-1.0.tar.gz", members)
    _read_error(sdist, f"`demo-1.0/PKG-INFO` is {kind}, not a regular file")


def _duplicated(tmp_path: Path, first: bytes, last: bytes) -> Artifact:
    members = [(_member("demo-1.0/PKG-INFO"), first), (_member("demo-1.0/PKG-INFO"), last)]
    return read_source(str(_tar_gz(tmp_path / "demo-1.0.tar.gz", members)))


def _duplicate_rules(artifact: Artifact) -> list[tuple[str, Severity]]:
    from metaseal.engine.compare import duplicate_findings

    return [(f.rule, f.severity) for f in duplicate_findings(artifact)]


def test_duplicate_pkg_info_identical_is_information(tmp_path: Path) -> None:
    """An sdist rebuilt from an unpacked sdist by hatchling, scikit-build-core or meson-python
    holds the old PKG-INFO too; identical copies are read alike by every tool, and there is
    nothing to do, so not even `strict` refuses them (black, structlog, jsonschema...)."""
    sdist = _duplicated(tmp_path, META, META)
    assert (sdist.metadata, sdist.duplicates) == (META, (META,))
    assert _duplicate_rules(sdist) == [("duplicate-pkg-info", Severity.INFO)]


def test_duplicate_pkg_info_differing_in_a_descriptive_field_is_a_warning(
    tmp_path: Path,
) -> None:
    stale = META.replace(b"Version: 1.0\r\n", b"Version: 1.0\r\nKeywords: old\r\n")
    assert stale != META
    sdist = _duplicated(tmp_path, stale, META)
    assert _duplicate_rules(sdist) == [("duplicate-pkg-info", Severity.WARNING)]


def test_duplicate_pkg_info_differing_only_in_metadata_version_is_information(
    tmp_path: Path,
) -> None:
    older = META.replace(b"Metadata-Version: 2.4", b"Metadata-Version: 2.2")
    assert older != META
    sdist = _duplicated(tmp_path, older, META)
    assert sdist.metadata == META  # the last copy: what unpacking leaves
    assert _duplicate_rules(sdist) == [("duplicate-pkg-info", Severity.INFO)]


def test_duplicate_pkg_info_that_disagrees_is_an_error(tmp_path: Path) -> None:
    evil = META.replace(b"Version: 1.0\r\n", b"Version: 1.0\r\nRequires-Dist: evil\r\n")
    assert evil != META
    sdist = _duplicated(tmp_path, META, evil)
    from metaseal.engine.compare import duplicate_findings

    (finding,) = duplicate_findings(sdist)
    assert (finding.rule, finding.severity) == ("duplicate-pkg-info", Severity.ERROR)
    assert "`Requires-Dist`" in finding.message
    assert "unpacking it (pip, build) leaves the last one" in finding.message


def test_too_many_pkg_info_copies(tmp_path: Path) -> None:
    members = [(_member("demo-1.0/PKG-INFO"), META)] * 5
    sdist = _tar_gz(tmp_path / "demo-1.0.tar.gz", members)
    _read_error(sdist, "holds 5 entries named `demo-1.0/PKG-INFO`")


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"other-1.0/x": b""}, "has 2 top-level entries \\(`demo-1.0`, `other-1.0`\\)"),
        ({"README": b""}, "has 2 top-level entries \\(`README`, `demo-1.0`\\)"),
        ({"demo-1.0/../evil": b""}, "members escaping the top directory \\(`demo-1.0/../evil`\\)"),
        ({"../evil": b""}, "members escaping the top directory \\(`../evil`\\)"),
        ({"/etc/evil": b""}, "members escaping the top directory \\(`/etc/evil`\\)"),
    ],
)
def test_sdist_layout(tmp_path: Path, extra: dict[str, bytes], match: str) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", META, extra_files=extra)
    _read_error(sdist, match)


def test_zip_sdist_layout(tmp_path: Path) -> None:
    two = _zip(tmp_path / "demo-1.0.zip", [("demo-1.0/PKG-INFO", META), ("b/x", b"")])
    _read_error(two, "has 2 top-level entries")
    escaping = _zip(tmp_path / "demo-2.0.zip", [("demo-2.0/PKG-INFO", META), ("../x", b"")])
    _read_error(escaping, "members escaping the top directory \\(`../x`\\)")
    missing = _zip(tmp_path / "demo-3.0.zip", [("demo-3.0/setup.py", b"")])
    _read_error(missing, "has no `demo-3.0/PKG-INFO`")


def test_zip_sdist_pkg_info_symlink_and_directory(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("demo-1.0/PKG-INFO")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    sdist = _zip(tmp_path / "demo-1.0.zip", [(link, b"setup.py")])
    _read_error(sdist, "`demo-1.0/PKG-INFO` is a symbolic link")
    directory = _zip(tmp_path / "demo-2.0.zip", [("demo-2.0/PKG-INFO/", b"")])
    _read_error(directory, "`demo-2.0/PKG-INFO` is a directory")


def test_two_dist_info_directories(tmp_path: Path) -> None:
    extra = {"b-1.dist-info/METADATA": META}
    wheel = make_wheel(tmp_path, "a", "1", META, dist_info="a-1.dist-info", extra_files=extra)
    _read_error(
        wheel,
        "the wheel holds 2 `.dist-info` directories \\(`a-1.dist-info`, `b-1.dist-info`\\); "
        "a wheel must hold exactly one. Rebuild the wheel.",
    )


def test_no_dist_info_directory(tmp_path: Path) -> None:
    wheel = _zip(tmp_path / WHEEL_NAME, [("demo/__init__.py", b"")])
    _read_error(wheel, "holds 0 `.dist-info` directories; a wheel must hold exactly one")


def test_dist_info_without_metadata(tmp_path: Path) -> None:
    wheel = _zip(tmp_path / WHEEL_NAME, [("demo_pkg-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n")])
    _read_error(wheel, "has no `demo_pkg-1.0.dist-info/METADATA`")


def test_duplicate_metadata_entries(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate name
        wheel = _zip(tmp_path / WHEEL_NAME, [("d-1.dist-info/METADATA", META)] * 2)
    _read_error(wheel, "holds 2 entries named `d-1.dist-info/METADATA`")


def _declare_size(path: Path, member: str, size: int) -> None:
    """Patch the uncompressed size of ``member`` in its local header and central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(member).header_offset
    struct.pack_into("<I", data, local + 22, size)
    end = data.rindex(b"PK\x05\x06")
    (count,) = struct.unpack_from("<H", data, end + 10)
    (entry,) = struct.unpack_from("<I", data, end + 16)
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46 : entry + 46 + name_len] == member.encode():
            struct.pack_into("<I", data, entry + 24, size)
        entry += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))


def test_metadata_declaring_gigabytes_fails_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", META)
    _declare_size(wheel, "demo-1.0.dist-info/METADATA", 0xF000_0000)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.getinfo("demo-1.0.dist-info/METADATA").file_size == 0xF000_0000

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the member must not be opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    _read_error(wheel, "`demo-1.0.dist-info/METADATA` is 4,026,531,840 bytes, more than the")


def test_metadata_over_the_limit(tmp_path: Path) -> None:
    big = b"Name: demo\n\n" + b"x" * MAX_METADATA_BYTES
    _read_error(make_sidecar(tmp_path, WHEEL_NAME, big), "bytes, more than the 16,777,216-byte")
    _read_error(make_sdist(tmp_path, "demo", "1.0", big), "`demo-1.0/PKG-INFO` is 16,777,228 bytes")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_header_flood(tmp_path: Path, newline: str) -> None:
    flood = metadata_bytes([("X-Flood", "a")] * (MAX_HEADER_LINES + 1), newline=newline)
    sidecar = make_sidecar(tmp_path, WHEEL_NAME, flood)
    _read_error(sidecar, f"more than {MAX_HEADER_LINES:,} header lines .*header flood")
    wheel = make_wheel(tmp_path, "demo", "1.0", flood)
    _read_error(wheel, "`demo-1.0.dist-info/METADATA` has more than")


def test_header_limit_is_inclusive_and_body_lines_are_free(tmp_path: Path) -> None:
    required = [("Metadata-Version", "2.4"), ("Name", "demo"), ("Version", "1.0")]
    at_limit = metadata_bytes(
        [*required, *[("X", "a")] * (MAX_HEADER_LINES - 3)], "body\n" * (MAX_HEADER_LINES * 2)
    )
    assert read_source(str(make_sidecar(tmp_path, WHEEL_NAME, at_limit))).metadata == at_limit
    identity = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
    unterminated = identity + b"X: a\n" * (MAX_HEADER_LINES - 4) + b"X: a"
    sidecar = make_sidecar(tmp_path, "demo-1.0.tar.gz", unterminated)
    assert read_source(str(sidecar)).metadata == unterminated
    _read_error(make_sidecar(tmp_path, "demo-2.0.tar.gz", b"X: a\n" + unterminated), "header flood")


@pytest.mark.parametrize(
    "filename", ["demo.whl", "demo-1.0.whl", "demo-1.0-py3-none.whl", "de__mo-1.0-py3-none-any.whl"]
)
def test_bad_wheel_filename(tmp_path: Path, filename: str) -> None:
    wheel = make_wheel(tmp_path, "demo", "1.0", META, filename=filename)
    _read_error(wheel, f"`{filename}` is not a valid wheel filename")


@pytest.mark.parametrize("filename", ["demo.tar.gz", "demo-notaversion.tar.gz", "demo.zip"])
def test_bad_sdist_filename(tmp_path: Path, filename: str) -> None:
    sdist = make_sdist(tmp_path, "demo", "1.0", META, filename=filename)
    _read_error(sdist, f"`{filename}` is not a valid sdist filename")


@pytest.mark.parametrize(
    ("filename", "match"),
    [
        ("demo.whl.metadata", "`demo.whl` is not a valid wheel filename"),
        ("demo.tar.gz.metadata", "`demo.tar.gz` is not a valid sdist filename"),
        ("demo-1.0.txt.metadata", "`demo-1.0.txt` is not a wheel or sdist filename"),
        (".metadata", "`` is not a wheel or sdist filename"),
    ],
)
def test_bad_sidecar_filename(tmp_path: Path, filename: str, match: str) -> None:
    sidecar = tmp_path / filename
    sidecar.write_bytes(META)
    _read_error(sidecar, match)


def test_invalid_tag_in_wheel_file(tmp_path: Path) -> None:
    directory = tmp_path / "demo-1.0.dist-info"
    directory.mkdir()
    (directory / "METADATA").write_bytes(META)
    (directory / "WHEEL").write_text("Tag: py3-none\n")
    _read_error(directory, "`WHEEL` has an invalid `Tag:` line")


def test_dist_info_directory_without_metadata(tmp_path: Path) -> None:
    directory = tmp_path / "demo-1.0.dist-info"
    directory.mkdir()
    _read_error(directory, "has no `METADATA` file")


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("missing.whl", "no such file or directory; metaseal reads a wheel"),
        ("notes.txt", "is not a file metaseal can read; metaseal reads a wheel"),
        ("pyproject.toml", "`metaseal check` and `metaseal diff` read it directly"),
        ("plain-dir", "is a directory but not a `\\*.dist-info` one"),
    ],
)
def test_unsupported_sources(tmp_path: Path, name: str, match: str) -> None:
    if name == "plain-dir":
        (tmp_path / name).mkdir()
    elif name != "missing.whl":
        (tmp_path / name).write_text("x")
    _read_error(tmp_path / name, match)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special file")
def test_special_file(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "METADATA"
    os.mkfifo(fifo)
    _read_error(fifo, "is not a regular file")


def test_discover_labels_same_named_files_by_path(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        make_wheel(tmp_path / folder, "Demo.Pkg", "1.0", META)
    artifacts, errors = discover([str(tmp_path / "a"), str(tmp_path / "b")])
    assert errors == []
    assert [a.label for a in artifacts] == [
        str(tmp_path / "a" / WHEEL_NAME),
        str(tmp_path / "b" / WHEEL_NAME),
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "has no `Metadata-Version` and no `Name` and no `Version`"),
        (b"\n\n", "has no `Metadata-Version`"),
        (b"Metadata-Version: 2.4\nName: demo\n", "has no `Version`"),
        (b"Metadata-Version: 99.0\nName: demo\nVersion: 1.0\n", "Metadata-Version `99.0`"),
        (b"Metadata-Version: two\nName: demo\nVersion: 1.0\n", "Metadata-Version `two`"),
    ],
)
def test_metadata_without_identity_or_known_version_is_invalid(
    tmp_path: Path, data: bytes, fragment: str
) -> None:
    _read_error(make_sidecar(tmp_path, WHEEL_NAME, data), re.escape(fragment))


def test_a_link_through_another_link_is_refused(tmp_path: Path) -> None:
    """`e -> a/b/up2/../..` looks inside, but `a/b/up2 -> ../..` takes it out of the archive."""
    members = [
        (_member("demo-1.0/PKG-INFO"), META),
        (_member("demo-1.0/a/b/up2", tarfile.SYMTYPE, "../.."), b""),
        (_member("demo-1.0/e", tarfile.SYMTYPE, "a/b/up2/../.."), b""),
    ]
    sdist = _tar_gz(tmp_path / "demo-1.0.tar.gz", members)
    _read_error(sdist, "escaping the top directory")


def test_copies_on_either_side_of_2_6_with_dynamic_values_are_an_error(tmp_path: Path) -> None:
    """Under Metadata 2.6 the values of a field both set and Dynamic bind the wheel (PEP 808),
    under 2.5 they do not: the two copies promise different things."""
    dynamic = META.replace(
        b"Version: 1.0\r\n", b"Version: 1.0\r\nDynamic: Requires-Dist\r\nRequires-Dist: a\r\n"
    )
    v25 = dynamic.replace(b"Metadata-Version: 2.4", b"Metadata-Version: 2.5")
    v26 = dynamic.replace(b"Metadata-Version: 2.4", b"Metadata-Version: 2.6")
    assert v25 != v26 != dynamic
    sdist = _duplicated(tmp_path, v25, v26)
    assert _duplicate_rules(sdist) == [("duplicate-pkg-info", Severity.ERROR)]


def test_a_sealed_copy_next_to_an_unsealed_one_is_an_error(tmp_path: Path) -> None:
    unsealed = META.replace(b"Metadata-Version: 2.4", b"Metadata-Version: 2.1")
    sdist = _duplicated(tmp_path, unsealed, META)
    assert _duplicate_rules(sdist) == [("duplicate-pkg-info", Severity.ERROR)]
