"""``--format github``: GitHub Actions workflow commands, one per error or warning; pure.

See https://docs.github.com/actions/reference/workflow-commands-for-github-actions: the
message escapes ``%``, CR and LF; a property value also escapes ``:`` and ``,``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaseal.engine.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from metaseal.engine.findings import Finding
    from metaseal.engine.release import Release
    from metaseal.errors import MetasealError

__all__ = ["annotation", "render_github", "render_github_findings"]


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str, message: str, *, file: str | None = None, title: str | None = None
) -> str:
    """One ``::error ...::message`` line (``level`` is ``error``, ``warning`` or ``notice``)."""
    props = []
    if file is not None:
        props.append(f"file={_property(file)}")
    if title is not None:
        props.append(f"title={_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{_data(message)}"


def render_github_findings(findings: Sequence[Finding], paths: Mapping[str, str]) -> list[str]:
    """An annotation per error and warning; ``paths`` maps a file's label to its path."""
    out = []
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        if finding.severity not in (Severity.ERROR, Severity.WARNING):
            continue
        blamed = finding.right or finding.left
        label = blamed.artifact if blamed is not None else None
        where = " -> ".join(finding.artifacts)
        message = f"{finding.message}\nfix: {finding.hint}"
        out.append(
            annotation(
                finding.severity.value,
                f"{where}: {message}" if where else message,
                file=paths.get(label, label) if label else None,
                title=f"{finding.field} [{finding.rule}]",
            )
        )
    return out


def render_github(
    releases: Sequence[Release], errors: Sequence[MetasealError], summary: str
) -> str:
    """The annotations of every release, one per unreadable input, then ``summary``."""
    out = []
    for release in releases:
        paths = {a.label: a.source for a in release.artifacts}
        out += render_github_findings(release.findings, paths)
    for error in errors:
        path = getattr(error, "path", None)
        out.append(annotation("error", str(error), file=path if isinstance(path, str) else None))
    out.append(summary)
    return "\n".join(out) + "\n"
