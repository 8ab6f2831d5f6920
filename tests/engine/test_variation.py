"""Wheel-to-wheel variation, verified marker proposals, inexpressible cases, repair pairs."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.tags import parse_tag
from packaging.version import Version

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.environments import environments_for
from metaseal.engine.fields import requirement_key
from metaseal.engine.repair import repair_pairs
from metaseal.engine.variation import (
    Inexpressible,
    Proposal,
    VariationReport,
    analyze,
)


def meta(*lines: str, name: str = "demo", version: str = "1.0") -> bytes:
    head = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}", *lines]
    return ("\n".join(head) + "\n").encode()


def wheel(tag: str, *lines: str, label: str | None = None, **kwargs: str) -> Artifact:
    name = label or f"demo-1.0-{tag}.whl"
    return Artifact(
        source=name,
        label=name,
        kind=Kind.WHEEL,
        role=Role.WHEEL,
        metadata=meta(*lines, **kwargs),
        tags=frozenset(parse_tag(tag)),
    )


def deps(*requirements: str) -> list[str]:
    return [f"Requires-Dist: {r}" for r in requirements]


def proposal_of(report: VariationReport) -> Proposal:
    assert report.proposal is not None
    return report.proposal


def only_variation(report: VariationReport) -> tuple[str, str, str]:
    assert len(report.variation) == 1, report.variation
    found = report.variation[0]
    return found.field, found.value, found.pattern


# --- one synthetic release per pattern of the issue ------------------------------------------


def test_windows_only_dependency() -> None:
    report = analyze(
        [
            wheel("cp312-cp312-win_amd64", *deps("numpy", "pywin32>=306")),
            wheel("cp312-cp312-win32", *deps("numpy", "pywin32>=306")),
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps("numpy")),
            wheel("cp312-cp312-macosx_11_0_arm64", *deps("numpy")),
        ]
    )
    assert only_variation(report) == ("Requires-Dist", "pywin32>=306", "only *-win*")
    variation = report.variation[0]
    assert variation.present_in == (
        "demo-1.0-cp312-cp312-win_amd64.whl",
        "demo-1.0-cp312-cp312-win32.whl",
    )
    assert not variation.no_op
    proposal = proposal_of(report)
    assert proposal.requires_dist == ("numpy", 'pywin32>=306; sys_platform == "win32"')
    assert proposal.verified
    assert proposal.environments_checked == 5 * 3  # win32 counts AMD64 and x86
    assert report.inexpressible == ()


def test_linux_aarch64_only_dependency() -> None:
    report = analyze(
        [
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps("numpy")),
            wheel("cp312-cp312-manylinux_2_17_aarch64", *deps("numpy", "arm-helper")),
            wheel("cp312-cp312-macosx_11_0_arm64", *deps("numpy")),
            wheel("cp312-cp312-win_amd64", *deps("numpy")),
        ]
    )
    assert only_variation(report) == ("Requires-Dist", "arm-helper", "only *-*_aarch64")
    proposal = proposal_of(report)
    assert proposal.requires_dist == ("numpy", 'arm-helper; platform_machine == "aarch64"')
    assert proposal.verified


def test_python_version_dependency_carried_by_tags() -> None:
    report = analyze(
        [
            wheel("cp39-cp39-manylinux_2_17_x86_64", *deps("tomli>=1.1", "packaging")),
            wheel("cp310-cp310-manylinux_2_17_x86_64", *deps("tomli>=1.1", "packaging")),
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps("packaging")),
            wheel("cp313-cp313-manylinux_2_17_x86_64", *deps("packaging")),
        ]
    )
    assert only_variation(report) == (
        "Requires-Dist",
        "tomli>=1.1",
        "only cp39 wheels and cp310 wheels",
    )
    proposal = proposal_of(report)
    assert proposal.requires_dist == ('tomli>=1.1; python_version < "3.12"', "packaging")
    assert proposal.verified


def test_backport_on_cp39_only() -> None:
    report = analyze(
        [
            wheel("cp39-cp39-win_amd64", *deps("exceptiongroup")),
            wheel("cp312-cp312-win_amd64"),
        ]
    )
    assert only_variation(report) == ("Requires-Dist", "exceptiongroup", "cp39 wheels only")
    assert proposal_of(report).verified


def test_macos_arm64_only_extra() -> None:
    extra = ["Provides-Extra: test", "Requires-Dist: pytest; extra == 'test'"]
    report = analyze(
        [
            wheel(
                "cp312-cp312-macosx_11_0_arm64",
                *extra,
                "Provides-Extra: mlx",
                'Requires-Dist: mlx>=0.20; extra == "mlx"',
            ),
            wheel("cp312-cp312-macosx_10_13_x86_64", *extra),
            wheel("cp312-cp312-manylinux_2_17_x86_64", *extra),
            wheel("cp312-cp312-win_amd64", *extra),
        ]
    )
    fields = {(v.field, v.value, v.pattern) for v in report.variation}
    assert fields == {
        ("Provides-Extra", "mlx", "only *-*_arm64"),
        ("Requires-Dist", 'mlx>=0.20; extra == "mlx"', "only *-*_arm64"),
    }
    proposal = proposal_of(report)
    assert proposal.requires_dist == (
        'pytest; extra == "test"',
        'mlx>=0.20; platform_machine == "arm64" and extra == "mlx"',
    )
    assert proposal.provides_extra == ("test", "mlx")
    assert proposal.verified


WOW64 = [
    *(wheel(f"cp{v}-cp{v}-win32", *deps("numpy")) for v in (310, 311)),
    *(wheel(f"cp{v}-cp{v}-win_amd64", *deps("numpy", "pyarrow-hotfix<1")) for v in (310, 311)),
    *(
        wheel(f"cp{v}-cp{v}-manylinux_2_17_x86_64", *deps("numpy", "pyarrow-hotfix<1"))
        for v in (310, 311)
    ),
]


def test_wow64_is_not_expressible() -> None:
    report = analyze(WOW64)
    assert only_variation(report) == (
        "Requires-Dist",
        "pyarrow-hotfix<1",
        "every wheel except *-win32",
    )
    (problem,) = report.inexpressible
    assert problem.field == "Requires-Dist"
    assert problem.value == "pyarrow-hotfix<1"
    assert problem.environment["platform_machine"] == "AMD64"
    assert problem.environment["sys_platform"] == "win32"
    assert "WOW64" in problem.reason
    assert "win32.whl" in problem.reason and "win_amd64.whl" in problem.reason
    proposal = proposal_of(report)
    assert not proposal.verified
    # The rest is still proposed; the inexpressible entry is named as unverified.
    assert proposal.requires_dist[0] == "numpy"
    assert proposal.unverified == (proposal.requires_dist[1],)
    assert proposal.requires_dist[1].startswith("pyarrow-hotfix<1")


def test_identical_tags_with_different_metadata() -> None:
    report = analyze(
        [
            wheel(
                "cp312-cp312-win_amd64", *deps("a"), label="dist/demo-1.0-cp312-cp312-win_amd64.whl"
            ),
            wheel("cp312-cp312-win_amd64", label="wheelhouse/demo-1.0-cp312-cp312-win_amd64.whl"),
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps("a")),
        ]
    )
    assert only_variation(report)[:2] == ("Requires-Dist", "a")
    assert report.variation[0].absent_from == ("wheelhouse/demo-1.0-cp312-cp312-win_amd64.whl",)
    (problem,) = report.inexpressible
    assert "same tags (cp312-cp312-win_amd64)" in problem.reason
    assert problem.environment["python_version"] == "3.12"
    assert not proposal_of(report).verified


def test_musllinux_against_manylinux_is_not_expressible() -> None:
    report = analyze(
        [
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps("glibc-shim")),
            wheel("cp312-cp312-musllinux_1_2_x86_64"),
            wheel("cp312-cp312-win_amd64"),
        ]
    )
    assert only_variation(report) == ("Requires-Dist", "glibc-shim", "only *-manylinux*")
    (problem,) = report.inexpressible
    assert problem.environment["sys_platform"] == "linux"
    assert problem.environment["platform_machine"] == "x86_64"
    assert "C library" in problem.reason
    assert not proposal_of(report).verified


def test_musllinux_against_manylinux_of_other_machines_is_expressible() -> None:
    report = analyze(
        [
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps("a")),
            wheel("cp312-cp312-musllinux_1_2_aarch64"),
        ]
    )
    proposal = proposal_of(report)
    assert proposal.requires_dist == ('a; platform_machine == "x86_64"',)
    assert proposal.verified


ABI3_RELEASE = [
    ("cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64", ["cffi>=1.15"]),
    ("cp39-abi3-win_amd64", ["cffi>=1.15"]),
    ("cp39-abi3-macosx_10_9_universal2", ["cffi>=1.15"]),
    ("py3-none-any", ["cffi>=1.15"]),
]


def test_abi3_and_pure_wheels_mixed_cosmetic_only() -> None:
    spellings = ["cffi>=1.15", "CFFI >= 1.15", "cffi (>=1.15)", "cffi>=1.15.0"]
    wheels = [wheel(tag, *deps(spelling)) for (tag, _), spelling in zip(ABI3_RELEASE, spellings)]
    assert analyze(wheels) == VariationReport((), None, ())


def test_pure_fallback_missing_a_dependency_is_not_expressible() -> None:
    wheels = [wheel(tag, *deps(*reqs)) for tag, reqs in ABI3_RELEASE[:3]]
    report = analyze([*wheels, wheel("py3-none-any")])
    assert only_variation(report) == ("Requires-Dist", "cffi>=1.15", "cp3* wheels only")
    (problem,) = report.inexpressible
    assert "py3-none-any.whl" in problem.reason
    assert problem.environment["implementation_name"] == "cpython"
    assert not proposal_of(report).verified


def test_pypy_only_dependency_of_the_pure_fallback_is_a_no_op() -> None:
    wheels = [wheel(tag, *deps(*reqs)) for tag, reqs in ABI3_RELEASE[:3]]
    pure = wheel("py3-none-any", *deps("cffi>=1.15", 'pypy-helper; implementation_name == "pypy"'))
    report = analyze([*wheels, pure])
    (variation,) = report.variation
    assert variation.no_op
    assert variation.pattern == "only *-any"
    assert report.proposal is None
    assert report.inexpressible == ()


def test_abi3_with_an_older_platform_wheel() -> None:
    report = analyze(
        [
            wheel("cp38-cp38-manylinux_2_17_x86_64", *deps("cffi", "importlib-resources")),
            wheel("cp39-abi3-manylinux_2_17_x86_64", *deps("cffi")),
            wheel("cp39-abi3-win_amd64", *deps("cffi")),
        ]
    )
    assert only_variation(report)[2] == "cp38 wheels only"
    proposal = proposal_of(report)
    assert proposal.requires_dist == ("cffi", 'importlib-resources; python_version < "3.9"')
    assert proposal.verified


def test_cosmetic_differences_produce_no_variation() -> None:
    report = analyze(
        [
            wheel(
                "cp312-cp312-win_amd64",
                "Provides-Extra: Test_X",
                'Requires-Dist: typing_extensions>=4.2,<5; python_version < "3.11"',
                "Requires-Dist: pytest; extra == 'Test_X'",
                "Requires-Python: >= 3.9",
                "Summary: A  demo",
            ),
            wheel(
                "cp312-cp312-manylinux_2_17_x86_64",
                "Summary: A demo",
                "Requires-Python: >=3.9",
                'Requires-Dist: pytest ; extra == "test-x"',
                "Requires-Dist: Typing-Extensions <5,>=4.2 ; python_full_version < '3.11'",
                "Provides-Extra: test-x",
            ),
        ]
    )
    assert report == VariationReport((), None, ())


def test_no_op_requirement() -> None:
    report = analyze(
        [
            wheel("cp312-cp312-win_amd64", *deps('pywin32; sys_platform == "win32"', "numpy")),
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps("numpy")),
            wheel("cp312-cp312-macosx_11_0_arm64", *deps("numpy")),
        ]
    )
    (variation,) = report.variation
    assert variation.no_op
    assert variation.absent_from == (
        "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "demo-1.0-cp312-cp312-macosx_11_0_arm64.whl",
    )
    assert report.proposal is None


def test_missing_where_its_own_marker_applies_is_not_a_no_op() -> None:
    report = analyze(
        [
            wheel("cp312-cp312-win_amd64"),
            wheel("cp312-cp312-manylinux_2_17_x86_64", *deps('pywin32; sys_platform == "win32"')),
        ]
    )
    assert not report.variation[0].no_op
    proposal = proposal_of(report)
    assert proposal.verified
    # The only wheel that lists it never installs it: the proposal leaves it out.
    assert proposal.requires_dist == ()


def test_requires_python_variation() -> None:
    report = analyze(
        [
            wheel("cp38-cp38-win_amd64", "Requires-Python: >=3.8"),
            wheel("cp312-cp312-win_amd64", "Requires-Python: >=3.9"),
        ]
    )
    assert {v.value for v in report.variation} == {">=3.8", ">=3.9"}
    proposal = proposal_of(report)
    assert proposal.requires_python == ">=3.8"
    assert proposal.verified


def test_requires_python_conflict() -> None:
    report = analyze(
        [
            wheel("cp38-cp38-win_amd64", "Requires-Python: >=3.8"),
            wheel("py3-none-any", "Requires-Python: >=3.10"),
        ]
    )
    (problem,) = report.inexpressible
    assert problem.field == "Requires-Python"
    assert problem.value == ">=3.10"
    assert problem.environment["python_version"] == "3.8"
    assert not proposal_of(report).verified


def test_requires_python_narrows_the_environments_of_a_wheel() -> None:
    # the pure wheel cannot be installed on 3.8, so it does not clash with the cp38 wheel there
    report = analyze(
        [
            wheel("cp38-cp38-win_amd64", *deps("backport"), "Requires-Python: >=3.8"),
            wheel("py3-none-any", "Requires-Python: >=3.9"),
        ]
    )
    assert [p.field for p in report.inexpressible] == ["Requires-Python"]
    assert proposal_of(report).requires_dist == ('backport; python_version < "3.9"',)


def test_unknown_platform_is_never_verified() -> None:
    report = analyze(
        [
            wheel("cp312-cp312-win_amd64", *deps("a")),
            wheel("cp313-cp313-ios_13_0_arm64_iphoneos"),
        ]
    )
    proposal = proposal_of(report)
    assert report.inexpressible == ()
    assert not proposal.verified


def test_invalid_requirement_that_varies_is_inexpressible() -> None:
    report = analyze(
        [wheel("cp312-cp312-win_amd64", *deps("not a requirement (((")), wheel("cp312-cp312-win32")]
    )
    (problem,) = report.inexpressible
    assert problem == Inexpressible(
        "Requires-Dist",
        "not a requirement (((",
        "it is not a valid requirement, so no marker can be added to it",
        {},
    )
    assert not proposal_of(report).verified


def test_one_wheel_or_none() -> None:
    assert analyze([]) == VariationReport((), None, ())
    assert analyze([wheel("py3-none-any", *deps("a"))]) == VariationReport((), None, ())


def test_other_fields_vary_without_a_proposal() -> None:
    report = analyze(
        [wheel("cp312-cp312-win_amd64", "Summary: one"), wheel("cp312-cp312-win32", "Summary: two")]
    )
    assert [(v.field, v.value, v.pattern) for v in report.variation] == [
        ("Summary", "one", "only *-win_amd64"),
        ("Summary", "two", "only *-win32"),
    ]
    assert report.proposal is None


# --- repair pairs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("cp312-cp312-linux_x86_64", "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64", 1),
        ("cp312-cp312-musllinux_1_2_aarch64", "cp312-cp312-linux_aarch64", -1),
        ("cp312-cp312-macosx_10_9_x86_64", "cp312-cp312-macosx_11_0_x86_64", 1),
        ("cp312-cp312-win_amd64", "cp312-cp312-win_amd64", 0),
        ("cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-musllinux_1_2_x86_64", 0),
        ("cp312-cp312-linux_x86_64", "cp312-cp312-manylinux_2_17_aarch64", 0),
        ("cp312-cp312-linux_x86_64", "cp311-cp311-manylinux_2_17_x86_64", 0),
        ("cp312-cp312-linux_x86_64", "cp312-abi3-manylinux_2_17_x86_64", 0),
        ("cp312-cp312-macosx_11_0_arm64", "cp312-cp312-macosx_10_9_universal2", 0),
        ("cp312-cp312-win32", "cp312-cp312-win_amd64", 0),
    ],
)
def test_repair_pairs(first: str, second: str, expected: int) -> None:
    a = wheel(first, label=f"a/demo-1.0-{first}.whl")
    b = wheel(second, label=f"b/demo-1.0-{second}.whl")
    pairs = repair_pairs([a, b])
    assert pairs == ([(a, b)] if expected > 0 else [(b, a)] if expected < 0 else [])


def test_repair_pairs_need_the_same_release() -> None:
    a = wheel("cp312-cp312-linux_x86_64")
    b = wheel("cp312-cp312-manylinux_2_17_x86_64", version="1.1", label="demo-1.1-x.whl")
    c = wheel("cp312-cp312-manylinux_2_17_x86_64", name="other", label="other-1.0-x.whl")
    assert repair_pairs([a, b, c]) == []


# --- property: a proposal marked verified really reproduces every wheel ------------------------

TAGS = [
    "cp38-cp38-linux_x86_64",
    "cp39-cp39-manylinux_2_17_x86_64",
    "cp312-cp312-manylinux_2_17_x86_64",
    "cp312-cp312-manylinux_2_17_aarch64",
    "cp312-cp312-musllinux_1_2_x86_64",
    "cp39-cp39-win32",
    "cp39-cp39-win_amd64",
    "cp312-cp312-win_amd64",
    "cp312-cp312-win_arm64",
    "cp312-cp312-macosx_11_0_arm64",
    "cp39-cp39-macosx_10_9_universal2",
    "cp39-abi3-manylinux_2_17_aarch64",
    "cp313-cp313t-win_amd64",
    "pp310-pypy310_pp73-manylinux_2_17_x86_64",
    "py3-none-any",
]
REQUIREMENTS = [
    "numpy>=1.20",
    "tomli",
    "tomli; python_version < '3.11'",
    'pywin32; sys_platform == "win32"',
    "colorama; os_name == 'nt'",
    'uvloop; sys_platform != "win32" and implementation_name == "cpython"',
    'mlx; extra == "mlx"',
    'pytest; extra == "test" or python_version >= "3.12"',
    'typing-extensions; python_full_version < "3.9.1"',
    'cffi; implementation_name == "pypy"',
    "foo[bar]==1.0",
    'bar; platform_machine == "AMD64" and extra == "test"',
]
EXTRAS = ["mlx", "test"]


def _selected(requirements: Sequence[str], env: dict[str, str], extra: str) -> list[str]:
    """Independently of metaseal.engine.variation: which requirements apply in ``env``."""
    pypy = env["implementation_name"] == "pypy"
    full = {
        **env,
        "implementation_version": "7.3.19" if pypy else env["python_full_version"],
        "platform_release": "",
        "platform_version": "",
        "extra": extra,
    }
    chosen = []
    for text in requirements:
        marker = _parsed(text).marker
        if marker is None or marker.evaluate(full):
            chosen.append(requirement_key(text, marker=False))
    return sorted(chosen)


@functools.cache
def _parsed(text: str) -> Requirement:
    return Requirement(text)


def _referenced_extras(requirements: Sequence[str]) -> set[str]:
    return {extra for extra in EXTRAS if f'"{extra}"' in " ".join(requirements)}


wheel_specs = st.tuples(
    st.sampled_from(TAGS),
    st.lists(st.sampled_from(REQUIREMENTS), unique=True, max_size=5),
    st.frozensets(st.sampled_from(EXTRAS)),
    st.sampled_from([None, ">=3.8", ">=3.9", ">=3.10"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(wheel_specs, min_size=2, max_size=5))
def test_verified_proposals_reproduce_every_wheel(
    specs: list[tuple[str, list[str], frozenset[str], str | None]],
) -> None:
    wheels = []
    for index, (tag, requirements, extras, python) in enumerate(specs):
        provided = sorted(extras | _referenced_extras(requirements))
        lines = [f"Provides-Extra: {e}" for e in provided] + deps(*requirements)
        lines += [f"Requires-Python: {python}"] if python else []
        wheels.append(wheel(tag, *lines, label=f"{index}/demo-1.0-{tag}.whl"))
    report = analyze(wheels)
    proposal = report.proposal
    if proposal is None:
        return
    if not report.inexpressible:
        assert proposal.verified, (proposal, report.variation)  # synthesis is complete
        assert proposal.unverified == ()
    if not proposal.verified:
        return
    every_extra = ["", *EXTRAS]
    for (tag, requirements, _extras, python), _wheel in zip(specs, wheels):
        for env in environments_for(frozenset(parse_tag(tag))):
            full = Version(env["python_full_version"])
            if python is not None and full < Version(python.removeprefix(">=")):
                continue  # this wheel cannot be installed there
            for extra in every_extra:
                assert _selected(requirements, env, extra) == _selected(
                    proposal.requires_dist, env, extra
                ), (tag, env, extra, proposal)


def test_an_old_release_gets_a_python_2_marker() -> None:
    """Releases of the Python 2 era: a backport only the py2 wheel declares is proposed with
    the major-version boundary, verified against CPython 2.7, 3.5-3.7 and PyPy2 too."""
    report = analyze([wheel("py2-none-any", "Requires-Dist: enum34"), wheel("py3-none-any")])
    proposal = proposal_of(report)
    assert proposal.requires_dist == ('enum34; python_version < "3"',)
    assert proposal.verified
    report = analyze(
        [
            wheel("cp27-cp27mu-manylinux1_x86_64", "Requires-Dist: futures"),
            wheel("cp27-cp27m-manylinux1_x86_64", "Requires-Dist: futures"),
            wheel("cp36-cp36m-manylinux1_x86_64"),
            wheel("cp37-cp37m-manylinux1_x86_64"),
        ]
    )
    assert proposal_of(report).requires_dist == ('futures; python_version < "3"',)
