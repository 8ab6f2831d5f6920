"""Within a release: group files by (name, version) and apply every rule that binds them (pure)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import Version

from metaseal.engine.artifact import Artifact, Kind, Role
from metaseal.engine.compare import compare_identical, compare_sdist_wheel, duplicate_findings
from metaseal.engine.fields import FIELDS_BY_HEADER, items_of
from metaseal.engine.findings import Finding, Severity, Side
from metaseal.engine.project import compare_pyproject
from metaseal.engine.repair import repair_pairs
from metaseal.engine.rules import RULES
from metaseal.engine.seal import dynamic_policy
from metaseal.engine.upload import upload_findings
from metaseal.engine.variation import PROPOSABLE, VariationReport, analyze

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.engine.project import StaticProject

__all__ = ["Release", "check_releases"]


@dataclass(frozen=True)
class Release:
    """The files of one (name, version) and every finding about them."""

    name: str
    version: str
    artifacts: tuple[Artifact, ...]
    findings: tuple[Finding, ...]
    projects: tuple[str, ...] = ()
    #: How the wheels differ from each other, with a marker proposal (two or more wheels).
    variation: VariationReport | None = None

    def failed(self, label: str, *, strict: bool = False) -> bool:
        """Whether a file is blamed for an error (or a warning, when strict)."""
        for finding in self.findings:
            blamed = finding.right or finding.left
            if (
                blamed is not None
                and blamed.artifact == label
                and finding.severity.fails(strict=strict)
            ):
                return True
        return False


def _identity(artifact: Artifact) -> tuple[str, str]:
    meta = artifact.parsed
    name = artifact.filename_name or canonicalize_name(next(iter(meta.values("name")), "?"))
    if artifact.filename_version is not None:
        return str(name), str(artifact.filename_version)
    raw = next(iter(meta.values("version")), "?").strip()
    try:
        return str(name), str(Version(raw))
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return str(name), raw


def _single(
    artifact: Artifact, field: str, message: str, hint: str, rule: str, value: str | None
) -> Finding:
    """A finding about one file alone, with the rule's own severity."""
    return Finding(
        field=field,
        rule=rule,
        severity=RULES[rule].severity,
        message=message,
        hint=hint,
        left=Side(artifact.label, value, value),
    )


def _filename_findings(artifact: Artifact) -> list[Finding]:
    """Filename and dist-info directory against the Name and Version inside."""
    meta = artifact.parsed
    name = next(iter(meta.values("name")), "").strip()
    version = next(iter(meta.values("version")), "").strip()
    findings = []
    where = "filename" if artifact.filename_name is not None else None
    if where and canonicalize_name(name) != artifact.filename_name:
        findings.append(
            _single(
                artifact,
                "Name",
                f"The filename says `{artifact.filename_name}`"
                f" but the metadata says Name `{name}`.",
                "Rename the file or rebuild it; the two must agree.",
                "filename",
                name,
            )
        )
    if (
        where
        and artifact.filename_version is not None
        and _version(version) != artifact.filename_version
    ):
        findings.append(
            _single(
                artifact,
                "Version",
                f"The filename says version "
                f"`{artifact.filename_version}` but the metadata says Version "
                f"`{version}`.",
                "Rebuild the file so both agree (a `+local` "
                "segment added at build time is a common cause).",
                "filename",
                version,
            )
        )
    if artifact.dist_info is not None:
        stem = artifact.dist_info[: -len(".dist-info")]
        dist_name, _, dist_version = stem.partition("-")
        if canonicalize_name(dist_name) != canonicalize_name(name) or _version(
            dist_version
        ) != _version(version):
            findings.append(
                _single(
                    artifact,
                    "Name",
                    f"The directory `{artifact.dist_info}` "
                    f"does not match the metadata's Name `{name}` and Version "
                    f"`{version}`.",
                    "Rebuild the wheel; the backend must name "
                    "the `.dist-info` directory `{name}-{version}`.",
                    "dist-info-name",
                    artifact.dist_info,
                )
            )
    return findings


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return None


def _import_names(artifacts: Sequence[Artifact]) -> list[Finding]:
    """PEP 794: Import-Name / Import-Namespace identical across every file; never in both."""
    findings = []
    for header in ("import-name", "import-namespace"):
        spec = FIELDS_BY_HEADER[header]
        seen: dict[tuple[str, ...], list[Artifact]] = defaultdict(list)
        for artifact in artifacts:
            items = items_of(spec, artifact.parsed.values(header))
            seen[tuple(sorted(spec.key(i) for i in items))].append(artifact)
        if len(seen) > 1:
            (first, holders), *others = seen.items()
            for value, group in others:
                findings.append(
                    Finding(
                        field=spec.name,
                        rule="import-names",
                        severity=Severity.ERROR,
                        message=f"`{spec.name}` differs between files of the release; PEP 794 "
                        "requires the same value in every sdist and wheel.",
                        hint="Declare the import names statically (`project.import-names`).",
                        left=Side(holders[0].label, first, first),
                        right=Side(group[0].label, value, value),
                    )
                )
    for artifact in artifacts:
        meta = artifact.parsed
        names, spaces = (
            {i.partition(";")[0].strip() for i in meta.values(header)}
            for header in ("import-name", "import-namespace")
        )
        both = sorted(names & spaces)
        if both:
            findings.append(
                _single(
                    artifact,
                    "Import-Name",
                    f"{', '.join(both)} is listed as both Import-Name and Import-Namespace.",
                    "List each name in one of the two fields.",
                    "import-names",
                    both[0],
                )
            )
    return findings


