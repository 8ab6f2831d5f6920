"""``entry_points.txt`` compared by meaning: sections and entries, not spelling (pure).

PEP 517 binds the whole prepared ``.dist-info``, and installers act on ``entry_points.txt``
(console scripts, plugins). The file is read as :mod:`importlib.metadata` reads it: lines are
stripped, empty lines and ``#``/``;`` comments are skipped, ``[group]`` opens a section and
``name = value`` is one entry. An object reference ``module:attr [extras]`` is compared by its
parts, so whitespace around ``=`` and ``:``, the order of sections and entries, and comments do
not count.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from metaseal.engine.findings import Finding, Severity, Side

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["ENTRY_POINTS", "compare_entry_points", "parse_entry_points"]

#: The file's name inside a ``.dist-info`` directory.
ENTRY_POINTS = "entry_points.txt"

# importlib.metadata.EntryPoint.pattern, with the extras split out.
_REFERENCE = re.compile(
    r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$", re.UNICODE
)

Entry = tuple[str, str, str]  # (group, name, normalized value)


def _normal_value(value: str) -> str:
    match = _REFERENCE.match(value)
    if match is None:
        return " ".join(value.split())
    text = match["module"] + (f":{match['attr']}" if match["attr"] else "")
    if match["extras"]:
        extras = (part.strip() for part in match["extras"][1:-1].split(","))
        text += f" [{','.join(sorted(filter(None, extras)))}]"
    return text


def parse_entry_points(data: bytes | None) -> tuple[frozenset[Entry], tuple[str, ...]]:
    """The entries of one ``entry_points.txt`` (absent: none), and the lines that are neither
    a section, an entry, a comment nor empty (reported, never silently dropped)."""
    if data is None:
        return frozenset(), ()
    text = data.decode("utf-8", errors="replace")
    entries: set[Entry] = set()
    junk: list[str] = []
    group: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
            continue
        name, sep, value = line.partition("=")
        if not sep or group is None or not name.strip():
            junk.append(line)
            continue
        entries.add((group, name.strip(), _normal_value(value.strip())))
    return frozenset(entries), tuple(junk)


def _shown(entries: Iterable[Entry]) -> tuple[str, ...]:
    return tuple(f"[{group}] {name} = {value}" for group, name, value in sorted(entries))


def compare_entry_points(
    prepared: bytes | None, built: bytes | None, *, left: str, right: str
) -> list[Finding]:
    """Findings under ``prepared-entry-points`` when the built wheel's ``entry_points.txt``
    means something other than the prepared one (an absent file means no entry points)."""
    if prepared == built:
        return []
    (before, junk_before), (after, junk_after) = (
        parse_entry_points(prepared),
        parse_entry_points(built),
    )
    findings: list[Finding] = []
    if before != after:
        removed, added = _shown(before - after), _shown(after - before)
        changes = []
        if removed:
            changes.append(f"lacks {', '.join(removed)}")
        if added:
            changes.append(f"adds {', '.join(added)}")
        findings.append(
            Finding(
                field=ENTRY_POINTS,
                rule="prepared-entry-points",
                severity=Severity.ERROR,
                message=f"The wheel's `{ENTRY_POINTS}` {' and '.join(changes)} compared with "
                "the one prepare_metadata_for_build_wheel returned.",
                hint="Make the backend declare the same entry points when it prepares metadata "
                "and when it builds the wheel (a build hook that adds entry points must run in "
                "both).",
                left=Side(left, _shown(before), _shown(before)),
                right=Side(right, _shown(after), _shown(after)),
                added=added,
                removed=removed,
            )
        )
    if junk_before != junk_after:
        findings.append(
            Finding(
                field=ENTRY_POINTS,
                rule="prepared-entry-points",
                severity=Severity.ERROR,
                message=f"The wheel's `{ENTRY_POINTS}` has other unreadable lines than the "
                "prepared one (lines outside a section, or without `=`).",
                hint=f"Fix the backend so that it writes a valid `{ENTRY_POINTS}`.",
                left=Side(left, junk_before, junk_before),
                right=Side(right, junk_after, junk_after),
                added=tuple(line for line in junk_after if line not in junk_before),
                removed=tuple(line for line in junk_before if line not in junk_after),
            )
        )
    return findings
