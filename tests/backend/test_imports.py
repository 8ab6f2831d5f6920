"""``import metaseal`` and the hook module must stay standard-library-only and cheap."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from .conftest import clean_env

if TYPE_CHECKING:
    from .conftest import MakeProject

HEAVY = (
    *("packaging", "pyproject_metadata", "email", "json", "urllib", "argparse", "tomllib"),
    *(
        "tomli",
        "zipfile",
        "tarfile",
        "difflib",
        "metaseal.backend.settings",
        "metaseal.backend._lifecycle",
    ),
)


@pytest.mark.parametrize("statement", ["import metaseal", "import metaseal.backend"])
def test_import_is_standard_library_only(statement: str) -> None:
    script = (
        f"{statement}\nimport sys\nheavy = set(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *HEAVY],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_wheel_identical_to_pkg_info_is_checked_without_the_engine(
    make_project: MakeProject,
) -> None:
    sdist_tree = make_project("fake_full").unpacked()
    script = (
        "import sys, metaseal\n"
        "print(metaseal.build_wheel(sys.argv[1]))\n"
        "loaded = ('packaging.metadata', 'packaging.version', 'email', 'metaseal.engine.compare')\n"
        "print(sorted(m for m in loaded if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(sdist_tree.out())],
        cwd=sdist_tree.root,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == ["demo_pkg-1.0-py3-none-any.whl", "[]"]


def test_an_in_tree_backend_cannot_shadow_the_engines_packaging(
    make_project: MakeProject,
) -> None:
    """poetry-core's in-tree backend puts an old vendored packaging first on sys.path when it
    is imported; the engine must still get the packaging it was installed with."""
    project = make_project("fake_full")
    vendored = project.root / "fakes" / "_vendor" / "packaging"
    vendored.mkdir(parents=True)
    (vendored / "__init__.py").write_text("raise ImportError('the vendored copy was used')\n")
    backend = project.root / "fakes" / "fake_full.py"
    source = backend.read_text(encoding="utf-8")
    backend.write_text(
        source + "\nimport os as _os, sys as _sys\n"
        "_sys.path.insert(0, _os.path.join(_os.path.dirname(__file__), '_vendor'))\n",
        encoding="utf-8",
    )
    script = "import metaseal\nmetaseal.get_requires_for_build_wheel()\nimport packaging.version\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project.root,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
