"""``metaseal init [PATH]``: make metaseal the build backend of a project, in one command.

The rewrite itself is :func:`metaseal.sources.adopt.adopt` (formatting and comments kept by
tomlkit); this module reads and writes the files, vendors metaseal for ``--in-tree`` and prints
what it did or, with ``--dry-run``, the diff.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from metaseal.errors import ArtifactError, UsageError

if TYPE_CHECKING:
    import argparse

__all__ = ["add_init_parser", "run_init", "vendor", "vendored_problems"]

_DESCRIPTION = (
    "Rewrite PATH/pyproject.toml (PATH defaults to the current directory) so metaseal wraps the "
    'project\'s build backend: `build-backend = "metaseal"`, `metaseal` added to '
    "`build-system.requires`, the old backend (and its `backend-path`) under `[tool.metaseal]`. "
    "Comments and formatting are kept (this needs tomlkit: `pip install 'metaseal[init]'`). "
    "A project that already names metaseal is left alone. With --in-tree, metaseal itself is "
    "copied into the project as `_build/metaseal/` (found through `backend-path`), so builds "
    "need no metaseal from an index. init does not build the project or run an audit first: "
    "build it afterwards (`python -m build`) to see what the seal would refuse."
)


def add_init_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser(
        "init", help="make metaseal wrap a project's build backend", description=_DESCRIPTION
    )
    init.add_argument("path", nargs="?", default=".", metavar="PATH", help="the project directory")
    init.add_argument(
        "--dry-run", action="store_true", help="print the change as a unified diff; write nothing"
    )
    init.add_argument(
        "--legacy-setuptools",
        action="store_true",
        help="a project without [build-system] (or without build-backend) is built by the legacy "
        "setuptools backend: wrap that one (`setuptools.build_meta:__legacy__`)",
    )
    init.add_argument(
        "--in-tree",
        action="store_true",
        help="vendor metaseal into the project as _build/metaseal/ with "
        '`build-system.backend-path = ["_build"]`, and require its dependencies instead of '
        "metaseal",
    )
    init.add_argument(
        "--update",
        action="store_true",
        help="with --in-tree: replace the vendored copy with this metaseal and restamp it",
    )


def _paths(where: str) -> tuple[Path, Path]:
    path = Path(where)
    if path.name == "pyproject.toml" and not path.is_dir():
        return path.parent, path
    if not path.is_dir():
        raise ArtifactError(where, "is not a directory; name the project's directory.")
    return path, path / "pyproject.toml"


def _read(pyproject: Path, *, legacy: bool) -> str:
    from metaseal.sources.toml import TomlProblem, load_toml

    try:
        load_toml(str(pyproject))  # bounded, and the real TOML reader's verdict
    except FileNotFoundError:
        if legacy:
            return ""
        raise ArtifactError(
            str(pyproject),
            "does not exist: a project built by setup.py alone uses the legacy setuptools "
            "backend; run `metaseal init --legacy-setuptools` to create pyproject.toml wrapping "
            "it.",
        ) from None
    except TomlProblem as exc:
        raise ArtifactError(str(pyproject), f"{exc}; fix the file first.") from None
    with pyproject.open(encoding="utf-8", newline="") as file:
        return file.read()


def _package_dir() -> Path:
    import metaseal

    return Path(metaseal.__file__).resolve().parent


def vendor(root: Path) -> tuple[Path, dict[str, str]]:
    """Copy the running metaseal's build-time parts into ``root/_build/metaseal`` (replacing
    what is there) and stamp it; return the directory and the stamp."""
    from metaseal import __version__
    from metaseal.backend._vendored import vendored_files, write_stamp
    from metaseal.sources.adopt import IN_TREE_DIR

    source = _package_dir()
    target = root / IN_TREE_DIR / "metaseal"
    if target.resolve() == source:
        raise UsageError(
            f"`{target}` is the metaseal that is running; run `metaseal init --in-tree --update` "
            "with another metaseal installed (`pip install metaseal`)."
        )
    if target.exists():
        shutil.rmtree(target)
    for rel in vendored_files(str(source)):
        dest = target.joinpath(*rel.split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.joinpath(*rel.split("/")), dest)
    return target, write_stamp(str(target), __version__)


def vendored_problems(pyproject: Path) -> list[str]:
    """Warnings about vendored metaseal copies (``build-system.backend-path``) of a project
    that no longer match their stamps."""
    from metaseal.backend._vendored import check_stamp
    from metaseal.sources.toml import TomlProblem, load_toml

    try:
        table = load_toml(str(pyproject)).get("build-system")
    except (OSError, TomlProblem):
        return []  # the project reader reports it
    paths = table.get("backend-path") if isinstance(table, dict) else None
    found = []
    for entry in paths if isinstance(paths, list) else []:
        if isinstance(entry, str):
            problem = check_stamp(str(pyproject.parent / entry / "metaseal"))
            if problem is not None:
                found.append(problem)
    return found


def _diff(old: str, new: str, name: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def run_init(args: argparse.Namespace) -> int:
    from metaseal.sources.adopt import IN_TREE_DIR, adopt

    if args.update and not args.in_tree:
        raise UsageError("--update refreshes a vendored copy; use it with --in-tree.")
    root, pyproject = _paths(args.path)
    old = _read(pyproject, legacy=args.legacy_setuptools)
    adoption = adopt(old, legacy_setuptools=args.legacy_setuptools, in_tree=args.in_tree)
    vendored = root / IN_TREE_DIR / "metaseal"
    revendor = args.in_tree and (args.update or adoption.changed or not vendored.is_dir())
    if not adoption.changed and not revendor:
        where = " in-tree (`_build/metaseal/`)" if args.in_tree else ""
        print(
            f"metaseal: `{pyproject}` already names metaseal{where} as its build backend "
            f"(wrapping `{adoption.backend}`); nothing to do."
            + (" `--update` refreshes the vendored copy." if args.in_tree else "")
        )
        return 0
    if args.dry_run:
        sys.stdout.write(_diff(old, adoption.text, "pyproject.toml"))
        if revendor:
            print(f"(would vendor this metaseal into `{vendored}`)")
        for note in adoption.notes:
            print(f"(to do: {note})")
        return 0
    if adoption.changed:
        with pyproject.open("w", encoding="utf-8", newline="") as file:
            file.write(adoption.text)
    lines = []
    if adoption.changed:
        how = "the vendored metaseal" if args.in_tree else "metaseal"
        lines.append(f"metaseal: `{pyproject}` now wraps `{adoption.backend}` with {how}.")
    if revendor:
        target, stamp = vendor(root)
        lines.append(
            f"metaseal: vendored metaseal {stamp['metaseal']} into `{target}` (stamp "
            f"`{target / 'VENDORED.json'}`, sha256 {stamp['sha256'][:12]}...). Keep "
            f"`{IN_TREE_DIR}/` in version control and in the sdist."
        )
    lines += [f"metaseal: to do: {note}" for note in adoption.notes]
    lines.append(
        "Next: build it (`python -m build`) and check the files (`metaseal check dist/ "
        "pyproject.toml`)."
    )
    print("\n".join(lines))
    return 0
