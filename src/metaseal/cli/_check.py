"""``metaseal check`` and ``metaseal diff``: read sources, run the engine, render, exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.errors import ArtifactError, MetasealError, UsageError, escape_controls, plural

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.findings import Finding, Severity
    from metaseal.engine.project import StaticProject

__all__ = ["run_check", "run_diff"]


def _is_pyproject(source: str) -> bool:
    return Path(source).name == "pyproject.toml"


def _read_project(source: str) -> StaticProject:
    from metaseal.sources.pyproject import read_static_project

    if not Path(source).is_file():
        raise ArtifactError(source, "does not exist or is not a file.")
    return read_static_project(Path(source))


def _projects_and_sources(
    args: argparse.Namespace,
) -> tuple[list[StaticProject], list[str], list[MetasealError]]:
    """``pyproject.toml`` sources become projects to check against; the rest are read."""
    projects: list[StaticProject] = []
    errors: list[MetasealError] = []
    sources: list[str] = []
    for source in args.sources:
        if _is_pyproject(source):
            try:
                projects.append(_read_project(source))
            except ArtifactError as exc:
                errors.append(exc)
            _warn_vendored(Path(source))
        else:
            sources.append(source)
    return projects, sources, errors


def _warn_vendored(pyproject: Path) -> None:
    """A vendored metaseal (``init --in-tree``) edited by hand: say so on stderr."""
    from metaseal.cli._init import vendored_problems

    for problem in vendored_problems(pyproject):
        print(f"metaseal: warning: {escape_controls(problem)}", file=sys.stderr)


def _local(
    args: argparse.Namespace, sources: list[str]
) -> tuple[list[Artifact], list[MetasealError]]:
    from metaseal.sources.artifacts import discover

    used = [f"--{o.replace('_', '-')}" for o in _INDEX_ONLY if getattr(args, o)]
    if used:
        raise UsageError(f"{', '.join(used)} only apply with --index or --find-links.")
    artifacts, errors = discover(sources, python=args.python) if sources else ([], [])
    return artifacts, list(errors)


def _remote(
    args: argparse.Namespace, sources: list[str]
) -> tuple[list[Artifact], list[MetasealError]]:
    from metaseal.cli._network import network_from_args, requirement
    from metaseal.errors import NetworkError
    from metaseal.index.remote import select_versions
    from metaseal.scan.progress import Progress
    from metaseal.sources.artifacts import discover

    if not sources:
        raise UsageError(
            "name the projects to check on the index: `metaseal check --index URL NAME` "
            "(or `NAME==VERSION`)."
        )
    # `installed:` / `installed:NAME` stay local; the index is asked for their name==version.
    installed = [s for s in sources if s.startswith("installed:")]
    artifacts, found_errors = discover(installed, python=args.python) if installed else ([], [])
    errors: list[MetasealError] = list(found_errors)
    wanted = [requirement(source) for source in sources if source not in installed]
    wanted += [pinned for pinned in map(_pinned, artifacts) if pinned[0]]
    client, index = network_from_args(args)
    # On a terminal only, and only once reading takes more than a second; never on stdout.
    progress = Progress(
        0, unit="files", label="metaseal: reading", delay=1.0, enabled=_stderr_is_tty()
    )
    try:
        for name, spec in wanted:
            try:
                page = index.project(name)
                versions = select_versions(page, spec)
                found, failed = index.artifacts(page, versions, jobs=args.jobs, progress=progress)
            except (ArtifactError, NetworkError) as exc:
                errors.append(exc)
                continue
            artifacts += found
            errors += failed
    finally:
        progress.close()
        client.close()
    return artifacts, errors


def _pinned(artifact: Artifact) -> tuple[str, str | None]:
    """An installed distribution as the (name, ``==version``) to read from the index."""
    name = next(iter(artifact.parsed.values("name")), "")
    version = next(iter(artifact.parsed.values("version")), "")
    return name, f"=={version}" if version else None


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _default_sources(args: argparse.Namespace) -> None:
    """No SOURCE: ``./dist``, where ``python -m build`` writes (not with an index)."""
    if args.sources or args.index or args.find_links:
        return
    if not Path("dist").is_dir():
        raise UsageError(
            "no SOURCE given and there is no `dist` directory here; name the files or "
            "directories to check (`metaseal check path/to/dist`), or build first "
            "(`python -m build`)."
        )
    args.sources = ["dist"]


def run_check(args: argparse.Namespace) -> int:
    """``metaseal check``: local files, or (``--index``/``--find-links``) releases on an index;
    one report and one exit code either way."""
    from metaseal.engine.release import check_releases
    from metaseal.errors import NetworkError
    from metaseal.report.jsondoc import render_json
    from metaseal.report.text import render_summary, render_text

    _default_sources(args)
    projects, sources, errors = _projects_and_sources(args)
    read = _remote if args.index or args.find_links else _local
    artifacts, read_errors = read(args, sources)
    errors += read_errors
    releases = check_releases(artifacts, projects, strict=args.strict, upload=_upload(args))
    matched = {label for release in releases for label in release.projects}
    errors.extend(
        ArtifactError(
            p.label,
            f"describes project `{p.name}`, but no file of that "
            "project (and version) was given; name its sdist or wheels too.",
        )
        for p in projects
        if p.label not in matched and read is _local
    )
    code = _code((f for r in releases for f in r.findings), args.strict)
    if errors:
        code = 4 if any(isinstance(e, NetworkError) for e in errors) else 3
    if args.format == "json":
        sys.stdout.write(render_json(releases, errors, strict=args.strict, exit_code=code))
    elif args.format == "github":
        from metaseal.report.github import render_github
        from metaseal.report.text import render_summary

        summary = render_summary(releases, len(errors), strict=args.strict)
        sys.stdout.write(escape_controls(render_github(releases, errors, summary)))
    else:
        text = render_text(
            releases, [], strict=args.strict, cosmetic=args.cosmetic, quiet=args.quiet
        )
        if args.quiet and errors:  # the summary line counts the unreadable inputs too
            lines = text.rstrip("\n").split("\n")
            lines[-1] = render_summary(releases, len(errors), strict=args.strict)
            text = "\n".join(lines) + "\n"
        _write_text(escape_controls(text))
        for error in errors:
            print(f"metaseal: error: {escape_controls(str(error))}", file=sys.stderr)
    return code


def _write_text(text: str) -> None:
    from metaseal.report.style import colour, use_colour

    sys.stdout.write(colour(text) if use_colour(sys.stdout) else text)


def _upload(args: argparse.Namespace) -> Severity | None:
    """``--target``: PyPI's upload rules as errors (``pypi``), not at all (``none``), or by
    default as warnings for local files (files read from an index were already accepted)."""
    from metaseal.engine.findings import Severity

    target = getattr(args, "target", None)
    if target == "pypi":
        return Severity.ERROR
    if target == "none" or args.index or args.find_links:
        return None
    return Severity.WARNING


_INDEX_ONLY = ("sdists", "allow_download", "cert", "cache_dir", "no_cache")


def _code(findings: Iterable[Finding], strict: bool) -> int:
    """1 when a finding fails the check (errors; warnings too when ``strict``), else 0."""
    return 1 if any(f.severity.fails(strict=strict) for f in findings) else 0


def _read(source: str, python: str | None) -> Artifact | StaticProject:
    from metaseal.sources.artifacts import read_source

    return _read_project(source) if _is_pyproject(source) else read_source(source, python=python)


def _diff_findings(a: Artifact | StaticProject, b: Artifact | StaticProject) -> list[Finding]:
    from metaseal.engine.artifact import Artifact, Kind, Role
    from metaseal.engine.compare import compare_identical, compare_sdist_wheel
    from metaseal.engine.project import compare_pyproject

    if not isinstance(a, Artifact) and not isinstance(b, Artifact):
        raise UsageError(
            "metaseal diff compares a pyproject.toml with a built file, not with "
            "another pyproject.toml; name an sdist, a wheel or a metadata file."
        )
    if not isinstance(a, Artifact):
        assert isinstance(b, Artifact)
        return compare_pyproject(a, b)
    if not isinstance(b, Artifact):
        return compare_pyproject(b, a)
    if a.role is Role.SDIST and b.role is Role.WHEEL:
        return compare_sdist_wheel(a, b)
    if a.role is Role.WHEEL and b.role is Role.SDIST:
        return compare_sdist_wheel(b, a)
    if Kind.SIDECAR in (a.kind, b.kind):
        sidecar, other = (a, b) if a.kind is Kind.SIDECAR else (b, a)
        return compare_identical(sidecar, other, rule="sidecar", byte_rule="sidecar-bytes")
    return compare_identical(a, b, rule="identical")


def run_diff(args: argparse.Namespace) -> int:
    import json

    from metaseal.report.jsondoc import SCHEMA_VERSION, finding_json
    from metaseal.report.text import render_findings

    a, b = _read(args.left, args.python), _read(args.right, args.python)
    findings = _diff_findings(a, b)
    code = _code(findings, args.strict)
    if args.format == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "exit_code": code,
            "left": args.left,
            "right": args.right,
            "findings": [finding_json(f) for f in findings],
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif args.format == "github":
        from metaseal.engine.artifact import Artifact
        from metaseal.report.github import render_github_findings

        paths = {s.label: s.source for s in (a, b) if isinstance(s, Artifact)}
        lines = render_github_findings(findings, paths)
        meaningful = [f for f in findings if f.severity.value != "cosmetic"]
        lines.append(f"{args.left} and {args.right}: {plural(len(meaningful), 'difference')}")
        sys.stdout.write(escape_controls("\n".join(lines) + "\n"))
    else:
        body = render_findings(findings, cosmetic=args.cosmetic, quiet=args.quiet)
        meaningful = [f for f in findings if f.severity.value != "cosmetic"]
        head = f"{args.left} and {args.right}: " + (
            plural(len(meaningful), "difference") if meaningful else "same meaning"
        )
        _write_text(escape_controls(head + "\n" + (f"\n{body}\n" if body else "")))
    return code
