"""The habits of the ecosystem's CLIs: ``./dist`` by default, ``--quiet``, colour with
``NO_COLOR``/``FORCE_COLOR``, ``--format github``, plurals, every missing optional dependency at
once. Through the real ``main()`` or ``python -m metaseal`` in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from factories import make_sdist, make_wheel, metadata_bytes
from metaseal.cli import main
from metaseal.report.github import annotation

SRC = Path(__file__).resolve().parents[2] / "src"
BASE = [("Metadata-Version", "2.4"), ("Name", "demo"), ("Version", "1.0")]


def meta(*extra: tuple[str, str], name: str = "demo") -> bytes:
    fields = [(k, name if k == "Name" else v) for k, v in BASE]
    return metadata_bytes([*fields, *extra], body="Text.\n")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli(
    *argv: str | Path, env: dict[str, str] | None = None, stdout: int = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    """``python -m metaseal ARGV`` with ``env`` over this environment without colour variables;
    ``stdout`` may be a terminal (a pty's file descriptor)."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "metaseal", *map(str, argv)],
        env={**base, **(env or {})},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def drift(tmp_path: Path) -> Path:
    """A release whose wheel adds a requirement its sdist does not promise, and a good one."""
    out = tmp_path / "dist"
    out.mkdir()
    make_sdist(out, "demo", "1.0", meta(("Requires-Dist", "requests")))
    make_wheel(out, "demo", "1.0", meta(("Requires-Dist", "requests"), ("Requires-Dist", "attrs")))
    make_sdist(out, "good", "1.0", meta(name="good"))
    make_wheel(out, "good", "1.0", meta(name="good"))
    return out


# -- ./dist by default ---------------------------------------------------------------------------


def test_check_without_source_checks_dist(
    capsys: pytest.CaptureFixture[str], drift: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(drift.parent)
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert "demo 1.0: 2 files, FAILED" in out
    assert "good 1.0: 2 files, PASSED" in out


def test_check_without_source_and_no_dist_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check")
    assert code == 2
    assert out == ""
    assert "no SOURCE given and there is no `dist` directory here" in err
    assert "python -m build" in err


# -- --quiet -------------------------------------------------------------------------------------


def test_quiet_shows_only_problems_and_a_summary(
    capsys: pytest.CaptureFixture[str], drift: Path
) -> None:
    code, out, _ = run(capsys, "check", "--quiet", str(drift))
    assert code == 1
    lines = out.rstrip("\n").split("\n")
    assert lines[0] == "demo 1.0: 2 files, FAILED (1 error)"
    assert lines[1].startswith("  FAILED  demo-1.0-py3-none-any.whl")
    assert "PASSED  " not in out  # no passing file, no passing release
    assert "good" not in out
    assert "  error: Requires-Dist [" in out
    assert lines[-1] == "2 releases, 4 files: 1 FAILED (1 error)"


def test_quiet_on_a_good_release_is_one_line(
    capsys: pytest.CaptureFixture[str], drift: Path
) -> None:
    for path in drift.glob("demo*"):
        path.unlink()
    code, out, _ = run(capsys, "check", "-q", str(drift))
    assert (code, out) == (0, "1 release, 2 files: all PASSED\n")


def test_quiet_diff_shows_errors_only(capsys: pytest.CaptureFixture[str], drift: Path) -> None:
    sdist, wheel = drift / "demo-1.0.tar.gz", drift / "demo-1.0-py3-none-any.whl"
    code, out, _ = run(capsys, "diff", "--quiet", str(sdist), str(wheel))
    assert code == 1
    assert "1 difference" in out
    assert "error: Requires-Dist" in out


# -- colour --------------------------------------------------------------------------------------

GREEN_PASSED = "\x1b[32mPASSED\x1b[0m"
RED_FAILED = "\x1b[1;31mFAILED\x1b[0m"


def test_force_color_colours_a_pipe(drift: Path) -> None:
    done = cli("check", drift, env={"FORCE_COLOR": "1"})
    assert done.returncode == 1
    assert f"demo 1.0: 2 files, {RED_FAILED}" in done.stdout
    assert f"  {RED_FAILED}  demo-1.0-py3-none-any.whl" in done.stdout
    assert f"  {GREEN_PASSED}  good-1.0.tar.gz" in done.stdout
    assert "  \x1b[31merror\x1b[0m: Requires-Dist" in done.stdout


@pytest.mark.parametrize(
    "env", [{}, {"NO_COLOR": "1"}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}]
)
def test_no_colour_in_a_pipe_or_with_no_color(drift: Path, env: dict[str, str]) -> None:
    done = cli("check", drift, env=env)
    assert done.returncode == 1
    assert "FAILED" in done.stdout
    assert "\x1b" not in done.stdout


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_never_colour_in_machine_formats(drift: Path, fmt: str) -> None:
    done = cli("check", "--format", fmt, drift, env={"FORCE_COLOR": "1"})
    assert done.returncode == 1
    assert "\x1b" not in done.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_colour_on_a_terminal_unless_no_color(drift: Path) -> None:
    import pty

    for env, coloured in (({}, True), ({"NO_COLOR": "x"}, False)):
        leader, follower = pty.openpty()
        try:
            done = cli("check", drift, env=env, stdout=follower)
            os.close(follower)
            chunks = []
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the terminal's other end is closed
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(leader)
        text = b"".join(chunks).decode()
        assert done.returncode == 1
        assert "FAILED" in text
        assert (RED_FAILED in text) is coloured, text


# -- --format github -----------------------------------------------------------------------------


def test_github_annotations_per_finding(drift: Path) -> None:
    done = cli("check", "--format", "github", drift)
    assert done.returncode == 1
    lines = done.stdout.rstrip("\n").split("\n")
    wheel = drift / "demo-1.0-py3-none-any.whl"
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 1
    head, message = errors[0][len("::error ") :].split("::", 1)
    assert head.startswith(f"file={wheel},title=Requires-Dist [")
    assert "demo-1.0.tar.gz -> demo-1.0-py3-none-any.whl: " in message
    assert "%0Afix: " in message
    assert "\n" not in message
    assert lines[-1] == "2 releases, 4 files: 1 FAILED (1 error)"


def test_github_unreadable_input_is_an_error_annotation(drift: Path) -> None:
    broken = drift / "broken-1.0-py3-none-any.whl"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    done = cli("check", "--format", "github", drift)
    assert done.returncode == 3
    assert f"::error file={broken}::" in done.stdout
    assert done.stdout.rstrip("\n").endswith("; 1 unreadable input")


def test_github_diff(drift: Path) -> None:
    sdist, wheel = drift / "demo-1.0.tar.gz", drift / "demo-1.0-py3-none-any.whl"
    done = cli("diff", "--format", "github", sdist, wheel)
    assert done.returncode == 1
    assert done.stdout.startswith(f"::error file={wheel},title=Requires-Dist [")


def test_github_escaping() -> None:
    line = annotation("warning", "50% done\r\nnext: a, b", file="dist/a:b,c%.whl", title="Name [x]")
    assert line == "::warning file=dist/a%3Ab%2Cc%25.whl,title=Name [x]::50%25 done%0D%0Anext: a, b"
    assert annotation("error", "plain") == "::error::plain"


# -- plurals -------------------------------------------------------------------------------------


def test_no_parenthesised_plural_in_the_source() -> None:
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in SRC.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"[a-z]\((s|es|ies)\)(?![\w)])", line)
    ]
    assert not found, found


