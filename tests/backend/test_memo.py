"""The verdict memo (``metaseal.backend._memo``): an sdist built again from an unchanged project
is not checked again, and anything the check reads that changes is checked afresh."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from metaseal.backend import _memo

from .conftest import PROJECT_TABLE, HookFailed, clean_env

if TYPE_CHECKING:
    from .conftest import MakeProject, Project

README_PROJECT = PROJECT_TABLE + 'readme = "README.md"\n'
#: Builds an sdist in-process; says whether the checking engine and a TOML reader were loaded.
_PROBE = (
    "import sys, metaseal.backend as b\n"
    "b.build_sdist(sys.argv[1])\n"
    "toml = {'tomllib', 'tomli'} & set(sys.modules)\n"
    "print('toml' if toml else 'no-toml')\n"
    "print('engine' if 'metaseal.engine.seal' in sys.modules else 'memo')\n"
)


def _stale(make_project: MakeProject, memo: Path, **env: str) -> Project:
    project = make_project(
        "fake_stale", project=README_PROJECT, env={"METASEAL_VERDICT_CACHE": str(memo), **env}
    )
    (project.root / "README.md").write_text("Old readme.\n", encoding="utf-8")
    return project


def _build(project: Project, **env: str) -> tuple[str, str]:
    """Build the sdist in a fresh process: (``engine`` or ``memo``, stderr)."""
    out = project.out(f"dist-{len(list(project.root.parent.iterdir()))}")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out)],
        cwd=project.root,
        env=clean_env(**{**project.env, **env}),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise HookFailed(done.returncode, "build_sdist", done.stdout, done.stderr)
    assert [p.suffix for p in out.iterdir()] == [".gz"]  # published either way
    *_, toml, how = done.stdout.split()
    _PARSED.append(toml == "toml")
    return how, done.stderr


#: For each build of the running test, whether it loaded a TOML reader.
_PARSED: list[bool] = []


def test_an_unchanged_project_is_checked_once(make_project: MakeProject, tmp_path: Path) -> None:
    memo = tmp_path / "memo"
    project = _stale(make_project, memo)
    _PARSED.clear()
    assert _build(project) == ("engine", "")
    assert len([p for p in memo.iterdir() if not p.name.startswith("toml-")]) == 1
    assert _build(project) == ("memo", "")
    assert len(list(memo.iterdir())) == 2  # the verdict and the parsed pyproject.toml
    # The second build did not even load a TOML reader: the table came from the memo.
    assert _PARSED == [True, False]


def test_a_table_json_cannot_hold_is_parsed_every_time(
    make_project: MakeProject, tmp_path: Path
) -> None:
    memo = tmp_path / "memo"
    project = _stale(make_project, memo)
    text = (project.root / "pyproject.toml").read_text(encoding="utf-8")
    (project.root / "pyproject.toml").write_text(
        text + "\n[tool.other]\nwhen = 1979-05-27T07:32:00Z\n", encoding="utf-8"
    )
    _PARSED.clear()
    assert _build(project) == ("engine", "")
    assert _build(project) == ("memo", "")
    assert _PARSED == [True, True]
    assert not [p for p in memo.iterdir() if p.name.startswith("toml-")]


def test_a_file_project_names_is_part_of_the_key(make_project: MakeProject, tmp_path: Path) -> None:
    """The backend keeps writing the old readme: once README.md changes, the stale PKG-INFO
    must be reported although the sdist's bytes are what they were."""
    memo = tmp_path / "memo"
    project = _stale(make_project, memo)
    assert _build(project)[0] == "engine"
    (project.root / "README.md").write_text("New readme.\n", encoding="utf-8")
    how, stderr = _build(project)
    assert how == "engine"
    assert "warning: Description [pyproject-static]" in stderr, stderr


def test_warnings_are_printed_again_and_strict_is_decided_afresh(
    make_project: MakeProject, tmp_path: Path
) -> None:
    memo = tmp_path / "memo"
    project = _stale(make_project, memo)
    (project.root / "README.md").write_text("New readme.\n", encoding="utf-8")
    first = _build(project)
    assert first[0] == "engine"
    assert "Description" in first[1]
    assert _build(project) == ("memo", first[1])
    with pytest.raises(HookFailed) as refused:
        _build(project, METASEAL_STRICT="1")
    assert "was not written" in refused.value.stderr


def test_refusals_are_not_remembered(make_project: MakeProject, tmp_path: Path) -> None:
    memo = tmp_path / "memo"
    project = _stale(make_project, memo, FAKE_EXTRA_REQUIRES="surprise>=1")
    for _ in range(2):
        with pytest.raises(HookFailed) as refused:
            _build(project)
        assert "Requires-Dist" in refused.value.stderr
        assert "Traceback" not in refused.value.stderr
    assert not memo.exists() or not [p for p in memo.iterdir() if not p.name.startswith("toml-")]


@pytest.mark.parametrize("value", ["0", "off", "False", "no"])
def test_the_memo_can_be_turned_off(make_project: MakeProject, tmp_path: Path, value: str) -> None:
    project = _stale(make_project, tmp_path / "unused", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    for _ in range(2):
        assert _build(project, METASEAL_VERDICT_CACHE=value)[0] == "engine"
    assert not (tmp_path / "xdg").exists()
    assert not (tmp_path / "unused").exists()


def test_an_unusable_memo_directory_only_costs_time(
    make_project: MakeProject, tmp_path: Path
) -> None:
    blocker = tmp_path / "memo"
    blocker.write_text("a file, not a directory\n", encoding="utf-8")
    project = _stale(make_project, blocker)
    for _ in range(2):
        assert _build(project) == ("engine", "")


def test_where_the_memo_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _memo.directory("off") is None
    assert _memo.directory(" 0 ") is None
    assert _memo.directory(str(tmp_path)) == str(tmp_path)
    if sys.platform.startswith("linux"):
        env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
        assert _memo.directory("", env) == str(tmp_path / "xdg" / "metaseal" / "verdicts")
        home = Path("~/.cache/metaseal/verdicts").expanduser()
        assert _memo.directory("", {"XDG_CACHE_HOME": "relative"}) == str(home)


def test_old_entries_are_pruned(tmp_path: Path) -> None:
    for number in range(_memo.MAX_ENTRIES):
        (tmp_path / f"{number:064x}").touch()
    _memo.remember(str(tmp_path), "f" * 64, "")
    left = {p.name for p in tmp_path.iterdir()}
    assert "f" * 64 in left
    assert len(left) == _memo.MAX_ENTRIES // 2 + 1


@pytest.mark.parametrize("pattern", ["/etc/*", "../*", "", "fifo"])
def test_files_project_names_never_break_the_memo(
    make_project: MakeProject, tmp_path: Path, pattern: str
) -> None:
    """Absolute or climbing ``license-files`` patterns are not matched (pathlib refuses the
    first), and a readme that is a FIFO is not read (it would block): the build goes on."""
    memo = tmp_path / "memo"
    table = README_PROJECT.replace('readme = "README.md"', 'readme = "fifo"')
    if pattern != "fifo":
        table = README_PROJECT + f"license-files = [{pattern!r}]\n"
    project = make_project("fake_stale", project=table, env={"METASEAL_VERDICT_CACHE": str(memo)})
    (project.root / "README.md").write_text("Old readme.\n", encoding="utf-8")
    os.mkfifo(project.root / "fifo")
    for _ in range(2):
        try:
            _, stderr = _build(project)
        except HookFailed as failed:  # refused by the check: fine, but never a crash
            stderr = failed.stderr
        assert "Traceback" not in stderr, stderr
