"""Markers by meaning: canonical spelling, evaluation fallback, and a property test."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker

from metaseal.engine.markers import (
    _environments,
    canonical_marker,
    marker_variables,
    markers_equivalent,
    mentions_extra,
)

SAME = [
    (
        '(python_version < "3.8" or os_name == "nt") and extra == "Test_X"',
        'extra == "test-x" and (os_name == "nt" or python_version < "3.8")',
    ),
    ('python_version >= "3.9"', 'python_full_version >= "3.9"'),
    ('python_version < "3.10"', 'python_full_version < "3.10"'),
    ('python_version > "3.9"', 'python_full_version >= "3.10"'),
    ('python_version <= "3.9"', 'python_full_version < "3.10"'),
    ('python_version == "3.9"', 'python_full_version == "3.9.*"'),
    ('python_version != "3.9"', 'python_full_version != "3.9.*"'),
    ('"3.8" > python_version', 'python_version < "3.8"'),
    ("sys_platform == 'win32'", 'sys_platform == "win32"'),
    ('os_name == "nt" and os_name == "nt"', 'os_name == "nt"'),
    ('python_full_version >= "3.9.0"', 'python_full_version >= "3.9"'),
    (
        '(os_name == "a" or sys_platform == "b") or platform_machine == "c"',
        'platform_machine == "c" or os_name == "a" or sys_platform == "b"',
    ),
]
DIFFERENT = [
    ('python_version <= "3.9"', 'python_version < "3.9"'),
    ('"win" in sys_platform', 'sys_platform == "win32"'),
    (
        'os_name == "nt" and platform_machine == "x86"',
        'os_name == "nt" or platform_machine == "x86"',
    ),
    ('extra == "a"', 'extra == "b"'),
    ('python_version >= "3.9"', 'python_version >= "3.10"'),
    # python_version is never more precise than X.Y: a micro bound means something else
    ('python_version >= "3.8.1"', 'python_full_version >= "3.8.1"'),
    ('python_version < "3.8.1"', 'python_full_version < "3.8.1"'),
    # only the pairs uv-build rewrites move together: FreeBSD reports sys_platform freebsd14
    ('platform_system == "FreeBSD"', 'sys_platform == "freebsd"'),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_meaning(a: str, b: str) -> None:
    assert markers_equivalent(Marker(a), Marker(b))


@pytest.mark.parametrize(("a", "b"), SAME[:6] + SAME[7:])
def test_same_canonical_spelling(a: str, b: str) -> None:
    assert canonical_marker(Marker(a)) == canonical_marker(Marker(b))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_meaning(a: str, b: str) -> None:
    assert not markers_equivalent(Marker(a), Marker(b))


def test_evaluation_catches_what_spelling_misses() -> None:
    # same meaning, different structure: only evaluation can tell
    a = Marker('python_version < "3.9" or python_version >= "3.9" and os_name == "nt"')
    b = Marker('python_version < "3.9" or os_name == "nt"')
    assert canonical_marker(a) != canonical_marker(b)
    assert markers_equivalent(a, b)


def test_none_means_always() -> None:
    assert markers_equivalent(None, None)
    assert not markers_equivalent(None, Marker('os_name == "nt"'))
    assert markers_equivalent(Marker('python_version >= "0"'), None)


def test_helpers() -> None:
    marker = Marker('os_name == "nt" and (extra == "x" or python_version < "3.9")')
    assert marker_variables(marker) == {"os_name", "extra", "python_version"}
    assert mentions_extra(marker)
    assert not mentions_extra(Marker('os_name == "nt"'))
    assert not mentions_extra(None)


def test_too_many_environments_is_not_called_equal() -> None:
    names = [
        "os_name",
        "sys_platform",
        "platform_machine",
        "platform_system",
        "platform_python_implementation",
        "implementation_name",
        "platform_version",
        "platform_release",
    ]
    wide = " and ".join("(" + " or ".join(f'{v} == "{c}"' for c in "abcde") + ")" for v in names)
    marker = Marker(wide)
    assert _environments((marker,)) is None
    assert markers_equivalent(marker, marker)  # the canonical spelling still decides
    assert not markers_equivalent(marker, Marker(wide.replace('"a"', '"z"')))


VARIABLES = ["os_name", "sys_platform", "platform_machine", "extra"]
VALUES = ["a", "b", "win32"]
atoms = st.one_of(
    st.builds(
        lambda v, o, x: f'{v} {o} "{x}"',
        st.sampled_from(VARIABLES),
        st.sampled_from(["==", "!="]),
        st.sampled_from(VALUES),
    ),
    st.builds(
        lambda o, x: f'python_version {o} "{x}"',
        st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
        st.sampled_from(["3.8", "3.9", "3.12"]),
    ),
    st.builds(
        lambda o, x: f'python_full_version {o} "{x}"',
        st.sampled_from(["<", ">="]),
        st.sampled_from(["3.9", "3.9.2", "3.10"]),
    ),
)
expressions = st.recursive(
    atoms,
    lambda inner: st.builds(
        lambda a, op, b: f"({a}) {op} ({b})", inner, st.sampled_from(["and", "or"]), inner
    ),
    max_leaves=5,
)


@settings(max_examples=150, deadline=None)
@given(expressions, expressions)
def test_property_equivalence_agrees_with_brute_force(a: str, b: str) -> None:
    """Claimed equal <=> equal on every environment of a dense brute-force grid (of the
    environments that exist: the operating-system variables move together)."""
    ma, mb = Marker(a), Marker(b)
    # os_name and sys_platform move together where Python reports known values (nt/win32,
    # posix/linux, posix/darwin); other values combine freely (metaseal.engine.markers).
    known_os, known_sys = {"nt", "posix"}, {"win32", "linux", "darwin"}
    pairs = [("nt", "win32"), ("posix", "linux"), ("posix", "darwin")] + [
        (o, s)
        for o in [*VALUES, "z"]
        for s in [*VALUES, "z"]
        if o not in known_os and s not in known_sys
    ]
    grid = [
        {
            "os_name": o,
            "sys_platform": s,
            "platform_machine": m,
            "extra": e,
            "python_full_version": f"3.{minor}.{micro}",
            "python_version": f"3.{minor}",
        }
        for o, s in pairs
        for m in [*VALUES, "z"]
        for e in [*VALUES, ""]
        for minor in (7, 8, 9, 10, 12, 13)
        for micro in (0, 1, 2, 3)
    ]
    truth = all(ma.evaluate(env) == mb.evaluate(env) for env in grid)
    assert markers_equivalent(ma, mb) == truth
    if canonical_marker(ma) == canonical_marker(mb):
        assert truth


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_property_canonical_spelling_keeps_meaning(a: str) -> None:
    marker = Marker(a)
    assert markers_equivalent(marker, Marker(canonical_marker(marker)))


def test_packaging_marker_internals_have_the_shape_metaseal_reads() -> None:
    """``Marker._markers`` is private to packaging; metaseal reads it in one place only
    (:func:`metaseal.engine.markers.marker_nodes`). This fails first if packaging changes it."""
    from packaging.markers import Marker

    from metaseal.engine.markers import marker_nodes

    nodes = marker_nodes(Marker('os_name == "nt" and (python_version < "3.9" or extra == "x")'))
    assert isinstance(nodes, list)
    first, conjunction, group = nodes
    assert conjunction == "and"
    assert [type(part).__name__ for part in first] == ["Variable", "Op", "Value"]
    assert [part.value for part in first] == ["os_name", "==", "nt"]
    assert isinstance(group, list)
    assert group[1] == "or"


#: What uv-build 0.9 wrote into METADATA for each `dependencies` entry (measured: a project with
#: these entries built by `uv build`); the left side is the entry as written in pyproject.toml.
UV_BUILD_REWRITES = [
    ('a; platform_system != "Windows"', "a ; sys_platform != 'win32'"),
    ('b; platform_system == "Windows"', "b ; sys_platform == 'win32'"),
    ('e; platform_system == "Darwin"', "e ; sys_platform == 'darwin'"),
    ('f; platform_system == "Linux"', "f ; sys_platform == 'linux'"),
    ('g; sys_platform == "win32" or platform_system == "Windows"', "g ; sys_platform == 'win32'"),
    ('h; python_version < "3.10"', "h ; python_full_version < '3.10'"),
    (
        'i; platform_machine == "x86_64" and platform_system == "Linux"',
        "i ; platform_machine == 'x86_64' and sys_platform == 'linux'",
    ),
]


@pytest.mark.parametrize(("written", "rewritten"), UV_BUILD_REWRITES)
def test_uv_build_marker_rewrites_mean_the_same(written: str, rewritten: str) -> None:
    from metaseal.engine.fields import FIELDS_BY_HEADER, compare_items

    delta = compare_items(FIELDS_BY_HEADER["requires-dist"], [written], [rewritten])
    assert delta.equal


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('platform_system == "Linux"', 'sys_platform == "linux2"'),  # Python 2's spelling
        ('sys_platform == "win32"', 'os_name == "posix"'),
        ('platform_system != "Windows"', 'sys_platform == "linux"'),
    ],
)
def test_os_variables_are_not_conflated(a: str, b: str) -> None:
    from packaging.markers import Marker

    from metaseal.engine.markers import markers_equivalent

    assert not markers_equivalent(Marker(a), Marker(b))
