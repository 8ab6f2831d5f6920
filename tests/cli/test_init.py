"""``metaseal init``: wrap a project's backend, keeping every comment and untouched line."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from metaseal._compat import tomllib
from metaseal.cli import main

pytest.importorskip("tomlkit")

PROJECT = """
[project]  # the project
name = "demo"
version = "1.0"
dependencies = [
    "attrs>=20",  # pinned low on purpose
]

[tool.other]
keep = 'single quotes'   # odd spacing kept
"""

#: One pyproject.toml per backend kind: its [build-system] as users write it.
BACKENDS = {
    "setuptools": (
        (
            '[build-system]\nrequires = ["setuptools>=77", "wheel"]\n'
            'build-backend = "setuptools.build_meta"\n'
        ),
        "setuptools.build_meta",
    ),
    "hatchling": (
        (
            "# Build with hatchling\n[build-system]\nrequires = [\n"
            '    "hatchling>=1.26",  # PEP 639\n    "hatch-vcs",\n]\n'
            'build-backend = "hatchling.build"\n'
        ),
        "hatchling.build",
    ),
    "flit-core": (
        (
            '[build-system]\nrequires = ["flit_core >=3.12,<4"]\n'
            'build-backend = "flit_core.buildapi"\n'
        ),
        "flit_core.buildapi",
    ),
    "pdm-backend": (
        '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n',
        "pdm.backend",
    ),
    "poetry-core": (
        (
            '[build-system]\nrequires = ["poetry-core>=2.0.0,<3.0.0"]\n'
            'build-backend = "poetry.core.masonry.api"\n'
        ),
        "poetry.core.masonry.api",
    ),
    "uv-build": (
        '[build-system]\nrequires = ["uv_build>=0.9,<0.10"]\nbuild-backend = "uv_build"\n',
        "uv_build",
    ),
    "scikit-build-core": (
        (
            '[build-system]\nrequires = ["scikit-build-core>=0.10", "pybind11"]\n'
            'build-backend = "scikit_build_core.build"\n'
        ),
        "scikit_build_core.build",
    ),
    "meson-python": (
        "[build-system]\nbuild-backend = 'mesonpy'\nrequires = ['meson-python']\n",
        "mesonpy",
    ),
    "maturin": (
        '[build-system]\nrequires = ["maturin>=1.0,<2.0"]\nbuild-backend = "maturin"\n',
        "maturin",
    ),
    "in-tree": (
        (
            '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "backend"\n'
            'backend-path = ["_custom"]  # our own hooks\n'
        ),
        "backend",
    ),
}


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_bytes(text.encode("utf-8"))
    return tmp_path / "pyproject.toml"


def _init(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["init", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _removed(old: str, new: str) -> list[str]:
    diff = difflib.ndiff(old.splitlines(keepends=True), new.splitlines(keepends=True))
    return [line[2:] for line in diff if line.startswith("- ")]


@pytest.mark.parametrize("kind", sorted(BACKENDS))
def test_init_wraps_each_backend_and_keeps_everything_else(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    build_system, backend = BACKENDS[kind]
    old = build_system + PROJECT
    path = _project(tmp_path, old)
    code, out, err = _init(capsys, str(tmp_path))
    assert (code, err) == (0, "")
    assert f"now wraps `{backend}`" in out
    new = path.read_text(encoding="utf-8")
    data = tomllib.loads(new)
    assert data["build-system"]["build-backend"] == "metaseal"
    assert data["build-system"]["requires"][-1] == "metaseal"
    assert data["build-system"]["requires"][:-1] == tomllib.loads(old)["build-system"]["requires"]
    assert data["tool"]["metaseal"]["backend"] == backend
    assert data["project"] == tomllib.loads(old)["project"]
    assert data["tool"]["other"] == {"keep": "single quotes"}
    # Only the lines naming the backend, its requirements or its path changed; every other
    # line (comments, odd spacing, quoting) is byte-identical, in the same order.
    for line in _removed(old, new):
        assert line.split("=")[0].strip() in ("requires", "build-backend", "backend-path", "]")
    for line in (line for line in new.splitlines() if line not in old.splitlines()):
        assert line.startswith(("requires", "build-backend", "[tool.metaseal]", "backend")) or (
            line == '    "metaseal",'
        ), line
    assert "# the project" in new
    assert "keep = 'single quotes'   # odd spacing kept" in new
    if kind == "in-tree":
        assert "backend-path" not in data["build-system"]
        assert data["tool"]["metaseal"]["backend-path"] == ["_custom"]
    # Running it again changes nothing.
    code, out, _ = _init(capsys, str(path))
    assert code == 0
    assert "already names metaseal" in out
    assert f"wrapping `{backend}`" in out
    assert path.read_text(encoding="utf-8") == new


def test_dry_run_prints_the_diff_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old = BACKENDS["hatchling"][0] + PROJECT
    path = _project(tmp_path, old)
    code, out, _ = _init(capsys, "--dry-run", str(tmp_path))
    assert code == 0
    assert path.read_text(encoding="utf-8") == old
    assert out.startswith("--- a/pyproject.toml\n+++ b/pyproject.toml\n")
    assert '-build-backend = "hatchling.build"\n+build-backend = "metaseal"\n' in out
    assert '+    "metaseal",\n' in out
    assert '+[tool.metaseal]\n+backend = "hatchling.build"\n' in out


def test_no_build_system_is_refused_unless_legacy_setuptools(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _project(tmp_path, PROJECT.lstrip())
    code, _, err = _init(capsys, str(tmp_path))
    assert code == 3
    assert "no `[build-system]` table" in err
    assert "--legacy-setuptools" in err
    assert "Traceback" not in err
    assert path.read_text(encoding="utf-8") == PROJECT.lstrip()
    code, _, _ = _init(capsys, "--legacy-setuptools", str(tmp_path))
    assert code == 0
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["build-system"] == {
        "requires": ["setuptools>=40.8.0", "metaseal"],
        "build-backend": "metaseal",
    }
    assert data["tool"]["metaseal"] == {"backend": "setuptools.build_meta:__legacy__"}
    assert path.read_text(encoding="utf-8").startswith(PROJECT.lstrip())


def test_setup_py_project_without_pyproject(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _init(capsys, str(tmp_path))
    assert code == 3
    assert "--legacy-setuptools" in err
    assert not (tmp_path / "pyproject.toml").exists()
    assert _init(capsys, "--legacy-setuptools", str(tmp_path))[0] == 0
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["tool"]["metaseal"]["backend"] == "setuptools.build_meta:__legacy__"


def test_build_system_without_backend_keeps_its_requires(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _project(tmp_path, '[build-system]\nrequires = ["setuptools>=61", "cython"]\n')
    assert _init(capsys, str(tmp_path))[0] == 3
    assert _init(capsys, "--legacy-setuptools", str(tmp_path))[0] == 0
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["build-system"]["requires"] == ["setuptools>=61", "cython", "metaseal"]


def test_invalid_toml_and_missing_tomlkit_are_one_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _project(tmp_path, "[build-system\n")
    code, _, err = _init(capsys, str(tmp_path))
    assert code == 3
    assert "pyproject.toml" in err
    assert "cannot be read as TOML" in err
    assert "Traceback" not in err
    assert _init(capsys, "--update", str(tmp_path))[0] == 2


def test_in_tree_vendors_stamps_and_refreshes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from metaseal import __version__
    from metaseal.backend._vendored import check_stamp, digest
    from metaseal.sources.adopt import RUNTIME_REQUIRES

    path = _project(tmp_path, BACKENDS["in-tree"][0] + PROJECT)
    code, out, _ = _init(capsys, "--in-tree", str(tmp_path))
    assert code == 0, out
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["build-system"]["backend-path"] == ["_build"]
    assert data["build-system"]["requires"] == ["hatchling", *RUNTIME_REQUIRES]
    assert data["tool"]["metaseal"] == {"backend": "backend", "backend-path": ["_custom"]}
    vendored = tmp_path / "_build" / "metaseal"
    for part in ("__init__.py", "errors.py", "_compat.py", "backend/_lifecycle.py"):
        assert (vendored / part).is_file(), part
    for part in ("engine/seal.py", "sources/archives.py", "report/seal.py"):
        assert (vendored / part).is_file(), part
    for absent in ("cli", "index", "scan", "__main__.py"):
        assert not (vendored / absent).exists(), absent
    assert not list(vendored.rglob("__pycache__"))
    stamp = json.loads((vendored / "VENDORED.json").read_text(encoding="utf-8"))
    assert stamp == {"metaseal": __version__, "sha256": digest(str(vendored))}
    assert check_stamp(str(vendored)) is None
    # Edited by hand: `check` with the project's pyproject.toml says so.
    rules = vendored / "engine" / "rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "# local patch\n", encoding="utf-8")
    assert "does not match its stamp" in str(check_stamp(str(vendored)))
    _, _, err = _init_check(capsys, path)
    assert "metaseal: warning: the vendored metaseal" in err
    assert "init --in-tree --update" in err
    # Again without --update: nothing to do; with it: a fresh copy, no warning.
    code, out, _ = _init(capsys, "--in-tree", str(tmp_path))
    assert (code, "nothing to do" in out) == (0, True)
    assert "local patch" in rules.read_text(encoding="utf-8")
    code, out, _ = _init(capsys, "--in-tree", "--update", str(tmp_path))
    assert code == 0
    assert "vendored metaseal" in out
    assert "local patch" not in rules.read_text(encoding="utf-8")
    assert "vendored metaseal" not in _init_check(capsys, path)[2]


def _init_check(capsys: pytest.CaptureFixture[str], pyproject: Path) -> tuple[int, str, str]:
    code = main(["check", str(pyproject)])
    out, err = capsys.readouterr()
    return code, out, err


def test_in_tree_converts_a_wrapped_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wrapped = '[build-system]\nrequires = ["metaseal", "hatchling"]\nbuild-backend = "metaseal"\n'
    path = _project(tmp_path, wrapped + '\n[tool.metaseal]\nbackend = "hatchling.build"\n')
    code, out, _ = _init(capsys, "--in-tree", "--dry-run", str(tmp_path))
    assert code == 0
    assert '-requires = ["metaseal", "hatchling"]\n' in out
    assert '+backend-path = ["_build"]\n' in out
    assert not (tmp_path / "_build").exists()
    assert _init(capsys, "--in-tree", str(tmp_path))[0] == 0
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "metaseal" not in data["build-system"]["requires"]
    assert data["build-system"]["backend-path"] == ["_build"]
    assert (tmp_path / "_build" / "metaseal" / "VENDORED.json").is_file()


@pytest.mark.parametrize(
    ("kind", "where", "expected"),
    [
        ("pdm-backend", ("tool", "pdm", "build", "source-includes"), ["_build/"]),
        ("flit-core", ("tool", "flit", "sdist", "include"), ["_build/"]),
        ("uv-build", ("tool", "uv", "build-backend", "source-include"), ["_build/**"]),
        ("poetry-core", ("tool", "poetry", "include"), [{"path": "_build", "format": "sdist"}]),
    ],
)
def test_in_tree_puts_the_copy_into_the_sdist(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    kind: str,
    where: tuple[str, ...],
    expected: list[object],
) -> None:
    path = _project(tmp_path, BACKENDS[kind][0] + PROJECT)
    assert _init(capsys, "--in-tree", str(tmp_path))[0] == 0
    found: object = tomllib.loads(path.read_text(encoding="utf-8"))
    for key in where:
        assert isinstance(found, dict)
        found = found[key]
    assert found == expected


def test_in_tree_says_what_is_left_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _project(tmp_path, BACKENDS["setuptools"][0] + PROJECT)
    code, out, _ = _init(capsys, "--in-tree", "--dry-run", str(tmp_path))
    assert code == 0
    assert "(to do: setuptools: add `graft _build` to MANIFEST.in" in out
