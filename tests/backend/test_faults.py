"""Faults of the inner backend and of the build's surroundings (issue 13, classes 4 and 5).

A wrong answer from the inner backend (a path instead of a name, the wrong suffix, a link, a
directory, garbage, a name or version that is not the one inside) is refused with a clear
message, escape hatch or not; a build killed by SIGTERM, SIGINT or SIGKILL leaves nothing in the
output directory that looks like a distribution, and nothing stale after the next build.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .conftest import HookFailed, Project, clean_env

if TYPE_CHECKING:
    from .conftest import MakeProject

REFUSED_ANSWERS = {
    "absolute": "not a plain file name",
    "subdir": "not a plain file name",
    "dotdot": "not a plain file name",
    "drive": "not a plain file name",
    "dot": "not a plain file name",
    "none": "not a plain file name",
    "missing": "wrote no such file",
    "suffix": "does not end in `.whl`",
    "symlink": "not a regular file",
    "directory": "not a regular file",
    "garbage": "demo_pkg-1.0-py3-none-any.whl",
    "renamed": "the file name says `other-pkg` `1.0` but the metadata inside says Name `demo-pkg`",
    "version": "the file name says `demo-pkg` `2.0`",
    "bad-filename": "demo_pkg.whl",
}


def _hostile(make_project: MakeProject, tmp_path: Path, **env: str) -> Project:
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    return make_project("fake_hostile", env={"TMPDIR": str(temp), **env})


def _left(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def _temp_left(temp: Path) -> list[str]:
    """What builds left in a temp directory: the entries of this user's staging root there
    (``metaseal-<uid>``, which stays), and anything beside it."""
    root = temp / f"metaseal-{os.getuid()}"
    inside = _left(root) if root.is_dir() else []
    return sorted([p.name for p in temp.iterdir() if p != root] + inside)


@pytest.mark.parametrize("hatch", [False, True], ids=["plain", "hatch"])
@pytest.mark.parametrize("answer", sorted(REFUSED_ANSWERS))
def test_wrong_answers_are_refused_and_nothing_is_published(
    make_project: MakeProject, tmp_path: Path, answer: str, hatch: bool
) -> None:
    extra = {"METASEAL_ALLOW_BROKEN_SEAL": "1"} if hatch else {}
    project = _hostile(make_project, tmp_path, FAKE_ANSWER=answer, **extra)
    with pytest.raises(HookFailed):
        project.hooks().build_wheel(str(project.out()))
    stderr = project.runner.stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("metaseal: error: "), stderr
    assert REFUSED_ANSWERS[answer] in stderr
    if answer in ("garbage", "renamed", "version", "bad-filename"):  # read, then refused
        assert "not published" in stderr
        assert ".metaseal-" not in stderr  # named by its file name, not the staging path
    assert _left(project.out()) == []
    assert _temp_left(tmp_path / "tmp") == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("zip-sdist", "does not end in `.tar.gz`"), ("renamed-sdist", "demo_pkg-2.0.tar.gz")],
)
def test_wrong_sdist_answers_are_refused(
    make_project: MakeProject, tmp_path: Path, answer: str, expected: str
) -> None:
    project = _hostile(make_project, tmp_path, FAKE_ANSWER=answer)
    with pytest.raises(HookFailed):
        project.build_sdist()
    assert expected in project.runner.stderr
    assert "Traceback" not in project.runner.stderr
    assert _left(project.out("dist")) == []


def test_an_honest_answer_is_published_and_staged_outside_the_output(
    make_project: MakeProject, tmp_path: Path
) -> None:
    project = _hostile(make_project, tmp_path)
    name = project.hooks().build_wheel(str(project.out()))
    assert _left(project.out()) == [name]
    assert _temp_left(tmp_path / "tmp") == []


def test_missing_output_directory_is_a_clear_error(
    make_project: MakeProject, tmp_path: Path
) -> None:
    project = _hostile(make_project, tmp_path)
    with pytest.raises(HookFailed):
        project.hooks().build_wheel(str(tmp_path / "nowhere"))
    assert "the output directory" in project.runner.stderr
    assert "does not exist" in project.runner.stderr
    assert "Traceback" not in project.runner.stderr
    assert project.calls() == []  # refused before the inner backend ran


def test_unwritable_output_directory_is_a_clear_error(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """``/proc/self`` refuses new files even to root (a chmod 555 directory would not)."""
    project = _hostile(make_project, tmp_path)
    with pytest.raises(HookFailed):
        project.hooks().build_wheel("/proc/self")
    assert "cannot write to the output directory `/proc/self`" in project.runner.stderr
    assert "Traceback" not in project.runner.stderr


def _start_sleeping_build(project: Project, out: Path, ready: Path) -> subprocess.Popen[str]:
    """The hook subprocess, started as pyproject-hooks would, stopped inside build_wheel."""
    from pyproject_hooks._in_process import _in_proc_script_path

    control = project.root.parent / f"{project.root.name}-control"
    control.mkdir()
    (control / "input.json").write_text(
        json.dumps(
            {
                "kwargs": {
                    "wheel_directory": str(out),
                    "config_settings": None,
                    "metadata_directory": None,
                }
            }
        ),
        encoding="utf-8",
    )
    with _in_proc_script_path() as script:  # type: ignore[no-untyped-call]
        proc = subprocess.Popen(
            [sys.executable, str(script), "build_wheel", str(control)],
            cwd=project.root,
            env={**project.runner.env, "_PYPROJECT_HOOKS_BUILD_BACKEND": "metaseal"},
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    return proc


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["TERM", "INT", "KILL"]
)
def test_a_killed_build_leaves_nothing_behind(
    make_project: MakeProject, tmp_path: Path, signum: int
) -> None:
    ready = tmp_path / "ready"
    project = _hostile(make_project, tmp_path, FAKE_ANSWER="sleep", FAKE_READY=str(ready))
    out = project.out()
    proc = _start_sleeping_build(project, out, ready)
    try:
        assert any(name.startswith(".metaseal-") for name in _temp_left(tmp_path / "tmp"))
    finally:
        proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)
    assert "Traceback" not in stderr or signum == signal.SIGINT  # KeyboardInterrupt's
    expected: dict[int, int] = {signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGINT: -signal.SIGINT}
    assert proc.returncode == expected.get(signum, -signal.SIGKILL)
    leftovers = [p for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz"))]
    assert leftovers == []
    if signum != signal.SIGKILL:
        assert _left(out) == []
        assert _temp_left(tmp_path / "tmp") == []
    # The next build removes what the killed one could not.
    ready.unlink()
    honest = Project(project.root, {"TMPDIR": str(tmp_path / "tmp")})
    name = honest.hooks().build_wheel(str(out))
    assert _left(out) == [name]
    assert _temp_left(tmp_path / "tmp") == []


def test_a_live_build_staging_is_not_removed(make_project: MakeProject, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    slow = _hostile(make_project, tmp_path, FAKE_ANSWER="sleep", FAKE_READY=str(ready))
    slow.runner.env["FAKE_SLEEP"] = "3"
    out = slow.out()
    proc = _start_sleeping_build(slow, out, ready)
    try:
        honest = Project(slow.root, {"TMPDIR": str(tmp_path / "tmp"), "FAKE_VERSION": "2.0"})
        pyproject = slow.root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text("utf-8").replace('"1.0"', '"2.0"'), "utf-8")
        honest.hooks().build_wheel(str(out))
    finally:
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert _left(out) == ["demo_pkg-1.0-py3-none-any.whl", "demo_pkg-2.0-py3-none-any.whl"]


def test_planted_staging_names_are_left_alone(make_project: MakeProject, tmp_path: Path) -> None:
    """Names that only look like a build's staging (no process id, a huge one) break nothing."""
    project = _hostile(make_project, tmp_path)
    root = tmp_path / "tmp" / f"metaseal-{os.getuid()}"
    root.mkdir(mode=0o700)
    planted = [".metaseal-", ".metaseal-x-1", ".metaseal-12", ".metaseal-4294967296-a"]
    planted += [f".metaseal-{'9' * 200}-a", ".metaseal-\u0661\u0662-a"]
    for name in planted:
        (root / name).mkdir()
    out = project.out()
    name = Project(project.root, project.env).hooks().build_wheel(str(out))
    assert _left(out) == [name]
    assert _left(root) == sorted(planted)


