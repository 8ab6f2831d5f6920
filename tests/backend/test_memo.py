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
    """Build the sdist in a fresh process: (``engine`` or ``memo``, stderr). The check runs in
    the hook process (no forked checker, see test_ahead.py), where the probe sees it."""
    out = project.out(f"dist-{len(list(project.root.parent.iterdir()))}")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out)],
        cwd=project.root,
        env=clean_env(**{"METASEAL_CHECK_AHEAD": "0", **project.env, **env}),
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


def _pyproject_bytes(project: Project) -> bytes:
    return (project.root / "pyproject.toml").read_bytes()


#: For each build of the running test, whether it loaded a TOML reader.
_PARSED: list[bool] = []


def test_an_unchanged_project_is_checked_once(make_project: MakeProject, tmp_path: Path) -> None:
    memo = tmp_path / "memo"
    project = _stale(make_project, memo)
    _PARSED.clear()
    assert _build(project) == ("engine", "")
    assert len([p for p in memo.iterdir() if not p.name.startswith(("toml-", "seen-"))]) == 1
    assert _memo.checked_before(str(memo), str(project.root), _pyproject_bytes(project))
    assert _build(project) == ("memo", "")
    # The verdict, the parsed pyproject.toml, and the note that this project state was checked.
    assert sorted(p.name[:5] for p in memo.iterdir() if len(p.name) > 64) == ["seen-", "toml-"]
    assert len(list(memo.iterdir())) == 3
    # The second build did not even load a TOML reader: the table came from the memo.
    assert _PARSED == [True, False]


def test_a_table_marshal_cannot_hold_is_parsed_every_time(
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


@pytest.mark.parametrize("damage", [b"", b"\xff\x00garbage", b"[not a table]", b"[bad check]"])
def test_a_damaged_remembered_table_is_parsed_again(
    make_project: MakeProject, tmp_path: Path, damage: bytes
) -> None:
    import marshal

    memo = tmp_path / "memo"
    project = _stale(make_project, memo)
    _PARSED.clear()
    assert _build(project) == ("engine", "")
    (table,) = (p for p in memo.iterdir() if p.name.startswith("toml-"))
    blob = marshal.dumps(["a list"])
    if damage == b"[not a table]":  # a well-formed entry that holds no table
        import hashlib

        damage = hashlib.sha256(blob).digest() + blob
    elif damage == b"[bad check]":  # a table whose checksum does not match
        damage = bytes(32) + marshal.dumps({"project": {}})
    table.write_bytes(damage)
    assert _build(project) == ("memo", "")
    assert _build(project) == ("memo", "")
    # Read again from the file, written again, then found.
    assert _PARSED == [True, True, False]


def test_an_edited_module_finds_the_verdict_and_a_new_file_does_not(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """The check reads the sdist's layout and PKG-INFO, not the other members' bytes: editing
    a module (the dev loop) finds the verdict again; adding a file changes the layout."""
    memo = tmp_path / "memo"
    project = _stale(make_project, memo)
    module = project.root / "module.py"
    module.write_text("VALUE = 1\n", encoding="utf-8")
    assert _build(project)[0] == "engine"
    module.write_text("VALUE = 'a much longer value than before'\n", encoding="utf-8")
    assert _build(project)[0] == "memo"
    (project.root / "other.py").write_text("", encoding="utf-8")
    assert _build(project)[0] == "engine"
    assert _build(project)[0] == "memo"


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
    assert _memo.directory("relative/dir") is None  # would land in the source tree
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


def _sdist(
    directory: Path, pkg_info: bytes = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n\n"
) -> str:
    import io
    import tarfile

    path = directory / "demo-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        entry = tarfile.TarInfo("demo-1.0/PKG-INFO")
        entry.size = len(pkg_info)
        tar.addfile(entry, io.BytesIO(pkg_info))
    return str(path)


def _key(root: Path, sdist: str) -> str:
    from metaseal.sources.toml import parse_toml

    text = (root / "pyproject.toml").read_bytes()
    found = _memo.key(str(root), (text, parse_toml(text)), (None, False, None), sdist)
    assert found is not None
    return found[0]


def test_the_project_directory_is_part_of_the_key(tmp_path: Path) -> None:
    """``readme = "../a/README.md"`` is inside checkout ``a`` and outside checkout ``b``."""
    sdist = _sdist(tmp_path)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "README.md").write_text("Hi.\n", encoding="utf-8")
        (tmp_path / name / "pyproject.toml").write_text(
            '[project]\nname = "demo"\nversion = "1.0"\nreadme = "../a/README.md"\n',
            encoding="utf-8",
        )
    assert _key(tmp_path / "a", sdist) != _key(tmp_path / "b", sdist)


@pytest.mark.parametrize("pattern", ["LICENSE*", "x:*"])
def test_license_files_matches_are_part_of_the_key(tmp_path: Path, pattern: str) -> None:
    """What pyproject-metadata matches (``x:*`` too: relative on POSIX) changes the key."""
    sdist = _sdist(tmp_path)
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "demo"\nversion = "1.0"\nlicense-files = ["{pattern}"]\n',
        encoding="utf-8",
    )
    keys = {_key(root, sdist)}
    (root / pattern.replace("*", "A")).write_text("text\n", encoding="utf-8")
    keys.add(_key(root, sdist))
    (root / pattern.replace("*", "B")).write_text("text\n", encoding="utf-8")
    keys.add(_key(root, sdist))
    assert len(keys) == 3


