"""The SQLite store of ``metaseal scan``: one row per project, release, file, finding, variation.

The database remembers which index it describes (``meta.index``) and its schema version.
:meth:`ScanDB.record` writes one finished project in one transaction (WAL journal), so a scan
killed at any moment leaves every finished project complete and every other one pending.
Only the thread that opened a :class:`ScanDB` may use it.

Tables (``name`` is the normalized project name)::

    meta(key, value)                      schema_version, index, created
    projects(name, status, error, attempts, finished_at)    status: pending | done | failed
    releases(name, version, status, exit_code, n_files, report_json)   PASSED | FAILED
    files(name, version, filename, url, kind, role, metadata_sha256)
    findings(name, version, rule, field, severity, left_file, right_file, message)
    variation(name, version, field, value, no_op, pattern, kind, reason)
        kind: no-op | expressible | inexpressible

``report_json`` is the release exactly as ``metaseal check --format json`` writes it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from metaseal.errors import ArtifactError, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

__all__ = [
    "SCHEMA_VERSION",
    "FileRow",
    "FindingRow",
    "ProjectResult",
    "ReleaseRow",
    "ScanDB",
    "VariationRow",
    "database_error",
]

#: Version of the tables; a database with another version is refused.
SCHEMA_VERSION = 1

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE projects (
    name TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    finished_at REAL
);
CREATE TABLE releases (
    name TEXT NOT NULL REFERENCES projects (name),
    version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PASSED', 'FAILED')),
    exit_code INTEGER NOT NULL,
    n_files INTEGER NOT NULL,
    report_json TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE files (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    filename TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    role TEXT NOT NULL,
    metadata_sha256 TEXT NOT NULL,
    PRIMARY KEY (name, filename)
);
CREATE TABLE findings (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    rule TEXT NOT NULL,
    field TEXT NOT NULL,
    severity TEXT NOT NULL,
    left_file TEXT,
    right_file TEXT,
    message TEXT NOT NULL
);
CREATE INDEX findings_release ON findings (name, version);
CREATE TABLE variation (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    no_op INTEGER NOT NULL,
    pattern TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('no-op', 'expressible', 'inexpressible')),
    reason TEXT NOT NULL
);
CREATE INDEX variation_release ON variation (name, version);
"""
_DETAIL_TABLES = ("releases", "files", "findings", "variation")
_ALL_TABLES = ("meta", "projects", *_DETAIL_TABLES)
#: The values a column may hold (a database written by hand or by something else may not).
_ENUMS = (
    ("projects", "status", ("pending", "done", "failed")),
    ("releases", "status", ("PASSED", "FAILED")),
    ("variation", "kind", ("no-op", "expressible", "inexpressible")),
)
#: How long (seconds) a statement waits for another process that holds the database locked.
BUSY_TIMEOUT = 5.0


class FileRow(NamedTuple):
    filename: str
    url: str
    kind: str
    role: str
    metadata_sha256: str


class FindingRow(NamedTuple):
    rule: str
    field: str
    severity: str
    left_file: str | None
    right_file: str | None
    message: str


class VariationRow(NamedTuple):
    field: str
    value: str
    no_op: bool
    pattern: str
    kind: str  # no-op | expressible | inexpressible
    reason: str


@dataclass(frozen=True)
class ReleaseRow:
    """One checked release, flattened for storage."""

    name: str
    version: str
    exit_code: int  # 1: the release has errors
    report_json: str
    files: tuple[FileRow, ...] = ()
    findings: tuple[FindingRow, ...] = ()
    variation: tuple[VariationRow, ...] = ()


@dataclass(frozen=True)
class ProjectResult:
    """What a worker found for one project: its releases, or why it could not be read."""

    name: str
    releases: tuple[ReleaseRow, ...] = ()
    error: str | None = None


def _unreadable(path: Path, detail: str) -> ArtifactError:
    return ArtifactError(
        str(path),
        f"is not a metaseal scan database ({detail}); pass another `--db FILE`, or move this "
        "file away to start a new scan there.",
    )


