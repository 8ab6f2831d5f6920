"""The forked checker (``metaseal.backend._ahead``): it imports the check while the inner backend
builds, and the hook process takes its verdict only when the checker answered; the file's fate
and everything printed are exactly what the hook process alone would produce."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from metaseal.backend import _ahead

from .conftest import PROJECT_TABLE, clean_env

if TYPE_CHECKING:
    from .conftest import MakeProject, Project

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2,
    reason="the checker is forked only on Linux with two or more usable CPUs",
)


def _gone(pid: int) -> bool:
    """Whether ``pid`` is no process at all (exited and reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports this metaseal."""
    return subprocess.run(
        [sys.executable, "-c", code], env=clean_env(), capture_output=True, text=True, check=False
    )


def _started(warm: object = lambda: None, check: object = lambda job: job) -> _ahead.Checker:
    checker = _ahead.start(warm, check)  # type: ignore[arg-type]
    assert checker is not None
    return checker


def test_the_check_runs_in_another_process_that_is_reaped() -> None:
    checker = _started(check=lambda job: job + b":" + str(os.getpid()).encode())
    answer = checker.judge(b"job")
    assert answer is not None
    job, _, pid = answer.partition(b":")
    assert job == b"job"
    assert int(pid) != os.getpid()
    assert _gone(int(pid))


def test_a_long_answer_arrives_whole() -> None:
    checker = _started(check=lambda job: job * 50_000)  # 250 kB: several pipe buffers
    assert checker.judge(b"12345") == b"12345" * 50_000


def test_the_checker_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    def noisy(job: bytes) -> bytes:
        print("out from the checker")
        os.write(2, b"err from the checker\n")
        return job

    assert _started(check=noisy).judge(b"x") == b"x"
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize(
    "check",
    [
        lambda job: 1 / 0,
        lambda job: sys.exit(0),
        lambda job: os.kill(os.getpid(), 9),
        lambda job: os._exit(0),
    ],
    ids=["raises", "exits", "killed", "ends-silently"],
)
def test_no_answer_means_the_hook_process_checks(check: object) -> None:
    assert _started(check=check).judge(b"job") is None


def test_close_ends_a_checker_that_is_still_importing(tmp_path: Path) -> None:
    flag = tmp_path / "pid"

    def slow() -> None:
        flag.write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(600)

    checker = _started(warm=slow)
    for _ in range(500):  # wait (at most 10 s) until the checker runs
        if flag.exists() and flag.read_text(encoding="utf-8"):
            break
        time.sleep(0.02)
    pid = int(flag.read_text(encoding="utf-8"))
    checker.close()
    assert _gone(pid)
    checker.close()  # twice is harmless
    assert checker.judge(b"job") is None  # and a closed checker answers nothing


def test_an_ended_checker_is_not_written_to(tmp_path: Path) -> None:
    """A checker that ended early gets no job: writing to its pipe would raise SIGPIPE, fatal
    in a host that restored the signal's default (the hook process would die silently)."""
    flag = tmp_path / "pid"
    code = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGPIPE, signal.SIG_DFL)\n"
        "from metaseal.backend._ahead import start\n"
        "def gone():\n"
        f"    open({str(flag)!r}, 'w').write(str(os.getpid()))\n"
        "    os._exit(0)\n"
        "checker = start(gone, lambda job: job)\n"
        "for _ in range(500):\n"
        "    try:\n"
        f"        pid = int(open({str(flag)!r}).read())\n"
        "        state = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]\n"
        "    except (OSError, ValueError):\n"
        "        state = ''\n"
        "    if state == 'Z':\n"
        "        break\n"
        "    time.sleep(0.02)\n"
        "print(checker.judge(b'job'))\n"
    )
    done = _python(code)
    assert (done.returncode, done.stdout, done.stderr) == (0, "None\n", "")


@pytest.mark.parametrize("frozen_before", [False, True])
def test_the_freeze_is_undone_and_only_its_own(frozen_before: bool) -> None:
    gc.unfreeze()
    if frozen_before:
        gc.freeze()  # a host's own freeze: left as it is
    before = gc.get_freeze_count()
    try:
        checker = _started(check=lambda job: str(gc.get_freeze_count() > 0).encode())
        if not frozen_before:
            assert gc.get_freeze_count() > 0  # while the checker runs
        assert checker.judge(b"") == b"True"
        assert gc.get_freeze_count() == before
        _started().close()
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_answered_takes_only_a_whole_answer() -> None:
    import marshal

    from metaseal.backend._verify import answered

    whole = marshal.dumps(("", ["a message"]))
    assert answered(whole) == ("", ["a message"])
    assert answered(marshal.dumps((None, []))) == (None, [])
    shapes = [
        marshal.dumps(("", [1])),
        marshal.dumps((1, [])),
        marshal.dumps(["", []]),
        marshal.dumps(("", [], "")),
        marshal.dumps(""),
    ]
    for data in (None, b"", whole[:-3], *shapes):
        assert answered(data) is None


