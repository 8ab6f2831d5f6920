"""`metaseal scan` and `scan report` through the real CLI against a static index on 127.0.0.1."""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
from typing import TYPE_CHECKING, Any

from scan.scan_support import one_paragraph_error, page_requests, query, run, statuses, touched

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

    from index.conftest import MakeIndex
    from scan.conftest import Universe
    from scan.scan_support import Scan

EXPECTED_VARIATION = {
    ("vary-win", "Requires-Dist", "pywin32>=300", "expressible"),
    ("vary-win-dynamic", "Requires-Dist", "pywin32>=300", "expressible"),
    ("vary-noop", "Requires-Dist", 'colorama; sys_platform == "win32"', "no-op"),
    ("vary-libc", "Requires-Dist", "glibc-helper", "inexpressible"),
    ("vary-summary", "Summary", "A project", "inexpressible"),
    ("vary-summary", "Summary", "Win", "inexpressible"),
}


def test_universe_db_holds_every_file_finding_and_variation(scan_setup: Scan) -> None:
    universe, db = scan_setup.universe, scan_setup.db
    done = scan_setup.run_all()
    assert done.returncode == 4, done.stderr
    assert f"scan database {db}: 27 projects, 0 already read, 27 to read" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == (
        f"27 projects: 24 read, 3 failed; 24 releases, 3 with errors. "
        f"Summary: metaseal scan report --db {db}\n"
    )
    failed = set(universe.broken + universe.missing)
    assert statuses(db) == {n: "failed" if n in failed else "done" for n in universe.names}
    errors = dict(query(db, "SELECT name, error FROM projects WHERE status = 'failed'"))
    assert "no project `missing-one`" in errors["missing-one"]
    assert "500" in errors["broken-page"]
    releases = query(db, "SELECT name, version, status, exit_code, n_files FROM releases")
    newest = {"drift-summary": "2.0"}
    assert sorted(r[:2] for r in releases) == sorted(
        (n, newest.get(n, "1.0")) for n in universe.names if n not in failed
    )
    assert {r[0] for r in releases if r[2] == "FAILED"} == set(universe.drift)
    assert all(r[3] == (r[2] == "FAILED") for r in releases)
    files = query(db, "SELECT name, filename, url, kind, role, metadata_sha256 FROM files")
    assert sum(r[4] for r in releases) == len(files) == 49
    advertised = {
        f["filename"]: f["core-metadata"]["sha256"]
        for name in {r[0] for r in files}
        for f in _page(scan_setup, name)["files"]
    }
    for name, filename, url, kind, role, digest in files:
        assert url == f"{scan_setup.server.url}/files/{filename}"
        assert (kind, role) == (("wheel",) * 2 if filename.endswith(".whl") else ("sdist",) * 2)
        assert filename.startswith(name.replace("-", "_") + "-")
        assert digest == advertised[filename]
    findings = query(
        db, "SELECT name, field, rule, left_file, right_file FROM findings WHERE severity='error'"
    )
    assert sorted(f[:3] for f in findings) == [
        ("drift-deps", "Requires-Dist", "static-field"),
        ("drift-old", "Requires-Dist", "static-field"),
        ("drift-summary", "Summary", "static-field"),
    ]
    assert ("drift-old", "Requires-Dist", "static-field", "drift_old-1.0.tar.gz") in {
        f[:4] for f in findings
    }
    variation = set(query(db, "SELECT name, field, value, kind FROM variation"))
    assert variation == EXPECTED_VARIATION
    reasons = dict(query(db, "SELECT name, reason FROM variation WHERE name = 'vary-libc'"))
    assert "not a marker variable" in reasons["vary-libc"]
    stored = json.loads(query(db, "SELECT report_json FROM releases WHERE name='vary-win'")[0][0])
    assert stored["proposal"]["verified"] is True
    assert stored["proposal"]["requires_dist"] == ['pywin32>=300; sys_platform == "win32"']
    # Sidecars only: no wheel body was fetched; each sdist was read once, in full.
    assert not scan_setup.server.requests("/files/*.whl")
    sdists = [a for a in scan_setup.server.log if a.path.endswith(".tar.gz")]
    assert len(sdists) == len({a.path for a in sdists}) == 20


