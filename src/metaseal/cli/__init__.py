"""``metaseal`` command line: parse arguments, read sources, run the engine, print, exit.

Exit codes (also in the docs): 0 no errors; 1 errors found (warnings too with ``--strict``);
2 usage error; 3 unreadable or invalid input; 4 network failure (index checks).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from metaseal import __version__
from metaseal.cli._help import exit_codes_epilog
from metaseal.errors import MetasealError, escape_controls

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["EXIT_CODES", "build_parser", "main"]

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
        epilog=exit_codes_epilog(EXIT_CODES),
    )
    parser.add_argument("--version", action="version", version=f"metaseal {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--format",
            choices=("text", "json", "github"),
            default="text",
            help="output format: text, json, or github (GitHub Actions annotations; default: text)",
        )
        sub.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            help="text output: only problems (FAILED files, errors, warnings) and a summary line",
        )
        sub.add_argument("--strict", action="store_true", help="warnings fail too")
        sub.add_argument(
            "--cosmetic", action="store_true", help="also show cosmetic differences (text output)"
        )
        sub.add_argument(
            "--python",
            metavar="PATH",
            help="interpreter whose environment `installed:` and `installed:NAME` read "
            "(default: this one)",
        )

    check = commands.add_parser(
        "check",
        help="check sets of files: sdists, wheels, .metadata sidecars",
        description="Check every release found in the given files and directories "
        "(directories are searched recursively for sdists, wheels and .metadata "
        "sidecars). Also accepts bare METADATA/PKG-INFO files, .dist-info "
        "directories, installed:NAME and a pyproject.toml to check against. With --index "
        "or --find-links, the SOURCES are projects (NAME or NAME==VERSION) whose files are "
        "read from the index, fetching only their metadata where the index allows it. "
        "`installed:` (nothing after the colon) checks every distribution of the "
        "environment (--python names another interpreter).",
    )
    common(check)
    check.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="files and directories (default: ./dist)"
    )
    check.add_argument(
        "--target",
        choices=("pypi", "none"),
        help="where the files will be uploaded: `pypi` makes what PyPI would refuse at upload "
        "(rule `upload`: a Metadata-Version newer than it accepts, an invalid License-Expression, "
        "...) an error; `none` skips those checks (default: warnings for local files)",
    )
    from metaseal.cli._network import add_network_options

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
    from metaseal.cli._audit import add_audit_parser
    from metaseal.cli._scan import add_scan_parser  # argparse only; the engine loads lazily

    add_scan_parser(commands)
    add_audit_parser(commands)
    from metaseal.cli._seal import add_seal_parser

    add_seal_parser(commands)
    from metaseal.cli._init import add_init_parser  # argparse only; tomlkit loads lazily

    add_init_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``metaseal`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["scan", "report"]:
        from metaseal.cli._scan import main_report

        return main_report(argv[2:])
    parser = build_parser()
    # Options may stand between sources (`check installed:x --python PY dist/`): argparse
    # stops a nargs="*" positional at the first option, so the rest are collected here.
    args, rest = parser.parse_known_args(argv)
    unknown = [arg for arg in rest if arg.startswith("-")]
    if unknown or (rest and args.command not in ("check", "scan")):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if rest:
        args.sources += rest
    try:
        if args.command == "seal":
            from metaseal.cli._seal import run_seal

            return run_seal(args)
        if args.command == "audit":
            from metaseal.cli._audit import run_audit

            return run_audit(args)
        if args.command == "scan":
            from metaseal.cli._scan import run_scan

            return run_scan(args)
        if args.command == "init":
            from metaseal.cli._init import run_init

            return run_init(args)
        from metaseal.cli._check import run_check, run_diff

        return run_check(args) if args.command == "check" else run_diff(args)
    except MetasealError as exc:
        print(f"metaseal: error: {escape_controls(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 130
