"""A scan stopped halfway (SIGINT, SIGTERM or SIGKILL) resumes without refetching anything."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from typing import TYPE_CHECKING

import pytest

from scan.scan_support import command, environment, page_requests, query, statuses, touched

if TYPE_CHECKING:
    from scan.scan_support import Scan


def _start_and_stop(scan_setup: Scan, how: signal.Signals) -> tuple[int, str]:
    """Run the whole universe with slow pages and two jobs; stop it after three projects."""
    scan_setup.server.fault("/simple/*/", "slow", seconds=0.15)
    args = command(*scan_setup.args("--projects", str(scan_setup.names_file), "--jobs", "2"))
    with subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(scan_setup.tmp / "cache"),
    ) as process:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                finished = [s for s in statuses(scan_setup.db).values() if s != "pending"]
            except sqlite3.OperationalError:  # not created yet
                finished = []
            if len(finished) >= 3:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the scan ended before it could be stopped"
        process.send_signal(how)
        _, err = process.communicate(timeout=30)
    scan_setup.server.clear_faults()
    scan_setup.server.fault("/simple/broken-page/", "500")
    return process.returncode, err


def _clean_report(scan_setup: Scan) -> str:
    clean = scan_setup.tmp / "clean.sqlite3"
    assert scan_setup.run_all(db=clean).returncode == 4
    return scan_setup.report("json", db=clean)


@pytest.mark.parametrize(
    "how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"]
)
def test_stopped_scan_resumes_and_fetches_each_finished_project_once(
    scan_setup: Scan, how: signal.Signals
) -> None:
    server, db, names = scan_setup.server, scan_setup.db, scan_setup.universe.names
    code, err = _start_and_stop(scan_setup, how)
    after_stop = statuses(db)
    finished = {n for n, s in after_stop.items() if s != "pending"}
    assert 3 <= len(finished) < len(names)
    if how is signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 130
        assert err.rstrip().endswith(
            f"metaseal: interrupted after {len(finished)} of {len(names)} projects; "
            "run the same command again to resume."
        )
        assert "Traceback" not in err
    # Every finished project is complete, every other one has nothing stored.
    stored = {name for (name,) in query(db, "SELECT DISTINCT name FROM releases")}
    done = {n for n, s in after_stop.items() if s == "done"}
    assert stored == done
    first = page_requests(server)
    server.wait_idle()
    first_paths = {n: touched(server, n) for n in finished}
    server.clear_log()

    resumed = scan_setup.run_all()
    assert resumed.returncode == 4, resumed.stderr
    left = len(names) - len(finished)
    assert f"{len(names)} projects, {len(finished)} already read, {left} to read" in (
        resumed.stderr
    )
    assert set(statuses(db).values()) == {"done", "failed"}
    second = page_requests(server)
    for name in finished:
        assert first[name] == 1
        assert name not in second
        assert touched(server, name) == []
        assert len(first_paths[name]) == len(set(first_paths[name]))
    assert set(first) | set(second) == set(names)
    assert all(second[name] == 1 for name in second)
    assert json.loads(scan_setup.report("json")) == json.loads(_clean_report(scan_setup))
