"""``metaseal`` command line: parse arguments, read sources, run the engine, print, exit.

Exit codes (also in the docs): 0 no errors; 1 errors found (warnings too with ``--strict``);
2 usage error; 3 unreadable or invalid input; 4 network failure (index checks).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal import __version__
from metaseal.errors import ArtifactError, MetasealError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.artifacts import Artifact
    from metaseal.findings import Finding
    from metaseal.pyproject import StaticProject

__all__ = ["EXIT_CODES", "build_parser", "main"]

EXIT_CODES = {
    0: "no errors (cosmetic differences, info and, without --strict, warnings do not count)",
    1: "errors found (with --strict, warnings too)",
    2: "usage error: the command line is wrong",
    3: "an input is unreadable or invalid (the message names the file)",
    4: "network failure while reading an index",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metaseal",
        description="Check that every file of a Python release carries consistent core metadata.",
        epilog="exit codes: " + "; ".join(f"{k} {v}" for k, v in EXIT_CODES.items()),
    )
    parser.add_argument("--version", action="version", version=f"metaseal {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="output format (default: text)",
        )
        sub.add_argument("--strict", action="store_true", help="warnings fail too")
        sub.add_argument(
            "--cosmetic", action="store_true", help="also show cosmetic differences (text output)"
        )
        sub.add_argument(
            "--python", metavar="PATH", help="interpreter whose environment `installed:NAME` reads"
        )

    check = commands.add_parser(
        "check",
        help="check sets of files: sdists, wheels, .metadata sidecars",
        description="Check every release found in the given files and directories "
        "(directories are searched recursively for sdists, wheels and .metadata "
        "sidecars). Also accepts bare METADATA/PKG-INFO files, .dist-info "
        "directories, installed:NAME and a pyproject.toml to check against.",
    )
    common(check)
    check.add_argument("sources", nargs="+", metavar="SOURCE")
    diff = commands.add_parser(
        "diff",
        help="explain every difference between two metadata sources",
        description="Compare two sources under the rule that binds them: sdist -> wheel "
        "(PEP 643/808), pyproject.toml -> file (PEP 621/808), sidecar -> its "
        "distribution (PEP 658); any other pair must mean the same.",
    )
    common(diff)
    diff.add_argument("left", metavar="A")
    diff.add_argument("right", metavar="B")
    return parser


def _is_pyproject(source: str) -> bool:
    return Path(source).name == "pyproject.toml"


def _read_project(source: str) -> StaticProject:
    from metaseal.pyproject import read_static_project

    if not Path(source).is_file():
        raise ArtifactError(source, "does not exist or is not a file.")
    return read_static_project(Path(source))


def _check(args: argparse.Namespace) -> int:
    from metaseal.artifacts import discover
    from metaseal.release import check_releases
    from metaseal.report import render_json, render_text

    projects: list[StaticProject] = []
    errors: list[ArtifactError] = []
    files: list[str] = []
    for source in args.sources:
        if _is_pyproject(source):
            try:
                projects.append(_read_project(source))
            except ArtifactError as exc:
                errors.append(exc)
        else:
            files.append(source)
    artifacts, found_errors = discover(files, python=args.python) if files else ([], [])
    errors.extend(found_errors)
    releases = check_releases(artifacts, projects, strict=args.strict)
    matched = {label for release in releases for label in release.projects}
    errors.extend(
        ArtifactError(
            p.label,
            f"describes project `{p.name}`, but no file of that "
            "project (and version) was given; name its sdist or wheels too.",
        )
        for p in projects
        if p.label not in matched
    )
    worst = max((f.severity.rank for r in releases for f in r.findings), default=-1)
    code = 3 if errors else _code(worst, args.strict)
    if args.format == "json":
        sys.stdout.write(render_json(releases, errors, strict=args.strict, exit_code=code))
    else:
        sys.stdout.write(render_text(releases, [], strict=args.strict, cosmetic=args.cosmetic))
        for error in errors:
            print(f"metaseal: error: {error}", file=sys.stderr)
    return code


def _code(worst_rank: int, strict: bool) -> int:
    from metaseal.findings import Severity

    threshold = Severity.WARNING.rank if strict else Severity.ERROR.rank
    return 1 if worst_rank >= threshold else 0


def _read(source: str, python: str | None) -> Artifact | StaticProject:
    from metaseal.artifacts import read_source

    return _read_project(source) if _is_pyproject(source) else read_source(source, python=python)


def _diff_findings(a: Artifact | StaticProject, b: Artifact | StaticProject) -> list[Finding]:
    from metaseal.artifacts import Artifact, Kind, Role
    from metaseal.compare import compare_identical, compare_pyproject, compare_sdist_wheel

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


def _diff(args: argparse.Namespace) -> int:
    import json

    from metaseal.report import SCHEMA_VERSION, finding_json, render_findings

    a, b = _read(args.left, args.python), _read(args.right, args.python)
    findings = _diff_findings(a, b)
    code = _code(max((f.severity.rank for f in findings), default=-1), args.strict)
    if args.format == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "exit_code": code,
            "left": args.left,
            "right": args.right,
            "findings": [finding_json(f) for f in findings],
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        body = render_findings(findings, cosmetic=args.cosmetic)
        meaningful = [f for f in findings if f.severity.value != "cosmetic"]
        head = f"{args.left} and {args.right}: " + (
            f"{len(meaningful)} difference(s)" if meaningful else "same meaning"
        )
        sys.stdout.write(head + "\n" + (f"\n{body}\n" if body else ""))
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``metaseal`` console script; returns the exit code."""
    parser = build_parser()
    # Options may stand between sources (`check installed:x --python PY dist/`): argparse
    # stops a nargs="+" positional at the first option, so the rest are collected here.
    args, rest = parser.parse_known_args(argv)
    unknown = [arg for arg in rest if arg.startswith("-")]
    if unknown or (rest and args.command != "check"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if rest:
        args.sources += rest
    try:
        return _check(args) if args.command == "check" else _diff(args)
    except MetasealError as exc:
        print(f"metaseal: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 130
