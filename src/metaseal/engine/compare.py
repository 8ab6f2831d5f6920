"""The comparison engine: two metadata sources in, findings out (pure; no I/O).

Bytes are compared first: identical files produce no findings without being parsed (the common
case: one backend version writes PKG-INFO, prepared METADATA and wheel METADATA byte for byte).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional

from packaging.version import Version

from metaseal.engine import formats
from metaseal.engine.fields import (
    FIELDS,
    FIELDS_BY_HEADER,
    Delta,
    FieldSpec,
    compare_items,
    items_of,
)
from metaseal.engine.findings import Finding, RawValue, Severity, Side
from metaseal.engine.rules import NEVER_DYNAMIC, RULES
from metaseal.errors import plural

if TYPE_CHECKING:
    from collections.abc import Iterator

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.model import ParsedMetadata

__all__ = [
    "INSTALLER_FIELDS",
    "FieldDiff",
    "compare_identical",
    "compare_sdist_wheel",
    "duplicate_findings",
    "field_diffs",
    "field_finding",
]


@dataclass(frozen=True)
class FieldDiff:
    """One field that is not letter-for-letter identical between two files."""

    spec: FieldSpec | None  # None for a header that is not a core metadata field
    header: str
    left: list[str]
    right: list[str]
    delta: Delta

    @property
    def name(self) -> str:
        return self.spec.name if self.spec else self.header


def field_diffs(left: ParsedMetadata, right: ParsedMetadata) -> Iterator[FieldDiff]:
    """Every field whose items differ at all (cosmetically or in meaning), in table order."""
    for spec in FIELDS:
        lraw, rraw = left.values(spec.header), right.values(spec.header)
        if lraw == rraw:
            continue
        litems, ritems = items_of(spec, lraw), items_of(spec, rraw)
        delta = compare_items(spec, litems, ritems)
        if delta.identical:  # same items, written differently (spacing, quoting of a list)
            delta = replace(delta, identical=False)
        yield FieldDiff(spec, spec.header, litems, ritems, delta)
    extension = sorted((set(left.headers) | set(right.headers)) - set(FIELDS_BY_HEADER))
    for header in extension:
        litems = [v.strip() for v in left.values(header)]
        ritems = [v.strip() for v in right.values(header)]
        if sorted(litems) != sorted(ritems):
            delta = Delta(False, False, tuple(ritems), tuple(litems), False)
            yield FieldDiff(None, header, litems, ritems, delta)


def _raw(diff: FieldDiff, items: list[str]) -> RawValue:
    if not items:
        return None
    if diff.spec is not None and not diff.spec.listlike and len(items) == 1:
        return items[0]
    return tuple(items)


def _norm(diff: FieldDiff, items: list[str]) -> RawValue:
    if diff.spec is None or not items:
        return _raw(diff, items)
    keys = [diff.spec.key(item) for item in items]
    if not diff.spec.listlike and len(keys) == 1:
        return keys[0]
    return tuple(keys)


def field_finding(
    diff: FieldDiff,
    rule: str,
    message: str,
    hint: str,
    left: str,
    right: str,
    severity: Severity | None = None,
) -> Finding:
    """A finding about one field, with both sides' values as written and as normalized."""
    listlike = diff.spec is None or diff.spec.listlike
    return Finding(
        field=diff.name,
        rule=rule,
        severity=severity or RULES[rule].severity,
        message=message,
        hint=hint,
        left=Side(left, _raw(diff, diff.left), _norm(diff, diff.left)),
        right=Side(right, _raw(diff, diff.right), _norm(diff, diff.right)),
        added=diff.delta.added if listlike else (),
        removed=diff.delta.removed if listlike else (),
    )


def _cosmetic_verdict(diff: FieldDiff) -> tuple[str, str, str]:
    what = "order" if sorted(diff.left) == sorted(diff.right) else "spelling"
    return (
        "cosmetic",
        f"`{diff.name}` differs only in {what}; the meaning is the same.",
        "Nothing to do.",
    )


def _version_of(text: str | None) -> Version | None:
    try:
        return Version(text) if text else None
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return None


def _pyproject_hint(spec: FieldSpec | None) -> str:
    if spec is None or not spec.pyproject:
        return "the backend's option that produces it (the sdist must then say `Dynamic: {}`)"
    keys = " / ".join(f'"{key}"' for key in spec.pyproject)
    return (
        f"{keys} in `project.dynamic` instead of a value in `[project]` (a backend that "
        "follows PEP 643 then marks it `Dynamic: {}` in the sdist)"
    )


