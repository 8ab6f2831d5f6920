"""A damaged, foreign, locked or read-only scan database (issue 13, class 8): one paragraph
naming the file, exit code 3, never a traceback; through the real CLI."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scan.scan_support import SRC, environment, one_paragraph_error, query, run

if TYPE_CHECKING:
    from scan.scan_support import Scan


def _report(scan: Scan, db: Path, fmt: str = "md") -> subprocess.CompletedProcess[str]:
    return run("scan", "report", "--db", str(db), "--format", fmt, cache=scan.tmp / "c")


@pytest.fixture
def scanned(scan_setup: Scan) -> Scan:
    done = scan_setup.run("ok-01", "drift-deps", "vary-win")
    assert done.returncode == 1, done.stderr  # drift-deps has errors
    return scan_setup


def _copy(scan: Scan, name: str) -> Path:
    target = scan.tmp / f"{name}.sqlite3"
    shutil.copyfile(scan.db, target)
    return target


@pytest.mark.parametrize("table", ["projects", "releases", "findings", "variation", "files"])
def test_missing_table(scanned: Scan, table: str) -> None:
    db = _copy(scanned, f"no-{table}")
    query(db, f"DROP TABLE {table}")
    for done in (_report(scanned, db), scanned.run("ok-02", db=db)):
        assert done.returncode == 3, done.stderr
        one_paragraph_error(done, str(db), f"it has no `{table}` table")


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [("projects", "status", "weird"), ("releases", "status", "MAYBE"), ("variation", "kind", "x")],
)
def test_unknown_status_values(scanned: Scan, table: str, column: str, value: str) -> None:
    db = _copy(scanned, f"odd-{table}")
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA ignore_check_constraints = ON")
    connection.execute(f"UPDATE {table} SET {column} = ?", (value,))
    connection.commit()
    connection.close()
    for done in (_report(scanned, db), scanned.run("ok-02", db=db)):
        assert done.returncode == 3, done.stderr
        one_paragraph_error(done, str(db), f"`{table}.{column}` holds {value!r}")


@pytest.mark.parametrize(
    "stored",
    ["{not json", "[]", '{"findings": 5}', '{"findings": [{"severity": "error"}]}', "null"],
)
@pytest.mark.parametrize("fmt", ["md", "json", "csv"])
def test_corrupt_stored_json(scanned: Scan, stored: str, fmt: str) -> None:
    db = _copy(scanned, "corrupt")
    connection = sqlite3.connect(db)
    with connection:  # commits
        connection.execute(
            "UPDATE releases SET report_json = ? WHERE name = 'drift-deps'", (stored,)
        )
    connection.close()
    done = _report(scanned, db, fmt)
    assert done.returncode == 3, done.stderr
    one_paragraph_error(done, str(db), "the database is damaged")


HOLD_LOCK = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN IMMEDIATE')
print('locked', flush=True)
time.sleep(30)
"""


def test_locked_by_another_process(scanned: Scan) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD_LOCK,
            str(scanned.db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        done = scanned.run("ok-02")
        elapsed = time.monotonic() - started
        report = _report(scanned, scanned.db)  # WAL: readers are not blocked by a writer
    finally:
        holder.kill()
        holder.communicate()
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{scanned.db}: is locked by another process, still after 5 s" in done.stderr
    assert 4 < elapsed < 20
    assert report.returncode == 0, report.stderr


def _python_for_nobody() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    for candidate in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        if not Path(candidate).is_file():
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import sqlite3"], user=65534, capture_output=True, check=False
            )
        except OSError:
            continue
        if done.returncode == 0:
            return candidate
    return None


def test_read_only_database(scanned: Scan) -> None:
    """``scan report`` reads a database it cannot write; ``scan`` says it cannot write it.
    Root writes anything, so this runs as ``nobody`` (skipped when no interpreter allows it)."""
    python = _python_for_nobody()
    if python is None:
        pytest.skip("needs root and a Python interpreter that user `nobody` may run")
    import packaging

    work = Path(tempfile.mkdtemp(prefix="metaseal-ro-"))
    try:
        db = work / "scan.sqlite3"
        shutil.copyfile(scanned.db, db)
        db.chmod(0o444)
        work.chmod(0o555)
        site = str(Path(packaging.__file__).resolve().parent.parent)
        env = {**environment(work), "PYTHONPATH": f"{SRC}{os.pathsep}{site}", "HOME": str(work)}
        report = subprocess.run(
            [python, "-m", "metaseal", "scan", "report", "--db", str(db), "--format", "json"],
            user=65534,
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        args = scanned.args("ok-02", db=db)
        args[args.index("--cache-dir") + 1] = str(work / "sidecars")
        scan = subprocess.run(
            [python, "-m", "metaseal", *args, "--no-cache"],
            user=65534,
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        work.chmod(0o755)
        shutil.rmtree(work)
    assert report.returncode == 0, report.stderr
    assert '"releases": 3' in report.stdout
    assert scan.returncode == 3, scan.stderr
    one_paragraph_error(scan, str(db), "cannot be written")