def database_error(path: Path, exc: sqlite3.Error) -> ArtifactError:
    """The one-paragraph error for an SQLite failure on the database at ``path``."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return ArtifactError(
            str(path),
            f"is locked by another process, still after {BUSY_TIMEOUT:g} s (another `metaseal "
            "scan` of this database?); wait for it to finish, or pass another `--db FILE`.",
        )
    if "readonly" in text or "read-only" in text:
        return ArtifactError(
            str(path),
            f"cannot be written ({text}); `metaseal scan` records every project in it: make the "
            "file and its directory writable, or pass another `--db FILE`.",
        )
    return _unreadable(path, text)


class ScanDB:
    """An open scan database (see the module docstring for the tables)."""

    def __init__(self, path: Path, connection: sqlite3.Connection, index: str) -> None:
        self.path = path
        self.connection = connection
        #: The index URL (or find-links URLs) the database describes.
        self.index = index

    @classmethod
    def open(cls, path: Path, index: str | None = None) -> ScanDB:
        """Open ``path``, creating it for ``index`` when it does not exist yet.

        Without ``index`` the database must exist and is opened read-only (``scan report``).
        With one, an existing database must describe the same index (:class:`UsageError`
        otherwise). Anything SQLite refuses (a locked, read-only, damaged or foreign file)
        raises :class:`ArtifactError` naming the file.
        """
        exists = path.exists()
        if not exists and index is None:
            raise ArtifactError(
                str(path),
                "does not exist; run `metaseal scan --index URL --db FILE NAME...` first, or "
                "pass the `--db FILE` a scan wrote.",
            )
        if not exists:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArtifactError(str(path), f"cannot be created ({exc.strerror}).") from None
        try:
            connection, stored = cls._connect(path, index, immutable=False)
        except sqlite3.OperationalError as exc:
            # A report of a WAL database in a directory it may not write: SQLite cannot make
            # the `-shm` file. With no `-wal` file everything is in the main file, which can
            # then be read as immutable (nothing else can be writing it).
            wal = path.with_name(f"{path.name}-wal")
            if index is not None or "readonly" not in str(exc) or wal.exists():
                raise database_error(path, exc) from None
            try:
                connection, stored = cls._connect(path, index, immutable=True)
            except sqlite3.Error as again:
                raise database_error(path, again) from None
        except sqlite3.Error as exc:
            raise database_error(path, exc) from None
        return cls(path, connection, stored)

    @classmethod
    def _connect(
        cls, path: Path, index: str | None, *, immutable: bool
    ) -> tuple[sqlite3.Connection, str]:
        if index is None:  # a report only reads: a read-only file is fine
            target = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
            connection = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT)
        else:
            connection = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT)
        connection.isolation_level = None
        try:
            return connection, cls._prepare(connection, path, index)
        except BaseException:
            connection.close()
            raise

    @staticmethod
    def _prepare(connection: sqlite3.Connection, path: Path, index: str | None) -> str:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if not tables and index is not None:
            _tune(connection)
            connection.executescript(f"BEGIN IMMEDIATE;{_TABLES}COMMIT;")
            _set_meta(connection, SCHEMA_VERSION, index)
            return index
        if "meta" not in tables:
            raise _unreadable(path, "it has no `meta` table")
        meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema_version") != str(SCHEMA_VERSION) or "index" not in meta:
            raise _unreadable(
                path,
                f"schema version {meta.get('schema_version', '?')}, this metaseal reads "
                f"version {SCHEMA_VERSION}",
            )
        missing = [table for table in _ALL_TABLES if table not in tables]
        if missing:
            raise _unreadable(path, f"it has no `{missing[0]}` table")
        for table, column, allowed in _ENUMS:
            marks = ", ".join("?" * len(allowed))
            query = f"SELECT {column} FROM {table} WHERE {column} NOT IN ({marks}) LIMIT 1"
            odd = connection.execute(query, allowed).fetchone()
            if odd is not None:
                raise _unreadable(
                    path, f"`{table}.{column}` holds {odd[0]!r}, not one of {', '.join(allowed)}"
                )
        if index is not None and index.rstrip("/") != meta["index"].rstrip("/"):
            raise UsageError(
                f"{path} holds a scan of {meta['index']}, not of {index}; pass "
                f"`--index {meta['index']}` to resume that scan, or another `--db FILE` for "
                "a new one."
            )
        if index is not None:
            _tune(connection)
        return str(meta["index"])

    def close(self) -> None:
        self.connection.close()

    def add_projects(self, names: Iterable[str]) -> None:
        """Add projects as pending; known ones keep their state."""
        with _transaction(self.connection):
            self.connection.executemany(
                "INSERT OR IGNORE INTO projects (name) VALUES (?)", ((n,) for n in names)
            )

    def names(self) -> list[str]:
        """Every project of the database, in the order they were added."""
        return [
            row[0] for row in self.connection.execute("SELECT name FROM projects ORDER BY rowid")
        ]

    def statuses(self, names: Sequence[str]) -> dict[str, str]:
        """Project name -> status, for the given names that the database holds."""
        found: dict[str, str] = {}
        for start in range(0, len(names), 500):
            chunk = list(names[start : start + 500])
            marks = ",".join("?" * len(chunk))
            query = f"SELECT name, status FROM projects WHERE name IN ({marks})"
            found.update(self.connection.execute(query, chunk).fetchall())
        return found

    def release_codes(self) -> list[tuple[str, int]]:
        """``(project name, exit code)`` of every release checked."""
        return self.connection.execute("SELECT name, exit_code FROM releases").fetchall()

    def project_statuses(self) -> list[str]:
        """The status of every project (``pending``, ``done``, ``failed``)."""
        return [row[0] for row in self.connection.execute("SELECT status FROM projects")]

    def releases(self) -> list[tuple[str, str, int, str]]:
        """``(name, version, exit code, report JSON)`` of every release checked."""
        query = "SELECT name, version, exit_code, report_json FROM releases"
        return self.connection.execute(query).fetchall()

    def file_roles(self) -> list[str]:
        """The role (``sdist``, ``wheel``) of every file read."""
        return [row[0] for row in self.connection.execute("SELECT role FROM files")]

    def variation(self) -> list[tuple[str, str, str, str, str, str]]:
        """``(name, version, field, value, kind, reason)`` of every stored variation, in order."""
        query = "SELECT name, version, field, value, kind, reason FROM variation ORDER BY rowid"
        return self.connection.execute(query).fetchall()

    def failed_projects(self) -> list[tuple[str, int, str]]:
        """``(name, attempts, error)`` of every failed project, by name."""
        query = "SELECT name, attempts, error FROM projects WHERE status = 'failed' ORDER BY name"
        return self.connection.execute(query).fetchall()

    def record(self, result: ProjectResult) -> None:
        """Replace everything stored about one project with ``result``, in one transaction."""
        connection = self.connection
        with _transaction(connection):
            for table in _DETAIL_TABLES:
                connection.execute(f"DELETE FROM {table} WHERE name = ?", (result.name,))
            for release in result.releases:
                key = (release.name, release.version)
                connection.execute(
                    "INSERT OR REPLACE INTO releases VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        *key,
                        "FAILED" if release.exit_code else "PASSED",
                        release.exit_code,
                        len(release.files),
                        release.report_json,
                    ),
                )
                connection.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((*key, *row) for row in release.files),
                )
                connection.executemany(
                    "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    ((*key, *row) for row in release.findings),
                )
                connection.executemany(
                    "INSERT INTO variation VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    ((*key, *row) for row in release.variation),
                )
            connection.execute(
                "INSERT INTO projects (name, status, error, attempts, finished_at) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (name) DO UPDATE SET status = "
                "excluded.status, error = excluded.error, attempts = attempts + 1, "
                "finished_at = excluded.finished_at",
                (result.name, "failed" if result.error else "done", result.error, time.time()),
            )


def _tune(connection: sqlite3.Connection) -> None:
    """WAL journal, synced at checkpoints: a commit survives the process being killed (not a
    power cut, which may lose the last few projects; they are then scanned again)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def _set_meta(connection: sqlite3.Connection, version: int, index: str) -> None:
    rows = [
        ("schema_version", str(version)),
        ("index", index),
        ("created", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
    ]
    with _transaction(connection):
        connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows)


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception (Ctrl-C too)."""
    if connection.in_transaction:  # left open by a Ctrl-C that landed between two statements
        connection.execute("ROLLBACK")
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
