"""What a static ``[project]`` table promises about every file of a release (PEP 621/808; pure).

Keys listed in ``project.dynamic`` are excluded, except PEP 808 keys that are both written and
dynamic: those promise "at least these entries, in this order". The table is turned into core
metadata by :mod:`pyproject_metadata` in :mod:`metaseal.sources.pyproject`; here the result is
compared, key by key, with what a backend wrote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from metaseal.engine.compare import FieldDiff, field_finding
from metaseal.engine.fields import (
    FIELDS,
    FIELDS_BY_HEADER,
    Delta,
    FieldSpec,
    compare_items,
    is_extra_requirement,
    items_of,
    parse_addresses,
    parse_requirement,
    requirement_key,
)
from metaseal.engine.findings import Finding, Severity, Side
from metaseal.engine.markers import split_extra

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.model import ParsedMetadata

__all__ = [
    "DESCRIPTIVE_KEYS",
    "KEY_FIELDS",
    "StaticProject",
    "check_against_project",
    "compare_pyproject",
]

#: ``[project]`` keys installers and resolvers do not act on. A backend that renders one of them
#: differently from PEP 621 (drops a name-only author, adds classifiers, writes a license file
#: instead of its text) is reported as a warning naming what changed, an error only with
#: ``strict``: the maintainer cannot fix the backend, and the release's files still agree with
#: each other. Every other key (name, version, dependencies, optional-dependencies,
#: requires-python, import names) keeps the full force of an error.
DESCRIPTIVE_KEYS = frozenset(
    {
        "description",
        "readme",
        "license",
        "license-files",
        "authors",
        "maintainers",
        "keywords",
        "classifiers",
        "urls",
    }
)
_DESCRIPTIVE_NOTE = (
    " Installers do not act on this field, so it is a warning (an error with `strict`)."
)


def _key_fields() -> dict[str, tuple[str, ...]]:
    keys: dict[str, list[str]] = {}
    for spec in FIELDS:
        for key in spec.pyproject:
            keys.setdefault(key, []).append(spec.name)
    return {key: tuple(names) for key, names in keys.items()}


#: ``[project]`` keys and the METADATA fields they fill (entry points live elsewhere), derived
#: from the field table.
KEY_FIELDS: dict[str, tuple[str, ...]] = _key_fields()


@dataclass(frozen=True)
class StaticProject:
    """What ``[project]`` fixes: the keys written, the keys dynamic, and the metadata they make."""

    label: str
    name: str
    #: ``None`` when the version is dynamic.
    version: str | None
    written: frozenset[str]
    dynamic: frozenset[str]
    metadata: ParsedMetadata
    #: ``tool.metaseal.allow-dynamic`` when the table sets it: the fields the project's sdists
    #: may list as Dynamic (``None``: any).
    allow_dynamic: tuple[str, ...] | None = None
    #: The people of ``authors`` / ``maintainers`` as written: ``(name, email)``, either may be
    #: empty (no placeholder name is invented for an e-mail-only person).
    people: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: The license as written: ``("spdx", expr)``, ``("text", text)``, ``("file", path, text)``.
    license: tuple[str, ...] = ()
    #: Problems the PEP 621 reader found that the inner backend may not share (for example an
    #: SPDX ``license`` next to ``License ::`` classifiers); the keys named are not checked.
    problems: tuple[tuple[str, str], ...] = ()


def _view(key: str, meta: ParsedMetadata) -> dict[str, list[str]]:
    """The items of the fields one ``[project]`` key fills, in ``meta``."""
    view = {}
    for name in KEY_FIELDS[key]:
        spec = FIELDS_BY_HEADER[name.lower()]
        items = items_of(spec, meta.values(spec.header))
        if name == "Requires-Dist":  # shared by dependencies and optional-dependencies
            want_extra = key == "optional-dependencies"
            items = [item for item in items if is_extra_requirement(item) == want_extra]
        view[name] = items
    return view


def _finding(
    spec: FieldSpec,
    rule: str,
    message: str,
    hint: str,
    project: StaticProject,
    label: str,
    expected: list[str],
    actual: list[str],
    delta: Delta,
    severity: Severity | None = None,
) -> Finding:
    diff = FieldDiff(spec, spec.header, expected, actual, delta)
    return field_finding(diff, rule, message, hint, project.label, label, severity)


def _judge(
    key: str,
    spec: FieldSpec,
    project: StaticProject,
    label: str,
    expected: list[str],
    actual: list[str],
) -> Finding | None:
    delta = compare_items(spec, expected, actual)
    if delta.identical:
        return None
    written, dynamic = key in project.written, key in project.dynamic
    args = (project, label, expected, actual, delta)
    descriptive = key in DESCRIPTIVE_KEYS
    note = _DESCRIPTIVE_NOTE if descriptive else ""
    severity = Severity.WARNING if descriptive else None
    if written and dynamic:
        if delta.left_kept_in_order and not delta.removed:
            return None
        return _finding(
            spec,
            "pyproject-append-only",
            f"`project.{key}` is both written and "
            f"dynamic, so `{spec.name}` may only gain entries, but `{label}` "
            f"drops, changes or reorders written ones.{note}",
            "Keep the written entries unchanged and in order; only append.",
            *args,
            severity=severity,
        )
    if written:
        if delta.equal:
            return _finding(
                spec,
                "cosmetic",
                f"`{spec.name}` matches `project.{key}` up to spelling or order.",
                "Nothing to do.",
                *args,
            )
        return _finding(
            spec,
            "pyproject-static",
            f"`{label}` has a `{spec.name}` that differs from the static `project.{key}`.{note}",
            _static_hint(key),
            *args,
            severity=severity,
        )
    if dynamic or not actual:
        return None
    if key == "license-files" or (key == "readme" and spec.name == "Description-Content-Type"):
        return None  # the two written exceptions: license auto-discovery, readme content type
    quirk = key == "import-names"  # quirk "flit-undeclared-import-name"
    return _finding(
        spec,
        "pyproject-undeclared",
        f"`{label}` has `{spec.name}` although "
        f"`project.{key}` is neither written nor listed in `project.dynamic`.{note}",
        f"Write `project.{key}` with the value the backend writes"
        + ("" if descriptive else f', or add "{key}" to `project.dynamic`')
        + ".",
        *args,
        severity=Severity.WARNING if quirk or descriptive else None,
    )


def _static_hint(key: str) -> str:
    if key in DESCRIPTIVE_KEYS:
        return (
            f"The backend renders `project.{key}` its own way; write `project.{key}` in a form "
            "it keeps, or leave it as it is (the warning does not fail the build)."
        )
    return f'Make the build keep `project.{key}` as written, or add "{key}" to `project.dynamic`.'


def _person(text: str) -> str:
    """A name or address as one spelling: white space collapsed, Unicode NFC (poetry's own
    pyproject.toml spells `Sébastien` with a combining accent, its PKG-INFO without)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _split_names(text: str) -> set[str]:
    return {_person(part) for part in text.split(",") if part.strip()}


