"""The wrapper's refusal: a plain headline and advice that fits the inner backend (issue 12)."""

from __future__ import annotations

import pytest

from metaseal.engine.findings import Finding, Severity, Side
from metaseal.report.seal import likely_cause, render_refusal

ADDED = Finding(
    field="Requires-Dist",
    rule="static-field",
    severity=Severity.ERROR,
    message="The wheel adds 1 `Requires-Dist` value that the sdist does not have.",
    hint="Make the build produce the sdist's value.",
    left=Side("PKG-INFO", None, None),
    right=Side("demo-1.0-py3-none-any.whl", ("attrs>=23",), ("attrs>=23",)),
    added=("attrs>=23",),
)
SUMMARY = Finding(
    field="Summary",
    rule="static-field",
    severity=Severity.ERROR,
    message="The wheel has a different `Summary` than the sdist.",
    hint="Make the build produce the sdist's value.",
)


@pytest.mark.parametrize(
    ("inner", "has_project", "fragment"),
    [
        ("hatchling.build", True, "list it in `project.dynamic` (hatchling refuses a key"),
        ("pdm.backend", True, "a pdm-backend build hook (`pdm_build.py`)"),
        ("poetry.core.masonry.api", True, "poetry-core build script"),
        ("setuptools.build_meta:__legacy__", False, "`metaseal audit --python X --python Y .`"),
        ("setuptools.build_meta", True, "`setup.py` or a setuptools plugin"),
    ],
)
def test_the_advice_fits_the_backend(inner: str, has_project: bool, fragment: str) -> None:
    cause = likely_cause(inner, [ADDED], has_project=has_project)
    assert cause is not None and fragment in cause
    assert "`Requires-Dist`" in cause
    report = render_refusal(
        "wheel", ADDED.right.artifact if ADDED.right else "", "`x`", [ADDED],
        from_sdist=True, inner=inner, has_project=has_project,
    )  # fmt: skip
    assert report.startswith(
        "metaseal: metadata drift: the wheel's Requires-Dist differs from the sdist's PKG-INFO; "
        "the wheel was not written."
    )
    assert fragment in report


VERSION = Finding(
    field="Version",
    rule="static-field",
    severity=Severity.ERROR,
    message="`Version` differs between the sdist and the wheel.",
    hint="Rebuild both files from the same source.",
)


def test_pbr_behind_metaseal_is_named() -> None:
    """stevedore 5.10.0, wrapped: pbr 7 leaves a `[project]` table's dynamic version to
    setuptools unless pyproject.toml names pbr as the build backend (a 0.0.0 wheel)."""
    cause = likely_cause("pbr.build", [VERSION], has_project=True)
    assert cause is not None and '`"pbr.build"`' in cause
    assert likely_cause("pbr.build", [VERSION], has_project=False) is None
    assert likely_cause("setuptools.build_meta", [VERSION], has_project=True) is None


def test_no_guess_where_no_build_step_adds_dependencies() -> None:
    assert likely_cause("hatchling.build", [SUMMARY], has_project=True) is None
    assert likely_cause("flit_core.buildapi", [ADDED], has_project=True) is None


def test_the_escape_hatch_is_offered_only_for_sdist_rebuilds_and_not_when_set() -> None:
    from_tree = render_refusal("wheel", "w.whl", "`x`", [ADDED], from_sdist=False)
    assert "METASEAL_ALLOW_BROKEN_SEAL" not in from_tree
    from_sdist = render_refusal("wheel", "w.whl", "`x`", [ADDED], from_sdist=True)
    assert "METASEAL_ALLOW_BROKEN_SEAL=1" in from_sdist
    kept = render_refusal(
        "wheel", "w.whl", "`x`", [ADDED], from_sdist=True, kept_because="the hatch is set"
    )
    assert kept.startswith("metaseal: warning: metadata drift:")
    assert "was kept because the hatch is set" in kept
    assert "Set METASEAL_ALLOW_BROKEN_SEAL" not in kept
