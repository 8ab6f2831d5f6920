"""The seal verdict: every rule that binds one freshly built file, decided in one place (pure).

The wrapper backend reads its inputs (the built file, the sdist's PKG-INFO when the build runs
in an unpacked sdist, the static ``[project]`` table, the prepared metadata, ``allow-dynamic``)
and calls :func:`check_built`; ``metaseal check`` applies the same ``allow-dynamic`` rule
(:func:`dynamic_policy`) to the sdists of a project it is given. Nothing here reads a file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from metaseal.engine import formats
from metaseal.engine.compare import compare_identical, compare_sdist_wheel, duplicate_findings
from metaseal.engine.fields import FIELDS_BY_HEADER
from metaseal.engine.findings import Finding, Severity, Side
from metaseal.engine.project import compare_pyproject

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.project import StaticProject

__all__ = ["BuildKind", "Verdict", "binds_project", "check_built", "dynamic_policy"]

#: What a build hook produced: PEP 517 sdists and wheels, PEP 660 editable wheels.
BuildKind = Literal["sdist", "wheel", "editable"]


@dataclass(frozen=True)
class Verdict:
    """What the wrapper does with a built file: refuse it (``blocking``), or keep it and warn."""

    findings: tuple[Finding, ...]
    blocking: tuple[Finding, ...]
    warned: tuple[Finding, ...]

    @classmethod
    def of(cls, findings: Sequence[Finding], *, strict: bool) -> Verdict:
        blocking = tuple(f for f in findings if f.severity.fails(strict=strict))
        warned = tuple(f for f in findings if f.severity is Severity.WARNING and f not in blocking)
        return cls(tuple(findings), blocking, warned)


def binds_project(kind: BuildKind, promise: Artifact | None) -> bool:
    """Whether the static ``[project]`` table is compared with the built file: always, unless
    a wheel is built from an sdist whose PKG-INFO seals it (Metadata 2.2 or later)."""
    return (
        kind == "sdist" or promise is None or not formats.is_sealed(promise.parsed.metadata_version)
    )


def check_built(
    kind: BuildKind,
    built: Artifact,
    *,
    promise: Artifact | None = None,
    project: StaticProject | None = None,
    prepared: Artifact | None = None,
    allow_dynamic: tuple[str, ...] | None = None,
    declared_dynamic: frozenset[str] = frozenset(),
    entry_points: tuple[bytes | None, bytes | None] | None = None,
) -> list[Finding]:
    """Every finding about one built file.

    (a) a wheel built from an sdist (``promise``, its PKG-INFO) against that PKG-INFO; (b) a
    wheel against the metadata ``prepared`` for it (PEP 517); (c) anything built from a source
    tree, or from an sdist too old to promise anything, against the static ``[project]`` table
    (read it only when :func:`binds_project` says so); and for sdists, the ``allow-dynamic``
    policy. A value already reported against PKG-INFO or ``[project]`` is not repeated against
    the prepared metadata; an editable wheel (PEP 660) may gain Requires-Dist entries.
    ``declared_dynamic`` is ``project.dynamic`` as written, for advice. ``entry_points`` is
    the prepared and the built ``entry_points.txt`` (``None`` where absent), compared by
    meaning when metadata was prepared (PEP 517 binds the whole ``.dist-info``).
    """
    findings: list[Finding] = []
    if kind != "sdist" and promise is not None:
        findings += _already_dynamic(compare_sdist_wheel(promise, built), declared_dynamic)
    if project is not None and binds_project(kind, promise):
        findings += compare_pyproject(project, built)
    if kind == "sdist":
        findings += dynamic_policy(allow_dynamic, built) + duplicate_findings(built)
    if prepared is not None:
        seen = {(f.field, f.right.normalized if f.right else None) for f in findings}
        findings += [
            f
            for f in compare_identical(prepared, built)
            if (f.field, f.right.normalized if f.right else None) not in seen
        ]
        if entry_points is not None and kind != "sdist":
            from metaseal.engine.entrypoints import compare_entry_points  # wheels only

            findings += compare_entry_points(*entry_points, left=prepared.label, right=built.label)
    if kind == "editable":
        findings = [
            f for f in findings if not (f.field == "Requires-Dist" and f.added and not f.removed)
        ]
    return findings


def _already_dynamic(findings: list[Finding], dynamic: frozenset[str]) -> list[Finding]:
    """Say so when ``project.dynamic`` already lists a field the sdist nevertheless sealed.

    The generic advice ("declare the field dynamic") cannot help then: the backend itself wrote
    the value into PKG-INFO as static (hatchling does, for a field a metadata hook sets).
    """
    if not dynamic:
        return findings
    out = []
    for finding in findings:
        spec = FIELDS_BY_HEADER.get(finding.field.lower())
        keys = [key for key in (spec.pyproject if spec else ()) if key in dynamic]
        # Name and Version can never be Dynamic: their own advice stands (pbr, wrapped, builds
        # a 0.0.0 wheel from a sdist whose [project] lists "version" as dynamic).
        never = finding.field.lower() in formats.NEVER_DYNAMIC
        if finding.rule == "static-field" and keys and not never:
            listed = " and ".join(f'"{key}"' for key in keys)
            finding = dataclasses.replace(  # noqa: PLW2901 - the finding, with its hint replaced
                finding,
                hint=f"`project.dynamic` already lists {listed}, yet the backend wrote "
                f"`{finding.field}` into the sdist's PKG-INFO as static (hatchling, for one, "
                "does this for a field a metadata hook sets). Make the build produce the same "
                "value for the sdist and every wheel, or write the value in `[project]`.",
            )
        out.append(finding)
    return out


def dynamic_policy(allow_dynamic: tuple[str, ...] | None, sdist: Artifact) -> list[Finding]:
    """``allow-dynamic``: the sdist may list only these fields as Dynamic (unset: any)."""
    if allow_dynamic is None:
        return []
    meta = sdist.parsed
    allowed = {name.lower() for name in allow_dynamic}
    extra = tuple(sorted(name for name in meta.dynamic if name not in allowed))
    if not extra:
        return []
    allowed_text = ", ".join(allow_dynamic) or "nothing ([] means fully static)"
    return [
        Finding(
            field="Dynamic",
            rule="allow-dynamic",
            severity=Severity.ERROR,
            message=f"The sdist lists {', '.join(extra)} as Dynamic, but "
            f"`tool.metaseal.allow-dynamic` allows {allowed_text}.",
            hint="Make those fields static in the backend configuration, or add them to "
            "`tool.metaseal.allow-dynamic` if wheels really may differ there.",
            left=Side("tool.metaseal.allow-dynamic", allow_dynamic, tuple(sorted(allowed))),
            right=Side(sdist.label, meta.values("dynamic"), tuple(sorted(meta.dynamic))),
            added=extra,
        )
    ]
