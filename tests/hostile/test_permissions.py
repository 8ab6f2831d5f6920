"""A file that cannot be read for lack of permission is reported as such (issue 13, class 9).

Root reads any file, so the end-to-end test runs the CLI as ``nobody`` (when this process is
root and some Python interpreter is usable by ``nobody``); the message itself is checked
with real ``PermissionError`` / ``OSError`` instances in any case.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import packaging
import pytest

import metaseal
from metaseal.sources._faults import corrupt

SRC = Path(metaseal.__file__).resolve().parent.parent
NOBODY = 65534


def test_permission_error_is_not_called_corrupt() -> None:
    exc = PermissionError(errno.EACCES, os.strerror(errno.EACCES), "x.whl")
    message = str(corrupt("dist/x.whl", "a wheel (zip archive)", exc))
    assert message.startswith("dist/x.whl: cannot be read (Permission denied)")
    assert "permissions" in message
    assert "corrupt" not in message


def test_io_error_is_not_called_corrupt() -> None:
    message = str(corrupt("x.whl", "a wheel", OSError(errno.EIO, os.strerror(errno.EIO))))
    assert "cannot be read (Input/output error)" in message
    assert "corrupt" not in message


def test_damaged_file_is_still_called_corrupt() -> None:
    message = str(corrupt("x.whl", "a wheel (zip archive)", zipfile.BadZipFile("bad magic")))
    assert "truncated or corrupt" in message


def _interpreter_for_nobody() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    candidates = (
        sys.executable,
        shutil.which("python3"),
        "/usr/bin/python3",
        "/usr/local/bin/python3",
    )
    for candidate in candidates:
        if candidate is None or not Path(candidate).is_file():
            continue
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; assert sys.version_info >= (3, 9)"],
                user=NOBODY,
                capture_output=True,
                check=False,
            )
        except OSError:
            continue
        if done.returncode == 0:
            return candidate
    return None


def test_unreadable_wheel_through_the_cli_as_nobody(tmp_path: Path) -> None:
    python = _interpreter_for_nobody()
    if python is None:
        pytest.skip("needs root and a Python interpreter that user `nobody` may run")
    work = Path(tempfile.mkdtemp(prefix="metaseal-perm-"))
    try:
        work.chmod(0o755)
        wheel = work / "demo_pkg-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr("demo_pkg-1.0.dist-info/METADATA", "Metadata-Version: 2.4\n")
        wheel.chmod(0o000)
        site = str(Path(packaging.__file__).resolve().parent.parent)
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{SRC}{os.pathsep}{site}"}
        done = subprocess.run(
            [python, "-m", "metaseal", "check", str(wheel)],
            user=NOBODY,
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        shutil.rmtree(work)
    assert done.returncode == 3, done.stderr
    assert "cannot be read (Permission denied)" in done.stderr
    assert "corrupt" not in done.stderr
    assert "Traceback" not in done.stderr
