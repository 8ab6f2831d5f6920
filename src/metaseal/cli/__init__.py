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
    from collections.abc import Callable, Sequence

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.findings import Finding
    from metaseal.engine.project import StaticProject
    from metaseal.index._http import Client
    from metaseal.index.remote import Index

__all__ = ["EXIT_CODES", "add_network_options", "build_parser", "main", "network_from_args"]

EXIT_CODES = {
    0: "no errors (cosmetic differences, info and, without --strict, warnings do not count)",
    1: "errors found (with --strict, warnings too)",
    2: "usage error: the command line is wrong",
    3: "an input is unreadable or invalid (the message names the file)",
    4: "network or index failure: a page or file could not be fetched, or the index served "
    "something wrong (the message names the URL)",
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
        "directories, installed:NAME and a pyproject.toml to check against. With --index "
        "or --find-links, the SOURCES are projects (NAME or NAME==VERSION) whose files are "
        "read from the index, fetching only their metadata where the index allows it.",
    )
    common(check)
    check.add_argument("sources", nargs="+", metavar="SOURCE")
    add_network_options(
        check,
        about="with --index or --find-links, each SOURCE is NAME or NAME==VERSION (default: "
        "the newest version that is not yanked, a final release when there is one)",
    )
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
    from metaseal.cli._scan import add_scan_parser  # argparse only; the engine loads lazily

    add_scan_parser(commands)
    return parser


