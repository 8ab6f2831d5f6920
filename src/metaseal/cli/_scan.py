"""``metaseal scan`` and ``metaseal scan report``: arguments, the database, progress, exit codes.

Imports only :mod:`argparse` at module level; the engine is imported when a scan runs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.cli._help import exit_codes_epilog
from metaseal.errors import ArtifactError, MetasealError, UsageError, plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metaseal.scan.db import ScanDB

__all__ = ["SCAN_EXIT_CODES", "add_scan_parser", "main_report", "run_scan"]

SCAN_EXIT_CODES = {
    0: "every project was read and no release has errors",
    1: "some release has errors (sdist/wheel drift, invalid metadata)",
    2: "usage error (also: the database belongs to another index)",
    3: "the projects file or the database is unreadable or invalid",
    4: "some projects could not be read (recorded as failed; --retry-failed reads them again)",
    130: "interrupted; run the same command again to resume",
}
#: More concurrent projects than this is impolite to a public index.
MAX_JOBS = 32
DEFAULT_JOBS = 8
_NAME = re.compile(r"[A-Z0-9]([A-Z0-9._-]*[A-Z0-9])?", re.IGNORECASE)


def add_scan_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``metaseal scan`` (``scan report`` is dispatched by ``cli.main``)."""
    from metaseal.cli._network import add_network_options

    scan = commands.add_parser(
        "scan",
        help="check many projects of an index into a SQLite database (resumable)",
        description="Check the newest release (or every release) of many projects on an "
        "index, the way `check --index` does, and store files, findings and wheel variation "
        "in a SQLite database. Finished projects are never fetched again: run the same "
        "command after an interruption to resume. Summarise the database with "
        "`metaseal scan report --db FILE --format md|json|csv [--output FILE]`.",
        epilog=exit_codes_epilog(SCAN_EXIT_CODES),
    )
    scan.add_argument("sources", nargs="*", metavar="NAME", help="projects to scan")
    scan.add_argument(
        "--projects",
        metavar="FILE",
        help="read project names from FILE, one per line (`#` comments; `-`: stdin)",
    )
    scan.add_argument(
        "--db", metavar="FILE", help="the database (default: scan.sqlite3 in the user cache dir)"
    )
    scan.add_argument("--all-versions", action="store_true", help="every version, not the newest")
    scan.add_argument(
        "--retry-failed", action="store_true", help="read projects that failed before again"
    )
    scan.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    add_network_options(scan)
    for action in scan._actions:
        if action.dest == "jobs":
            action.default = DEFAULT_JOBS
            action.help = f"projects read at once (default: {DEFAULT_JOBS}, at most {MAX_JOBS})"


def default_db() -> Path:
    from metaseal.index._cache import user_cache_dir

    return user_cache_dir("the default scan database", "`--db FILE`") / "scan.sqlite3"


def _names_from(text: str, where: str) -> list[str]:
    names = []
    for number, line in enumerate(text.splitlines(), 1):
        name = line.partition("#")[0].strip()
        if not name:
            continue
        if not _NAME.fullmatch(name):
            raise ArtifactError(
                where,
                f"line {number}: `{name}` is not a project name; write one name per line "
                "(letters, digits, `.`, `_`, `-`), `#` starts a comment.",
            )
        names.append(name)
    return names


def _requested(args: argparse.Namespace) -> list[str]:
    """The projects named on the command line and in ``--projects``, normalized, in order."""
    from packaging.utils import canonicalize_name

    names = []
    for name in args.sources:
        if not _NAME.fullmatch(name):
            raise UsageError(
                f"`{name}` is not a project name; `metaseal scan` takes project names "
                "(all versions with --all-versions, else the newest), not files or versions."
            )
        names.append(name)
    if args.projects == "-":
        names += _names_from(sys.stdin.read(), "<stdin>")
    elif args.projects is not None:
        try:
            text = Path(args.projects).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            raise ArtifactError(
                args.projects,
                f"cannot be read ({detail}); `--projects FILE` takes a text file with one "
                "project name per line, or `-` for standard input.",
            ) from None
        names += _names_from(text, args.projects)
    return list(dict.fromkeys(str(canonicalize_name(n)) for n in names))


def _counts(db: ScanDB, names: Sequence[str]) -> tuple[dict[str, int], int, int]:
    """Project statuses, releases, and releases with errors, over ``names``."""
    statuses = db.statuses(names)
    counts = {"pending": 0, "done": 0, "failed": 0}
    for status in statuses.values():
        counts[status] += 1
    wanted = set(names)
    mine = [code for name, code in db.release_codes() if name in wanted]
    return counts, len(mine), sum(1 for code in mine if code)