@pytest.mark.skipif(os.name != "posix", reason="the staging root is POSIX-only")
@pytest.mark.parametrize("planted", ["open", "link", "file"])
def test_a_staging_root_others_could_use_is_not_used(
    make_project: MakeProject, tmp_path: Path, planted: str
) -> None:
    """``<temp>/metaseal-<uid>`` open to others, a link or a file: staging goes to the temp
    directory itself, and what was planted is left as it was."""
    project = _hostile(make_project, tmp_path)
    temp = tmp_path / "tmp"
    root, elsewhere = temp / f"metaseal-{os.getuid()}", tmp_path / "elsewhere"
    elsewhere.mkdir()
    if planted == "open":
        root.mkdir()
        root.chmod(0o777)
    elif planted == "link":
        root.symlink_to(elsewhere)
    else:
        root.write_text("", encoding="utf-8")
    ready = tmp_path / "ready"
    project.runner.env.update(FAKE_ANSWER="sleep", FAKE_READY=str(ready), FAKE_SLEEP="1")
    proc = _start_sleeping_build(project, project.out(), ready)
    try:
        assert any(p.name.startswith(".metaseal-") for p in temp.iterdir())
    finally:
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert not [p for p in temp.iterdir() if p.name.startswith(".metaseal-")]
    assert _left(elsewhere) == []
    if planted == "open":
        assert _left(root) == []


