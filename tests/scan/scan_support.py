"""Helpers for the ``metaseal scan`` tests: run the real CLI in a subprocess, read the db."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from index.servers import StaticIndex
    from scan.conftest import Universe

SRC = str(Path(__file__).resolve().parents[2] / "src")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "metaseal", *args]


def environment(cache: Path) -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONPATH": SRC + (os.pathsep + path if path else ""),
        "XDG_CACHE_HOME": str(cache),  # the default db and sidecar cache stay in the test's tmp
    }


def run(
    *args: str, cache: Path, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args),
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(cache),
        timeout=timeout,
        check=False,
    )


@dataclass
class Scan:
    """A universe served by a :class:`StaticIndex`, and a database in ``tmp``."""

    server: StaticIndex
    universe: Universe
    tmp: Path
    db: Path

    @property
    def names_file(self) -> Path:
        target = self.tmp / "projects.txt"
        if not target.exists():
            target.write_text("# every project\n" + "\n".join(self.universe.names) + "\n")
        return target

    def args(self, *extra: str, db: Path | None = None) -> list[str]:
        return [
            "scan",
            "--index",
            self.server.index_url,
            "--db",
            str(db or self.db),
            "--sdists",
            "--retries",
            "0",
            "--no-progress",
            "--cache-dir",
            str(self.tmp / "sidecars"),
            *extra,
        ]

    def run(self, *extra: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
        return run(*self.args(*extra, db=db), cache=self.tmp / "cache")

    def run_all(self, *extra: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
        return self.run("--projects", str(self.names_file), *extra, db=db)

    def report(self, fmt: str, db: Path | None = None) -> str:
        done = run(
            "scan", "report", "--db", str(db or self.db), "--format", fmt, cache=self.tmp / "c"
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        return done.stdout


def query(
    db: Path, sql: str, params: Sequence[Any] = (), *, create: bool = False
) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (the database must exist unless ``create``)."""
    mode = "rwc" if create else "rw"
    connection = sqlite3.connect(f"file:{db}?mode={mode}", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def statuses(db: Path) -> dict[str, str]:
    return dict(query(db, "SELECT name, status FROM projects"))


def page_requests(server: StaticIndex) -> dict[str, int]:
    """Project name -> requests for its page."""
    counts: dict[str, int] = {}
    for access in server.requests("/simple/*/"):
        name = access.path.split("/")[2]
        counts[name] = counts.get(name, 0) + 1
    return counts


def touched(server: StaticIndex, name: str) -> list[str]:
    """Paths requested for project ``name``: its page and its files."""
    stem = name.replace("-", "_") + "-"
    return [
        a.path
        for a in server.log
        if a.path == f"/simple/{name}/" or a.path.startswith(f"/files/{stem}")
    ]


def one_paragraph_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A single ``metaseal: error:`` line holding each fragment, and nothing on stdout."""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("metaseal: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert done.stdout == ""
