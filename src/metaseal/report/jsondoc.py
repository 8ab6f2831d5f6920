"""The JSON report of ``metaseal check`` (``schema_version`` :data:`SCHEMA_VERSION`); pure.

Every key is described in the documentation's JSON report reference and
``docs/reference/report-schema.json``; ``metaseal scan`` stores :func:`release_json` per release.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from metaseal.report.text import counts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.engine.findings import Finding, RawValue, Side
    from metaseal.engine.release import Release
    from metaseal.engine.variation import VariationReport
    from metaseal.errors import MetasealError

__all__ = ["SCHEMA_VERSION", "finding_json", "release_json", "render_json"]

#: Version of the JSON document; bumped on any incompatible change.
SCHEMA_VERSION = 1


def _side(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None

    def plain(value: RawValue) -> Any:
        return list(value) if isinstance(value, tuple) else value

    return {"artifact": side.artifact, "raw": plain(side.raw), "normalized": plain(side.normalized)}


def _variation_json(report: VariationReport | None) -> dict[str, Any]:
    """``variation``, ``proposal`` and ``inexpressible`` of one release (empty when < 2 wheels)."""
    if report is None:
        return {"variation": [], "proposal": None, "inexpressible": []}
    proposal = report.proposal
    return {
        "variation": [
            {
                "field": v.field,
                "value": v.value,
                "present_in": list(v.present_in),
                "absent_from": list(v.absent_from),
                "no_op": v.no_op,
                "pattern": v.pattern,
            }
            for v in report.variation
        ],
        "proposal": None
        if proposal is None
        else {
            "requires_dist": list(proposal.requires_dist),
            "verified": proposal.verified,
            "environments_checked": proposal.environments_checked,
            "provides_extra": list(proposal.provides_extra),
            "requires_python": proposal.requires_python,
            "unverified": list(proposal.unverified),
        },
        "inexpressible": [
            {
                "field": i.field,
                "value": i.value,
                "reason": i.reason,
                "environment": dict(i.environment),
            }
            for i in report.inexpressible
        ],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "field": finding.field,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "hint": finding.hint,
        "artifacts": list(finding.artifacts),
        "left": _side(finding.left),
        "right": _side(finding.right),
        "added": list(finding.added),
        "removed": list(finding.removed),
    }


def release_json(release: Release, *, strict: bool = False) -> dict[str, Any]:
    """One release as it stands in the JSON report's ``releases`` list (``metaseal scan``
    stores exactly this per release)."""
    return {
        "name": release.name,
        "version": release.version,
        "artifacts": [
            {
                "label": a.label,
                "source": a.source,
                "kind": a.kind.value,
                "role": a.role.value,
                "metadata_version": a.parsed.metadata_version,
                "tags": sorted(str(t) for t in a.tags),
                "status": "FAILED" if release.failed(a.label, strict=strict) else "PASSED",
            }
            for a in release.artifacts
        ],
        "checked_against": list(release.projects),
        **_variation_json(release.variation),
        "summary": counts(release.findings),
        "findings": [finding_json(f) for f in release.findings],
    }


def render_json(
    releases: Sequence[Release],
    errors: Sequence[MetasealError],
    *,
    strict: bool = False,
    exit_code: int = 0,
) -> str:
    """The JSON report of ``metaseal check`` (``schema_version`` :data:`SCHEMA_VERSION`); every
    key is described in the documentation's JSON report reference. ``exit_code`` is recorded as
    given; ``strict`` decides which files are ``FAILED``.
    """
    document = {
        "schema_version": SCHEMA_VERSION,
        "exit_code": exit_code,
        "releases": [release_json(release, strict=strict) for release in releases],
        "errors": [{"path": e.path or "metaseal", "message": str(e)} for e in errors],
    }
    return json.dumps(document, indent=2) + "\n"
