"""``metaseal check installed:``: every distribution of an environment, read by one subprocess
of its interpreter, each checked on its own and against files when given."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from factories import make_sdist, metadata_bytes

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the wrapper is a shell script")


def meta(name: str, version: str, *extra: tuple[str, str]) -> bytes:
    fields = [("Metadata-Version", "2.4"), ("Name", name), ("Version", version), *extra]
    return metadata_bytes(fields, body="Text.\n")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real virtual environment with three distributions installed by hand (as an installer
    writes them), one of them with a mismatched `.dist-info` directory name; and a wrapper
    interpreter that logs each of its starts. Returns (wrapper, log)."""
    root = tmp_path_factory.mktemp("env")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    site = Path(purelib)
    installs = {
        "demo-1.0.dist-info": meta("demo", "1.0", ("Requires-Dist", "requests")),
        "other_pkg-2.0.dist-info": meta("other-pkg", "2.0"),
        "wrong-3.0.dist-info": meta("wrong", "3.1"),
    }
    for directory, data in installs.items():
        (site / directory).mkdir()
        (site / directory / "METADATA").write_bytes(data)
        (site / directory / "WHEEL").write_text(
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
    log = root / "starts.log"
    wrapper = root / "python-logged"
    wrapper.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{python}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def check(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metaseal", "check", *map(str, argv)],
        env={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_every_distribution_in_one_subprocess(env: tuple[Path, Path]) -> None:
    wrapper, log = env
    log.unlink(missing_ok=True)
    done = check("installed:", "--python", wrapper)
    assert done.returncode == 1, done.stderr
    assert log.read_text().count("start") == 1  # one interpreter for the whole environment
    out = done.stdout
    assert "demo 1.0: 1 file, PASSED" in out
    assert "other-pkg 2.0: 1 file, PASSED" in out
    assert "PASSED  installed:demo  installed, Metadata-Version 2.4" in out
    assert "checked: dist-info name, metadata validity, import names" in out
    assert "wrong 3.1: 1 file, FAILED" in out
    assert "error: Name [dist-info-name]" in out
    assert "wrong-3.0.dist-info" in out


def test_quiet_environment_check(env: tuple[Path, Path]) -> None:
    done = check("--quiet", "installed:", "--python", env[0])
    assert done.returncode == 1
    assert "demo" not in done.stdout
    assert done.stdout.rstrip("\n").endswith(": 1 FAILED (1 error)")


def test_environment_against_files(env: tuple[Path, Path], tmp_path: Path) -> None:
    # The sdist promises `attrs`; the installed demo 1.0 requires `requests`: drift.
    make_sdist(tmp_path, "demo", "1.0", meta("demo", "1.0", ("Requires-Dist", "attrs")))
    done = check("installed:", "--python", env[0], tmp_path)
    assert done.returncode == 1
    assert "demo 1.0: 2 files, FAILED" in done.stdout
    assert "error: Requires-Dist [static-field]  demo-1.0.tar.gz -> installed:demo" in done.stdout


def test_a_broken_interpreter_is_one_error(tmp_path: Path) -> None:
    done = check("installed:", "--python", tmp_path / "no-such-python")
    assert done.returncode == 3
    assert "cannot run" in done.stderr
    assert "Traceback" not in done.stderr
