"""A backend's own rendering of descriptive ``[project]`` keys is never an error (issue 11).

People are compared as people (names and addresses) however the backend splits them; the
license in every form a backend writes it; a real difference in a descriptive key is a warning
(an error only with ``strict``), while keys installers act on keep the force of an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.findings import Severity
from metaseal.engine.project import compare_pyproject
from metaseal.sources.pyproject import read_static_project

if TYPE_CHECKING:
    from pathlib import Path

OK, COSMETIC, WARNING, ERROR = None, Severity.COSMETIC, Severity.WARNING, Severity.ERROR


def _worst(tmp_path: Path, table: list[str], headers: list[str]) -> Severity | None:
    (tmp_path / "LICENSE").write_text("MIT License\n\nCopyright (c) 2024 A\n", encoding="utf-8")
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "\n".join(["[project]", 'name = "demo"', 'version = "1.0"', *table]) + "\n",
        encoding="utf-8",
    )
    data = "\n".join(["Metadata-Version: 2.4", "Name: demo", "Version: 1.0", *headers])
    built = Artifact(
        "w", "demo-1.0-py3-none-any.whl", Kind.WHEEL, Role.WHEEL, (data + "\n\n").encode()
    )
    found = compare_pyproject(read_static_project(path), built)
    return max((f.severity for f in found), key=lambda s: s.rank, default=None)


A_AND_EMAIL = 'authors = [{name = "Ann Lee", email = "ann@example.org"}]'
EMAIL_ONLY = 'authors = [{email = "ann@example.org"}]'
NAME_ONLY = 'authors = [{name = "Ann Lee"}]'
TWO = 'authors = [{name = "Ann Lee", email = "ann@example.org"}, {name = "Bo Ek"}]'
TWO_NAMES = 'authors = [{name = "Ann Lee"}, {name = "Bo Ek"}]'


@pytest.mark.parametrize(
    ("table", "headers", "worst"),
    [
        # PEP 621's own rendering
        (A_AND_EMAIL, ["Author-email: Ann Lee <ann@example.org>"], OK),
        (A_AND_EMAIL, ['Author-email: "Ann Lee" <ann@example.org>'], OK),
        # poetry-core: name and address in two fields
        (A_AND_EMAIL, ["Author: Ann Lee", "Author-email: ann@example.org"], COSMETIC),
        # an e-mail-only person: no placeholder name may be expected; pyproject-metadata's
        # `Unknown <...>` (pdm-backend, meson-python) names nobody
        (EMAIL_ONLY, ["Author-email: ann@example.org"], COSMETIC),
        (EMAIL_ONLY, ["Author-email: Unknown <ann@example.org>"], OK),
        # a name-only person, alone and next to others; names repeated in Author (hatchling)
        (NAME_ONLY, ["Author: Ann Lee"], OK),
        (TWO, ["Author: Bo Ek", "Author-email: Ann Lee <ann@example.org>"], OK),
        (TWO, ["Author: Ann Lee, Bo Ek", "Author-email: Ann Lee <ann@example.org>"], COSMETIC),
        (TWO_NAMES, ["Author: Ann Lee, Bo Ek"], OK),
        (TWO_NAMES, ["Author: Bo Ek, Ann Lee"], COSMETIC),
        # one name in two Unicode spellings (poetry 2.5.1: its pyproject.toml writes the `é`
        # of Sébastien as `e` and a combining accent, poetry-core's PKG-INFO as one character)
        (
            'authors = [{name = "Se\u0301bastien", email = "s@example.org"}]',
            ["Author: S\u00e9bastien", "Author-email: s@example.org"],
            COSMETIC,
        ),
        ('description = "Caf\u00e9"', ["Summary: Cafe\u0301"], COSMETIC),
        ('keywords = ["cafe\u0301"]', ["Keywords: caf\u00e9"], COSMETIC),
        (
            'urls = {"Cafe\u0301" = "https://e.org"}',
            ["Project-URL: Caf\u00e9, https://e.org"],
            COSMETIC,
        ),
        # a person dropped (poetry-core drops name-only authors) or invented: a warning
        (TWO, ["Author-email: Ann Lee <ann@example.org>"], WARNING),
        (NAME_ONLY, ["Author: Ann Lee", "Author-email: zed@example.org"], WARNING),
        (A_AND_EMAIL, ["Author-email: Ann Lee <other@example.org>"], WARNING),
    ],
)
def test_people_are_compared_as_people(
    tmp_path: Path, table: str, headers: list[str], worst: Severity | None
) -> None:
    assert _worst(tmp_path, [table], headers) is worst


@pytest.mark.parametrize(
    ("table", "headers", "worst"),
    [
        ('license = "MIT"', ["License-Expression: MIT"], OK),
        ('license = "mit"', ["License-Expression: MIT"], COSMETIC),
        ('license = "MIT"', ["License: MIT"], COSMETIC),  # a backend before PEP 639
        ('license = "MIT"', ["License-Expression: Apache-2.0"], WARNING),
        ('license = {text = "MIT License"}', ["License: MIT License"], OK),
        ('license = {text = "MIT License"}', [], WARNING),
        # the deprecated file table: its text, or only the file as License-File (flit-core,
        # hatchling, setuptools >= 77), are the same information
        ('license = {file = "LICENSE"}', ["License-File: LICENSE"], COSMETIC),
        (
            'license = {file = "LICENSE"}',
            ["License: MIT License", "        ", "        Copyright (c) 2024 A"],
            COSMETIC,
        ),
        ('license = {file = "LICENSE"}', ["License-File: COPYING"], WARNING),
    ],
)
def test_license_forms(
    tmp_path: Path, table: str, headers: list[str], worst: Severity | None
) -> None:
    assert _worst(tmp_path, [table], headers) is worst


@pytest.mark.parametrize(
    ("table", "headers"),
    [
        ('description = "A demo."', ["Summary: Another demo."]),
        ('keywords = ["a", "b"]', ["Keywords: a"]),
        ('classifiers = ["Typing :: Typed"]', []),
        ("", ["Classifier: Programming Language :: Python :: 3"]),  # poetry-core adds these
        ('urls = {Home = "https://example.org"}', []),
    ],
)
def test_descriptive_differences_are_warnings(
    tmp_path: Path, table: str, headers: list[str]
) -> None:
    assert _worst(tmp_path, [table] if table else [], headers) is WARNING


@pytest.mark.parametrize(
    ("table", "headers"),
    [
        ('dependencies = ["attrs"]', []),
        ('dependencies = ["attrs"]', ["Requires-Dist: attrs>=2"]),
        ('requires-python = ">=3.9"', ["Requires-Python: >=3.8"]),
        ("", ["Requires-Dist: numpy"]),
        ('optional-dependencies = {x = ["a"]}', ["Provides-Extra: x"]),
    ],
)
def test_fields_installers_act_on_stay_errors(
    tmp_path: Path, table: str, headers: list[str]
) -> None:
    assert _worst(tmp_path, [table] if table else [], headers) is ERROR


SELF_EXTRAS = [
    (
        "optional-dependencies = { tests = ['hypothesis', 'cloudpickle; "
        "platform_python_implementation == \"CPython\"'], cov = ['demo[tests]', 'coverage'], "
        "dev = ['demo[cov]', 'pre-commit'] }"
    ),
]


def test_inlined_self_referencing_extras_are_the_same_requirements(tmp_path: Path) -> None:
    """hatchling writes `cov = ["demo[tests]"]` with the `tests` requirements inlined (attrs
    25.3.0 does exactly this): installers get the same packages."""
    inlined = [
        "Provides-Extra: tests",
        "Provides-Extra: cov",
        "Provides-Extra: dev",
        "Requires-Dist: hypothesis; extra == 'tests'",
        (
            "Requires-Dist: cloudpickle; (platform_python_implementation == 'CPython') and "
            "extra == 'tests'"
        ),
        "Requires-Dist: coverage; extra == 'cov'",
        "Requires-Dist: hypothesis; extra == 'cov'",
        (
            "Requires-Dist: cloudpickle; (platform_python_implementation == 'CPython') and "
            "extra == 'cov'"
        ),
        "Requires-Dist: pre-commit; extra == 'dev'",
        "Requires-Dist: coverage; extra == 'dev'",
        "Requires-Dist: hypothesis; extra == 'dev'",
        (
            "Requires-Dist: cloudpickle; platform_python_implementation == 'CPython' and "
            "extra == 'dev'"
        ),
    ]
    assert _worst(tmp_path, SELF_EXTRAS, inlined) is COSMETIC
    # one inlined requirement too many (or missing) is still a real difference
    assert _worst(tmp_path, SELF_EXTRAS, [*inlined, "Requires-Dist: mypy; extra == 'cov'"]) is ERROR
    assert _worst(tmp_path, SELF_EXTRAS, inlined[:-1]) is ERROR


def test_a_self_reference_with_a_version_is_not_inlined(tmp_path: Path) -> None:
    """`demo[tests]>=2` asks for a version of the project: dropping it is not cosmetic."""
    table = ["optional-dependencies = { tests = ['hypothesis'], cov = ['demo[tests]>=2'] }"]
    headers = [
        "Provides-Extra: tests",
        "Provides-Extra: cov",
        "Requires-Dist: hypothesis; extra == 'tests'",
        "Requires-Dist: hypothesis; extra == 'cov'",
    ]
    assert _worst(tmp_path, table, headers) is ERROR