def test_one_file_one_error_in_the_report(capsys: pytest.CaptureFixture[str], drift: Path) -> None:
    code, out, _ = run(
        capsys, "check", str(drift / "demo-1.0-py3-none-any.whl"), str(drift / "demo-1.0.tar.gz")
    )
    assert code == 1
    assert "demo 1.0: 2 files, FAILED (1 error)" in out
    assert "adds 1 `Requires-Dist` value that" in out


# -- missing optional dependencies ---------------------------------------------------------------


def _without_index_extra(tmp_path: Path) -> dict[str, str]:
    """A ``PYTHONPATH`` with metaseal and its required dependencies only: run with ``-S``, the
    interpreter sees no site-packages, so urllib3 and platformdirs are really missing."""
    import packaging
    import pyproject_metadata

    lib = tmp_path / "lib"
    lib.mkdir()
    for module in (packaging, pyproject_metadata):
        origin = Path(module.__file__ or "").parent
        (lib / origin.name).symlink_to(origin)
    if sys.version_info < (3, 11):
        import tomli  # noqa: TID251 - its location, not its API

        origin = Path(tomli.__file__ or "").parent
        (lib / origin.name).symlink_to(origin)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(lib)])}


def test_every_missing_dependency_at_once(tmp_path: Path) -> None:
    env = _without_index_extra(tmp_path)
    argv = [
        sys.executable,
        "-S",
        "-m",
        "metaseal",
        "check",
        "--index",
        "http://127.0.0.1:9/simple/",
    ]
    done = subprocess.run(
        [*argv, "demo"], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr  # one message
    assert "urllib3 and platformdirs" in done.stderr
    assert 'pip install "metaseal[index]"' in done.stderr
    assert "Traceback" not in done.stderr
    # Without the cache, platformdirs is not needed: only urllib3 is named.
    done = subprocess.run(
        [*argv, "--no-cache", "demo"], env=env, capture_output=True, text=True, check=False,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "needs urllib3, which is missing" in done.stderr
    assert "platformdirs" not in done.stderr
