"""Issue 11, item 8: ``metaseal check`` on the core metadata of real releases from PyPI.

``tests/data/releases/<name>-<version>/`` holds, for each release, the sdist's ``PKG-INFO`` and
the ``METADATA`` of up to five of its wheels, stored as PEP 658 sidecars named
``<distribution filename>.metadata`` (``sources.toml`` says where each came from). The real
CLI checks each release directory; its errors must be exactly those ``releases_expected.toml``
lists, each judged by hand. A false error is never listed: it fails this test until fixed.

The CLI runs as ``python -m metaseal`` from this checkout's ``src`` (not whatever metaseal the
test environment has installed), and only through its documented JSON report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib  # noqa: TID251 - metaseal's own modules are not imported here (they move)
else:  # pragma: no cover
    import tomli as tomllib  # noqa: TID251

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
RELEASES = ROOT / "tests" / "data" / "releases"
SOURCES: list[dict[str, str]] = tomllib.loads((RELEASES / "sources.toml").read_text("utf-8"))[
    "file"
]
EXPECTED: dict[str, Any] = tomllib.loads(
    (Path(__file__).resolve().parent / "releases_expected.toml").read_text("utf-8")
)
RELEASE_DIRS = sorted(path for path in RELEASES.iterdir() if path.is_dir())
#: Exit codes of the CLI contract (docs/reference/exit-codes.md).
EXIT_OK = 0
EXIT_FINDINGS = 1


def check(directory: Path) -> tuple[int, dict[str, Any], str]:
    """``python -m metaseal check --format json DIRECTORY``: exit code, report, stderr."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUTF8": "1", "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.run(
        [sys.executable, "-m", "metaseal", "check", "--format", "json", str(directory)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(process.stdout)
    except ValueError:
        raise AssertionError(
            f"no JSON report (exit {process.returncode}):\n{process.stdout}\n{process.stderr}"
        ) from None
    return process.returncode, report, process.stderr


def errors_of(report: dict[str, Any]) -> list[str]:
    """Every error of the report, one line each: ``Field [rule] file -> file`` or the file's."""
    lines = [
        f"(file) {error.get('path', '')}: {error.get('message', '')}" for error in report["errors"]
    ]
    for release in report["releases"]:
        for finding in release["findings"]:
            if finding["severity"] == "error":
                files = " -> ".join(finding["artifacts"])
                lines.append(f"{finding['field']} [{finding['rule']}] {files}")
    return sorted(lines)


def test_data_matches_sources() -> None:
    """Every stored file is listed in ``sources.toml`` with its URL and sha256, and back."""
    stored = {f"{path.parent.name}/{path.name}" for path in RELEASES.glob("*/*.metadata")}
    listed = {f"{entry['release']}/{entry['file']}" for entry in SOURCES}
    assert stored == listed
    assert all(
        entry["url"].startswith("https://") and len(entry["sha256"]) == 64 for entry in SOURCES
    )
    assert len(RELEASE_DIRS) >= 50


def test_expected_table_names_releases() -> None:
    names = {path.name for path in RELEASE_DIRS}
    for release, entry in EXPECTED.items():
        assert release in names, f"releases_expected.toml: no data for {release}"
        assert entry["errors"], release
        assert entry.get("verdict") in ("true-drift", "backend-bug"), release
        assert entry.get("reason"), release


@pytest.mark.parametrize("release", RELEASE_DIRS, ids=[path.name for path in RELEASE_DIRS])
def test_release_checked(release: Path) -> None:
    returncode, report, stderr = check(release)
    expected = sorted(EXPECTED.get(release.name, {}).get("errors", []))
    actual = errors_of(report)
    context = f"{release.name}: exit {returncode}\n{stderr}\n" + "\n".join(actual)
    assert actual == expected, context
    assert returncode == (EXIT_FINDINGS if expected else EXIT_OK), context
    # Every file was read as the release's sdist or one of its wheels (no stray grouping).
    (checked,) = report["releases"]
    roles = sorted(artifact["role"] for artifact in checked["artifacts"])
    assert roles.count("sdist") == 1, context
    assert len(roles) == len(list(release.glob("*.metadata"))), context