def test_eight_parallel_builds_into_one_directory(
    make_project: MakeProject, tmp_path: Path
) -> None:
    out = tmp_path / "shared-out"
    out.mkdir()
    projects = []
    for i in range(8):
        table = f'[project]\nname = "demo-pkg"\nversion = "1.{i}"\ndependencies = ["attrs>=20"]\n'
        projects.append(
            make_project(
                "fake_hostile",
                project=table.replace("]\nname", ']\ndescription = "A demo."\nname'),
                env={"FAKE_VERSION": f"1.{i}", "TMPDIR": str(tmp_path)},
            )
        )
    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(lambda p: p.hooks().build_wheel(str(out)), projects))
    assert sorted(names) == [f"demo_pkg-1.{i}-py3-none-any.whl" for i in range(8)]
    assert _left(out) == sorted(names)
    assert not [name for name in _temp_left(tmp_path) if name.startswith(".metaseal-")]


def test_sigterm_ignored_by_the_frontend_stays_ignored() -> None:
    script = (
        "import signal, os\n"
        "from metaseal.backend._staging import cleanup_on_signals\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "with cleanup_on_signals():\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN\n"
        "print('survived')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=clean_env(), capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "survived"
    assert os.name == "posix"


def test_full_output_directory_is_a_clear_error_and_leaves_nothing(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """A full file system: the checked wheel cannot be written; one message, nothing left."""
    out = tmp_path / "full"
    out.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:  # pragma: no cover - CI and development machines run as root
        pytest.fail(f"mounting a small tmpfs needs root: {mounted.stderr}", pytrace=False)
    try:
        descriptor = os.open(out / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            with contextlib.suppress(OSError):  # ENOSPC: the file system is full
                while True:
                    os.write(descriptor, b"\0" * 4096)
        finally:
            os.close(descriptor)
        project = make_project("fake_full")
        with pytest.raises(HookFailed):
            project.hooks().build_wheel(str(out))
        stderr = project.runner.stderr
        assert "could not be written to the output directory" in stderr, stderr
        assert "No space left on device" in stderr, stderr
        assert "Traceback" not in stderr, stderr
        assert sorted(p.name for p in out.iterdir()) == ["filler"]
    finally:
        subprocess.run(["umount", str(out)], check=False)
