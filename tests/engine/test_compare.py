"""The engine's special rules: identity fields, Metadata-Version, Dynamic, newer fields,
extension headers, identical-metadata rules, and the known-quirks table."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.compare import compare_identical, compare_sdist_wheel
from metaseal.engine.findings import Finding, Severity
from metaseal.engine.project import compare_pyproject
from metaseal.engine.quirks import QUIRKS, Quirk
from metaseal.sources.pyproject import read_static_project


def meta(*lines: str, version: str = "2.4", body: str | None = None) -> bytes:
    head = [f"Metadata-Version: {version}", *lines]
    if not any(line.startswith("Name:") for line in lines):
        head.insert(1, "Name: demo")
    if not any(line.startswith("Version:") for line in lines):
        head.insert(2, "Version: 1.0")
    text = "\n".join(head) + "\n\n" + (body or "")
    return text.encode()


def sdist(data: bytes, label: str = "demo-1.0.tar.gz") -> Artifact:
    return Artifact(source=label, label=label, kind=Kind.SDIST, role=Role.SDIST, metadata=data)


def wheel(data: bytes, label: str = "demo-1.0-py3-none-any.whl") -> Artifact:
    return Artifact(source=label, label=label, kind=Kind.WHEEL, role=Role.WHEEL, metadata=data)


def rules(findings: list[Finding], *severities: Severity) -> list[tuple[str, str]]:
    wanted = severities or (Severity.ERROR, Severity.WARNING)
    return [(f.field, f.rule) for f in findings if f.severity in wanted]


def test_identical_bytes_are_not_parsed() -> None:
    data = meta("Requires-Dist: not a valid requirement (((")
    assert compare_sdist_wheel(sdist(data), wheel(data)) == []


def test_name_spelling_is_cosmetic_but_a_new_name_is_an_error() -> None:
    base = meta("Name: Demo.Pkg")
    assert rules(compare_sdist_wheel(sdist(base), wheel(meta("Name: demo-pkg")))) == []
    assert rules(compare_sdist_wheel(sdist(base), wheel(meta("Name: other")))) == [
        ("Name", "static-field")
    ]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0", []),
        ("1.0rc1", "1.0-rc1", []),
        ("1.0", "1.0.0", [("Version", "static-field")]),
        ("1.0", "1.0+cpu", [("Version", "static-field")]),
    ],
)
def test_version(a: str, b: str, expected: list[tuple[str, str]]) -> None:
    found = compare_sdist_wheel(sdist(meta(f"Version: {a}")), wheel(meta(f"Version: {b}")))
    assert rules(found) == expected


def test_metadata_version_difference_is_a_warning() -> None:
    found = compare_sdist_wheel(sdist(meta(version="2.4")), wheel(meta(version="2.5")))
    assert [(f.field, f.rule, f.severity) for f in found] == [
        ("Metadata-Version", "metadata-version", Severity.WARNING)
    ]


def test_field_newer_than_the_sdist_is_a_warning() -> None:
    # hatchling 1.26 -> 1.33 between sdist and wheel: License-File appears
    found = compare_sdist_wheel(
        sdist(meta(version="2.3")), wheel(meta("License-File: LICENSE", version="2.4"))
    )
    assert rules(found) == [
        ("Metadata-Version", "metadata-version"),
        ("License-File", "newer-field"),
    ]
    assert all(f.severity is Severity.WARNING for f in found)


def test_field_not_newer_but_absent_is_an_error() -> None:
    found = compare_sdist_wheel(
        sdist(meta(version="2.4")), wheel(meta("License-File: LICENSE", version="2.4"))
    )
    assert rules(found) == [("License-File", "static-field")]


def test_dynamic_is_case_insensitive() -> None:
    # setuptools writes lower-case names; uv reads them case-sensitively; the spec does not
    base = meta("Dynamic: requires-dist", "Requires-Dist: a")
    found = compare_sdist_wheel(sdist(base), wheel(meta("Requires-Dist: a", "Requires-Dist: b")))
    assert rules(found) == []


@pytest.mark.parametrize("field", ["Name", "Version", "Metadata-Version"])
def test_forbidden_dynamic(field: str) -> None:
    data = meta(f"Dynamic: {field.lower()}")
    found = compare_sdist_wheel(sdist(data), wheel(meta()))
    assert ("Dynamic", "dynamic-forbidden") in rules(found)


def test_dynamic_in_wheel_is_informational() -> None:
    found = compare_sdist_wheel(sdist(meta()), wheel(meta("Dynamic: Requires-Dist")))
    assert rules(found) == []
    assert rules(found, Severity.INFO) == [("Dynamic", "dynamic-in-wheel")]


def test_extension_header_differences_warn() -> None:
    found = compare_sdist_wheel(sdist(meta("X-Built-With: a")), wheel(meta("X-Built-With: b")))
    assert [(f.field, f.rule, f.severity) for f in found] == [
        ("x-built-with", "extension-field", Severity.WARNING)
    ]


def test_description_header_vs_body_is_cosmetic() -> None:
    header = meta("Description: Line 1\n       |\n       |Line 2")
    body = meta(body="Line 1\n\nLine 2\n\n\n")
    found = compare_sdist_wheel(sdist(header), wheel(body))
    assert rules(found) == []
    assert rules(found, Severity.COSMETIC) == [("Description", "cosmetic")]


def test_description_change_shows_a_line_diff() -> None:
    from metaseal.report.text import render_findings

    found = compare_sdist_wheel(sdist(meta(body="a\nb\nc\n")), wheel(meta(body="a\nB\nc\n")))
    text = render_findings(found)
    assert "-b" in text
    assert "+B" in text


def test_unsealed_sdist_reports_info_only() -> None:
    found = compare_sdist_wheel(
        sdist(meta("Requires-Dist: a", version="2.1")),
        wheel(meta("Requires-Dist: b", version="2.1")),
    )
    assert rules(found) == []
    assert ("Requires-Dist", "unsealed") in rules(found, Severity.INFO)
    assert ("Metadata-Version", "unsealed") in rules(found, Severity.INFO)


def test_identical_rule_reports_every_meaningful_difference_as_error() -> None:
    left = wheel(meta("Requires-Dist: a", "Summary: x"), label="prepared/METADATA")
    right = wheel(meta("Requires-Dist: a", "Requires-Dist: b", "Summary: x  "))
    found = compare_identical(left, right)
    assert rules(found) == [("Requires-Dist", "prepared-metadata")]
    (requires,) = [f for f in found if f.field == "Requires-Dist"]
    assert requires.added == ("b",)
    assert rules(found, Severity.COSMETIC) == [("Summary", "cosmetic")]


def test_sidecar_byte_difference_is_a_warning_semantic_is_an_error() -> None:
    data = meta("Requires-Dist: a")
    crlf = data.replace(b"\n", b"\r\n")
    sidecar = Artifact(
        source="s",
        label="demo-1.0-py3-none-any.whl.metadata",
        kind=Kind.SIDECAR,
        role=Role.WHEEL,
        metadata=crlf,
    )
    found = compare_identical(sidecar, wheel(data), rule="sidecar", byte_rule="sidecar-bytes")
    assert rules(found) == [("(file)", "sidecar-bytes")]
    changed = Artifact(
        source="s",
        label=sidecar.label,
        kind=Kind.SIDECAR,
        role=Role.WHEEL,
        metadata=meta("Requires-Dist: b"),
    )
    found = compare_identical(changed, wheel(data), rule="sidecar", byte_rule="sidecar-bytes")
    assert rules(found, Severity.ERROR) == [("Requires-Dist", "sidecar")]


# --- the quirks table: one test per entry -------------------------------------------------


def _quirk_unknown_placeholder() -> None:
    found = compare_sdist_wheel(sdist(meta("Summary: UNKNOWN", "Platform: UNKNOWN")), wheel(meta()))
    assert rules(found, *Severity) == []


def _quirk_distutils_description_indent() -> None:
    eight = meta("Description: Line 1\n        \n        Line 2")
    found = compare_sdist_wheel(sdist(eight), wheel(meta(body="Line 1\n\nLine 2\n")))
    assert rules(found) == []


def _quirk_pre_2_3_extra_spelling() -> None:
    old = meta("Provides-Extra: Test_X", "Requires-Dist: pytest; extra == 'Test_X'", version="2.2")
    new = meta("Provides-Extra: test-x", 'Requires-Dist: pytest; extra == "test-x"', version="2.2")
    found = compare_sdist_wheel(sdist(old), wheel(new))
    assert rules(found) == []
    assert {f.field for f in found} == {"Provides-Extra", "Requires-Dist"}


def _quirk_license_fields_before_2_4() -> None:
    from metaseal.engine.model import parse_metadata as parsed

    data = meta("License-File: LICENSE", "License-Expression: MIT", version="2.1")
    assert parsed(data).problems == ()
    assert parsed(meta("Requires-Python: >=3.x", version="2.1")).problems != ()


def _quirk_license_moved_to_expression() -> None:
    """httpx 0.28.1's sdist (hatchling 1.26, Metadata 2.3) and the wheel hatchling 1.33 builds
    from it: the SPDX expression moves from License to License-Expression."""
    old = sdist(meta("License: BSD-3-Clause", version="2.3"))
    new = meta("License-Expression: BSD-3-Clause", "License-File: LICENSE.md", version="2.5")
    found = compare_sdist_wheel(old, wheel(new))
    assert rules(found, Severity.ERROR) == []
    assert ("License", "cosmetic") in rules(found, Severity.COSMETIC)
    assert ("License-Expression", "newer-field") not in rules(found)
    # Case and spacing of the expression do not count; the expressions must still agree.
    lower = meta("License-Expression: bsd-3-clause", version="2.5")
    assert rules(compare_sdist_wheel(old, wheel(lower)), Severity.ERROR) == []
    both = meta("License: BSD-3-Clause", "License-Expression: BSD-3-Clause", version="2.5")
    assert ("License-Expression", "newer-field") in rules(compare_sdist_wheel(old, wheel(both)))
    another = compare_sdist_wheel(old, wheel(meta("License-Expression: MIT", version="2.5")))
    assert ("License", "static-field") in rules(another, Severity.ERROR)
    # Not a move: the sdist also had a License-Expression (Apache-2.0 -> MIT would hide), the
    # License was Dynamic (nothing to report), or there were two License lines.
    both_in_sdist = sdist(meta("License: MIT", "License-Expression: Apache-2.0", version="2.4"))
    hidden = compare_sdist_wheel(both_in_sdist, wheel(meta("License-Expression: MIT")))
    assert ("License-Expression", "static-field") in rules(hidden, Severity.ERROR)
    assert ("License", "cosmetic") not in rules(hidden, Severity.COSMETIC)
    dynamic = sdist(meta("License: MIT", "Dynamic: License", version="2.3"))
    free = compare_sdist_wheel(dynamic, wheel(meta("License-Expression: MIT", version="2.5")))
    assert ("License", "cosmetic") not in rules(free, Severity.COSMETIC)
    assert ("License", "static-field") not in rules(free)
    twice = sdist(meta("License: MIT", "License: MIT", version="2.3"))
    two = compare_sdist_wheel(twice, wheel(meta("License-Expression: MIT", version="2.5")))
    assert ("License", "static-field") in rules(two, Severity.ERROR)
    # Free text that is not an SPDX expression is not an expression moved.
    prose = sdist(meta("License: BSD License", version="2.3"))
    moved = compare_sdist_wheel(prose, wheel(meta("License-Expression: BSD-3-Clause")))
    assert ("License", "static-field") in rules(moved, Severity.ERROR)


def _quirk_flit_undeclared_import_name() -> None:
    # exercised against a real pyproject table in test_pyproject.py::test_flit_import_name_quirk
    finding = flit_import_name_finding()
    assert finding.severity is Severity.WARNING


def _quirk_metadata_version_2_0() -> None:
    from metaseal.engine.model import parse_metadata

    assert parse_metadata(meta("Summary: x", version="2.0")).problems == ()
    assert parse_metadata(meta("Summary: x", version="2.7")).problems != ()


QUIRK_TESTS = {
    "unknown-placeholder": _quirk_unknown_placeholder,
    "distutils-description-indent": _quirk_distutils_description_indent,
    "pre-2.3-extra-spelling": _quirk_pre_2_3_extra_spelling,
    "license-fields-before-2.4": _quirk_license_fields_before_2_4,
    "license-moved-to-expression": _quirk_license_moved_to_expression,
    "flit-undeclared-import-name": _quirk_flit_undeclared_import_name,
    "metadata-version-2.0": _quirk_metadata_version_2_0,
}


def test_every_quirk_has_a_test() -> None:
    assert {q.id for q in QUIRKS} == set(QUIRK_TESTS)


@pytest.mark.parametrize("quirk", QUIRKS, ids=lambda q: q.id)
def test_quirk(quirk: Quirk) -> None:
    QUIRK_TESTS[quirk.id]()


def test_unnormalized_extra_is_invalid_from_2_3() -> None:
    from metaseal.engine.model import parse_metadata as parsed

    assert parsed(meta("Provides-Extra: Test_X", version="2.2")).problems == ()
    (problem,) = parsed(meta("Provides-Extra: Test_X", version="2.3")).problems
    assert "Test_X" in problem
    assert "PEP 685" in problem


def flit_import_name_finding() -> Finding:
    """What flit-core 4 writes (an undeclared Import-Name) against a table without it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pyproject.toml"
        path.write_text('[project]\nname = "demo"\nversion = "1.0"\n', encoding="utf-8")
        static = read_static_project(path)
    data = b"Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Name: demo\n\n"
    artifact = Artifact(
        source="w",
        label="demo-1.0-py3-none-any.whl",
        kind=Kind.WHEEL,
        role=Role.WHEEL,
        metadata=data,
    )
    (finding,) = compare_pyproject(static, artifact)
    return finding


def test_a_sealed_2_2_sdist_and_its_2_1_wheel_say_the_same() -> None:
    """metaseal seals 2.1 sdists as 2.2; the backend's wheel stays 2.1 (information only)."""
    found = compare_sdist_wheel(sdist(meta(version="2.2")), wheel(meta(version="2.1")))
    assert [(f.field, f.rule, f.severity) for f in found] == [
        ("Metadata-Version", "sealed-sdist", Severity.INFO)
    ]
    other = compare_sdist_wheel(sdist(meta(version="2.4")), wheel(meta(version="2.1")))
    assert [(f.rule, f.severity) for f in other] == [("metadata-version", Severity.WARNING)]
