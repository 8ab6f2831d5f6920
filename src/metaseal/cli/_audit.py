"""``metaseal audit``: build a project every way a release is built and check every pair."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.cli._help import exit_codes_epilog
from metaseal.errors import UsageError, escape_controls

if TYPE_CHECKING:
    import argparse

    from metaseal.audit.runner import Audit

__all__ = ["AUDIT_EXIT_CODES", "add_audit_parser", "environ_of", "run_audit"]

AUDIT_EXIT_CODES = {
    0: "every step built and every pair agrees",
    1: "a pair of files breaks the rule that binds them (warnings too with --strict)",
    2: "usage error",
    3: "a build step failed, or the project cannot be read (the message names the step)",
}


def add_audit_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit",
        help="build a project every way (sdist, wheel from sdist, wheel from tree, prepared "
        "metadata) and check every pair",
        description="Build PATH the way a release is built, each step in a fresh isolated "
        "environment: the sdist from the tree; per interpreter, the metadata "
        "prepare_metadata_for_build_wheel returns and the wheel, from the tree and from the "
        "unpacked sdist. Then check every pair under the rule that binds it (PEP 643/808, PEP "
        "517, the static [project] table) and compare the wheels different interpreters built, "
        "with a verified marker proposal when they differ. Needs `metaseal[audit]`. Nothing is "
        "installed into this environment.",
        epilog=exit_codes_epilog(AUDIT_EXIT_CODES),
    )
    audit.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the project (.); with --index or --find-links, NAME or NAME==VERSION",
    )
    audit.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PY",
        help="build the wheels under this interpreter (repeatable; default: this one)",
    )
    audit.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="environment variable for every build (repeatable), to reproduce CI",
    )
    audit.add_argument("--format", choices=("text", "json"), default="text")
    audit.add_argument("--strict", action="store_true", help="warnings fail too")
    audit.add_argument("--cosmetic", action="store_true", help="also show cosmetic differences")
    from metaseal.cli._network import add_network_options

    add_network_options(
        audit,
        about="with --index or --find-links, PATH is a project on the index: only its sdist is "
        "downloaded, its wheel built here and compared with the sdist and the published wheels",
    )


def environ_of(pairs: list[str]) -> dict[str, str]:
    environ = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"`--env {pair}` is not KEY=VALUE.")
        environ[key] = value
    return environ


def run_audit(args: argparse.Namespace) -> int:
    try:
        import pyproject_hooks  # noqa: F401 - the optional extra this command needs
    except ImportError:
        raise UsageError(
            '`metaseal audit` needs pyproject-hooks; install `pip install "metaseal[audit]"`.'
        ) from None
    from metaseal.audit.runner import audit_project

    path = Path(args.path)
    pythons = args.python or [sys.executable]
    if args.index or args.find_links:
        result = _audit_remote(args, pythons)
    elif not path.is_dir():
        raise UsageError(f"`{path}` is not a project directory.")
    else:
        result = audit_project(path, pythons, environ_of(args.env))
    code = 3 if result.failed_steps else _code(result, strict=args.strict)
    if args.format == "json":
        sys.stdout.write(_json(result, code, strict=args.strict))
    else:
        sys.stdout.write(escape_controls(_text(result, path, args.strict, args.cosmetic)))
        for step in result.failed_steps:
            print(
                escape_controls(
                    f"metaseal: error: {step.name} (Python {step.python}) failed: {step.error}"
                ),
                file=sys.stderr,
            )
    return code


def _audit_remote(args: argparse.Namespace, pythons: list[str]) -> Audit:
    from metaseal.audit.remote import audit_release
    from metaseal.cli._network import network_from_args, requirement

    name, spec = requirement(args.path)
    client, index = network_from_args(args)
    try:
        return audit_release(index, name, spec, pythons, environ_of(args.env), jobs=args.jobs)
    finally:
        client.close()


def _code(result: Audit, *, strict: bool) -> int:
    findings = [*result.findings, *(f for r in result.releases for f in r.findings)]
    return 1 if any(f.severity.fails(strict=strict) for f in findings) else 0


def _text(result: Audit, path: Path, strict: bool, cosmetic: bool) -> str:
    from metaseal.report.text import render_findings, render_text

    width = max((len(step.name) for step in result.steps), default=0)
    lines = [f"metaseal audit of {path}:", ""]
    for step in result.steps:
        outcome = step.produced or "(nothing: the backend has no such hook)"
        if step.error is not None:
            outcome = "FAILED: " + step.error.splitlines()[0]
        lines.append(
            f"  {step.name:<{width}}  Python {step.python:<5} {step.seconds:6.1f} s  {outcome}"
        )
    lines.append("")
    if result.releases:
        lines.append(render_text(list(result.releases), [], strict=strict, cosmetic=cosmetic))
    body = render_findings(list(result.findings), cosmetic=cosmetic)
    if body:
        lines += ["Prepared metadata and wheels from the tree:", "", body, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _json(result: Audit, code: int, *, strict: bool) -> str:
    from metaseal.report.jsondoc import SCHEMA_VERSION, finding_json, release_json

    document = {
        "schema_version": SCHEMA_VERSION,
        "exit_code": code,
        "steps": [
            {
                "name": s.name,
                "python": s.python,
                "seconds": round(s.seconds, 3),
                "produced": s.produced,
                "error": s.error,
            }
            for s in result.steps
        ],
        "releases": [release_json(r, strict=strict) for r in result.releases],
        "findings": [finding_json(f) for f in result.findings],
    }
    return json.dumps(document, indent=2) + "\n"
