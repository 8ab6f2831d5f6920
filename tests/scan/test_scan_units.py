"""The pieces of `metaseal scan` without a server: progress line, variation kinds, the engine's
loop (stop, Ctrl-C) and :func:`check_project` against a stand-in index."""

from __future__ import annotations

import io
import signal
import threading
from typing import TYPE_CHECKING, cast

import pytest

from factories import make_sdist, make_wheel, metadata_bytes
from metaseal.engine.variation import Inexpressible, Proposal, Variation, VariationReport
from metaseal.errors import MetasealError, NetworkError
from metaseal.index.simple import IndexFile, ProjectPage
from metaseal.scan.db import ProjectResult, ScanDB
from metaseal.scan.progress import Progress, format_eta
from metaseal.scan.runner import check_project, scan, stop_on_signals, variation_rows
from metaseal.sources.artifacts import read_source

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from metaseal.engine.artifact import Artifact
    from metaseal.index.remote import Index


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "?"), (float("inf"), "?"), (0.0, "0:00"), (59.6, "1:00"), (3725, "1:02:05")],
)
def test_format_eta(seconds: float | None, text: str) -> None:
    assert format_eta(seconds) == text


def test_progress_on_a_terminal_redraws_at_most_ten_times_a_second() -> None:
    clock, out = Clock(), io.StringIO()
    progress = Progress(100, stream=out, tty=True, clock=clock)
    for _ in range(5):
        clock.now += 0.01
        progress.advance()
    assert out.getvalue() == "\rscan   1% 1/100 projects, 100.0/s, ETA 0:01"
    clock.now += 0.1
    progress.advance()
    assert out.getvalue().count("\r") == 2
    # a shorter line is padded so that nothing of the longer one stays on screen
    assert out.getvalue().endswith("\rscan   6% 6/100 projects, 40.0/s, ETA 0:02 ")
    progress.close()
    assert out.getvalue().endswith("\rscan   6% 6/100 projects, 40.0/s, ETA 0:02\n")


def test_progress_elsewhere_writes_a_line_every_few_seconds_and_can_be_off() -> None:
    clock, out = Clock(), io.StringIO()
    progress = Progress(10, stream=out, tty=False, clock=clock)
    for _ in range(10):
        clock.now += 1
        progress.advance()
    progress.close()
    assert out.getvalue().splitlines() == [
        "scan  10% 1/10 projects, 1.0/s, ETA 0:09",
        "scan  60% 6/10 projects, 1.0/s, ETA 0:04",
        "scan 100% 10/10 projects, 1.0/s, ETA 0:00",
    ]
    quiet = io.StringIO()
    off = Progress(10, stream=quiet, enabled=False, tty=True)
    off.advance()
    off.close()
    assert quiet.getvalue() == ""


def _report(
    values: Sequence[tuple[str, str, bool]],
    proposal: Proposal | None,
    problems: Sequence[tuple[str, str]] = (),
) -> VariationReport:
    variation = tuple(
        Variation(f, v, ("a.whl",), ("b.whl",), no_op, "only a") for f, v, no_op in values
    )
    found = tuple(Inexpressible(f, v, f"{v} cannot", {}) for f, v in problems)
    return VariationReport(variation, proposal, found)


def test_variation_kinds() -> None:
    verified = Proposal(("x; sys_platform == 'win32'",), verified=True, environments_checked=4)
    unverified = Proposal(("x",), verified=False, environments_checked=4)
    assert variation_rows(None) == ()
    rows = variation_rows(
        _report(
            [("Requires-Dist", "x", False), ("Requires-Dist", "y; os_name == 'nt'", True)],
            verified,
        )
    )
    assert [(r.kind, r.no_op) for r in rows] == [("expressible", False), ("no-op", True)]
    rows = variation_rows(
        _report(
            [("Requires-Dist", "x", False), ("Requires-Dist", "z", False), ("Summary", "S", False)],
            unverified,
            [("Requires-Dist", "z")],
        )
    )
    assert [(r.kind, r.reason) for r in rows] == [
        ("inexpressible", "z cannot"),  # the proposal fails because of another value
        ("inexpressible", "z cannot"),
        ("inexpressible", "no marker can select a value of Summary"),
    ]
    rows = variation_rows(_report([("Requires-Python", ">=3.9", False)], unverified))
    assert rows[0].reason == "the marker proposal could not be verified"


def _db(tmp_path: Path, names: Sequence[str]) -> ScanDB:
    db = ScanDB.open(tmp_path / "scan.sqlite3", "http://index.invalid/simple/")
    db.add_projects(names)
    return db


