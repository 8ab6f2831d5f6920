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
        "loaded = ('packaging', 'email', 'metaseal.engine.compare')\n"
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
