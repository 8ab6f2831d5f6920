"""Marker environments from wheel tags, platform families, and tag-pattern descriptions."""

from __future__ import annotations

import pytest
from packaging.markers import Marker, default_environment
from packaging.tags import parse_tag
from packaging.version import Version

from metaseal.engine.environments import (
    ENVIRONMENT_KEYS,
    FULL_VERSIONS,
    PYPY_SUPPORTED,
    SUPPORTED,
    describe_wheels,
    environments_for,
    evaluation_environment,
    machine_note,
    platform_family,
)

PY3 = tuple(v for v in SUPPORTED if not v.startswith("2."))
PYPY3 = tuple(v for v in PYPY_SUPPORTED if not v.startswith("2."))


def envs(tag: str, **kwargs: list[str]) -> list[dict[str, str]]:
    return environments_for(frozenset(parse_tag(tag)), **kwargs)


def summary(tag: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """({(implementation, python_version)}, {(sys_platform, platform_machine)})."""
    found = envs(tag)
    pythons = {(e["implementation_name"], e["python_version"]) for e in found}
    platforms = {(e["sys_platform"], e["platform_machine"]) for e in found}
    return pythons, platforms


def cpython(*versions: str) -> set[tuple[str, str]]:
    return {("cpython", v) for v in versions}


def test_cpython_specific_wheel() -> None:
    found = envs("cp312-cp312-win_amd64")
    assert found == [
        {
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "python_version": "3.12",
            "python_full_version": full,
            "sys_platform": "win32",
            "platform_system": "Windows",
            "os_name": "nt",
            "platform_machine": "AMD64",
        }
        for full in FULL_VERSIONS["3.12"]
    ]
    assert all(tuple(env) == ENVIRONMENT_KEYS for env in found)


@pytest.mark.parametrize(
    ("tag", "pythons", "platforms"),
    [
        ("cp39-cp39-win32", cpython("3.9"), {("win32", "AMD64"), ("win32", "x86")}),
        ("cp311-cp311-win_arm64", cpython("3.11"), {("win32", "ARM64")}),
        (
            "cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64",
            cpython("3.9", "3.10", "3.11", "3.12", "3.13", "3.14"),
            {("linux", "x86_64")},
        ),
        ("cp312-cp312-musllinux_1_2_aarch64", cpython("3.12"), {("linux", "aarch64")}),
        (
            "cp310-cp310-linux_armv7l",
            cpython("3.10"),
            {("linux", m) for m in ("armv7l", "armv8l", "aarch64")},
        ),
        ("cp310-cp310-manylinux1_i686", cpython("3.10"), {("linux", "i686"), ("linux", "x86_64")}),
        ("cp311-cp311-macosx_11_0_arm64", cpython("3.11"), {("darwin", "arm64")}),
        ("cp311-cp311-macosx_10_9_x86_64", cpython("3.11"), {("darwin", "x86_64")}),
        (
            "cp311-cp311-macosx_10_9_universal2",
            cpython("3.11"),
            {("darwin", "arm64"), ("darwin", "x86_64")},
        ),
        ("pp310-pypy310_pp73-manylinux_2_17_x86_64", {("pypy", "3.10")}, {("linux", "x86_64")}),
        ("cp313-cp313t-manylinux_2_28_x86_64", cpython("3.13"), {("linux", "x86_64")}),
        (
            "py3-none-win_amd64",
            cpython(*PY3) | {("pypy", v) for v in PYPY3},
            {("win32", "AMD64")},
        ),
        # old releases: Python 2.7 (narrow and wide unicode builds), 3.5-3.7 (pymalloc ABI
        # `m`), PyPy2.7
        ("cp27-cp27mu-manylinux1_x86_64", cpython("2.7"), {("linux", "x86_64")}),
        ("cp27-cp27m-win32", cpython("2.7"), {("win32", "AMD64"), ("win32", "x86")}),
        ("cp37-cp37m-manylinux1_x86_64", cpython("3.7"), {("linux", "x86_64")}),
        ("pp27-pypy_73-manylinux2010_x86_64", {("pypy", "2.7")}, {("linux", "x86_64")}),
    ],
)
def test_tags_to_interpreters_and_platforms(
    tag: str, pythons: set[tuple[str, str]], platforms: set[tuple[str, str]]
) -> None:
    assert summary(tag) == (pythons, platforms)


def test_pure_wheels_cover_the_whole_table() -> None:
    pythons, platforms = summary("py3-none-any")
    assert pythons == cpython(*PY3) | {("pypy", v) for v in PYPY3}
    assert {"linux", "darwin", "win32"} == {p for p, _m in platforms}
    assert ("win32", "x86") in platforms
    # packaging accepts older pyXY tags on newer Pythons: py39 is 3.9 *and later*
    later = [v for v in SUPPORTED if Version(v) >= Version("3.9")]
    assert summary("py39-none-any")[0] == cpython(*later) | {
        ("pypy", v) for v in PYPY_SUPPORTED if Version(v) >= Version("3.9")
    }
    everything = cpython(*SUPPORTED) | {("pypy", v) for v in PYPY_SUPPORTED}
    assert summary("py2.py3-none-any")[0] == everything
    assert summary("py2-none-any")[0] == cpython("2.7") | {("pypy", "2.7")}


def test_no_duplicates_and_python_versions_restrict() -> None:
    found = envs("py3-none-any")
    assert len({tuple(e.values()) for e in found}) == len(found)
    only = envs("py3-none-any", python_versions=["3.11"])
    assert {e["python_version"] for e in only} == {"3.11"}
    assert {e["implementation_name"] for e in only} == {"cpython", "pypy"}
    assert envs("cp312-cp312-win_amd64", python_versions=["3.11"]) == []
    assert {e["python_version"] for e in envs("py3-none-any", python_versions=["3.12.4"])} == {
        "3.12"
    }
    future = envs("cp315-abi3t-win_amd64", python_versions=["3.15"])
    assert [e["python_full_version"] for e in future] == ["3.15.0"]


@pytest.mark.parametrize(
    "tag",
    [
        "cp312-cp312-ios_13_0_arm64_iphoneos",  # iOS is not in the table
        "cp312-cp312-macosx_14_5_arm64",  # packaging never accepts minor versions from 11 on
        "graalpy311-graalpy242_311_native-manylinux_2_28_x86_64",
        "cp312-cp312-any",  # not a tag any installer accepts
    ],
)
def test_unmodelled_tags_have_no_environment(tag: str) -> None:
    assert envs(tag) == []


def test_evaluation_environment_never_falls_back_to_the_host() -> None:
    env = envs("pp310-pypy310_pp73-win_amd64")[0]
    full = evaluation_environment(env, "test")
    assert set(default_environment()) <= set(full)
    assert full["extra"] == "test"
    assert full["implementation_version"].startswith("7.3")
    assert Marker('platform_release == ""').evaluate(full)
    cp = evaluation_environment(envs("cp39-cp39-win32")[0])
    assert cp["implementation_version"] == cp["python_full_version"]
    assert cp["extra"] == ""


@pytest.mark.parametrize(
    ("platform", "family"),
    [
        ("manylinux_2_17_x86_64", ("manylinux", "x86_64")),
        ("manylinux2014_aarch64", ("manylinux", "aarch64")),
        ("musllinux_1_2_armv7l", ("musllinux", "armv7l")),
        ("linux_x86_64", ("linux", "x86_64")),
        ("macosx_10_9_universal2", ("macosx", "universal2")),
        ("macosx_11_0_arm64", ("macosx", "arm64")),
        ("win32", ("win", "32")),
        ("win_amd64", ("win", "amd64")),
        ("any", None),
        ("ios_13_0_arm64_iphoneos", None),
    ],
)
def test_platform_family(platform: str, family: tuple[str, str] | None) -> None:
    assert platform_family(platform) == family


def test_machine_notes() -> None:
    assert "WOW64" in (machine_note("win32", "AMD64") or "")
    assert machine_note("win32", "x86") is None
    assert machine_note("win_amd64", "AMD64") is None
    assert "x86_64" in (machine_note("manylinux_2_17_i686", "x86_64") or "")
    assert "aarch64" in (machine_note("linux_armv7l", "aarch64") or "")
    assert machine_note("any", "AMD64") is None


def tagsets(*tags: str) -> list[frozenset[object]]:
    return [frozenset(parse_tag(tag)) for tag in tags]


RELEASE = [
    "cp39-cp39-win32",
    "cp39-cp39-win_amd64",
    "cp39-cp39-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp312-cp312-win32",
    "cp312-cp312-win_amd64",
    "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
]


@pytest.mark.parametrize(
    ("selected", "text"),
    [
        ({1, 2, 4, 5}, "every wheel except *-win32"),
        ({1, 4}, "only *-win_amd64"),
        ({0, 1, 2}, "cp39 wheels only"),
        ({3, 4, 5}, "cp312 wheels only"),
        ({0, 1, 3, 4}, "only *-win*"),
        ({1, 2, 3, 4, 5}, "every wheel except cp39-win32"),
    ],
)
def test_describe_wheels(selected: set[int], text: str) -> None:
    tag_sets = [frozenset(parse_tag(tag)) for tag in RELEASE]
    assert describe_wheels(tag_sets, selected) == text


def test_describe_wheels_falls_back_to_a_list() -> None:
    tag_sets = [frozenset(parse_tag(tag)) for tag in ["cp312-cp312-win_amd64"] * 3]
    assert describe_wheels(tag_sets, {1}, ["a.whl", "b.whl", "c.whl"]) == "only b.whl"
    assert describe_wheels(tag_sets, {0, 2}) == ("every wheel except cp312-cp312-win_amd64")