def test_pruning_leaves_other_files_alone(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    for number in range(_memo.MAX_ENTRIES):
        (tmp_path / f"{number:064x}").touch()
    _memo.remember(str(tmp_path), "f" * 64, "")
    assert (tmp_path / "photo.jpg").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_directory_others_can_write_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    _memo.remember(str(shared), "a" * 64, "")
    assert not list(shared.iterdir())
    assert _memo.recall(str(shared), "a" * 64) is None
    fresh = tmp_path / "fresh" / "memo"
    _memo.remember(str(fresh), "a" * 64, "said")
    assert fresh.stat().st_mode & 0o777 == 0o700
    assert _memo.recall(str(fresh), "a" * 64) == "said"


def test_a_huge_metadata_version_is_not_a_crash(tmp_path: Path) -> None:
    from metaseal.engine.formats import is_sealed

    assert is_sealed("2." + "9" * 5000)
    assert not is_sealed("9" * 5000 + ".2")
    pkg_info = b"Metadata-Version: 2." + b"9" * 5000 + b"\nName: demo\nVersion: 1.0\n\n"
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    _key(root, _sdist(tmp_path, pkg_info))


def test_the_judging_code_is_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The code fingerprint names metaseal's build-time files (not the command line) and every
    module of the packages it lists; editing one changes it; a missing optional one is skipped."""
    code = _memo._code().decode()
    assert f"{os.sep}engine{os.sep}compare.py " in code
    assert f"{os.sep}report{os.sep}seal.py " in code
    assert f"{os.sep}cli{os.sep}" not in code
    assert f"{os.sep}pyproject_metadata{os.sep}__init__.py " in code
    package = tmp_path / "judge_pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "sub" / "rule.py").write_text("A = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = _memo._fingerprint([], [], ["judge_pkg", "no_such_pkg?"])
    assert b"rule.py" in before
    (package / "sub" / "rule.py").write_text("A = 22\n", encoding="utf-8")
    assert _memo._fingerprint([], [], ["judge_pkg"]) != before
    with pytest.raises(LookupError):
        _memo._fingerprint([], [], ["no_such_pkg"])
    (tmp_path / "bytecode_only").mkdir()
    (tmp_path / "bytecode_only" / "__init__.pyc").write_bytes(b"")
    with pytest.raises(LookupError):  # nothing to stat: no fingerprint, so no memo
        _memo._fingerprint([], [], ["bytecode_only"])


def test_packages_are_found_where_import_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finder of sys.meta_path (an editable install's) comes before sys.path, for the
    fingerprint as for ``import``."""
    import importlib.machinery
    import importlib.util

    served, shadow = tmp_path / "served" / "edit_pkg", tmp_path / "shadow" / "edit_pkg"
    for package in (served, shadow):
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")

    class Editable:
        @staticmethod
        def find_spec(name: str, path: object, target: object = None) -> object:
            if name != "edit_pkg":
                return None
            return importlib.util.spec_from_file_location(
                name, served / "__init__.py", submodule_search_locations=[str(served)]
            )

    monkeypatch.syspath_prepend(str(shadow.parent))
    monkeypatch.setattr(sys, "meta_path", [Editable(), *sys.meta_path])
    assert importlib.util.find_spec("edit_pkg").origin == str(served / "__init__.py")  # type: ignore[union-attr]
    fingerprint = _memo._fingerprint([], [], ["edit_pkg"]).decode()
    assert str(served) in fingerprint
    assert str(shadow) not in fingerprint
    assert importlib.machinery.PathFinder.find_spec("edit_pkg") is not None  # the shadow copy
