"""Acceptance: ``metaseal check`` on releases built by setuptools, hatchling, flit-core,
pdm-backend and poetry-core, as built and after tampering with the metadata inside them."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ._cli import EXIT_FINDINGS, EXIT_OK, Run, bad_findings, findings_for, metaseal
from ._tamper import (
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

#: The requirement the tampered wheels gain.
ADDED = "numpy>=2"


def _same_project(a: str, b: str) -> bool:
    """Whether two requirement strings name the same project (however each is normalized)."""
    try:
        return canonicalize_name(Requirement(a).name) == canonicalize_name(Requirement(b).name)
    except InvalidRequirement:
        return a == b


def _errors(report: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return [f for f in findings_for(report, field) if f["severity"] == "error"]


def _all_errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in bad_findings(report) if f["severity"] == "error"]


def _assert_names_both(run: Run, finding_list: list[dict[str, Any]], built: BuiltProject) -> None:
    """Some finding's ``artifacts`` names both the sdist and the wheel (by file name)."""
    wanted = {built.sdist.name, built.wheel.name}
    assert any(wanted <= set(f["artifacts"]) for f in finding_list), (
        f"no finding names both {sorted(wanted)}:\n{run}"
    )


def _artifacts(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["label"]: a for release in report["releases"] for a in release["artifacts"]}


def _check_json(*paths: Path) -> tuple[Run, dict[str, Any]]:
    run = metaseal("check", "--format", "json", *paths)
    return run, run.json()


# --- as built: consistent ---------------------------------------------------------------------


def test_release_as_built_passes(built: BuiltProject) -> None:
    run, report = _check_json(built.dist)

    assert run.returncode == EXIT_OK, run
    assert report["errors"] == [], run
    assert bad_findings(report) == [], run
    [release] = report["releases"]
    assert canonicalize_name(release["name"]) == canonicalize_name(f"metaseal-it.{built.backend}")
    assert release["version"] == "1.2.3", run
    artifacts = _artifacts(report)
    assert set(artifacts) == {built.sdist.name, built.wheel.name}, run
    sdist, wheel = artifacts[built.sdist.name], artifacts[built.wheel.name]
    assert (sdist["kind"], sdist["role"]) == ("sdist", "sdist"), run
    assert (wheel["kind"], wheel["role"]) == ("wheel", "wheel"), run
    assert {a["status"] for a in artifacts.values()} == {"PASSED"}, run


def test_release_as_built_passes_strict_and_in_text(built: BuiltProject) -> None:
    strict = metaseal("check", "--strict", built.dist)
    assert strict.returncode == EXIT_OK, strict

    run = metaseal("check", "--format", "text", built.dist)
    assert run.returncode == EXIT_OK, run
    lines = run.stdout.splitlines()
    for name in (built.sdist.name, built.wheel.name):
        assert any(name in line and "PASSED" in line for line in lines), (
            f"no PASSED line for {name}:\n{run}"
        )
    assert "FAILED" not in run.stdout, run


# --- a wheel that gained a requirement --------------------------------------------------------


def test_wheel_with_added_requirement_fails(built: BuiltProject, tmp_path: Path) -> None:
    wheel = rewrite_wheel_metadata(built.wheel, tmp_path, add_header("Requires-Dist", ADDED))

    run, report = _check_json(built.sdist, wheel)

    assert run.returncode == EXIT_FINDINGS, run
    errors = _errors(report, "Requires-Dist")
    assert errors, f"no Requires-Dist error:\n{run}"
    _assert_names_both(run, errors, built)
    assert any(_same_project(v, ADDED) for f in errors for v in f["added"]), run
    assert _artifacts(report)[wheel.name]["status"] == "FAILED", run


def test_wheel_with_added_requirement_fails_in_text(built: BuiltProject, tmp_path: Path) -> None:
    wheel = rewrite_wheel_metadata(built.wheel, tmp_path, add_header("Requires-Dist", ADDED))

    run = metaseal("check", built.sdist, wheel)

    assert run.returncode == EXIT_FINDINGS, run
    assert "FAILED" in run.stdout, run
    assert "Requires-Dist" in run.stdout, run
    assert built.sdist.name in run.stdout, run
    assert wheel.name in run.stdout, run