def test_no_checker_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _ahead.start(lambda: None, lambda job: job) is None
    finally:
        stop.set()
        thread.join()
    for _ in range(500):  # the thread's kernel task may outlive join() for a moment
        checker = _ahead.start(lambda: None, lambda job: job)
        if checker is not None:
            assert checker.judge(b"alone again") == b"alone again"
            break
        time.sleep(0.01)
    else:
        pytest.fail("no checker once the other thread ended")


def test_no_checker_on_one_cpu() -> None:
    code = (
        "import os\n"
        "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "from metaseal.backend._ahead import start\n"
        "print(start(lambda: None, lambda job: job))\n"
    )
    done = _python(code)
    assert (done.returncode, done.stdout) == (0, "None\n")


# --- through the hooks: the same fate and the same words, checker or not ---------------------

#: Builds in-process in a fresh interpreter; says whether the hook process loaded the engine.
_PROBE = (
    "import sys, metaseal.backend as b\n"
    "kind, out = sys.argv[1:]\n"
    "try:\n"
    "    getattr(b, 'build_' + kind)(out)\n"
    "finally:\n"
    "    print('engine' if 'metaseal.engine.seal' in sys.modules else 'checker')\n"
)


def _build(project: Project, kind: str, *, ahead: bool) -> tuple[int, str, str, dict[str, bytes]]:
    """(exit code, ``engine``/``checker``, stderr, published files) of one build in a fresh
    process with an empty verdict memo, the checker on or off."""
    tag = f"{kind}-{'on' if ahead else 'off'}"
    out = project.out(tag)
    env = {**project.env, "METASEAL_VERDICT_CACHE": str(project.root.parent / f"memo-{tag}")}
    env["METASEAL_CHECK_AHEAD"] = "1" if ahead else "0"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, kind, str(out)],
        cwd=project.root,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    files = {path.name: path.read_bytes() for path in out.iterdir()}
    return done.returncode, done.stdout.strip(), done.stderr, files


def _same_either_way(project: Project, kind: str) -> tuple[int, str, str, dict[str, bytes]]:
    """Build with and without the checker; assert the outcomes match; return the checker's."""
    code, where, stderr, files = _build(project, kind, ahead=True)
    code_off, where_off, stderr_off, files_off = _build(project, kind, ahead=False)
    # The fake's files carry the time they were written: compare names, not bytes.
    assert (code, stderr, files.keys()) == (code_off, stderr_off, files_off.keys())
    if code == 0:
        assert where_off == "engine"  # without a checker, the hook process checks
    return code, where, stderr, files


@pytest.mark.parametrize("kind", ["sdist", "wheel"])
def test_a_clean_file_is_judged_by_the_checker(make_project: MakeProject, kind: str) -> None:
    project = make_project("fake_full")
    code, where, stderr, files = _same_either_way(project, kind)
    assert (code, where, stderr) == (0, "checker", "")
    assert len(files) == 1


@pytest.mark.parametrize("kind", ["sdist", "wheel"])
def test_a_refusal_is_decided_and_worded_by_the_hook_process(
    make_project: MakeProject, kind: str
) -> None:
    project = make_project("fake_full", project=PROJECT_TABLE.replace("attrs>=20", "attrs>=21"))
    code, where, stderr, files = _same_either_way(project, kind)
    assert (code, where) == (1, "engine")  # the checker's "no" is not taken: checked again
    assert "Requires-Dist" in stderr
    assert "attrs>=21" in stderr
    assert "Traceback" not in stderr
    assert files == {}


def test_warnings_are_printed_once_as_the_check_says_them(make_project: MakeProject) -> None:
    project = make_project("fake_full", project=PROJECT_TABLE.replace("A demo.", "Another."))
    code, where, stderr, files = _same_either_way(project, "sdist")
    assert (code, where) == (0, "checker")
    # Once on stderr, and once as a MetasealWarning (its first line), shown by Python here.
    assert stderr.count("was kept; 1 warning:\n") == 2
    assert stderr.count("MetasealWarning: metaseal: warning: the sdist") == 1
    assert stderr.count("Another.") == 1  # the report itself, once
    assert "Summary" in stderr
    assert len(files) == 1


