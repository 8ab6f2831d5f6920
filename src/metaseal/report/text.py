"""Render findings and releases as text for people; decides nothing (pure, returns strings)."""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING

from metaseal.engine.artifact import Kind, Role
from metaseal.engine.fields import is_extra_requirement
from metaseal.engine.findings import Finding, RawValue, Severity
from metaseal.engine.formats import is_sealed
from metaseal.errors import escape_controls, plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.engine.release import Release
    from metaseal.engine.variation import VariationReport
    from metaseal.errors import ArtifactError

__all__ = ["counts", "coverage", "render_findings", "render_summary", "render_text"]

_MAX_LINES = 12


def _name(label: str) -> str:
    """A file name or path as shown: a line break in it cannot start a line of the report."""
    return escape_controls(label, newlines=True)


def _lines(value: RawValue) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.replace("\r\n", "\n").split("\n")
    return list(value)


def _clip(lines: list[str]) -> list[str]:
    if len(lines) <= _MAX_LINES:
        return lines
    return [*lines[:_MAX_LINES], f"... ({len(lines) - _MAX_LINES} more lines)"]


def _list_diff(finding: Finding) -> list[str]:
    """A list field: `-` only on the left, `+` only on the right, and, for short lists, the
    values both sides share (unmarked), so both whole values can be read."""
    removed = [f"- {v}" for v in finding.removed]
    right = finding.right.raw if finding.right is not None else None
    if isinstance(right, tuple) and len(right) <= _MAX_LINES:
        added = list(finding.added)
        marked = []
        for value in right:
            if value in added:
                added.remove(value)
                marked.append(f"+ {value}")
            else:
                marked.append(f"  {value}")
        return _clip(removed + marked)
    return _clip(removed + [f"+ {v}" for v in finding.added])


def _values(finding: Finding) -> list[str]:
    """The diff lines of one finding: `-` only on the left, `+` only on the right."""
    if finding.added or finding.removed:
        return _list_diff(finding)
    left, right = finding.left, finding.right
    if left is None or right is None:
        side = left or right
        return [f"  {line}" for line in _clip(_lines(side.raw))] if side else []
    a, b = _lines(left.raw), _lines(right.raw)
    if len(a) > 1 or len(b) > 1:
        diff = difflib.unified_diff(a, b, lineterm="", n=1)
        return _clip([line for line in diff if not line.startswith(("---", "+++"))])
    names = _name(left.artifact), _name(right.artifact)
    width = max(map(len, names))
    return [
        f"- {names[0]:<{width}}  {a[0] if a else '(absent)'}",
        f"+ {names[1]:<{width}}  {b[0] if b else '(absent)'}",
    ]


def _block(finding: Finding) -> list[str]:
    where = " -> ".join(map(_name, finding.artifacts))
    lines = [
        f"{finding.severity.value}: {finding.field} [{finding.rule}]  {where}",
        f"    {finding.message}",
    ]
    lines += [f"      {line}" for line in _values(finding)]
    lines.append(f"    fix: {finding.hint}")
    return lines


_PROBLEMS = (Severity.ERROR, Severity.WARNING)


def render_findings(
    findings: Sequence[Finding], *, cosmetic: bool = False, quiet: bool = False
) -> str:
    """Per-field diff blocks, most severe first; cosmetic ones only when asked; with ``quiet``,
    errors and warnings only."""
    if quiet:
        shown = [f for f in findings if f.severity in _PROBLEMS]
        return "\n".join(
            line for f in sorted(shown, key=lambda f: -f.severity.rank) for line in [*_block(f), ""]
        ).rstrip("\n")
    shown = [f for f in findings if cosmetic or f.severity is not Severity.COSMETIC]
    ordered = sorted(shown, key=lambda f: -f.severity.rank)
    out: list[str] = []
    for finding in ordered:
        out += _block(finding)
        out.append("")
    hidden = len(findings) - len(shown)
    if hidden:
        out.append(f"({plural(hidden, 'cosmetic difference')} not shown; --cosmetic shows them)")
    return "\n".join(out).rstrip("\n")


def _variation_text(report: VariationReport) -> list[str]:
    """The wheels' variation grouped by value, the marker proposal ready to paste into
    pyproject.toml, and what no marker can express."""
    out: list[str] = []
    real = [v for v in report.variation if not v.no_op]
    if real or report.inexpressible:
        out.append("Variation among the wheels:")
    out += [f"  {v.field}  `{v.value}`: {v.pattern}" for v in real]
    noops = [v for v in report.variation if v.no_op]
    if noops:
        out.append("Differences that change nothing (the requirement's own marker excludes the")
        out.append("wheels that lack it):")
        out += [f"  {v.field}  `{v.value}`: {v.pattern}" for v in noops]
    proposal = report.proposal
    if proposal is not None and (real or report.inexpressible):
        state = (
            f"verified on {proposal.environments_checked} (wheel, environment) pairs"
            if proposal.verified
            else f"NOT verified: {plural(len(proposal.unverified), 'entry', 'entries')} "
            + ("disagrees" if len(proposal.unverified) == 1 else "disagree")
            + " with some wheel"
            if proposal.unverified
            else "NOT verified: some wheels disagree where no marker can tell them apart"
        )
        out.append(f"One static list for every wheel ({state}):")
        base = [r for r in proposal.requires_dist if not is_extra_requirement(r)]
        extra = [r for r in proposal.requires_dist if is_extra_requirement(r)]
        out.append("  dependencies = [")
        out += [
            f"      {json.dumps(r)},{'  # unverified' if r in proposal.unverified else ''}"
            for r in base
        ]
        out.append("  ]")
        if extra:
            out.append("  # with extras (Requires-Dist):")
            out += [f"  #   {r}" for r in extra]
        if proposal.requires_python is not None:
            out.append(f"  requires-python = {json.dumps(proposal.requires_python)}")
    if report.inexpressible:
        out.append("Not expressible with markers:")
        for item in report.inexpressible:
            where = ", ".join(f"{k}={v}" for k, v in sorted(item.environment.items()))
            out.append(f"  {item.field}  `{item.value}`: {item.reason} (environment: {where})")
    return out


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {s.value: sum(f.severity is s for f in findings) for s in Severity}