def _variation_findings(report: VariationReport, *, strict: bool) -> list[Finding]:
    """Wheel-to-wheel variation: ``info`` (nothing binds wheels to each other), a warning
    with ``--strict``; no-ops are not variation."""
    severity = Severity.WARNING if strict else Severity.INFO

    def hint(field: str) -> str:
        if field.lower() in PROPOSABLE and report.proposal is not None:
            return (
                "Express it with markers in one static list (see the proposal), or build every "
                "wheel alike."
            )
        if field.lower() in PROPOSABLE:
            return "Build every wheel alike, or write the value with markers in `[project]`."
        return f"No marker can express `{field}`; build every wheel with the same value."

    findings = [
        Finding(
            field=v.field,
            rule="wheel-variation",
            severity=severity,
            message=f"`{v.value}` is not on every wheel: {v.pattern}.",
            hint=hint(v.field),
            left=Side(v.present_in[0], v.value, v.value),
            right=Side(v.absent_from[0], None, None) if v.absent_from else None,
        )
        for v in report.variation
        if not v.no_op
    ]
    findings += [
        Finding(
            field=item.field,
            rule="inexpressible",
            severity=severity,
            message=f"`{item.value}`: {item.reason}",
            hint="No marker can tell these wheels apart; make their metadata agree.",
        )
        for item in report.inexpressible
    ]
    return findings


def _check_one(
    artifacts: list[Artifact],
    projects: Sequence[StaticProject],
    *,
    strict: bool,
    upload: Severity | None = None,
) -> tuple[list[Finding], VariationReport | None]:
    findings: list[Finding] = []
    # A sidecar and the file it describes: compare, and let the file stand for both.
    by_path = {Path(a.source): a for a in artifacts if a.kind is not Kind.SIDECAR}
    standing = []
    for artifact in artifacts:
        # PEP 658: the sidecar sits next to its distribution, named after it
        target = by_path.get(Path(artifact.source).with_name(artifact.distribution_filename or "-"))
        if artifact.kind is Kind.SIDECAR and target is not None:
            findings.extend(
                compare_identical(artifact, target, rule="sidecar", byte_rule="sidecar-bytes")
            )
        else:
            standing.append(artifact)
    for artifact in standing:
        findings.extend(_filename_findings(artifact))
        findings.extend(duplicate_findings(artifact))
        problems = artifact.parsed.problems
        if upload is not None and artifact.kind in (Kind.SDIST, Kind.WHEEL):
            refused = upload_findings(artifact, severity=upload)
            findings.extend(refused)  # a problem PyPI refuses is said once, as an upload finding
            problems = tuple(p for p in problems if not any(p in f.message for f in refused))
        findings.extend(
            _single(
                artifact,
                "(file)",
                f"{problem}.",
                "Fix the backend or upgrade it.",
                "invalid-metadata",
                None,
            )
            for problem in problems
        )
    sdists = [a for a in standing if a.role is Role.SDIST]
    wheels = [a for a in standing if a.role is Role.WHEEL]
    for sdist in sdists:
        for wheel in wheels:
            findings.extend(compare_sdist_wheel(sdist, wheel))
        for other in sdists[sdists.index(sdist) + 1 :]:
            findings.extend(compare_identical(sdist, other, rule="sdist-variation"))
    report = None
    if len(wheels) > 1:
        report = analyze(wheels)
        findings.extend(_variation_findings(report, strict=strict))
        for original, repaired in repair_pairs(wheels):
            findings.extend(compare_identical(original, repaired, rule="repair"))
    findings.extend(_import_names(standing))
    for project in projects:
        for artifact in standing:
            findings.extend(compare_pyproject(project, artifact))
        for sdist in sdists:  # the rule the wrapper backend applies to the sdists it builds
            findings.extend(dynamic_policy(project.allow_dynamic, sdist))
    return findings, report


def check_releases(
    artifacts: Sequence[Artifact],
    projects: Sequence[StaticProject] = (),
    *,
    strict: bool = False,
    upload: Severity | None = None,
) -> list[Release]:
    """Group files into releases and check each; pyproject tables join releases of their name.

    With ``strict``, wheel-to-wheel variation is a warning instead of ``info``. With
    ``upload``, sdists and wheels are also checked for what PyPI would refuse at upload
    (``metaseal.engine.upload``), at that severity.
    """
    groups: dict[tuple[str, str], list[Artifact]] = defaultdict(list)
    for artifact in artifacts:
        groups[_identity(artifact)].append(artifact)
    releases = []
    for (name, version), members in sorted(groups.items()):
        mine = [
            p
            for p in projects
            if canonicalize_name(p.name) == name
            and (p.version is None or _version(p.version) == _version(version))
        ]
        findings, report = _check_one(members, mine, strict=strict, upload=upload)
        releases.append(
            Release(
                name=name,
                version=version,
                artifacts=tuple(members),
                findings=tuple(findings),
                projects=tuple(p.label for p in mine),
                variation=report,
            )
        )
    return releases