def _describe_change(diff: FieldDiff, left: str, right: str) -> str:
    """One sentence, no final period; ``left``/``right`` name the sides ("the sdist", "`x`")."""
    name, added, removed = diff.name, len(diff.delta.added), len(diff.delta.removed)
    subject = right[0].upper() + right[1:]
    if not diff.left:
        return f"{subject} has `{name}` but {left} does not"
    if not diff.right:
        return f"{subject} drops `{name}`, which {left} sets"
    if diff.spec is None or not diff.spec.listlike or not (added or removed):
        return f"{subject} has a different `{name}` than {left}"
    if added and removed:
        return (
            f"{subject} adds {added} and drops {plural(removed, '`' + name + '` value')} of {left}"
        )
    if added:
        return f"{subject} adds {plural(added, '`' + name + '` value')} that {left} does not have"
    return f"{subject} drops {plural(removed, '`' + name + '` value')} that {left} has"


_Verdict = Optional[tuple[str, str, str]]  # (rule, message, hint), or None: nothing to say


def _sdist_verdict(diff: FieldDiff, s: ParsedMetadata, w: ParsedMetadata) -> _Verdict:
    """The decision table of PEP 643 / PEP 808 for one differing field (spec-digest 1.4)."""
    version = _version_of(s.metadata_version)
    sealed = formats.is_sealed(s.metadata_version)
    header, spec, delta = diff.header, diff.spec, diff.delta
    dynamic = header in s.dynamic
    if (
        sealed
        and version is not None
        and version >= Version("2.6")
        and dynamic
        and spec is not None
        and spec.multiple
        and diff.left
        and (delta.removed or not delta.left_kept_in_order)
    ):
        change = "drops or changes some." if delta.removed else "reorders them."
        return (
            "dynamic-append-only",
            (
                f"`{diff.name}` is Dynamic in a Metadata 2.6 sdist that also sets it, so the "
                f"wheel may only add values; it {change}"
            ),
            "Keep every sdist value, unchanged and in order, and only append new ones.",
        )
    if delta.equal:
        return _cosmetic_verdict(diff)
    if header in ("name", "version"):
        return (
            "static-field",
            (
                f"`{diff.name}` differs between the sdist and the wheel: it "
                "can never be Dynamic and must be the same in every file of a release."
            ),
            (
                "Rebuild both files from the same source; a `+local` version segment added at "
                "wheel time is a common cause."
            ),
        )
    if header == "metadata-version" and (s.metadata_version, w.metadata_version) in (
        ("2.2", "2.1"),
        ("2.2", "2.0"),
    ):
        return (
            "sealed-sdist",
            (
                f"The sdist says Metadata-Version 2.2, the wheel {w.metadata_version}: 2.2 only "
                "adds `Dynamic` (metaseal seals the sdists of backends that write 2.1)."
            ),
            "Nothing to do.",
        )
    if header == "metadata-version":
        return (
            "metadata-version",
            (
                f"The sdist says Metadata-Version {s.metadata_version}, "
                f"the wheel {w.metadata_version}."
            ),
            (
                "Build the sdist and the wheel with the "
                "same backend version (pin it in `build-system.requires`)."
            ),
        )
    if header == "dynamic":
        return (
            "dynamic-in-wheel",
            (
                "The wheel lists other Dynamic fields than the sdist; in "
                "a wheel, Dynamic is informational."
            ),
            "Nothing to do.",
        )
    change = _describe_change(diff, "the sdist", "the wheel")
    if not sealed:
        return (
            "unsealed",
            (
                f"{change}; the sdist's Metadata-Version "
                f"{s.metadata_version or '(missing)'} is below 2.2, so this is allowed."
            ),
            (
                "Upgrade the backend so the sdist says Metadata-Version 2.2 or later and its "
                "promises can be checked."
            ),
        )
    if dynamic:
        return None  # Dynamic: free, except the 2.6 append-only rule above
    if spec is None:
        return (
            "extension-field",
            (
                f"The header `{header}` (not a core metadata field) "
                "differs between the sdist and the wheel."
            ),
            "Write the same value in both, or drop it.",
        )
    if not diff.left and version is not None and Version(spec.added) > version:
        return (
            "newer-field",
            (
                f"The wheel has `{diff.name}`, a field introduced in Metadata "
                f"{spec.added}, but the sdist was written as Metadata {s.metadata_version}."
            ),
            (
                "The backend was probably upgraded between the sdist and the wheel build: pin "
                "it in `build-system.requires`."
            ),
        )
    return (
        "static-field",
        f"{change}, and the sdist does not list `{diff.name}` as Dynamic.",
        "Make the build produce the sdist's value, or declare the field dynamic: "
        + _pyproject_hint(spec).format(diff.name),
    )