#: Names backends write for a person who has only an e-mail address (pyproject-metadata:
#: ``Unknown <a@b>``; distutils: ``UNKNOWN``). They name nobody.
_PLACEHOLDER_NAMES = frozenset({"unknown", "none"})


def _people_in(meta: ParsedMetadata, field: str) -> tuple[set[str], set[str]]:
    """Names and addresses in ``Author``/``Maintainer`` and ``*-email`` taken together.

    `[project]` puts a person with name and e-mail into ``Author-email: Name <e>``; poetry-core
    writes ``Author: Name`` plus ``Author-email: e``; hatchling repeats names in ``Author``.
    All name the same people.
    """
    names: set[str] = set()
    for value in meta.values(field):
        names |= _split_names(value)
    addresses: set[str] = set()
    header = f"{field.lower()}-email"
    for name, address in parse_addresses(meta.values(header)):
        if name and not (address and name.strip().lower() in _PLACEHOLDER_NAMES):
            names.add(_person(name))
        if address:
            addresses.add(_person(address).lower())
    return names, addresses


def _people_as_written(written: tuple[tuple[str, str], ...]) -> tuple[set[str], set[str]]:
    names: set[str] = set()
    addresses: set[str] = set()
    for name, address in written:
        names |= _split_names(name)
        if address.strip():
            addresses.add(_person(address).lower())
    return names, addresses


def _people_findings(
    key: str, project: StaticProject, label: str, meta: ParsedMetadata, found: list[Finding]
) -> list[Finding]:
    """``authors``/``maintainers`` compared as people (names, addresses), however split."""
    field = "Author" if key == "authors" else "Maintainer"
    want = _people_as_written(project.people.get(key, ()))
    have = _people_in(meta, field)
    if want == have:
        return [
            replace(
                f,
                rule="cosmetic",
                severity=Severity.COSMETIC,
                message=f"`{f.field}` names the same people as `project.{key}`, "
                "split differently between the name and e-mail fields.",
                hint="Nothing to do.",
            )
            for f in found
        ]
    lost = sorted((want[0] - have[0]) | (want[1] - have[1]))
    added = sorted((have[0] - want[0]) | (have[1] - want[1]))
    what = "; ".join(
        part
        for part in (
            f"missing: {', '.join(lost)}" if lost else "",
            f"not in `project.{key}`: {', '.join(added)}" if added else "",
        )
        if part
    )
    return [
        replace(
            f,
            severity=Severity.WARNING,
            message=f"`{label}` does not name the same people as `project.{key}` ({what})."
            + _DESCRIPTIVE_NOTE,
            hint=_static_hint(key),
        )
        for f in found
    ]


