"""A copy of metaseal vendored into a project (``metaseal init --in-tree``) and its stamp.

The copy holds what a build needs at hook time: the package's ``__init__``, ``errors`` and
``_compat`` modules and the ``backend``, ``engine``, ``sources`` and ``report`` packages (not
the command line, index or scan code). ``VENDORED.json`` beside it records metaseal's version
and one sha256 over the copied files, so a copy edited by hand is noticed: the backend warns
once per process, and ``metaseal check`` warns when given the project's pyproject.toml.
Standard library only (the backend's hook path).
"""

# pathlib is avoided on purpose, as in the other modules on the hook path.
# ruff: noqa: PTH113, PTH118, PTH120, PTH123
from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["MODULES", "PACKAGES", "STAMP", "check_stamp", "digest", "vendored_files", "write_stamp"]

#: Top-level modules and subpackages of ``metaseal`` that the build needs.
MODULES = ("__init__.py", "errors.py", "_compat.py", "py.typed")
PACKAGES = ("backend", "engine", "sources", "report")
#: The stamp's file name, inside the vendored ``metaseal`` directory.
STAMP = "VENDORED.json"


def vendored_files(package_dir: str) -> Iterator[str]:
    """The files of ``package_dir`` (a ``metaseal`` directory) that belong in a vendored copy,
    as sorted POSIX paths relative to it."""
    found = [name for name in MODULES if os.path.isfile(os.path.join(package_dir, name))]
    for package in PACKAGES:
        top = os.path.join(package_dir, package)
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            rel = os.path.relpath(root, package_dir).replace(os.sep, "/")
            found += [f"{rel}/{name}" for name in files if name.endswith((".py", ".json"))]
    yield from sorted(found)


def digest(package_dir: str) -> str:
    """sha256 over every vendored file's path and content (hex)."""
    import hashlib  # here: the verdict memo imports this module on every sdist build

    total = hashlib.sha256()
    for rel in vendored_files(package_dir):
        with open(os.path.join(package_dir, *rel.split("/")), "rb") as file:
            content = hashlib.sha256(file.read()).hexdigest()
        total.update(f"{rel}\0{content}\n".encode())
    return total.hexdigest()


def write_stamp(package_dir: str, version: str) -> dict[str, str]:
    """Write ``VENDORED.json`` for the copy in ``package_dir``; return what it holds."""
    import json

    stamp = {"metaseal": version, "sha256": digest(package_dir)}
    with open(os.path.join(package_dir, STAMP), "w", encoding="utf-8") as file:
        file.write(json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    return stamp


def check_stamp(package_dir: str) -> str | None:
    """``None`` when ``package_dir`` is no vendored copy or matches its stamp; otherwise one
    paragraph saying what is wrong and how to fix it."""
    path = os.path.join(package_dir, STAMP)
    if not os.path.isfile(path):
        return None
    where = path.replace(os.sep, "/")
    import json

    try:
        with open(path, encoding="utf-8") as file:
            stamp = json.loads(file.read(64 * 1024))
        expected, version = str(stamp["sha256"]), str(stamp["metaseal"])
    except (OSError, ValueError, KeyError, TypeError):
        return (
            f"`{where}` cannot be read as metaseal's stamp; refresh the vendored copy with "
            "`metaseal init --in-tree --update`."
        )
    if digest(package_dir) == expected:
        return None
    return (
        f"the vendored metaseal {version} in `{os.path.dirname(where)}` does not match its "
        f"stamp `{where}`: it was edited by hand, so the build is not checked by the metaseal "
        "that was vendored. Refresh it with `metaseal init --in-tree --update` (a change made on "
        "purpose belongs in metaseal itself, vendored again with `--update`)."
    )
