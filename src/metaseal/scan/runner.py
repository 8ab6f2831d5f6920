"""The engine of ``metaseal scan``: check the releases of many projects into a :class:`ScanDB`.

:func:`check_project` reads one project through a :class:`metaseal.index.remote.Index` (its
page, the chosen versions, their files) and checks it with
:func:`metaseal.engine.release.check_releases`, the engine of ``metaseal check``; it returns
plain rows and never touches the database.
:func:`scan` runs it in a thread pool over the pending projects and writes each result on the
calling thread as it completes, one transaction per project. When asked to stop (an
:class:`threading.Event`, set by :func:`stop_on_signals` on Ctrl-C or SIGTERM) it submits no
more work, records what already finished and returns; in-flight projects stay pending.

A project is ``failed`` when its page or any of its files could not be read (the first error's
message is kept); a later run with ``retry_failed`` reads it again. Versions with no wheel are
skipped unless sdists are read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import signal
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Callable

from metaseal.engine.findings import Severity
from metaseal.engine.variation import PROPOSABLE
from metaseal.errors import MetasealError, plural
from metaseal.scan.db import FileRow, FindingRow, ProjectResult, ReleaseRow, VariationRow

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import FrameType

    from metaseal.engine.release import Release
    from metaseal.engine.variation import VariationReport
    from metaseal.index.remote import Index
    from metaseal.index.simple import ProjectPage
    from metaseal.scan.db import ScanDB
    from metaseal.scan.progress import Progress

__all__ = [
    "Outcome",
    "check_project",
    "release_row",
    "scan",
    "stop_on_signals",
    "variation_rows",
]

#: The fields a marker proposal can express (:mod:`metaseal.engine.variation`).
_NO_OP = "the requirement's own marker already excludes every wheel that lacks it"

Worker = Callable[[str], ProjectResult]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one :func:`scan` call did."""

    submitted: int  # projects it was asked to scan
    recorded: int  # results written (done or failed)
    interrupted: bool


def variation_rows(report: VariationReport | None) -> tuple[VariationRow, ...]:
    """Each wheel-to-wheel variation with its kind: ``no-op``, ``expressible`` (a verified
    marker proposal covers it) or ``inexpressible`` (with the reason)."""
    if report is None:
        return ()
    problems = {(item.field, item.value): item.reason for item in report.inexpressible}
    proposal = report.proposal
    rows = []
    for v in report.variation:
        if v.no_op:
            kind, reason = "no-op", _NO_OP
        elif v.field.lower() not in PROPOSABLE:
            kind, reason = "inexpressible", f"no marker can select a value of {v.field}"
        elif (v.field, v.value) in problems:
            kind, reason = "inexpressible", problems[(v.field, v.value)]
        elif proposal is not None and proposal.verified:
            kind, reason = "expressible", "a verified marker proposal selects it"
        else:
            fallback = "the marker proposal could not be verified"
            kind, reason = "inexpressible", next(iter(problems.values()), fallback)
        rows.append(VariationRow(v.field, v.value, v.no_op, v.pattern, kind, reason))
    return tuple(rows)


def release_row(project: str, release: Release) -> ReleaseRow:
    """One checked release as stored; ``report_json`` is its ``check --format json`` entry."""
    from metaseal.report.jsondoc import release_json

    document = release_json(release)
    failed = any(f.severity is Severity.ERROR for f in release.findings)
    files = tuple(
        FileRow(
            a.label, a.source, a.kind.value, a.role.value, hashlib.sha256(a.metadata).hexdigest()
        )
        for a in release.artifacts
    )
    findings = tuple(
        FindingRow(
            f.rule,
            f.field,
            f.severity.value,
            None if f.left is None else f.left.artifact,
            None if f.right is None else f.right.artifact,
            f.message,
        )
        for f in release.findings
        if f.severity is not Severity.COSMETIC
    )
    return ReleaseRow(
        project,
        release.version,
        1 if failed else 0,
        json.dumps(document, separators=(",", ":")),
        files,
        findings,
        variation_rows(release.variation),
    )


def check_project(index: Index, name: str, *, all_versions: bool = False) -> ProjectResult:
    """Read and check the newest (or every) version of project ``name``."""
    from metaseal.engine.release import check_releases
    from metaseal.index.remote import select_versions

    try:
        page = index.project(name)
        readable = page if index.sdists else _wheels_only(page)
        if not readable.files:
            return ProjectResult(page.name)  # nothing to check without --sdists
        versions = select_versions(readable, None, all_versions=all_versions)
        artifacts, errors = index.artifacts(page, versions)
    except MetasealError as exc:
        return ProjectResult(name, error=str(exc))
    if errors:
        more = f" (and {plural(len(errors) - 1, 'more error')})" if len(errors) > 1 else ""
        return ProjectResult(page.name, error=f"{errors[0]}{more}")
    releases = check_releases(artifacts)
    return ProjectResult(page.name, tuple(release_row(page.name, r) for r in releases))


def _wheels_only(page: ProjectPage) -> ProjectPage:
    return dataclasses.replace(page, files=tuple(f for f in page.files if f.is_wheel))


def scan(
    db: ScanDB,
    names: Sequence[str],
    worker: Worker,
    *,
    jobs: int = 8,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Outcome:
    """Run ``worker`` over ``names`` on ``jobs`` threads, recording each result as it ends.

    At most ``2 * jobs`` projects are in flight. Setting ``stop`` (or Ctrl-C reaching this
    thread) ends the scan early: finished results are recorded, the rest stay pending.
    """
    stop = stop if stop is not None else threading.Event()
    todo = deque(names)
    running: set[Future[ProjectResult | None]] = set()
    recorded = 0
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="metaseal-scan")

    def record(finished: set[Future[ProjectResult | None]]) -> None:
        nonlocal recorded
        for future in finished:
            result = future.result()
            if result is not None:
                db.record(result)
                recorded += 1
                if progress is not None:
                    progress.advance()

    try:
        while todo or running:
            while todo and len(running) < 2 * jobs and not stop.is_set():
                running.add(pool.submit(_unless_stopped, worker, todo.popleft(), stop))
            if not running:
                break
            done, running = wait(running, timeout=0.1, return_when=FIRST_COMPLETED)
            record(done)
            if stop.is_set():
                record({f for f in running if f.done()})
                break
    except KeyboardInterrupt:  # no handler from stop_on_signals (not the main thread)
        stop.set()
        record({f for f in running if f.done()})
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return Outcome(len(names), recorded, stop.is_set())


def _unless_stopped(worker: Worker, name: str, stop: threading.Event) -> ProjectResult | None:
    return None if stop.is_set() else worker(name)


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While active, SIGINT and SIGTERM set ``stop`` (a second SIGINT interrupts at once).

    Does nothing outside the main thread, where signal handlers cannot be installed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
