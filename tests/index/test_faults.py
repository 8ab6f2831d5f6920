"""Every way an index can fail ends in exit code 4 with one clear paragraph, fast, never a hang.

Each case runs the real CLI in a subprocess; the subprocess timeout is the hang guard.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from index.client_support import publish_releases, run_cli

if TYPE_CHECKING:
    from pathlib import Path

    from index.conftest import MakeIndex

WHEEL = "/files/alpha-1.0-py3-none-any.whl"
SIDECAR = WHEEL + ".metadata"
SDIST = "/files/alpha-1.0.tar.gz"
PAGE = "/simple/alpha/"
#: Quick to give up: one retry, one-second timeouts.
PATIENCE = ("--retries", "1", "--timeout", "1", "--no-cache")

CASES = [
    # (id, sidecars, path, fault kind, fault options, extra CLI options, URL path, message)
    ("page-404", True, PAGE, "404", {}, [], PAGE, "no project `alpha` on "),
    ("page-500", True, PAGE, "500", {}, [], PAGE, "HTTP 500 (a server error)"),
    ("page-slow", True, PAGE, "slow", {"seconds": 5}, [], PAGE, "did not answer in time"),
    ("page-garbage", True, PAGE, "garbage", {}, [], PAGE, "is not a PEP 503/691 page"),
    ("page-truncated", True, PAGE, "truncate", {}, [], PAGE, "the response was cut off"),
    (
        "page-huge",
        True,
        PAGE,
        "huge",
        {"size": 100 << 20},
        [],
        PAGE,
        "larger than the 67,108,864-byte limit",
    ),
    ("sidecar-404", True, SIDECAR, "404", {}, [], SIDECAR, "HTTP 404 (not found)"),
    ("sidecar-hash", True, SIDECAR, "wrong-hash", {}, [], SIDECAR, "its sha256 digest is "),
    ("sidecar-cut", True, SIDECAR, "truncate", {}, [], SIDECAR, "the response was cut off"),
    ("sidecar-slow", True, SIDECAR, "slow", {"seconds": 5}, [], SIDECAR, "did not answer in"),
    (
        "sidecar-huge",
        True,
        SIDECAR,
        "huge",
        {"size": 32 << 20},
        [],
        SIDECAR,
        "larger than the 16,777,216-byte limit",
    ),
    ("sdist-hash", True, SDIST, "wrong-hash", {}, ["--sdists"], SDIST, "its sha256 digest is "),
    ("sdist-cut", True, SDIST, "truncate", {}, ["--sdists"], SDIST, "the response was cut off"),
    ("wheel-500", False, WHEEL, "500", {}, [], WHEEL, "HTTP 500 (a server error)"),
    ("wheel-cut", False, WHEEL, "truncate", {}, [], WHEEL, "the response was cut off"),
    ("wheel-slow", False, WHEEL, "slow", {"seconds": 5}, [], WHEEL, "did not answer in time"),
    ("wheel-no-range", False, WHEEL, "no-range", {}, [], WHEEL, "pass `--allow-download`"),
    (
        "wheel-download-hash",
        False,
        WHEEL,
        "wrong-hash",
        {},
        ["--allow-download"],
        WHEEL,
        "its sha256 digest is ",
    ),
]


@pytest.mark.parametrize(
    ("sidecars", "path", "kind", "options", "extra", "where", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_fault_is_exit_4_with_one_paragraph(
    static_index: MakeIndex,
    dists: Path,
    sidecars: bool,
    path: str,
    kind: str,
    options: dict[str, object],
    extra: list[str],
    where: str,
    message: str,
) -> None:
    publish_releases(dists)
    index = static_index(sidecars=sidecars)
    index.fault(path, kind, **options)
    if kind == "wrong-hash" and "--allow-download" in extra:
        index.fault(path, "no-range")  # a full download is what checks the file's hash
    started = time.monotonic()
    run = run_cli("check", *PATIENCE, *extra, "--index", index.index_url, "alpha", timeout=30)
    elapsed = time.monotonic() - started
    assert run.returncode == 4, str(run)
    assert run.stderr.startswith(f"metaseal: error: {index.url}{where}: "), str(run)
    assert message in run.stderr, str(run)
    assert run.stderr.count("\n") == 1, str(run)  # one paragraph, on one line
    assert "Traceback" not in run.stderr
    assert elapsed < 15, f"took {elapsed:.1f} s"
    assert len(index.requests(path)) <= 2  # one retry at most, and never for a 404 or a hash


def test_a_passing_fault_is_retried_away(static_index: MakeIndex, dists: Path) -> None:
    publish_releases(dists)
    index = static_index()
    index.fault(PAGE, "500", times=1)
    index.fault(SIDECAR, "truncate", times=1)
    run = run_cli("check", *PATIENCE, "--index", index.index_url, "alpha")
    assert run.returncode == 0, str(run)
    assert [a.status for a in index.requests(PAGE)] == [500, 200]
    assert len(index.requests(SIDECAR)) == 2


def test_errors_are_in_the_json_report_and_other_projects_are_still_checked(
    static_index: MakeIndex, dists: Path
) -> None:
    publish_releases(dists)
    index = static_index()
    index.fault(SIDECAR, "wrong-hash")
    run = run_cli(
        "check", *PATIENCE, "--format", "json", "--index", index.index_url, "alpha", "gamma"
    )
    assert run.returncode == 4, str(run)
    report = run.json()
    assert report["exit_code"] == 4
    assert [r["name"] for r in report["releases"]] == ["gamma"]
    [error] = report["errors"]
    assert error["path"] == index.url + SIDECAR
    assert error["message"].startswith(f"{index.url}{SIDECAR}: its sha256 digest is ")
    assert run.stderr == ""


def test_unreachable_index(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_cli("check", *PATIENCE, "--index", "http://127.0.0.1:9/simple/", "alpha")
    assert run.returncode == 4, str(run)
    assert run.stderr.startswith(
        "metaseal: error: http://127.0.0.1:9/simple/alpha/: cannot connect ("
    ), str(run)
    assert "Connection refused" in run.stderr
    assert run.stderr.endswith("(2 tries).\n")
    assert time.monotonic() - started < 15
