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
    inner: str = "",
    has_project: bool = True,
) -> str:
    """The report of a built file that breaks a rule.

    ``kept_because`` says why the file was kept anyway (warn mode, the escape hatch); without
    it, the file was not written. ``inner`` is the inner backend's ``module[:object]`` and
    ``has_project`` whether ``pyproject.toml`` has a ``[project]`` table: the advice is the one
    that works for that backend and project.
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
    cause = likely_cause(inner, findings, has_project=has_project)
    if cause:
        fix.append(cause)
    if from_sdist and any(f.rule in ("newer-field", "metadata-version") for f in findings):
        fix.append(
            "The backend changed between the sdist and this build: pin its version in "
            "`build-system.requires`."
        )
    if from_sdist and kept_because is None:
        fix.append(f"Rebuilding a patched sdist on purpose (a Linux distribution)? Set {HATCH}.")
    return "\n".join([*lines, " ".join(fix)])


#: The fields a build step may add to and installers act on.
_ADDED_AT_BUILD = frozenset({"Requires-Dist", "Provides-Extra", "Requires-Python"})
_ADDING_RULES = frozenset(
    {"static-field", "pyproject-static", "pyproject-undeclared", "prepared-metadata"}
)


def likely_cause(inner: str, findings: Sequence[Finding], *, has_project: bool) -> str | None:
    """What most likely changed the metadata, and the fix that works with this backend."""
    module = inner.partition(":")[0]
    if module.startswith("pbr") and has_project and any(f.field == "Version" for f in findings):
        return (
            "Likely cause: pbr fills a `[project]` table's dynamic fields (the version first) "
            "only when `build-system.build-backend` in pyproject.toml names pbr itself (pbr 7 "
            "checks this), so behind metaseal it leaves them to setuptools, which writes "
            "version 0.0.0. metaseal cannot wrap such a project: set `build-backend` back to "
            '`"pbr.build"`.'
        )
    changed = sorted(
        {f.field for f in findings if f.field in _ADDED_AT_BUILD and f.rule in _ADDING_RULES}
    )
    if not changed:
        return None
    fields = " and ".join(f"`{field}`" for field in changed)
    if module.startswith("hatchling"):
        return (
            f"Likely cause: a hatchling build or metadata hook (`hatch_build.py`, "
            f"`[tool.hatch.build.hooks.*]`, `[tool.hatch.metadata.hooks.*]`) sets {fields} for "
            "some builds only. Make the hook give every build the same value, or let the hook "
            "own the field: delete the key from `[project]` and list it in `project.dynamic` "
            "(hatchling refuses a key that is both written and dynamic)."
        )
    if module.startswith("pdm.backend"):
        return (
            f"Likely cause: a pdm-backend build hook (`pdm_build.py`) changes {fields} when it "
            "builds a wheel. Write the value in `[project]` (with environment markers if only "
            "some installs need it) and keep the hook from changing metadata."
        )
    if module.startswith("poetry.core"):
        return (
            f"Likely cause: a poetry-core build script (`[tool.poetry.build] script`) or plugin "
            f"changes {fields} for some builds. Declare the value in `[project]` or "
            "`[tool.poetry.dependencies]` with markers instead."
        )
    if module.startswith("setuptools") and not has_project:
        return (
            f"Likely cause: `setup.py` computes {fields} from the environment or the "
            "interpreter building it. Compute the same value for every build and express the "
            "difference with environment markers (`\"pkg; python_version < '3.10'\"`): "
            "`metaseal audit --python X --python Y .` proposes them, verified."
        )
    if module.startswith("setuptools"):
        return (
            f"Likely cause: `setup.py` or a setuptools plugin changes {fields} for some builds. "
            "Keep the value in `[project]` as the one source, or list the key in "
            "`project.dynamic` and compute it the same way for every build."
        )
    return None


def render_warnings(kind: str, label: str, backend: str, findings: Sequence[Finding]) -> str:
    """Warnings about a built file that was kept."""
    what = _WHAT.get(kind, kind)
    return (
        f"metaseal: warning: the {what} {label} (built by {backend}) was kept; "
        f"{len(findings)} warning{'s' if len(findings) != 1 else ''}:\n\n"
        + render_findings(findings)
    )
