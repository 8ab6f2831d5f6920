"""The wrapper backend's report on a built file, in plain words (pure; returns strings).

One headline a maintainer can act on ("metadata drift: the wheel's Requires-Dist differs from
the sdist's PKG-INFO; the wheel was not written"), the file and the backend that built it, the
per-field diffs, and what to do. No temporary paths and no traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaseal.report.text import render_findings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.engine.findings import Finding

__all__ = ["HEADLINE", "render_refusal", "render_warnings"]

#: The words every refusal starts with (frontends and tests look for them).
HEADLINE = "metadata drift"
HATCH = "METASEAL_ALLOW_BROKEN_SEAL=1"

_AGAINST = {
    "static-field": "the sdist's PKG-INFO",
    "dynamic-append-only": "the sdist's PKG-INFO",
    "dynamic-forbidden": "the sdist's PKG-INFO",
    "newer-field": "the sdist's PKG-INFO",
    "metadata-version": "the sdist's PKG-INFO",
    "extension-field": "the sdist's PKG-INFO",
    "prepared-metadata": "the metadata prepared for it (prepare_metadata_for_build_wheel)",
    "prepared-entry-points": "the `.dist-info` prepared for it (prepare_metadata_for_build_wheel)",
    "pyproject-static": "pyproject.toml's [project] table",
    "pyproject-append-only": "pyproject.toml's [project] table",
    "pyproject-undeclared": "pyproject.toml's [project] table",
    "pyproject-invalid": "pyproject.toml's [project] table",
    "allow-dynamic": "`tool.metaseal.allow-dynamic`",
    "duplicate-pkg-info": "its other PKG-INFO copy",
}
_WHAT = {"sdist": "sdist", "wheel": "wheel", "editable": "editable wheel"}


def _headline(kind: str, findings: Sequence[Finding]) -> str:
    what = _WHAT.get(kind, kind)
    fields = list(dict.fromkeys(f.field for f in findings if not f.field.startswith("(")))
    against = list(dict.fromkeys(_AGAINST.get(f.rule, f"the `{f.rule}` rule") for f in findings))
    if not fields:
        subject = f"the {what}"
        verb = "disagrees with"
    elif len(fields) <= 3:
        subject = f"the {what}'s " + " and ".join(", ".join(fields).rsplit(", ", 1))
        verb = "differs from" if len(fields) == 1 else "differ from"
    else:
        subject = f"{len(fields)} fields of the {what}"
        verb = "differ from"
    return f"{subject} {verb} " + " and ".join(", ".join(against).rsplit(", ", 1))


def render_refusal(
    kind: str,
    label: str,
    backend: str,
    findings: Sequence[Finding],
    *,
    from_sdist: bool,
    kept_because: str | None = None,
) -> str:
    """The report of a built file that breaks a rule.

    ``kept_because`` says why the file was kept anyway (warn mode, the escape hatch); without
    it, the file was not written.
    """
    what = _WHAT.get(kind, kind)
    headline = _headline(kind, findings)
    if kept_because is None:
        first = f"metaseal: {HEADLINE}: {headline}; the {what} was not written."
    else:
        first = (
            f"metaseal: warning: {HEADLINE}: {headline}; the {what} was kept because "
            f"{kept_because}."
        )
    lines = [first, f"  {what}: {label}, built by {backend}", "", render_findings(findings), ""]
    fix = ["To fix: follow the `fix:` line of each finding above."]
    if from_sdist and any(f.rule in ("newer-field", "metadata-version") for f in findings):
        fix.append(
            "The backend changed between the sdist and this build: pin its version in "
            "`build-system.requires`."
        )
    if from_sdist and kept_because is None:
        fix.append(f"Rebuilding a patched sdist on purpose (a Linux distribution)? Set {HATCH}.")
    return "\n".join([*lines, " ".join(fix)])


def render_warnings(kind: str, label: str, backend: str, findings: Sequence[Finding]) -> str:
    """Warnings about a built file that was kept."""
    what = _WHAT.get(kind, kind)
    return (
        f"metaseal: warning: the {what} {label} (built by {backend}) was kept; "
        f"{len(findings)} warning{'s' if len(findings) != 1 else ''}:\n\n"
        + render_findings(findings)
    )
