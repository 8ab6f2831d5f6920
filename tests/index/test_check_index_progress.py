"""``metaseal check --index`` shows progress on stderr when stderr is a terminal and reading
takes more than a second; never on a pipe, never on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from index.client_support import clean_network_env, publish_releases

if TYPE_CHECKING:
    from index.conftest import MakeIndex

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _check(url: str, stderr: int) -> tuple[int, str]:
    argv = [sys.executable, "-m", "metaseal", "check", "--format", "json", "--no-cache"]
    done = subprocess.run(
        [*argv, "--jobs", "1", "--index", url, "gamma"],
        env=clean_network_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        check=False,
        timeout=60,
    )
    return done.returncode, done.stdout


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO once the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


def test_progress_on_a_terminal_only_when_slow(static_index: MakeIndex, dists: Path) -> None:
    import pty

    publish_releases(dists)
    index = static_index()
    index.fault("*.metadata", "slow", seconds=0.6)  # three wheels: about two seconds
    leader, follower = pty.openpty()
    try:
        code, stdout = _check(index.index_url, follower)
        os.close(follower)
        terminal = _read_all(leader)
    finally:
        os.close(leader)
    assert code == 0
    assert json.loads(stdout)["releases"][0]["name"] == "gamma"  # stdout is JSON only
    assert "metaseal: reading" in terminal
    assert "3/3 files" in terminal
    # On a pipe: nothing but the JSON on stdout, nothing on stderr.
    code, stdout = _check(index.index_url, subprocess.PIPE)
    assert code == 0
    assert "metaseal: reading" not in stdout


def test_no_progress_when_quick(static_index: MakeIndex, dists: Path) -> None:
    import pty

    publish_releases(dists)
    index = static_index()
    leader, follower = pty.openpty()
    try:
        code, _ = _check(index.index_url, follower)
        os.close(follower)
        terminal = _read_all(leader)
    finally:
        os.close(leader)
    assert code == 0
    assert terminal == ""


def test_installed_environment_against_the_index(
    static_index: MakeIndex, dists: Path, tmp_path: Path
) -> None:
    """``check installed: --index URL``: each installed distribution is compared with the
    files of its version on the index (here: an sdist that promises another requirement)."""
    import venv

    publish_releases(dists)
    index = static_index()
    venv.EnvBuilder(with_pip=False, symlinks=True).create(tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    dist_info = Path(purelib) / "alpha-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: alpha\nVersion: 1.0\nRequires-Dist: attrs\n"
    )
    argv = [sys.executable, "-m", "metaseal", "check", "--no-cache", "--sdists"]
    done = subprocess.run(
        [*argv, "--index", index.index_url, "installed:", "--python", str(python)],
        env=clean_network_env(), capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "alpha 1.0: 3 files, FAILED" in done.stdout
    assert "error: Requires-Dist [static-field]  alpha-1.0.tar.gz -> installed:alpha" in (
        done.stdout
    )