# --- Dynamic: Requires-Dist in the sdist ------------------------------------------------------


@pytest.mark.parametrize("metadata_version", ["2.2", "2.3", "2.4", "2.5"])
def test_dynamic_requires_dist_before_2_6_is_unconstrained(
    built: BuiltProject, tmp_path: Path, metadata_version: str
) -> None:
    """PEP 643 / PEP 808: for 2.2-2.5 sdists a Dynamic field carries no constraint at all.

    Both files declare ``metadata_version`` (and drop fields that version does not define, so
    that they stay valid); only the sdist declares ``Dynamic: Requires-Dist``.
    """
    as_version = downgrade_metadata_version(metadata_version)
    sdist = rewrite_sdist_pkg_info(
        built.sdist, tmp_path, chain(as_version, add_header("Dynamic", "Requires-Dist"))
    )
    wheel = rewrite_wheel_metadata(
        built.wheel, tmp_path, chain(as_version, add_header("Requires-Dist", ADDED))
    )

    run, report = _check_json(tmp_path)

    assert run.returncode == EXIT_OK, run
    assert _all_errors(report) == [], run
    assert set(_artifacts(report)) == {sdist.name, wheel.name}, run


def test_dynamic_requires_dist_2_6_forbids_dropping_a_value(
    built: BuiltProject, tmp_path: Path
) -> None:
    """PEP 808: a 2.6 sdist's Dynamic multiple-use values may only be added to, never removed."""
    dropped = field_values(read_sdist_pkg_info(built.sdist), "Requires-Dist")[0]
    as_2_6 = set_header("Metadata-Version", "2.6")
    sdist = rewrite_sdist_pkg_info(
        built.sdist, tmp_path, chain(as_2_6, add_header("Dynamic", "Requires-Dist"))
    )
    wheel = rewrite_wheel_metadata(
        built.wheel, tmp_path, chain(as_2_6, remove_header("Requires-Dist", dropped))
    )

    run, report = _check_json(sdist, wheel)

    assert run.returncode == EXIT_FINDINGS, run
    errors = _errors(report, "Requires-Dist")
    assert errors, f"no Requires-Dist error:\n{run}"
    _assert_names_both(run, errors, built)
    assert any(_same_project(v, dropped) for f in errors for v in f["removed"]), run


def test_dynamic_requires_dist_2_6_allows_appending(built: BuiltProject, tmp_path: Path) -> None:
    """PEP 808: ... and appending to them is allowed."""
    as_2_6 = set_header("Metadata-Version", "2.6")
    sdist = rewrite_sdist_pkg_info(
        built.sdist, tmp_path, chain(as_2_6, add_header("Dynamic", "Requires-Dist"))
    )
    wheel = rewrite_wheel_metadata(
        built.wheel, tmp_path, chain(as_2_6, add_header("Requires-Dist", ADDED))
    )
    assert field_values(read_wheel_metadata(wheel), "Requires-Dist")[-1] == ADDED

    run, report = _check_json(sdist, wheel)

    assert run.returncode == EXIT_OK, run
    assert _errors(report, "Requires-Dist") == [], run


# --- cosmetic differences only ----------------------------------------------------------------


def _respell_extra(value: str) -> str:
    return "Test_Extra" if value == "test-extra" else value


def test_wheel_with_cosmetic_differences_passes(built: BuiltProject, tmp_path: Path) -> None:
    """CRLF, reordered headers, respelled requirements and extra names, extra newlines: exit 0."""
    respell = functools.partial(respell_requirement, extras=[("test-extra", "Test_Extra")])
    edit = chain(
        map_values("Requires-Dist", respell),
        map_values("Provides-Extra", _respell_extra),
        reorder_headers,
        to_crlf,
        append_bytes(b"\r\n\r\n"),
    )
    wheel = rewrite_wheel_metadata(built.wheel, tmp_path, edit)
    tampered = read_wheel_metadata(wheel)
    assert b"\r\n" in tampered
    assert "Test_Extra" in field_values(tampered, "Provides-Extra")
    assert any("Test_Extra" in v for v in field_values(tampered, "Requires-Dist"))

    run, report = _check_json(built.sdist, wheel)

    assert run.returncode == EXIT_OK, run
    assert _all_errors(report) == [], run
