"""Fuzz every reader (issue 13): whatever bytes arrive, a reader returns or raises
:class:`ArtifactError`, nothing else. Example counts are bounded so the module runs in well under
20 s; raise them locally with ``METASEAL_FUZZ_EXAMPLES=N``. Also checks that the limits page
names each cap with its current value.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import tarfile
import tempfile
import warnings
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metaseal.engine import formats, markers
from metaseal.errors import ArtifactError
from metaseal.scan import db
from metaseal.sources import _common, sdist_layout, toml
from metaseal.sources.artifacts import read_source
from metaseal.sources.pyproject import read_static_project

EXAMPLES = int(os.environ.get("METASEAL_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference" / "limits.md"

_HEADER_NAMES = ["Metadata-Version", "Name", "Version", "Requires-Dist", "Dynamic", "Summary"]
header_line = st.one_of(
    st.tuples(st.sampled_from(_HEADER_NAMES), st.text(max_size=40)).map(
        lambda pair: f"{pair[0]}: {pair[1]}"
    ),
    st.text(max_size=40),
)
metadata_text = st.one_of(
    st.binary(max_size=2000),
    st.lists(header_line, max_size=30).map(
        lambda lines: "\n".join(lines).encode("utf-8", "replace")
    ),
    st.lists(header_line, max_size=10).map(
        lambda lines: (
            "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n" + "\n".join(lines)
        ).encode("utf-8", "replace")
    ),
)


def _read(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, name)
        path.write_bytes(data)
        with contextlib.suppress(ArtifactError):
            read_source(str(path)).parsed  # noqa: B018 - parsing is part of reading


@FUZZ
@given(
    name=st.sampled_from(["METADATA", "PKG-INFO", "demo-1.0-py3-none-any.whl.metadata"]),
    data=metadata_text,
)
def test_metadata_reader(name: str, data: bytes) -> None:
    _read(name, data)


member_name = st.one_of(
    st.sampled_from(
        [
            "demo-1.0/PKG-INFO",
            "demo-1.0/",
            "demo-1.0/x/../PKG-INFO",
            "/abs",
            "../up",
            "other/PKG-INFO",
        ]
    ),
    st.text(min_size=1, max_size=30),
)


@st.composite
def tar_bytes(draw: st.DrawFn) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=draw(st.sampled_from([0, 1, 2]))) as tar:
        for _ in range(draw(st.integers(0, 5))):
            info = tarfile.TarInfo(draw(member_name))
            kind = draw(
                st.sampled_from(
                    [
                        tarfile.REGTYPE,
                        tarfile.DIRTYPE,
                        tarfile.SYMTYPE,
                        tarfile.LNKTYPE,
                        tarfile.FIFOTYPE,
                    ]
                )
            )
            info.type = kind
            data = draw(metadata_text) if kind == tarfile.REGTYPE else b""
            info.size = len(data)
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = draw(member_name)
            try:
                tar.addfile(info, io.BytesIO(data))
            except (ValueError, UnicodeError):
                continue  # a name this tar format cannot write
    raw = gzip.compress(buffer.getvalue(), mtime=0)
    cut = draw(st.one_of(st.none(), st.integers(0, len(raw))))
    return raw if cut is None else raw[:cut]


@FUZZ
@given(data=st.one_of(tar_bytes(), st.binary(max_size=500)))
def test_sdist_reader(data: bytes) -> None:
    _read("demo-1.0.tar.gz", data)


_ZIP_NAMES = [
    "demo-1.0.dist-info/METADATA",
    "demo-1.0.dist-info/WHEEL",
    "other-1.0.dist-info/METADATA",
    "demo/__init__.py",
]
_TAG_LINES = [b"Tag: py3-none-any\n", b"Tag: py2.py3-none-any\n", b"Tag: junk\n", b"Tag:\n"]


@st.composite
def zip_bytes(draw: st.DrawFn) -> bytes:
    buffer = io.BytesIO()
    # zipfile truncates a name at NUL (and then cannot write an empty one)
    # ... and cannot encode a lone surrogate at all (a zip name is UTF-8 or cp437)
    plain = st.text(
        st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]),
        min_size=1,
        max_size=30,
    )
    names = st.one_of(st.sampled_from(_ZIP_NAMES), plain)
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # duplicate names are part of the fuzz
        for name in draw(st.lists(names, max_size=5)):
            if name.endswith("WHEEL"):
                data = b"Wheel-Version: 1.0\n" + b"".join(
                    draw(st.lists(st.sampled_from(_TAG_LINES), max_size=4))
                )
            else:
                data = draw(metadata_text)
            archive.writestr(name, data)
    raw = buffer.getvalue()
    if draw(st.booleans()) and raw:  # flip a byte somewhere
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([raw[at] ^ draw(st.integers(1, 255))]) + raw[at + 1 :]
    return raw


@FUZZ
@given(data=st.one_of(zip_bytes(), st.binary(max_size=500)))
def test_wheel_reader(data: bytes) -> None:
    _read("demo-1.0-py3-none-any.whl", data)


toml_text = st.one_of(
    st.text(max_size=500),
    st.lists(
        st.sampled_from(
            [
                "[project]",
                'name = "demo"',
                'version = "1.0"',
                "dynamic = ['version']",
                'dependencies = ["attrs>=20", 5]',
                'readme = "../../etc/passwd"',
                "readme = {file = 'README.md'}",
                "[project.optional-dependencies]",
                "x = [[[[[]]]]]",
                "requires-python = '>=3.9'",
                'license = {text = "MIT"}',
                "[[project]]",
                "name = 1",
                'version = "not a version"',
                "[tool.x]",
                "a = {b = {c = {d = 1}}}",
            ]
        ),
        max_size=12,
    ).map("\n".join),
)


@FUZZ
@given(text=toml_text)
def test_pyproject_reader(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "pyproject.toml")
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with contextlib.suppress(ArtifactError):
            read_static_project(path)


def test_limits_page_names_every_cap_with_its_value() -> None:
    text = DOCS.read_text(encoding="utf-8")
    caps = {
        "MAX_METADATA_BYTES": f"{formats.MAX_METADATA_BYTES >> 20} MiB",
        "MAX_HEADER_LINES": f"{formats.MAX_HEADER_LINES:,}",
        "MAX_TAGS": f"{_common.MAX_TAGS:,}",
        "MAX_PKG_INFO_COPIES": str(sdist_layout.MAX_PKG_INFO_COPIES),
        "MAX_PYPROJECT_BYTES": f"{toml.MAX_PYPROJECT_BYTES >> 20} MiB",
        "MAX_ENVIRONMENTS": f"{markers.MAX_ENVIRONMENTS:,}",
        "BUSY_TIMEOUT": f"{db.BUSY_TIMEOUT:g} s",
    }
    for name, value in caps.items():
        row = re.search(rf"^\| `{name}`.*$", text, re.MULTILINE)
        assert row is not None, name
        assert f"| {value} |" in row.group(), (name, value, row.group())