def test_an_unsealed_sdist_warns_once(make_project: MakeProject) -> None:
    project = make_project("fake_unsealed", tool="seal-old-sdists = false")
    code, where, stderr, _ = _same_either_way(project, "sdist")
    assert (code, where) == (0, "checker")
    assert stderr.count("below 2.2") == 2  # on stderr, and as a MetasealWarning
    assert stderr.count("MetasealWarning: metaseal: `demo_pkg-1.0.tar.gz` says") == 1


def test_the_setting_is_a_boolean(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "sdist", str(project.out())],
        cwd=project.root,
        env=clean_env(METASEAL_CHECK_AHEAD="sometimes"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "METASEAL_CHECK_AHEAD" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(project.out().iterdir()) == []


def test_code_the_hook_process_would_not_run_gives_no_answer(make_project: MakeProject) -> None:
    """An inner backend that puts its own copy of a library first on ``sys.path`` when imported
    (poetry-core does, with packaging): the hook process would check with that copy, the
    checker (forked before the import) with metaseal's. Its answer is not taken."""
    project = make_project("fake_vendors")
    code, where, stderr, files = _same_either_way(project, "sdist")
    assert (code, where, files) == (1, "engine", {})
    assert "marker 7c1e" in stderr


def test_a_rebuild_the_memo_answers_forks_no_checker(make_project: MakeProject) -> None:
    probe = (
        "import sys, metaseal.backend as b\n"
        "from metaseal.backend import _ahead\n"
        "started = []\n"
        "real = _ahead.start\n"
        "_ahead.start = lambda *args: started.append(1) or real(*args)\n"
        "b.build_sdist(sys.argv[1])\n"
        "print(len(started))\n"
    )
    project = make_project("fake_full")
    memo = project.root.parent / "memo"
    env = clean_env(METASEAL_VERDICT_CACHE=str(memo), METASEAL_CHECK_AHEAD="1")
    forked = []
    for out in ("first", "again"):
        done = subprocess.run(
            [sys.executable, "-c", probe, str(project.out(out))],
            cwd=project.root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        forked.append(int(done.stdout))
    assert forked == [1, 0]
    assert [p.name[:5] for p in memo.iterdir()].count("seen-") == 1


def test_a_backend_that_loads_its_own_copy_gets_a_checker_forked_after_it(
    make_project: MakeProject,
) -> None:
    """The inner backend loaded its own copy of a library the check uses: the checker forked
    before its import is ended, and one forked after it (running that copy, as the hook
    process would) judges."""
    import pyproject_metadata

    project = make_project("fake_vendors_live")
    copy = project.root / "fakes" / "_vendored_live" / "pyproject_metadata"
    shutil.copytree(Path(pyproject_metadata.__file__).parent, copy)
    code, where, stderr, files = _same_either_way(project, "sdist")
    assert (code, where, stderr) == (0, "checker", "")
    assert len(files) == 1


def test_the_code_rule(tmp_path: Path) -> None:
    """What counts as "the hook process would run the checker's code" (``_same_code``)."""
    from metaseal.backend import _verify

    ours = _verify._code_in_use()
    path, finders, modules = ours
    assert _verify._same_code(ours, ours)
    # A finder appended later is asked after the ones that found the check's modules.
    assert _verify._same_code((path, [*finders, "late.Finder"], modules), ours)
    assert not _verify._same_code((path, ["early.Finder", *finders], modules), ours)
    some = next(name for name in modules if name.startswith("metaseal."))
    moved = {**modules, some: "/elsewhere/module.py"}
    assert not _verify._same_code((path, finders, moved), ours)
    # A directory put first on sys.path after the fork: fine unless it holds a check library
    # the hook process has not loaded yet (then it would load that copy).
    empty, shadowing = tmp_path / "empty", tmp_path / "shadowing"
    (shadowing / "email").mkdir(parents=True)
    (shadowing / "email" / "__init__.py").write_text("", encoding="utf-8")
    empty.mkdir()
    unloaded = {name: file for name, file in modules.items() if name.partition(".")[0] != "email"}
    assert _verify._same_code(([str(empty), *path], finders, unloaded), ours)
    assert not _verify._same_code(([str(shadowing), *path], finders, unloaded), ours)


def test_namespace_packages_are_told_apart_by_their_directories(tmp_path: Path) -> None:
    from importlib.machinery import PathFinder

    from metaseal.backend import _verify

    for place in ("one", "two"):
        (tmp_path / place / "nspkg_metaseal_test").mkdir(parents=True)
    one = PathFinder.find_spec("nspkg_metaseal_test", [str(tmp_path / "one")])
    two = PathFinder.find_spec("nspkg_metaseal_test", [str(tmp_path / "two")])
    assert _verify._origin(one) != _verify._origin(two)
    assert _verify._origin(None) == "None"
