"""``metaseal seal SDIST``: seal an existing sdist after proving the promise holds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.cli._help import exit_codes_epilog
from metaseal.errors import UsageError, escape_controls

if TYPE_CHECKING:
    import argparse

__all__ = ["SEAL_EXIT_CODES", "add_seal_parser", "run_seal"]

SEAL_EXIT_CODES = {
    0: "the sealed sdist was written (or the sdist was sealed already)",
    1: "a wheel built from the sdist would break the sealed promise; nothing was written",
    2: "usage error",
    3: "the sdist is unreadable or cannot be sealed, or the wheel build failed",
}


def add_seal_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seal = commands.add_parser(
        "seal",
        help="seal an existing Metadata 2.1 sdist, once a wheel built from it keeps the promise",
        description="Build a wheel from SDIST in an isolated environment, rewrite the sdist's "
        "PKG-INFO as Metadata-Version 2.2 with Dynamic from its project.dynamic, and write the "
        "sealed sdist to --out-dir only if the wheel keeps every promise it then makes. The "
        "original file is never changed. Needs `metaseal[audit]`.",
        epilog=exit_codes_epilog(SEAL_EXIT_CODES),
    )
    seal.add_argument("sdist", metavar="SDIST")
    seal.add_argument("--out-dir", default="sealed", metavar="DIR", help="where (./sealed)")
    seal.add_argument("--python", metavar="PY", help="interpreter building the wheel")
    seal.add_argument("--env", action="append", default=[], metavar="K=V", help="build environment")
    seal.add_argument("--strict", action="store_true", help="warnings fail too")


def run_seal(args: argparse.Namespace) -> int:
    from metaseal.audit.seal import seal_sdist
    from metaseal.cli._audit import environ_of
    from metaseal.report.text import render_text

    sdist = Path(args.sdist)
    if not sdist.name.endswith(".tar.gz"):
        raise UsageError(f"`{sdist}` is not an sdist (`*.tar.gz`).")
    result = seal_sdist(
        sdist,
        Path(args.out_dir),
        args.python or sys.executable,
        environ_of(args.env),
        strict=args.strict,
    )
    if result.already:
        print(escape_controls(f"metaseal: {result.message} Nothing to do."))
        return 0
    text = render_text(list(result.releases), [], strict=args.strict)
    if result.written is None:
        sys.stdout.write(escape_controls(text))
        print(
            escape_controls(
                f"metaseal: `{sdist.name}` was not sealed: a wheel built from it would break "
                "the promise above; nothing was written."
            ),
            file=sys.stderr,
        )
        return 1
    print(escape_controls(f"{result.message}\nmetaseal: wrote {result.written}"))
    return 0