def _plan(path: Path, total: int, todo: int, failed: int) -> str:
    line = f"metaseal: scan database {path}: {plural(total, 'project')}, "
    line += f"{total - todo} already read, "
    line += f"{todo} to read"
    if failed:
        line += f" ({failed} failed before: --retry-failed reads them again)"
    return line + "\n"


def run_scan(args: argparse.Namespace) -> int:
    """``metaseal scan``: returns the exit code (see :data:`SCAN_EXIT_CODES`)."""
    import functools
    import sqlite3
    import threading

    from metaseal.cli._network import network_from_args, require_index_extra
    from metaseal.scan.db import ScanDB, database_error
    from metaseal.scan.progress import Progress
    from metaseal.scan.runner import check_project, scan, stop_on_signals

    if not 1 <= args.jobs <= MAX_JOBS:
        raise UsageError(
            f"--jobs {args.jobs}: scan reads at most {MAX_JOBS} projects at once, to stay "
            "polite to the index; pass a smaller number."
        )
    if not args.index and not args.find_links:
        raise UsageError("name the index to scan: `--index URL` (or `--find-links URL`).")
    require_index_extra(
        cache=not args.db or (not args.no_cache and not args.cache_dir), what="metaseal scan"
    )
    requested = _requested(args)
    path = Path(args.db) if args.db else default_db()
    client, index = network_from_args(args)
    try:
        source = index.index_url or " ".join(index.find_links)
        db = ScanDB.open(path, source)
        try:
            db.add_projects(requested)
            names = requested or db.names()
            if not names:
                raise UsageError(
                    "name the projects to scan: `NAME...` or `--projects FILE` "
                    f"({path} holds none yet to resume)."
                )
            statuses = db.statuses(names)
            wanted = ("pending", "failed") if args.retry_failed else ("pending",)
            todo = [n for n in names if statuses[n] in wanted]
            failed = 0 if args.retry_failed else sum(statuses[n] == "failed" for n in names)
            sys.stderr.write(_plan(path, len(names), len(todo), failed))
            progress = Progress(len(todo), enabled=not args.no_progress)
            stop = threading.Event()
            worker = functools.partial(check_project, index, all_versions=args.all_versions)
            with stop_on_signals(stop):
                outcome = scan(db, todo, worker, jobs=args.jobs, progress=progress, stop=stop)
            progress.close()
            counts, releases, failed_releases = _counts(db, names)
        except sqlite3.Error as exc:  # locked past the busy timeout, read-only, damaged
            raise database_error(path, exc) from None
        finally:
            db.close()
    finally:
        client.close()
    finished = counts["done"] + counts["failed"]
    if outcome.interrupted:
        sys.stderr.write(
            f"metaseal: interrupted after {finished} of {len(names)} projects; run the same "
            "command again to resume.\n"
        )
        return 130
    sys.stdout.write(
        f"{plural(len(names), 'project')}: {counts['done']} read, {counts['failed']} failed; "
        f"{plural(releases, 'release')}, {failed_releases} with errors. "
        f"Summary: metaseal scan report --db {path}\n"
    )
    if counts["failed"]:
        return 4
    return 1 if failed_releases else 0


def _report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metaseal scan report",
        description="Summarise a scan database: totals, releases whose sdist and wheels "
        "disagree (by field), releases whose wheels vary (no-op, expressible with markers, "
        "or not), and projects that could not be read.",
        epilog=exit_codes_epilog({0: "report written", 2: "usage error", 3: "unreadable database"}),
    )
    parser.add_argument("--db", metavar="FILE", help="the database (default: the scan default)")
    parser.add_argument(
        "--format", choices=("md", "json", "csv"), default="md", help="output (default: md)"
    )
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    return parser


def main_report(argv: Sequence[str]) -> int:
    """``metaseal scan report ...``: returns the exit code."""
    args = _report_parser().parse_args(list(argv))
    try:
        import sqlite3

        from metaseal.scan.db import ScanDB, database_error
        from metaseal.scan.summary import render

        path = Path(args.db) if args.db else default_db()
        db = ScanDB.open(path)
        try:
            text = render(db, args.format)
        except sqlite3.Error as exc:
            raise database_error(path, exc) from None
        finally:
            db.close()
        if args.output is None:
            sys.stdout.write(text)
            return 0
        try:
            with Path(args.output).open("w", encoding="utf-8", newline="") as out:
                out.write(text)
        except OSError as exc:
            raise ArtifactError(
                args.output, f"cannot be written ({exc.strerror}); pass another --output FILE."
            ) from None
    except MetasealError as exc:
        sys.stderr.write(f"metaseal: error: {exc}\n")
        return exc.exit_code
    return 0