def test_scan_stops_submitting_and_records_what_finished(tmp_path: Path) -> None:
    names = [f"p{i}" for i in range(20)]
    db = _db(tmp_path, names)
    stop = threading.Event()
    started: list[str] = []

    def worker(name: str) -> ProjectResult:
        started.append(name)
        if len(started) == 5:
            stop.set()
        return ProjectResult(name)

    outcome = scan(db, names, worker, jobs=1, stop=stop)
    assert outcome.interrupted
    assert 5 <= outcome.recorded == len(started) < 20
    assert db.statuses(names) == {n: "done" if n in started else "pending" for n in names}
    db.close()


@pytest.mark.parametrize("handlers", [False, True], ids=["ctrl-c", "handler"])
def test_sigint_during_a_scan_records_the_finished_and_returns(
    tmp_path: Path, handlers: bool
) -> None:
    names = [f"p{i}" for i in range(40)]
    db = _db(tmp_path, names)
    count = 0
    lock = threading.Lock()

    def worker(name: str) -> ProjectResult:
        nonlocal count
        with lock:
            count += 1
            if count == 6:
                signal.raise_signal(signal.SIGINT)
        return ProjectResult(name, error="boom" if name == "p0" else None)

    stop = threading.Event()
    if handlers:
        with stop_on_signals(stop):
            outcome = scan(db, names, worker, jobs=2, stop=stop)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    else:
        outcome = scan(db, names, worker, jobs=2, stop=stop)
    assert outcome.interrupted
    statuses = db.statuses(names)
    finished = sum(s != "pending" for s in statuses.values())
    assert 1 <= finished < 40
    # Ctrl-C may land after a commit, before the count: the database is what counts
    assert outcome.recorded == finished if handlers else outcome.recorded <= finished
    assert statuses["p0"] == "failed"
    db.close()


URL = "http://index.invalid"


class FakeIndex:
    """Stands in for :class:`metaseal.index.remote.Index`: pages and artifacts from local files."""

    def __init__(self, files: dict[str, list[Path]], *, sdists: bool = False) -> None:
        self.files = files
        self.sdists = sdists
        self.errors: list[MetasealError] = []

    def project(self, name: str) -> ProjectPage:
        if name not in self.files:
            raise NetworkError(f"{URL}/simple/{name}/", "HTTP 404")
        entries = tuple(
            IndexFile(p.name, f"http://index.invalid/files/{p.name}", {}, {})
            for p in self.files[name]
        )
        return ProjectPage(name, f"{URL}/simple/{name}/", entries)

    def artifacts(
        self, page: ProjectPage, versions: Sequence[str], *, jobs: int = 1
    ) -> tuple[list[Artifact], list[MetasealError]]:
        paths = [p for p in self.files[page.name] if p.name.endswith(".whl") or self.sdists]
        chosen = [p for p in paths if any(f"-{v}" in p.name for v in versions)]
        return [read_source(str(p)) for p in chosen], list(self.errors)


def test_check_project_with_a_stand_in_index(tmp_path: Path) -> None:
    meta = metadata_bytes([("Metadata-Version", "2.2"), ("Name", "demo"), ("Version", "1.0")])
    drifted = meta + b"Requires-Dist: rich\n"
    files = {
        "demo": [
            make_sdist(tmp_path, "demo", "1.0", meta),
            make_wheel(tmp_path, "demo", "1.0", drifted),
        ],
        "only-sdist": [
            make_sdist(tmp_path, "only-sdist", "1.0", meta.replace(b"demo", b"only-sdist"))
        ],
    }
    wheels_only = FakeIndex(files)
    result = check_project(cast("Index", wheels_only), "demo")
    assert result.error is None
    assert [(r.version, r.exit_code, len(r.files)) for r in result.releases] == [("1.0", 0, 1)]
    assert check_project(cast("Index", wheels_only), "only-sdist") == ProjectResult("only-sdist")
    with_sdists = FakeIndex(files, sdists=True)
    (release,) = check_project(cast("Index", with_sdists), "demo").releases
    assert release.exit_code == 1
    assert [(f.field, f.rule) for f in release.findings if f.severity == "error"] == [
        ("Requires-Dist", "static-field")
    ]
    missing = check_project(cast("Index", with_sdists), "nothing")
    assert missing == ProjectResult(
        "nothing", error="http://index.invalid/simple/nothing/: HTTP 404"
    )
    with_sdists.errors = [NetworkError("u1", "gone"), NetworkError("u2", "gone")]
    failed = check_project(cast("Index", with_sdists), "demo")
    assert (failed.releases, failed.error) == ((), "u1: gone (and 1 more error)")
