"""What a static ``[project]`` table promises about every file of a release (PEP 621/808; pure).

Keys listed in ``project.dynamic`` are excluded, except PEP 808 keys that are both written and
dynamic: those promise "at least these entries, in this order". The table is turned into core
metadata by :mod:`pyproject_metadata` in :mod:`metaseal.sources.pyproject`; here the result is
compared, key by key, with what a backend wrote.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from metaseal.engine.compare import FieldDiff, field_finding
from metaseal.engine.fields import (
    FIELDS,
    FIELDS_BY_HEADER,
    Delta,
    FieldSpec,
    compare_items,
    is_extra_requirement,
    items_of,
)
from metaseal.engine.findings import Finding, Severity

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.model import ParsedMetadata

__all__ = ["KEY_FIELDS", "StaticProject", "check_against_project", "compare_pyproject"]


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
    if written and dynamic:
        if delta.left_kept_in_order and not delta.removed:
            return None
        return _finding(
            spec,
            "pyproject-append-only",
            f"`project.{key}` is both written and "
            f"dynamic, so `{spec.name}` may only gain entries, but `{label}` "
            "drops, changes or reorders written ones.",
            "Keep the written entries unchanged and in order; only append.",
            *args,
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
            f"`{label}` has a `{spec.name}` that differs from the static `project.{key}`.",
            f'Make the build keep `project.{key}` as written, or add "{key}" to `project.dynamic`.',
            *args,
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
        f"`project.{key}` is neither written nor listed in `project.dynamic`.",
        f'Write `project.{key}`, or add "{key}" to `project.dynamic`.',
        *args,
        severity=Severity.WARNING if quirk else None,
    )


def _people(meta: ParsedMetadata, field: str) -> tuple[list[str], list[str]]:
    """Names and addresses of ``Author``/``Maintainer`` and ``*-email`` taken together.

    `[project]` puts a person with name and e-mail into ``Author-email: Name <e>``; poetry-core
    writes ``Author: Name`` plus ``Author-email: e``. Both name the same people.
    """
    names = [n.strip() for v in meta.values(field) for n in v.split(",") if n.strip()]
    addresses = []
    spec = FIELDS_BY_HEADER[f"{field.lower()}-email"]
    for name, address in email.utils.getaddresses(
        [" ".join(v.split()) for v in meta.values(spec.header)]
    ):
        if name:
            names.append(" ".join(name.split()))
        if address:
            addresses.append(address)
    return sorted(names), sorted(addresses)


def _same_people(key: str, project: StaticProject, meta: ParsedMetadata) -> bool:
    field = "Author" if key == "authors" else "Maintainer"
    return _people(project.metadata, field) == _people(meta, field)


def check_against_project(
    project: StaticProject, label: str, meta: ParsedMetadata
) -> list[Finding]:
    """Findings for one built file's metadata against the static ``[project]`` table."""
    findings = []
    for key in KEY_FIELDS:
        if key == "version" and project.version is None:
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
        if (
            key in ("authors", "maintainers")
            and key in project.written
            and key not in project.dynamic
            and _same_people(key, project, meta)
        ):
            found = [
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
        findings.extend(found)
    return findings


def compare_pyproject(project: StaticProject, artifact: Artifact) -> list[Finding]:
    """PEP 621 / PEP 808: what the static ``[project]`` table promises about a built file."""
    return check_against_project(project, artifact.label, artifact.parsed)
