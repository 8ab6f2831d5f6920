"""The static [project] table against built files (PEP 621, PEP 808)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.findings import Finding, Severity
from metaseal.engine.project import compare_pyproject
from metaseal.errors import ArtifactError
from metaseal.sources.pyproject import read_static_project

PYPROJECT = """
[project]
name = "Demo.Pkg"
version = "1.0"
description = "A demo"
requires-python = ">=3.9"
license = "MIT"
keywords = ["a", "b"]
classifiers = ["Typing :: Typed"]
dependencies = ["requests>=2", "tomli; python_version < '3.11'"]
dynamic = {dynamic}
{extra}
[project.optional-dependencies]
test = ["pytest"]
"""
GOOD = [
    "Metadata-Version: 2.4",
    "Name: Demo.Pkg",
    "Version: 1.0",
    "Summary: A demo",
    "Keywords: a,b",
    "License-Expression: MIT",
    "Classifier: Typing :: Typed",
    "Requires-Python: >=3.9",
    "Requires-Dist: requests>=2",
    "Requires-Dist: tomli; python_version < '3.11'",
    "Provides-Extra: test",
    "Requires-Dist: pytest; extra == 'test'",
]


def project(tmp_path: Path, dynamic: str = "[]", extra: str = "") -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT.format(dynamic=dynamic, extra=extra), encoding="utf-8")
    return path


def built(lines: list[str]) -> Artifact:
    return Artifact(
        source="w",
        label="demo_pkg-1.0-py3-none-any.whl",
        kind=Kind.WHEEL,
        role=Role.WHEEL,
        metadata=("\n".join(lines) + "\n\n").encode(),
    )


def failing(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.field, f.rule) for f in found if f.severity in (Severity.ERROR, Severity.WARNING)]


def check(tmp_path: Path, lines: list[str], dynamic: str = "[]", extra: str = "") -> list[Finding]:
    return compare_pyproject(read_static_project(project(tmp_path, dynamic, extra)), built(lines))


def test_consistent_file_passes(tmp_path: Path) -> None:
    assert failing(check(tmp_path, GOOD)) == []


def test_static_dependency_added(tmp_path: Path) -> None:
    found = check(tmp_path, [*GOOD, "Requires-Dist: numpy>=2"])
    assert failing(found) == [("Requires-Dist", "pyproject-static")]
    assert found[0].added == ("numpy>=2",)


def test_extra_dependency_is_judged_by_optional_dependencies(tmp_path: Path) -> None:
    lines = [*GOOD, "Requires-Dist: coverage; extra == 'test'"]
    assert failing(check(tmp_path, lines)) == [("Requires-Dist", "pyproject-static")]
    assert failing(check(tmp_path, lines, dynamic='["optional-dependencies"]')) == []


def test_dynamic_key_is_free(tmp_path: Path) -> None:
    lines = [line for line in GOOD if not line.startswith("Summary")] + ["Summary: other"]
    assert failing(check(tmp_path, lines)) == [("Summary", "pyproject-static")]


def test_pep808_written_and_dynamic_is_append_only(tmp_path: Path) -> None:
    dynamic = '["classifiers"]'
    ok = [*GOOD, "Classifier: Framework :: Pytest"]
    assert failing(check(tmp_path, ok, dynamic=dynamic)) == []
    dropped = [line for line in GOOD if not line.startswith("Classifier")]
    dropped.append("Classifier: Framework :: Pytest")
    assert failing(check(tmp_path, dropped, dynamic=dynamic)) == [
        ("Classifier", "pyproject-append-only")
    ]


def test_undeclared_key_must_stay_empty(tmp_path: Path) -> None:
    found = check(tmp_path, [*GOOD, "Author: Someone"])
    assert failing(found) == [("Author", "pyproject-undeclared")]


def test_written_exceptions_license_files_and_readme_type(tmp_path: Path) -> None:
    lines = [*GOOD, "License-File: LICENSE"]
    assert failing(check(tmp_path, lines)) == []  # license-files absent: auto-discovery allowed


def test_flit_import_name_quirk(tmp_path: Path) -> None:
    found = check(tmp_path, [*GOOD, "Import-Name: demo_pkg"])
    assert [
        (f.field, f.rule, f.severity) for f in found if f.severity is not Severity.COSMETIC
    ] == [("Import-Name", "pyproject-undeclared", Severity.WARNING)]


def test_dynamic_version_is_not_compared(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "demo"\ndynamic = ["version"]\n', encoding="utf-8")
    static = read_static_project(path)
    assert static.version is None
    lines = ["Metadata-Version: 2.4", "Name: demo", "Version: 7.1"]
    assert failing(compare_pyproject(static, built(lines))) == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[tool.x]\n", "no `[project]` table"),
        ("[project\n", "cannot be read as TOML"),
        ('[project]\nname = "x"\nversion = 1\n', "not valid PEP 621"),
        ('[project]\nname = "x"\ndynamic = "version"\n', "must be a list"),
    ],
)
def test_bad_pyproject(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ArtifactError, match=re.escape(fragment)) as info:
        read_static_project(path)
    assert str(path) in str(info.value)


def test_poetry_author_split_is_cosmetic(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "demo"\nversion = "1.0"\n'
        'authors = [{name = "Bench", email = "bench@example.org"}, {name = "Solo"}]\n',
        encoding="utf-8",
    )
    static = read_static_project(path)
    head = ["Metadata-Version: 2.4", "Name: demo", "Version: 1.0"]
    poetry = [*head, "Author: Bench, Solo", "Author-email: bench@example.org"]
    found = compare_pyproject(static, built(poetry))
    assert failing(found) == []
    assert {f.rule for f in found} == {"cosmetic"}
    dropped = [*head, "Author: Bench", "Author-email: bench@example.org"]  # the name-only author
    assert failing(compare_pyproject(static, built(dropped))) == [
        ("Author", "pyproject-static"),
        ("Author-email", "pyproject-static"),
    ]


@pytest.mark.parametrize(
    ("lines", "key", "severity"),
    [
        (['readme = "MISSING.md"'], "readme", Severity.INFO),
        (
            ['license = "MIT"', 'classifiers = ["License :: OSI Approved :: MIT License"]'],
            "license",
            Severity.INFO,
        ),
        (['requires-python = ">=3.x"'], "requires-python", Severity.WARNING),
    ],
)
def test_a_key_the_reader_rejects_is_reported_and_the_rest_is_still_checked(
    tmp_path: Path, lines: list[str], key: str, severity: Severity
) -> None:
    """Validity is the inner backend's call: pyproject-metadata's stricter verdict on one key
    is reported, information for a descriptive key (not even `strict` fails on it: hatchling
    accepts an SPDX license next to `License ::` classifiers), a warning for a key installers
    act on, and every other key is still compared."""
    path = tmp_path / "pyproject.toml"
    body = ["[project]", 'name = "demo"', 'version = "1.0"', 'dependencies = ["attrs"]', *lines]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    project = read_static_project(path)
    assert [k for k, _ in project.problems] == [key]
    built = Artifact(
        "w", "demo-1.0-py3-none-any.whl", Kind.WHEEL, Role.WHEEL,
        b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nRequires-Dist: other\n\n",
    )  # fmt: skip
    found = compare_pyproject(project, built)
    assert ("(pyproject)", "pyproject-invalid", severity) in {
        (f.field, f.rule, f.severity) for f in found
    }
    failing = {(f.field, f.rule) for f in found if f.severity.fails(strict=True)}
    assert (("(pyproject)", "pyproject-invalid") in failing) is (severity is Severity.WARNING)
    assert ("Requires-Dist", "pyproject-static") in failing
    assert [f.field for f in found if f.severity is Severity.ERROR] == ["Requires-Dist"]