def _count(minimum: float, kind: type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = minimum - 1
        if not minimum <= value < float("inf"):  # also refuses nan
            raise argparse.ArgumentTypeError(f"expected a number >= {minimum:g}, got {text!r}")
        return value

    return parse


def add_network_options(parser: argparse.ArgumentParser, *, about: str | None = None) -> None:
    """Options that read releases from an index: ``--index``, ``--find-links`` and how to fetch.

    ``about`` describes the option group in ``--help`` (what the sources mean with an index).
    """
    group = parser.add_argument_group("index options", about)
    group.add_argument("--index", metavar="URL", help="a PEP 503/691 index (its /simple/ root)")
    group.add_argument(
        "--find-links",
        metavar="URL",
        action="append",
        default=[],
        help="a page of links to distribution files (repeatable)",
    )
    group.add_argument(
        "--sdists", action="store_true", help="also download the sdists and check them"
    )
    group.add_argument(
        "--allow-download",
        action="store_true",
        help="download a wheel in full when the server ignores range requests",
    )
    group.add_argument(
        "--jobs",
        type=_count(1, int),
        default=4,
        metavar="N",
        help="files fetched at once (default: 4)",
    )
    group.add_argument(
        "--timeout",
        type=_count(0.001, float),
        default=30.0,
        metavar="S",
        help="seconds for a connect or a read (default: 30)",
    )
    group.add_argument(
        "--retries",
        type=_count(0, int),
        default=3,
        metavar="N",
        help="retries after errors, timeouts, 429 and 5xx (default: 3)",
    )
    group.add_argument(
        "--cert", metavar="PATH", help="CA bundle for TLS (default: system store, SSL_CERT_FILE)"
    )
    group.add_argument(
        "--cache-dir", metavar="DIR", help="sidecar cache (default: the user cache directory)"
    )
    group.add_argument("--no-cache", action="store_true", help="do not use the sidecar cache")


def network_from_args(args: argparse.Namespace) -> tuple[Client, Index]:
    """The client and index the options of :func:`add_network_options` describe."""
    from metaseal.index._cache import SidecarCache, default_cache_dir
    from metaseal.index._http import Client, HttpSettings
    from metaseal.index.remote import Index

    settings = HttpSettings(timeout=args.timeout, retries=args.retries, cert=args.cert)
    cache = None
    if not args.no_cache:
        cache = SidecarCache(Path(args.cache_dir) if args.cache_dir else default_cache_dir())
    client = Client(settings, pool_size=max(10, args.jobs))
    try:
        index = Index(
            client,
            index_url=args.index,
            find_links=args.find_links,
            sdists=args.sdists,
            allow_download=args.allow_download,
            cache=cache,
        )
    except BaseException:
        client.close()
        raise
    return client, index


def _requirement(source: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME==VERSION`` as (name, ``"==VERSION"`` or ``None``); else a usage error."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(source)
    except InvalidRequirement:
        requirement = None
    specifiers = list(requirement.specifier) if requirement else []
    if (
        requirement is None
        or requirement.extras
        or requirement.url
        or requirement.marker
        or len(specifiers) > 1
        or (specifiers and (specifiers[0].operator != "==" or "*" in specifiers[0].version))
    ):
        raise UsageError(
            f"`{source}` is not a project to check: with --index or --find-links, each SOURCE "
            "is a project name, optionally with one exact version (`NAME` or `NAME==VERSION`)."
        )
    return requirement.name, f"=={specifiers[0].version}" if specifiers else None


def _is_pyproject(source: str) -> bool:
    return Path(source).name == "pyproject.toml"


def _read_project(source: str) -> StaticProject:
    from metaseal.sources.pyproject import read_static_project

    if not Path(source).is_file():
        raise ArtifactError(source, "does not exist or is not a file.")
    return read_static_project(Path(source))


def _check(args: argparse.Namespace) -> int:
    from metaseal.engine.release import check_releases
    from metaseal.report.text import render_json, render_text
    from metaseal.sources.artifacts import discover

    if args.index or args.find_links:
        return _check_index(args)
    used = [f"--{o.replace('_', '-')}" for o in _INDEX_ONLY if getattr(args, o)]
    if used:
        raise UsageError(f"{', '.join(used)} only apply with --index or --find-links.")
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


_INDEX_ONLY = ("sdists", "allow_download", "cert", "cache_dir", "no_cache")


def _check_index(args: argparse.Namespace) -> int:
    """``check --index/--find-links NAME[==VERSION]...``: the same report, read over HTTP."""
    from metaseal.engine.release import check_releases
    from metaseal.errors import NetworkError
    from metaseal.index.remote import select_versions
    from metaseal.report.text import render_json, render_text

    projects: list[StaticProject] = []
    errors: list[MetasealError] = []
    wanted: list[tuple[str, str | None]] = []
    for source in args.sources:
        if _is_pyproject(source):
            try:
                projects.append(_read_project(source))
            except ArtifactError as exc:
                errors.append(exc)
        else:
            wanted.append(_requirement(source))
    artifacts: list[Artifact] = []
    client, index = network_from_args(args)
    try:
        for name, spec in wanted:
            try:
                page = index.project(name)
                found, failed = index.artifacts(page, select_versions(page, spec), jobs=args.jobs)
            except (ArtifactError, NetworkError) as exc:
                errors.append(exc)
                continue
            artifacts += found
            errors += failed
    finally:
        client.close()
    releases = check_releases(artifacts, projects, strict=args.strict)
    worst = max((f.severity.rank for r in releases for f in r.findings), default=-1)
    code = _code(worst, args.strict)
    if errors:
        code = 4 if any(isinstance(e, NetworkError) for e in errors) else 3
    if args.format == "json":
        reported = [_reported(e) for e in errors]
        sys.stdout.write(render_json(releases, reported, strict=args.strict, exit_code=code))
    else:
        sys.stdout.write(render_text(releases, [], strict=args.strict, cosmetic=args.cosmetic))
        for error in errors:
            print(f"metaseal: error: {error}", file=sys.stderr)
    return code


def _reported(error: MetasealError) -> ArtifactError:
    """The report lists every error by what it is about: a file, or a URL (same message)."""
    if isinstance(error, ArtifactError):
        return error
    where = str(getattr(error, "url", "") or getattr(error, "path", ""))
    reason = str(getattr(error, "reason", error))
    return ArtifactError(where, reason) if where else ArtifactError("metaseal", str(error))


def _code(worst_rank: int, strict: bool) -> int:
    from metaseal.engine.findings import Severity

    threshold = Severity.WARNING.rank if strict else Severity.ERROR.rank
    return 1 if worst_rank >= threshold else 0


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


def _diff(args: argparse.Namespace) -> int:
    import json

    from metaseal.report.text import SCHEMA_VERSION, finding_json, render_findings

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
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["scan", "report"]:
        from metaseal.cli._scan import main_report

        return main_report(argv[2:])
    parser = build_parser()
    # Options may stand between sources (`check installed:x --python PY dist/`): argparse
    # stops a nargs="+" positional at the first option, so the rest are collected here.
    args, rest = parser.parse_known_args(argv)
    unknown = [arg for arg in rest if arg.startswith("-")]
    if unknown or (rest and args.command not in ("check", "scan")):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if rest:
        args.sources += rest
    try:
        if args.command == "scan":
            from metaseal.cli._scan import run_scan

            return run_scan(args)
        return _check(args) if args.command == "check" else _diff(args)
    except MetasealError as exc:
        print(f"metaseal: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 130
