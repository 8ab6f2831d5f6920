"""The hook surface, driven through pyproject-hooks (a real subprocess per hook call)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING

import pytest
from pyproject_hooks import BuildBackendWarning, HookMissing, UnsupportedOperation

from metaseal.backend._fastpath import MARKER

from .conftest import clean_env

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import MakeProject


def _metadata(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name)


@pytest.mark.parametrize("backend", ["metaseal", "metaseal.backend"])
def test_optional_hooks_absent_when_inner_lacks_them(
    make_project: MakeProject, backend: str
) -> None:
    project = make_project("fake_mandatory")
    hooks = project.hooks(backend)
    assert hooks._supported_features() == []
    assert hooks.get_requires_for_build_editable() == []
    with pytest.raises(HookMissing):
        hooks.prepare_metadata_for_build_editable(str(project.out()), _allow_fallback=False)
    with pytest.raises(HookMissing):
        hooks.build_editable(str(project.out()))
    probe = (
        "import importlib, sys; m = importlib.import_module(sys.argv[1]); "
        "names = ['build_editable', 'get_requires_for_build_editable', "
        "'prepare_metadata_for_build_editable', 'UnsupportedOperation']; "
        "print([n for n in names if hasattr(m, n)], hasattr(m, 'prepare_metadata_for_build_wheel'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, backend],
        cwd=project.root,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[] True"


def test_optional_hooks_present_when_inner_has_them(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    hooks = project.hooks()
    assert hooks._supported_features() == ["build_editable"]
    assert hooks.get_requires_for_build_sdist() == ["sdist-req"]
    assert hooks.get_requires_for_build_wheel() == ["wheel-req"]
    assert hooks.get_requires_for_build_editable() == ["editable-req"]


def test_mandatory_only_prepare_builds_once_and_build_wheel_reuses(
    make_project: MakeProject,
) -> None:
    project = make_project("fake_mandatory")
    hooks = project.hooks()
    meta = project.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert dist_info == "demo_pkg-1.0.dist-info"
    assert (meta / MARKER).read_text(encoding="utf-8").startswith("wheel ")
    name = hooks.build_wheel(str(project.out()), metadata_directory=str(meta / dist_info))
    assert len(project.calls("build_wheel")) == 1  # the prepare build, reused
    assert _metadata(project.out() / name) == (meta / dist_info / "METADATA").read_bytes()
    assert sorted(p.name for p in project.out().iterdir()) == [name]


def test_full_hooks_prepare_then_build_passes_metadata_directory(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    hooks = project.hooks()
    meta = project.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert (meta / MARKER).read_text(encoding="utf-8") == "inner\n"
    name = hooks.build_wheel(str(project.out()), metadata_directory=str(meta / dist_info))
    (call,) = project.calls("build_wheel")
    assert call["metadata_directory"] == str(meta / dist_info)
    assert sorted(p.name for p in project.out().iterdir()) == [name]  # no staging left over


def test_fast_path_metadata_directory_is_not_passed_to_inner(make_project: MakeProject) -> None:
    sdist_tree = make_project("fake_full").unpacked()
    hooks = sdist_tree.hooks()
    meta = sdist_tree.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert (meta / MARKER).read_text(encoding="utf-8") == "pkg-info\n"
    assert sdist_tree.calls("prepare_metadata_for_build_wheel") == []
    hooks.build_wheel(str(sdist_tree.out()), metadata_directory=str(meta / dist_info))
    (call,) = sdist_tree.calls("build_wheel")
    assert call["metadata_directory"] is None  # it is metaseal's, not the inner backend's


def test_editable_may_add_requires_dist(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    hooks = project.hooks()
    meta = project.out("meta")
    dist_info = hooks.prepare_metadata_for_build_editable(str(meta))
    name = hooks.build_editable(str(project.out()), metadata_directory=str(meta / dist_info))
    assert b"Requires-Dist: editables" in _metadata(project.out() / name)


def test_unsupported_operation_is_the_inner_class(make_project: MakeProject) -> None:
    project = make_project("fake_full")
    with pytest.raises(UnsupportedOperation):
        project.hooks().build_sdist(str(project.out()), {"no-sdist": "1"})
    assert list(project.out().iterdir()) == []


def test_inner_errors_surface_unchanged(make_project: MakeProject) -> None:
    project = make_project("fake_raises")
    with pytest.raises(subprocess.CalledProcessError) as info:
        project.hooks().build_wheel(str(project.out()))
    assert "FakeBuildError: the fake wheel build exploded (marker 9c1e)" in str(info.value.stderr)
    assert list(project.out().iterdir()) == []
    with pytest.raises(subprocess.CalledProcessError) as info:
        project.hooks().build_sdist(str(project.out()))
    assert "marker 7f3a" in str(info.value.stderr)
    assert list(project.out().iterdir()) == []


def test_inner_warnings_reach_the_frontend(make_project: MakeProject) -> None:
    project = make_project("fake_warns")
    with pytest.warns(BuildBackendWarning, match="marker 41b2"):
        name = project.hooks().build_wheel(str(project.out()))
    assert (project.out() / name).is_file()


def test_editable_without_prepare_builds_once_through_an_object_backend(
    make_project: MakeProject,
) -> None:
    project = make_project("fake_editable_only")
    pyproject = project.root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace('"fakes.fake_editable_only"', '"fakes.fake_editable_only:backend"')
    )
    hooks = project.hooks()
    assert hooks._supported_features() == ["build_editable"]
    meta = project.out("meta")
    dist_info = hooks.prepare_metadata_for_build_editable(str(meta))
    name = hooks.build_editable(str(project.out()), metadata_directory=str(meta / dist_info))
    assert [c["hook"] for c in project.calls()] == ["build_editable"]
    assert b"Requires-Dist: editables" in _metadata(project.out() / name)
