"""The tampering helpers do what they say (checked on real wheels and sdists)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import tarfile
import zipfile
from typing import TYPE_CHECKING

import pytest

from ._tamper import (
    TamperError,
    add_header,
    append_bytes,
    chain,
    downgrade_metadata_version,
    field_values,
    map_values,
    read_sdist_pkg_info,
    read_wheel_metadata,
    remove_header,
    reorder_headers,
    respell_requirement,
    rewrite_sdist_pkg_info,
    rewrite_wheel_metadata,
    set_header,
    to_crlf,
)

if TYPE_CHECKING:
    from pathlib import Path

    from ._build import BuiltProject

pytestmark = pytest.mark.integration

SAMPLE = (
    b"Metadata-Version: 2.4\n"
    b"Name: demo\n"
    b"Version: 1.0\n"
    b"License-Expression: MIT\n"
    b"License-File: LICENSE\n"
    b'Requires-Dist: foo>=1; python_version<"3.10"\n'
    b'Requires-Dist: bar (>=2) ; extra == "test-extra"\n'
    b"Provides-Extra: test-extra\n"
    b"Dynamic: license-file\n"
    b"\n"
    b"Body line 1\n"
    b"Body: not a header\n"
)


def test_header_edits_keep_everything_else() -> None:
    added = add_header("Requires-Dist", "numpy>=2")(SAMPLE)
    assert field_values(added, "requires-dist")[-1] == "numpy>=2"
    assert added.replace(b"Requires-Dist: numpy>=2\n", b"") == SAMPLE

    removed = remove_header("Requires-Dist", 'foo>=1; python_version<"3.10"')(SAMPLE)
    assert field_values(removed, "Requires-Dist") == ['bar (>=2) ; extra == "test-extra"']
    assert removed.endswith(b"\nBody line 1\nBody: not a header\n")

    assert set_header("Metadata-Version", "2.6")(SAMPLE).startswith(b"Metadata-Version: 2.6\n")
    with pytest.raises(TamperError):
        remove_header("Obsoletes-Dist")(SAMPLE)


def test_downgrade_drops_newer_fields() -> None:
    old = downgrade_metadata_version("2.2")(SAMPLE)
    assert field_values(old, "Metadata-Version") == ["2.2"]
    assert field_values(old, "License-Expression") == []
    assert field_values(old, "License-File") == []
    assert field_values(old, "Dynamic") == []
    assert field_values(downgrade_metadata_version("2.4")(SAMPLE), "License-File") == ["LICENSE"]


def test_cosmetic_edits() -> None:
    assert respell_requirement('foo>=1; python_version<"3.10"') == (
        "foo >= 1 ; python_version < '3.10'"
    )
    assert (
        respell_requirement('bar (>=2) ; extra == "test-extra"', extras=[("test-extra", "T_E")])
        == "bar >= 2 ; extra == 'T_E'"
    )
    edited = chain(
        map_values("Requires-Dist", respell_requirement),
        reorder_headers,
        to_crlf,
        append_bytes(b"\r\n"),
    )(SAMPLE)
    assert edited.startswith(b"Metadata-Version: 2.4\r\nDynamic: license-file\r\n")
    assert b"\n" not in edited.replace(b"\r\n", b"")
    assert field_values(edited, "Requires-Dist") == [
        "foo >= 1 ; python_version < '3.10'",
        "bar >= 2 ; extra == 'test-extra'",
    ]


def test_rewritten_wheel_is_consistent(built: BuiltProject, tmp_path: Path) -> None:
    wheel = rewrite_wheel_metadata(built.wheel, tmp_path, add_header("Requires-Dist", "numpy>=2"))
    assert wheel.name == built.wheel.name
    assert "numpy>=2" in field_values(read_wheel_metadata(wheel), "Requires-Dist")
    with zipfile.ZipFile(built.wheel) as before, zipfile.ZipFile(wheel) as after:
        assert before.namelist() == after.namelist()
        [record] = [n for n in after.namelist() if n.endswith(".dist-info/RECORD")]
        for row in csv.reader(io.StringIO(after.read(record).decode())):
            path, digest, size = row
            if path == record:
                continue
            data = after.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode(), path
            assert int(size) == len(data), path
            if not path.endswith(("/METADATA", "/RECORD")):
                assert data == before.read(path), path


def test_rewritten_sdist_is_consistent(built: BuiltProject, tmp_path: Path) -> None:
    sdist = rewrite_sdist_pkg_info(built.sdist, tmp_path, add_header("Dynamic", "Requires-Dist"))
    assert sdist.name == built.sdist.name
    assert "Requires-Dist" in field_values(read_sdist_pkg_info(sdist), "Dynamic")
    with tarfile.open(built.sdist) as before, tarfile.open(sdist) as after:
        assert before.getnames() == after.getnames()
        assert len({name.split("/")[0] for name in after.getnames()}) == 1
        for member in after.getmembers():
            if member.isfile() and not member.name.endswith("/PKG-INFO"):
                old, new = before.extractfile(member.name), after.extractfile(member)
                assert old is not None
                assert new is not None
                assert old.read() == new.read(), member.name