def _page(scan_setup: Scan, name: str) -> dict[str, Any]:
    host = scan_setup.server.url[len("http://") :]
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request(
        "GET", f"/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    document: dict[str, Any] = json.loads(connection.getresponse().read())
    connection.close()
    return document


def test_report_lists_exactly_the_varying_and_drifting_releases(scan_setup: Scan) -> None:
    universe = scan_setup.universe
    assert scan_setup.run_all().returncode == 4
    summary = json.loads(scan_setup.report("json"))
    assert summary["schema_version"] == 1
    assert summary["index"] == scan_setup.server.index_url
    assert summary["totals"] == {
        "projects": 27,
        "done": 24,
        "failed": 3,
        "pending": 0,
        "releases": 24,
        "releases_with_errors": 3,
        "releases_with_variation": 5,
        "files": 49,
        "wheels": 29,
        "sdists": 20,
    }
    varying = summary["releases_with_variation"]
    assert [r["name"] for r in varying] == sorted(universe.varying)
    assert {
        (r["name"], v["field"], v["value"], v["kind"]) for r in varying for v in r["variation"]
    } == EXPECTED_VARIATION
    entry = next(r for r in varying if r["name"] == "vary-win")
    assert set(entry) == {"name", "version", "wheels", "variation", "proposal", "inexpressible"}
    assert entry["wheels"] == 2
    assert set(entry["variation"][0]) == {
        *("field", "value", "present_in", "absent_from", "no_op", "pattern", "kind", "reason"),
    }
    assert summary["variation_by_field"] == {
        "Requires-Dist": {"no-op": 1, "expressible": 2, "inexpressible": 1},
        "Summary": {"no-op": 0, "expressible": 0, "inexpressible": 2},
    }
    assert [r["name"] for r in summary["releases_with_errors"]] == sorted(universe.drift)
    finding = summary["releases_with_errors"][0]["findings"][0]
    assert set(finding) >= {"field", "rule", "severity", "message", "hint", "artifacts", "left"}
    assert summary["errors_by_field"] == {
        "Requires-Dist": {"releases": 2, "rules": {"static-field": 2}},
        "Summary": {"releases": 1, "rules": {"static-field": 1}},
    }
    assert [p["name"] for p in summary["failed_projects"]] == sorted(
        universe.broken + universe.missing
    )

    rows = list(csv.DictReader(io.StringIO(scan_setup.report("csv"))))
    assert {(r["name"], r["field"], r["kind"], r["count"]) for r in rows} == {
        ("drift-deps", "Requires-Dist", "error", "1"),
        ("drift-old", "Requires-Dist", "error", "1"),
        ("drift-summary", "Summary", "error", "1"),
        ("vary-libc", "Requires-Dist", "inexpressible", "1"),
        ("vary-noop", "Requires-Dist", "no-op", "1"),
        ("vary-summary", "Summary", "inexpressible", "2"),
        ("vary-win", "Requires-Dist", "expressible", "1"),
        ("vary-win-dynamic", "Requires-Dist", "expressible", "1"),
    }
    assert next(r for r in rows if r["name"] == "vary-summary")["details"] == "A project | Win"

    markdown = scan_setup.report("md")
    sections = dict(
        re.findall(r"^## (.+?) \(\d+\)\n\n((?:.+\n)+(?:\n(?:\|.+\n)+)*)", markdown, re.M)
    )
    assert set(sections) == {
        "Releases with errors",
        "Releases whose wheels vary",
        "Projects that could not be read",
    }

    def releases(section: str) -> set[str]:
        cells = [line.split(" | ")[0].strip("| ") for line in sections[section].splitlines()]
        return {cell for cell in cells if re.fullmatch(r"[a-z0-9-]+ \d+\.\d+", cell)}

    assert releases("Releases whose wheels vary") == {f"{n} 1.0" for n in universe.varying}
    assert releases("Releases with errors") == {
        "drift-deps 1.0",
        "drift-old 1.0",
        "drift-summary 2.0",
    }
    assert "| 27 | 24 | 3 | 0 | 24 | 3 | 5 | 49 (29 wheels, 20 sdists) |" in markdown


def test_report_output_file(scan_setup: Scan) -> None:
    assert scan_setup.run("ok-01").returncode == 0
    target = scan_setup.tmp / "report.csv"
    done = run(
        "scan", "report", "--db", str(scan_setup.db), "--format", "csv", "--output", str(target),
        cache=scan_setup.tmp,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert target.read_text() == "name,version,field,kind,count,rules,details\n"


def test_second_run_requests_nothing_and_retry_failed_only_the_failed(scan_setup: Scan) -> None:
    server, db = scan_setup.server, scan_setup.db
    first = scan_setup.run_all()
    assert first.returncode == 4
    before = query(db, "SELECT * FROM releases ORDER BY name")
    server.clear_log()
    again = scan_setup.run_all()
    assert again.returncode == 4
    assert (
        "27 projects, 27 already read, 0 to read (3 failed before: --retry-failed reads them "
        "again)\n"
    ) in again.stderr
    server.wait_idle()
    assert server.log == []
    assert query(db, "SELECT * FROM releases ORDER BY name") == before
    server.clear_faults()  # broken-page serves again; the missing ones still 404
    retried = scan_setup.run_all("--retry-failed")
    assert retried.returncode == 4
    assert "27 projects, 24 already read, 3 to read" in retried.stderr
    assert page_requests(server) == {"broken-page": 1, "missing-one": 1, "missing-two": 1}
    assert {a.path.split("/")[2] for a in server.log if a.path.startswith("/simple/")} == {
        "broken-page",
        "missing-one",
        "missing-two",
    }
    assert statuses(db)["broken-page"] == "done"
    attempts = dict(query(db, "SELECT name, attempts FROM projects"))
    assert (attempts["broken-page"], attempts["missing-one"], attempts["ok-00"]) == (2, 2, 1)


def test_retry_failed_after_a_transient_error(scan_setup: Scan) -> None:
    scan_setup.server.fault("/files/ok_05-*.metadata", "500", times=1)
    first = scan_setup.run("ok-04", "ok-05")
    assert first.returncode == 4
    assert statuses(scan_setup.db) == {"ok-04": "done", "ok-05": "failed"}
    count = len(touched(scan_setup.server, "ok-05"))
    assert count >= 2  # the page and the sidecar that failed
    assert scan_setup.run("ok-04", "ok-05").returncode == 4  # not retried without the flag
    assert len(touched(scan_setup.server, "ok-05")) == count
    fixed = scan_setup.run("ok-04", "ok-05", "--retry-failed")
    assert fixed.returncode == 0, fixed.stderr
    assert statuses(scan_setup.db) == {"ok-04": "done", "ok-05": "done"}
    assert len(touched(scan_setup.server, "ok-05")) > count
    assert touched(scan_setup.server, "ok-04").count("/simple/ok-04/") == 1


def test_all_versions_and_names_from_stdin(scan_setup: Scan) -> None:
    stdin = "# projects\nok-00   # two versions\n\nDrift_Old\n"
    args = scan_setup.args("--projects", "-", "--all-versions", "ok-01")
    done = run(*args, cache=scan_setup.tmp, stdin=stdin)
    assert done.returncode == 1, done.stderr
    releases = query(scan_setup.db, "SELECT name, version, status FROM releases ORDER BY 1, 2")
    assert releases == [
        ("drift-old", "0.9", "PASSED"),
        ("drift-old", "1.0", "FAILED"),
        ("ok-00", "0.9", "PASSED"),
        ("ok-00", "1.0", "PASSED"),
        ("ok-01", "1.0", "PASSED"),
    ]
    assert [n for (n,) in query(scan_setup.db, "SELECT name FROM projects ORDER BY rowid")] == [
        "ok-01",
        "ok-00",
        "drift-old",
    ]


def test_run_without_names_resumes_the_database(scan_setup: Scan) -> None:
    listing = scan_setup.tmp / "bom.txt"
    listing.write_text("\ufeffok-02\r\nok-03\r\n", encoding="utf-8")  # as Notepad writes it
    assert scan_setup.run("--projects", str(listing)).returncode == 0
    again = scan_setup.run()
    assert again.returncode == 0
    assert "2 projects, 2 already read, 0 to read" in again.stderr


def test_default_database_lives_in_the_user_cache(
    tmp_path: Path, universe: Universe, static_index: MakeIndex
) -> None:
    server = static_index(universe.root)
    args = ("scan", "--index", server.index_url, "--no-cache", "--no-progress", "ok-01")
    done = run(*args, cache=tmp_path / "xdg")
    assert done.returncode == 0, done.stderr
    expected = tmp_path / "xdg" / "metaseal" / "scan.sqlite3"
    assert f"scan database {expected}:" in done.stderr
    assert statuses(expected) == {"ok-01": "done"}


def test_progress_line_when_asked(scan_setup: Scan) -> None:
    args = [a for a in scan_setup.args("ok-01", "ok-02") if a != "--no-progress"]
    done = run(*args, cache=scan_setup.tmp)
    assert done.returncode == 0
    assert re.search(r"^scan 100% 2/2 projects, [\d.]+/s, ETA 0:00$", done.stderr, re.M)


def test_errors_are_one_paragraph_with_documented_codes(scan_setup: Scan) -> None:
    tmp = scan_setup.tmp
    absent = tmp / "absent.txt"
    one_paragraph_error(scan_setup.run("--projects", str(absent)), str(absent), "cannot be read")
    assert scan_setup.run("--projects", str(absent)).returncode == 3
    bad = tmp / "bad.txt"
    bad.write_text("ok-01\nnot a name!\n")
    done = scan_setup.run("--projects", str(bad))
    assert done.returncode == 3
    one_paragraph_error(done, str(bad), "line 2: `not a name!` is not a project name")
    done = scan_setup.run("dist/ok_01-1.0-py3-none-any.whl")
    assert done.returncode == 2
    one_paragraph_error(done, "is not a project name")
    done = scan_setup.run("ok-01", "--jobs", "64")
    assert done.returncode == 2
    one_paragraph_error(done, "--jobs 64", "at most 32")
    done = run("scan", "--db", str(scan_setup.db), "ok-01", cache=tmp)
    assert done.returncode == 2
    one_paragraph_error(done, "--index URL")
    done = scan_setup.run()
    assert done.returncode == 2
    one_paragraph_error(done, "name the projects to scan")


def test_database_of_another_index_or_not_a_database(
    scan_setup: Scan, static_index: MakeIndex
) -> None:
    assert scan_setup.run("ok-01").returncode == 0
    other = static_index(scan_setup.universe.root)
    done = run(*scan_setup.args("ok-02"), cache=scan_setup.tmp)  # same index: fine
    assert done.returncode == 0
    args = scan_setup.args("ok-03")
    args[args.index("--index") + 1] = other.index_url
    done = run(*args, cache=scan_setup.tmp)
    assert done.returncode == 2
    one_paragraph_error(done, str(scan_setup.db), scan_setup.server.index_url, other.index_url)
    assert not other.log
    garbage = scan_setup.tmp / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    for done in (scan_setup.run("ok-01", db=garbage), _report(scan_setup, garbage)):
        assert done.returncode == 3
        one_paragraph_error(done, str(garbage), "is not a metaseal scan database")
    foreign = scan_setup.tmp / "foreign.sqlite3"
    query(foreign, "CREATE TABLE things (x)", create=True)
    done = scan_setup.run("ok-01", db=foreign)
    assert done.returncode == 3
    one_paragraph_error(done, "is not a metaseal scan database (it has no `meta` table)")
    missing = scan_setup.tmp / "missing.sqlite3"
    done = _report(scan_setup, missing)
    assert done.returncode == 3
    one_paragraph_error(done, str(missing), "does not exist")
    assert not missing.exists()


def _report(scan_setup: Scan, db: Path) -> subprocess.CompletedProcess[str]:
    return run("scan", "report", "--db", str(db), cache=scan_setup.tmp)