def _summary(counts: dict[str, int]) -> str:
    """``1 error, 3 warnings, 2 info, 1 cosmetic`` (the last two are not countable nouns)."""
    return ", ".join(
        plural(counts[s.value], s.value) if s in _PROBLEMS else f"{counts[s.value]} {s.value}"
        for s in Severity
        if counts[s.value]
    )


def _checked(artifact_kind: Kind, has_dist_info: bool) -> list[str]:
    names = {Kind.SDIST: ["filename"], Kind.WHEEL: ["filename"], Kind.SIDECAR: ["filename"]}
    base = names.get(artifact_kind, ["dist-info name"] if has_dist_info else [])
    return [*base, "metadata validity", "import names"]


def coverage(release: Release) -> str | None:
    """What was and was not compared, when that is less than the word PASSED suggests: a
    release of one file, or whose sdists are below Metadata 2.2 (they promise nothing)."""
    artifacts = release.artifacts
    if len(artifacts) == 1 and not release.projects:
        only = artifacts[0]
        checked = ", ".join(_checked(only.kind, only.dist_info is not None))
        return f"1 file: nothing to compare it with; checked: {checked}"
    sdists = [a for a in artifacts if a.role is Role.SDIST]
    wheels = [a for a in artifacts if a.role is Role.WHEEL]
    if sdists and wheels and not any(is_sealed(s.parsed.metadata_version) for s in sdists):
        version = sdists[0].parsed.metadata_version or "(missing)"
        what = "the sdist is" if len(sdists) == 1 else "the sdists are"
        others = (
            "wheels compared with nothing but each other"
            if len(wheels) > 1
            else "the wheel compared with nothing"
        )
        if release.projects:
            others += " and the pyproject.toml"
        return f"{what} Metadata {version}: it promises nothing, {others}"
    return None


def render_summary(releases: Sequence[Release], errors: int, *, strict: bool = False) -> str:
    """One line for the whole check: releases, files, how many failed, the finding counts."""
    findings = [f for r in releases for f in r.findings]
    failed = sum(any(f.severity.fails(strict=strict) for f in r.findings) for r in releases)
    files = sum(len(r.artifacts) for r in releases)
    if not releases:
        line = "no release checked"
    else:
        line = f"{plural(len(releases), 'release')}, {plural(files, 'file')}: "
        line += f"{failed} FAILED" if failed else "all PASSED"
    tally = counts(findings)
    problems = ", ".join(plural(tally[s.value], s.value) for s in _PROBLEMS if tally[s.value])
    if problems:
        line += f" ({problems})"
    if errors:
        line += f"; {plural(errors, 'unreadable input')}"
    return line


def render_text(
    releases: Sequence[Release],
    errors: Sequence[ArtifactError],
    *,
    strict: bool = False,
    cosmetic: bool = False,
    quiet: bool = False,
) -> str:
    """The text report of ``metaseal check``: per release a ``PASSED``/``FAILED`` line per file,
    the findings as per-field diffs (cosmetic ones only with ``cosmetic``), the wheels'
    variation with the marker proposal, then one ``ERROR`` line per unreadable input.

    ``strict`` counts warnings as failures, as ``--strict`` does. ``quiet`` shows only the
    releases with errors or warnings, their FAILED files and those findings, then a summary.
    """
    out: list[str] = []
    for release in releases:
        tally = counts(release.findings)
        bad = any(f.severity.fails(strict=strict) for f in release.findings)
        if quiet and not any(f.severity in _PROBLEMS for f in release.findings):
            continue
        out.append(
            f"{release.name} {release.version}: {plural(len(release.artifacts), 'file')}, "
            f"{'FAILED' if bad else 'PASSED'}"
            + (f" ({_summary(tally)})" if release.findings else "")
        )
        note = None if quiet else coverage(release)
        if note is not None:
            out.append(f"  ({note})")
        width = max(len(_name(a.label)) for a in release.artifacts)
        for artifact in release.artifacts:
            status = "FAILED" if release.failed(artifact.label, strict=strict) else "PASSED"
            if quiet and status == "PASSED":
                continue
            version = artifact.parsed.metadata_version or "?"
            out.append(
                f"  {status}  {_name(artifact.label):<{width}}  {artifact.kind.value}, "
                f"Metadata-Version {version}"
            )
        for label in release.projects:
            out.append(f"  (checked against {_name(label)})")
        body = render_findings(release.findings, cosmetic=cosmetic, quiet=quiet)
        if body:
            out += ["", *(f"  {line}" if line else "" for line in body.split("\n"))]
        if release.variation is not None and not quiet:
            variation = _variation_text(release.variation)
            if variation:
                out += ["", *(f"  {line}" for line in variation)]
        out.append("")
    for error in errors:
        out.append(f"ERROR  {error}")
    if quiet:
        out.append(render_summary(releases, len(errors), strict=strict))
    return "\n".join(out).rstrip("\n") + "\n"