def _license_findings(
    project: StaticProject, meta: ParsedMetadata, found: list[Finding]
) -> list[Finding]:
    """``license`` in every form a backend may render it: SPDX expression or ``License``
    text for a string; the text, or only ``License-File`` entries, for the table forms."""
    if not found or not project.license:
        return found
    form = project.license[0]
    text = " ".join(project.license[-1].split()) if form != "file" else ""
    if form == "file":
        text = " ".join(project.license[2].split()) if len(project.license) > 2 else ""
    have_text = " ".join(" ".join(meta.values("license")).split())
    have_files = {v.strip() for v in meta.values("license-file")}
    have_expression = [v.strip() for v in meta.values("license-expression")]
    same = False
    if form == "spdx":
        same = have_text == text and not have_expression  # older backends: `License: MIT`
    elif form == "text":
        same = not have_expression and have_text == text
    elif form == "file":
        path = project.license[1]
        same = not have_expression and (have_text == text or (not have_text and path in have_files))
    if not same:
        return found
    return [
        replace(
            f,
            rule="cosmetic",
            severity=Severity.COSMETIC,
            message=f"`{f.field}` says what `project.license` says, in the backend's own form.",
            hint="Nothing to do.",
        )
        for f in found
    ]


def check_against_project(
    project: StaticProject, label: str, meta: ParsedMetadata
) -> list[Finding]:
    """Findings for one built file's metadata against the static ``[project]`` table."""
    findings = [_problem(project, label, key, message) for key, message in project.problems]
    unchecked = {key for key, _ in project.problems}
    for key in KEY_FIELDS:
        if key in unchecked or (key == "version" and project.version is None):
            continue
        expected_view: Mapping[str, list[str]] = _view(key, project.metadata)
        actual_view = _view(key, meta)
        found = [
            finding
            for name, expected in expected_view.items()
            if (
                finding := _judge(
                    key, FIELDS_BY_HEADER[name.lower()], project, label, expected, actual_view[name]
                )
            )
            is not None
        ]
        if key in ("authors", "maintainers") and key in project.written and found:
            if key not in project.dynamic:
                found = _people_findings(key, project, label, meta, found)
        elif key == "license" and key in project.written and key not in project.dynamic:
            found = _license_findings(project, meta, found)
        elif key == "optional-dependencies" and found and key not in project.dynamic:
            found = _self_extra_findings(project, expected_view, actual_view, found)
        findings.extend(found)
    return findings


def compare_pyproject(project: StaticProject, artifact: Artifact) -> list[Finding]:
    """PEP 621 / PEP 808: what the static ``[project]`` table promises about a built file."""
    return check_against_project(project, artifact.label, artifact.parsed)


def _self_extra_findings(
    project: StaticProject,
    expected: Mapping[str, list[str]],
    actual: Mapping[str, list[str]],
    found: list[Finding],
) -> list[Finding]:
    """hatchling writes an extra that names the project's own extras (``cov = ["attrs[tests]"]``)
    with those extras' requirements inlined: for installers the same packages, so cosmetic."""
    want = _by_extra(expected["Requires-Dist"], project.name)
    if want is None or want != _by_extra(actual["Requires-Dist"], project.name):
        return found
    return [
        replace(
            f,
            rule="cosmetic",
            severity=Severity.COSMETIC,
            message=f"`{f.field}` lists what `project.optional-dependencies` lists; the backend "
            "inlined the extras the project's own extras name (`project[other-extra]`).",
            hint="Nothing to do.",
        )
        if f.field == "Requires-Dist"
        else f
        for f in found
    ]


_Entry = tuple[str, str]  # (requirement without marker, the marker without its extra)


def _by_extra(items: list[str], name: str) -> dict[str, frozenset[_Entry]] | None:
    """Extra -> its requirements, with the project's references to its own extras inlined;
    ``None`` when a requirement's marker is not ``extra == "x"`` and the rest."""
    direct: dict[str, set[_Entry]] = {}
    own: dict[str, set[str]] = {}
    for item in items:
        requirement = parse_requirement(item)
        split = split_extra(requirement.marker) if requirement is not None else None
        if requirement is None or split is None:
            return None
        extra, rest = split
        own_extras = canonicalize_name(requirement.name) == canonicalize_name(name)
        if own_extras and not rest and not requirement.specifier and requirement.url is None:
            own.setdefault(extra, set()).update(canonicalize_name(e) for e in requirement.extras)
            continue
        direct.setdefault(extra, set()).add((requirement_key(item, marker=False), rest))

    def expand(extra: str, seen: frozenset[str]) -> set[_Entry]:
        entries = set(direct.get(extra, ()))
        for other in own.get(extra, ()):
            if other not in seen:
                entries |= expand(other, seen | {other})
        return entries

    return {extra: frozenset(expand(extra, frozenset({extra}))) for extra in direct.keys() | own}


def _problem(project: StaticProject, label: str, key: str, message: str) -> Finding:
    return Finding(
        field="(pyproject)",
        rule="pyproject-invalid",
        # The backend decides what is valid: a stricter reader has nothing to hold against a
        # descriptive key (hatchling accepts an SPDX license next to `License ::` classifiers).
        severity=Severity.INFO if key in DESCRIPTIVE_KEYS else Severity.WARNING,
        message=f"`{project.label}`: {message} The build backend decides what is valid, so "
        f"`project.{key}` was not compared with `{label}`; the rest of `[project]` was.",
        hint=f"Fix `project.{key}` if the backend's documentation agrees; otherwise nothing to do.",
        left=Side(project.label, key, key),
    )