def compare_sdist_wheel(sdist: Artifact, wheel: Artifact) -> list[Finding]:
    """PEP 643 / PEP 808: what an sdist's PKG-INFO promises about a wheel built from it."""
    if sdist.metadata == wheel.metadata:
        # Identical files agree on every field, but a field that may never be Dynamic is
        # wrong in both: the byte shortcut must not skip that rule.
        return _forbidden_dynamic(sdist.parsed, sdist.label)
    s, w = sdist.parsed, wheel.parsed
    findings = []
    moved = _license_moved(s, w)
    for diff in field_diffs(s, w):
        if moved is not None and diff.header in ("license", "license-expression"):
            if diff.header == "license":  # one finding for the pair
                findings.append(field_finding(diff, *moved, sdist.label, wheel.label))
            continue
        verdict = _sdist_verdict(diff, s, w)
        if verdict is not None:
            findings.append(field_finding(diff, *verdict, sdist.label, wheel.label))
    findings.extend(_forbidden_dynamic(s, sdist.label))
    if not formats.is_sealed(s.metadata_version):
        findings.append(
            Finding(
                field="Metadata-Version",
                rule="unsealed",
                severity=Severity.INFO,
                message=f"The sdist is Metadata-Version {s.metadata_version or '(missing)'}: "
                "below 2.2 it promises nothing about its wheels.",
                hint="Upgrade the build backend.",
                left=Side(sdist.label, s.metadata_version, s.metadata_version),
            )
        )
    return findings


def _license_moved(s: ParsedMetadata, w: ParsedMetadata) -> _Verdict:
    """Quirk ``license-moved-to-expression``: the sdist's ``License`` is an SPDX expression
    that the wheel writes as ``License-Expression`` instead, and nothing else of the two
    fields changed: the same license, written the Metadata 2.4 way (a cosmetic verdict)."""
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    text, expression = s.values("license"), w.values("license-expression")
    if len(text) != 1 or len(expression) != 1 or w.values("license"):
        return None
    if s.values("license-expression") or "license" in s.dynamic:
        return None
    try:
        old = canonicalize_license_expression(text[0].strip())
        new = canonicalize_license_expression(expression[0].strip())
    except InvalidLicenseExpression:
        return None
    if old != new:
        return None
    return (
        "cosmetic",
        (
            f"The sdist writes the SPDX expression `{text[0].strip()}` as `License`, the wheel "
            "as `License-Expression` (Metadata 2.4): the same license."
        ),
        "Nothing to do.",
    )


def _forbidden_dynamic(meta: ParsedMetadata, label: str) -> list[Finding]:
    bad = sorted(name for name in meta.dynamic if name in NEVER_DYNAMIC)
    return [
        Finding(
            field="Dynamic",
            rule="dynamic-forbidden",
            severity=Severity.ERROR,
            message=f"`{label}` lists `{name}` as Dynamic, which the spec forbids.",
            hint="Fix the build backend configuration; the field must be static.",
            left=Side(label, meta.values("dynamic"), tuple(sorted(meta.dynamic))),
        )
        for name in bad
    ]


