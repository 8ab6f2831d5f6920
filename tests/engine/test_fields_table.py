"""Table-driven: every core metadata field x {equal, cosmetic, meaningful, Dynamic, 2.6 append,
2.6 removal}, sdist -> wheel, through the real engine."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.compare import compare_sdist_wheel
from metaseal.engine.fields import FIELDS, FieldSpec
from metaseal.engine.findings import Finding, Severity


@dataclass(frozen=True)
class Case:
    base: tuple[str, ...]
    cosmetic: tuple[str, ...]
    changed: tuple[str, ...]
    appended: str | None = None  # a value a 2.6 wheel may add


CASES: dict[str, Case] = {
    "Platform": Case(("any  os",), ("any os",), ("linux",), "windows"),
    "Supported-Platform": Case(("RedHat  7.2",), ("RedHat 7.2",), ("RedHat 8",), "Debian"),
    "Summary": Case(("A demo package",), ("A  demo   package",), ("Another summary",)),
    "Description": Case(
        ("Line 1\n       |\n       |Line 2",),
        ("Line 1\n        \n        Line 2",),
        ("Line 1\n       |\n       |Line 3",),
    ),
    "Description-Content-Type": Case(
        ("text/markdown",), ("text/markdown; charset=utf-8; variant=GFM",), ("text/x-rst",)
    ),
    "Keywords": Case(("a,b,c",), ("c, b, a",), ("a,b,d",)),
    "Home-page": Case(
        ("https://example.org",), ("https://example.org ",), ("https://example.com",)
    ),
    "Download-URL": Case(
        ("https://example.org/dl",), ("https://example.org/dl ",), ("https://example.com/dl",)
    ),
    "Author": Case(("Jane Doe",), ("Jane  Doe",), ("John Doe",)),
    "Author-email": Case(
        ("Jane Doe <jane@example.org>, bob@example.org",),
        ('bob@example.org, "Jane Doe" <jane@example.org>',),
        ("Jane Doe <jane@example.com>, bob@example.org",),
    ),
    "Maintainer": Case(("Jane Doe",), ("Jane\n Doe",), ("John Doe",)),
    "Maintainer-email": Case(("jane@example.org",), ("<jane@example.org>",), ("john@example.org",)),
    "License": Case(("MIT License",), ("MIT  License",), ("BSD License",)),
    "License-Expression": Case(("MIT OR Apache-2.0",), ("mit or apache-2.0",), ("MIT",)),
    "License-File": Case(
        ("LICENSE", "NOTICE"), ("NOTICE", "LICENSE"), ("LICENSE", "COPYING"), "vendor/LICENSE"
    ),
    "Classifier": Case(
        ("Typing :: Typed", "Programming Language :: Python :: 3"),
        ("Programming Language :: Python :: 3", "Typing :: Typed"),
        ("Typing :: Typed", "Programming Language :: Python :: 2"),
        "Framework :: Pytest",
    ),
    "Requires-Dist": Case(
        ("requests>=2,<3", 'tomli; python_version < "3.11"', 'pytest; extra == "test"'),
        ("tomli ; python_full_version<'3.11'", "Requests <3 , >=2", "pytest ; extra == 'Test'"),
        ("requests>=2,<4", 'tomli; python_version < "3.11"', 'pytest; extra == "test"'),
        "numpy>=2",
    ),
    "Requires-Python": Case((">=3.9,<4",), ("<4, >= 3.9",), (">=3.10,<4",)),
    "Requires-External": Case(("libpq  (>=9)",), ("libpq (>=9)",), ("libpq (>=10)",), "zlib"),
    "Project-URL": Case(
        ("Homepage, https://example.org", "Source, https://example.org/src"),
        ("source, https://example.org/src", "Home-page, https://example.org"),
        ("Homepage, https://example.com", "Source, https://example.org/src"),
        "Docs, https://example.org/docs",
    ),
    "Provides-Extra": Case(("test", "doc"), ("Test", "doc"), ("test", "docs"), "cuda"),
    "Provides-Dist": Case(("other>=1.0",), ("other >= 1.0",), ("other>=2",), "third"),
    "Obsoletes-Dist": Case(("old<2",), ("Old < 2",), ("old<3",), "older"),
    "Requires": Case(("os  path",), ("os path",), ("sys",), "re"),
    "Provides": Case(("demo  mod",), ("demo mod",), ("other",), "extra"),
    "Obsoletes": Case(("gone  mod",), ("gone mod",), ("other",), "more"),
    "Import-Name": Case(
        ("demo", "demo._x; private"), ("demo._x ;private", "demo"), ("demo", "other"), "demo_ext"
    ),
    "Import-Namespace": Case(("ns; private",), ("ns ;  private",), ("ns2",), "ns3"),
}
SPECIAL = {"Metadata-Version", "Name", "Version", "Dynamic"}
TESTED = [spec for spec in FIELDS if spec.name not in SPECIAL]


def test_every_field_has_a_case() -> None:
    assert {spec.name for spec in TESTED} == set(CASES)


def _meta(
    version: str, field: str, values: tuple[str, ...], *, dynamic: bool = False, crlf: bool = False
) -> bytes:
    lines = [f"Metadata-Version: {version}", "Name: demo", "Version: 1.0"]
    if dynamic:
        lines.append(f"Dynamic: {field}")
    for value in values:
        lines.append(f"{field}: {value}")
    text = "\n".join(lines) + "\n\n"
    return text.replace("\n", "\r\n").encode() if crlf else text.encode()


def _art(label: str, data: bytes, role: Role) -> Artifact:
    kind = Kind.SDIST if role is Role.SDIST else Kind.WHEEL
    return Artifact(source=label, label=label, kind=kind, role=role, metadata=data)


def _run(sdist: bytes, wheel: bytes) -> list[Finding]:
    return compare_sdist_wheel(
        _art("demo-1.0.tar.gz", sdist, Role.SDIST),
        _art("demo-1.0-py3-none-any.whl", wheel, Role.WHEEL),
    )


def _failing(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]


ids = [spec.name for spec in TESTED]


@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_equal(spec: FieldSpec) -> None:
    name = spec.name
    data = _meta("2.4", name, CASES[name].base)
    assert _run(data, data) == []
    # same content, different bytes (CRLF): still nothing that fails
    assert _failing(_run(data, _meta("2.4", name, CASES[name].base, crlf=True))) == []


@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_cosmetic(spec: FieldSpec) -> None:
    name = spec.name
    case = CASES[name]
    findings = _run(_meta("2.4", name, case.base), _meta("2.4", name, case.cosmetic))
    assert _failing(findings) == []
    assert [(f.field, f.rule, f.severity) for f in findings] == [
        (name, "cosmetic", Severity.COSMETIC)
    ]


@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_meaningful_change(spec: FieldSpec) -> None:
    name = spec.name
    case = CASES[name]
    findings = _run(_meta("2.4", name, case.base), _meta("2.4", name, case.changed))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert [(f.field, f.rule) for f in errors] == [(name, "static-field")]
    assert errors[0].artifacts == ("demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl")
    assert "Dynamic" in errors[0].message


@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_absent_and_not_dynamic_stays_absent(spec: FieldSpec) -> None:
    name = spec.name
    findings = _run(_meta("2.5", name, ()), _meta("2.5", name, CASES[name].base))
    assert [(f.field, f.rule, f.severity) for f in _failing(findings)] == [
        (name, "static-field", Severity.ERROR)
    ]


@pytest.mark.parametrize("version", ["2.2", "2.3", "2.4", "2.5"])
@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_declared_dynamic_is_free_before_2_6(spec: FieldSpec, version: str) -> None:
    name = spec.name
    case = CASES[name]
    sdist = _meta(version, name, case.base, dynamic=True)
    for wheel_values in (case.changed, (), case.base[1:]):
        assert _failing(_run(sdist, _meta(version, name, wheel_values))) == []


@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_2_6_append(spec: FieldSpec) -> None:
    name = spec.name
    case = CASES[name]
    sdist = _meta("2.6", name, case.base, dynamic=True)
    if spec.multiple:
        assert case.appended is not None
        wheel = _meta("2.6", name, (*case.base, case.appended))
    else:  # a Dynamic single-use field may take any value, also in 2.6
        wheel = _meta("2.6", name, case.changed)
    assert _failing(_run(sdist, wheel)) == []


@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_2_6_removal(spec: FieldSpec) -> None:
    name = spec.name
    case = CASES[name]
    sdist = _meta("2.6", name, case.base, dynamic=True)
    wheel = _meta("2.6", name, case.changed)
    failing = _failing(_run(sdist, wheel))
    if spec.multiple:
        assert [(f.field, f.rule, f.severity) for f in failing] == [
            (name, "dynamic-append-only", Severity.ERROR)
        ]
    else:
        assert failing == []


@pytest.mark.parametrize(
    "spec", [s for s in TESTED if s.multiple and len(CASES[s.name].base) > 1], ids=lambda s: s.name
)
def test_2_6_reorder_is_a_violation(spec: FieldSpec) -> None:
    name = spec.name
    case = CASES[name]
    sdist = _meta("2.6", name, case.base, dynamic=True)
    wheel = _meta("2.6", name, tuple(reversed(case.base)))
    assert [f.rule for f in _failing(_run(sdist, wheel))] == ["dynamic-append-only"]


@pytest.mark.parametrize("spec", TESTED, ids=ids)
def test_unsealed_sdist_constrains_nothing(spec: FieldSpec) -> None:
    name = spec.name
    case = CASES[name]
    findings = _run(_meta("2.1", name, case.base), _meta("2.1", name, case.changed))
    assert _failing(findings) == []
    assert {f.rule for f in findings} == {"unsealed"}
