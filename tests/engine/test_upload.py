"""Upload readiness: what PyPI would refuse today, found before the upload."""

from __future__ import annotations

import pytest

from factories import metadata_bytes
from metaseal.engine.upload import AS_OF, PYPI_ACCEPTS, SOURCE, upload_problems


def _meta(*extra: tuple[str, str], version: str = "2.4") -> bytes:
    return metadata_bytes(
        [("Metadata-Version", version), ("Name", "demo"), ("Version", "1.0"), *extra]
    )


def _fields(data: bytes) -> list[str]:
    return [field for field, _, _ in upload_problems(data)]


def test_table_carries_its_date_and_source() -> None:
    assert PYPI_ACCEPTS[-1] == "2.5"
    assert "2.6" not in PYPI_ACCEPTS
    assert AS_OF == "2026-08"
    assert SOURCE.startswith("https://github.com/pypi/warehouse/")


@pytest.mark.parametrize("version", PYPI_ACCEPTS[4:])  # packaging refuses 2.0, PyPI with it
def test_accepted_versions_pass(version: str) -> None:
    assert upload_problems(_meta(version=version)) == []


def test_metadata_2_6_gets_a_clear_word() -> None:
    ((field, message, fix),) = upload_problems(_meta(version="2.6"))
    assert field == "Metadata-Version"
    assert "PyPI refuses Metadata-Version 2.6 today" in message
    assert f"1.0 to 2.5 (as of {AS_OF}, {SOURCE})" in message
    assert "packaging and twine accept" in message
    assert "2.5 or earlier" in fix


def test_license_expression_invalid_or_not_canonical() -> None:
    ((_, invalid, _),) = upload_problems(_meta(("License-Expression", "MIT OR Nonsense-9")))
    assert "nonsense-9" in invalid.lower()
    ((_, lower, fix),) = upload_problems(_meta(("License-Expression", "mit or apache-2.0")))
    assert "'MIT OR Apache-2.0'" in lower
    assert 'license = "MIT OR Apache-2.0"' in fix
    assert upload_problems(_meta(("License-Expression", "MIT OR Apache-2.0"))) == []


def test_license_next_to_license_expression() -> None:
    both = _meta(("License", "MIT License"), ("License-Expression", "MIT"))
    assert _fields(both) == ["License"]


def test_other_upload_rules() -> None:
    assert _fields(_meta(("Requires-Dist", "a @ https://example.org/a.whl"))) == ["Requires-Dist"]
    assert _fields(_meta(("Summary", "x" * 513))) == ["Summary"]
    assert _fields(_meta(("Summary", "x" * 512))) == []
    local = metadata_bytes([("Metadata-Version", "2.4"), ("Name", "d"), ("Version", "1.0+ci")])
    assert _fields(local) == ["Version"]
    assert _fields(_meta(("Frobnicate", "yes"))) == ["frobnicate"]
    assert _fields(_meta(("Requires-Dist", "not a requirement!"))) == ["Requires-Dist"]