def compare_identical(
    left: Artifact,
    right: Artifact,
    *,
    rule: str = "prepared-metadata",
    byte_rule: str | None = None,
) -> list[Finding]:
    """Two sources that must mean exactly the same (prepared metadata vs wheel, sidecars).

    With ``byte_rule`` (PEP 658 sidecars), a difference in bytes alone is also reported.
    """
    if left.metadata == right.metadata:
        return []
    a, b = left.parsed, right.parsed
    findings: list[Finding] = []
    for diff in field_diffs(a, b):
        if diff.delta.equal:
            findings.append(field_finding(diff, *_cosmetic_verdict(diff), left.label, right.label))
        else:
            findings.append(
                field_finding(
                    diff,
                    rule,
                    f"{_describe_change(diff, f'`{left.label}`', f'`{right.label}`')}.",
                    "The two must be identical: " + RULES[rule].summary,
                    left.label,
                    right.label,
                )
            )
    if byte_rule is not None:
        findings.append(
            Finding(
                field="(file)",
                rule=byte_rule,
                severity=RULES[byte_rule].severity,
                message=f"`{left.label}` is not byte-identical to the metadata of `{right.label}`.",
                hint="Serve the distribution's metadata file unchanged.",
                left=Side(left.label, None, None),
                right=Side(right.label, None, None),
            )
        )
    return findings


#: The fields installers and resolvers act on (lower-cased headers): a difference here changes
#: what gets installed; elsewhere it changes what a person reads.
INSTALLER_FIELDS = frozenset(
    {"name", "version", "requires-dist", "provides-extra", "requires-python", "dynamic"}
)


def _appends_bind(meta: ParsedMetadata) -> bool:
    """Whether a file is Metadata 2.6 or later and sets a multiple-use field it also lists as
    Dynamic: PEP 808 makes those values binding (a wheel may only append)."""
    version = _version_of(meta.metadata_version)
    if version is None or version < Version("2.6"):
        return False
    return any(
        spec.multiple and meta.values(spec.header) for spec in FIELDS if spec.header in meta.dynamic
    )


def duplicate_findings(artifact: Artifact) -> list[Finding]:
    """An archive holding its metadata member more than once (``duplicate-pkg-info``).

    Copies that say the same (byte-identical, or differing only in spelling or in a
    Metadata-Version that seals both) are information: nothing reads them differently, and
    nothing is to be done. Copies that differ in descriptive fields such as Keywords are a
    warning. Copies that disagree on a field installers act on, or on what they promise, are an
    error: unpacking leaves the last one, a tool that streams the archive may read the first,
    and they would resolve different dependencies.
    """
    findings = []
    for copy in artifact.duplicates:
        other = dataclasses.replace(artifact, metadata=copy, duplicates=())
        differing = [
            diff
            for diff in field_diffs(other.parsed, artifact.parsed)
            if not diff.delta.equal and diff.header != "metadata-version"
        ]
        meaningful = [diff.name for diff in differing if diff.header in INSTALLER_FIELDS]
        if formats.is_sealed(other.parsed.metadata_version) != formats.is_sealed(
            artifact.parsed.metadata_version
        ):
            meaningful.append("Metadata-Version (one copy promises, the other does not)")
        elif _appends_bind(other.parsed) != _appends_bind(artifact.parsed):
            meaningful.append(
                "Metadata-Version (under 2.6 one copy's Dynamic values bind the wheel, the "
                "other's do not)"
            )
        stale = (
            "The backend kept the PKG-INFO of the sdist it was rebuilt from next to the one it "
            "wrote."
        )
        if meaningful:
            fields = ", ".join(f"`{name}`" for name in meaningful)
            findings.append(
                Finding(
                    field="(file)",
                    rule="duplicate-pkg-info",
                    severity=Severity.ERROR,
                    message=f"`{artifact.label}` holds two PKG-INFO files that disagree on "
                    f"{fields}: unpacking it (pip, build) leaves the last one, a tool that "
                    f"streams the archive may read the first. {stale}",
                    hint="Build the sdist from the source tree (a VCS checkout), not from an "
                    "unpacked sdist, or delete the stale PKG-INFO before building.",
                    left=Side(artifact.label, None, None),
                )
            )
        else:
            if copy == artifact.metadata:
                same = "two byte-identical PKG-INFO files"
            elif differing:
                names = ", ".join(f"`{diff.name}`" for diff in differing)
                same = f"two PKG-INFO files that differ only in descriptive fields ({names})"
            else:
                same = "two PKG-INFO files that mean the same"
            findings.append(
                Finding(
                    field="(file)",
                    rule="duplicate-pkg-info",
                    severity=Severity.WARNING if differing else Severity.INFO,
                    message=f"`{artifact.label}` holds {same}; installers and resolvers read "
                    f"the same dependencies from either. {stale}",
                    hint="Build the sdist from the source tree to avoid the extra copy; "
                    "nothing else to do.",
                    left=Side(artifact.label, None, None),
                )
            )
    return findings
