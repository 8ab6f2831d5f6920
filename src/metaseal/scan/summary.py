"""``metaseal scan report``: summarise a scan database as Markdown, JSON or CSV (reads only).

The summary (:func:`summarize`) holds the totals; the releases whose files disagree with an
error, by field; the releases whose wheels vary, each variation with its kind (``no-op``,
``expressible`` with markers by a verified proposal, or ``inexpressible``, with the reason);
and the projects that could not be read. Findings and variation keep the JSON shapes of
``metaseal check --format json`` (``findings``, ``variation``, ``proposal``,
``inexpressible``); each variation entry gains ``kind`` and ``reason``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from metaseal.errors import ArtifactError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.scan.db import ScanDB

__all__ = ["REPORT_SCHEMA_VERSION", "render", "summarize"]

#: Version of the JSON summary; bumped on any incompatible change.
REPORT_SCHEMA_VERSION = 1
KINDS = ("no-op", "expressible", "inexpressible")
CSV_COLUMNS = ("name", "version", "field", "kind", "count", "rules", "details")


def _order(name: str, version: str) -> tuple[str, int, Version | None, str]:
    try:
        return (name, 0, Version(version), version)
    except ValueError:  # InvalidVersion, or a number past the int digit limit
        return (name, 1, None, version)


def summarize(db: ScanDB) -> dict[str, Any]:
    """Everything the report shows, as plain data (the JSON format, as is)."""
    statuses = Counter(db.project_statuses())
    releases = db.releases()
    releases.sort(key=lambda row: _order(row[0], row[1]))
    roles = Counter(db.file_roles())
    kinds: dict[tuple[str, str], dict[tuple[str, str], tuple[str, str]]] = defaultdict(dict)
    for name, version, field, value, kind, reason in db.variation():
        kinds[(name, version)][(field, value)] = (kind, reason)
    with_errors, varying = [], []
    errors_by_field: dict[str, dict[str, Any]] = {}
    variation_by_field: dict[str, dict[str, int]] = {}
    for name, version, exit_code, report_json in releases:
        try:
            document = json.loads(report_json)
            errors = [f for f in document["findings"] if f["severity"] == "error"]
            if exit_code and errors:
                with_errors.append({"name": name, "version": version, "findings": errors})
                for field, rules in _group(errors).items():
                    entry = errors_by_field.setdefault(field, {"releases": 0, "rules": {}})
                    entry["releases"] += 1
                    for rule in rules:
                        entry["rules"][rule] = entry["rules"].get(rule, 0) + 1
            mine = kinds.get((name, version))
            if not mine:
                continue
            variation = []
            for item in document["variation"]:
                kind, reason = mine.get((item["field"], item["value"]), ("inexpressible", ""))
                variation.append({**item, "kind": kind, "reason": reason})
                counts = variation_by_field.setdefault(item["field"], dict.fromkeys(KINDS, 0))
                counts[kind] += 1
            varying.append(
                {
                    "name": name,
                    "version": version,
                    "wheels": sum(1 for a in document["artifacts"] if a["role"] == "wheel"),
                    "variation": variation,
                    "proposal": document["proposal"],
                    "inexpressible": document["inexpressible"],
                }
            )
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise _damaged(db, name, version, exc) from None
    failed = [
        {"name": name, "attempts": attempts, "error": error}
        for name, attempts, error in db.failed_projects()
    ]
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "index": db.index,
        "totals": {
            "projects": sum(statuses.values()),
            "done": statuses["done"],
            "failed": statuses["failed"],
            "pending": statuses["pending"],
            "releases": len(releases),
            "releases_with_errors": len(with_errors),
            "releases_with_variation": len(varying),
            "files": sum(roles.values()),
            "wheels": roles["wheel"],
            "sdists": roles["sdist"],
        },
        "errors_by_field": dict(sorted(errors_by_field.items())),
        "variation_by_field": dict(sorted(variation_by_field.items())),
        "releases_with_errors": with_errors,
        "releases_with_variation": varying,
        "failed_projects": failed,
    }


def _damaged(db: ScanDB, name: str, version: str, exc: Exception) -> ArtifactError:
    detail = f"{type(exc).__name__}: {exc}"
    return ArtifactError(
        str(db.path),
        f"the stored report of {name} {version} is not a metaseal JSON report ({detail[:200]}); "
        "the database is damaged. Scan again into a new `--db FILE`.",
    )


def _group(findings: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for finding in findings:
        fields.setdefault(finding["field"], []).append(finding["rule"])
    return fields


def render(db: ScanDB, fmt: str) -> str:
    """The report of ``db`` in ``fmt``: ``md``, ``json`` or ``csv``."""
    summary = summarize(db)
    if fmt == "json":
        return json.dumps(summary, indent=2) + "\n"
    try:
        return _csv(summary) if fmt == "csv" else _markdown(summary)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a stored report's shape
        detail = f"{type(exc).__name__}: {exc}"
        raise ArtifactError(
            str(db.path),
            f"holds a stored report that is not a metaseal JSON report ({detail[:200]}); the "
            "database is damaged. Scan again into a new `--db FILE`.",
        ) from None


def _csv(summary: dict[str, Any]) -> str:
    """One row per release x field x kind (``error`` or a variation kind)."""
    rows: list[tuple[str, str, str, str, int, str, str]] = []
    for release in summary["releases_with_errors"]:
        key = (release["name"], release["version"])
        for field, findings in _by_field(release["findings"]).items():
            rules = ";".join(sorted({f["rule"] for f in findings}))
            details = " | ".join(f["message"] for f in findings)
            rows.append((*key, field, "error", len(findings), rules, details))
    for release in summary["releases_with_variation"]:
        key = (release["name"], release["version"])
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for item in release["variation"]:
            groups[(item["field"], item["kind"])].append(item["value"])
        for (field, kind), values in groups.items():
            rows.append((*key, field, kind, len(values), "", " | ".join(values)))
    rows.sort(key=lambda row: (*_order(row[0], row[1]), row[2], row[3]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def _by_field(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    fields: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        fields.setdefault(finding["field"], []).append(finding)
    return fields


def _cell(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _table(head: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _release(entry: dict[str, Any]) -> str:
    return f"{entry['name']} {entry['version']}"


def _section(title: str, count: int, tables: list[str]) -> list[str]:
    return [f"## {title} ({count})", "", *(tables or ["None.", ""])]


def _errors(summary: dict[str, Any]) -> list[str]:
    if not summary["errors_by_field"]:
        return []
    by_field = [
        (field, entry["releases"], ", ".join(f"{r} ({n})" for r, n in entry["rules"].items()))
        for field, entry in summary["errors_by_field"].items()
    ]
    findings = [
        (_release(r), f["field"], f["rule"], " -> ".join(f["artifacts"]), f["message"])
        for r in summary["releases_with_errors"]
        for f in r["findings"]
    ]
    return _table(("field", "releases", "rules"), by_field) + _table(
        ("release", "field", "rule", "files", "message"), findings
    )


def _variation(summary: dict[str, Any]) -> list[str]:
    if not summary["variation_by_field"]:
        return []
    by_field = [
        (field, *counts.values()) for field, counts in summary["variation_by_field"].items()
    ]
    values = [
        (_release(r), v["field"], f"`{v['value']}`", v["kind"], v["pattern"], v["reason"])
        for r in summary["releases_with_variation"]
        for v in r["variation"]
    ]
    return _table(("field", *KINDS), by_field) + _table(
        ("release", "field", "value", "kind", "wheels with it", "why"), values
    )


def _markdown(summary: dict[str, Any]) -> str:
    totals = summary["totals"]
    files = f"{totals['files']} ({totals['wheels']} wheels, {totals['sdists']} sdists)"
    head = ("projects", "read", "failed", "pending", "releases", "with errors", "wheels vary")
    counts = tuple(totals[k] for k in ("projects", "done", "failed", "pending", "releases"))
    counts += (totals["releases_with_errors"], totals["releases_with_variation"])
    failed = [(p["name"], p["attempts"], p["error"]) for p in summary["failed_projects"]]
    out = ["# metaseal scan report", "", f"Index: {summary['index']}", ""]
    out += _table((*head, "files"), [(*counts, files)])
    out += _section("Releases with errors", totals["releases_with_errors"], _errors(summary))
    out += _section(
        "Releases whose wheels vary", totals["releases_with_variation"], _variation(summary)
    )
    out += _section(
        "Projects that could not be read",
        totals["failed"],
        _table(("project", "attempts", "error"), failed) if failed else [],
    )
    return "\n".join(out).rstrip("\n") + "\n"
