"""What the seal rejects and what it lets through, through the real frontend protocol."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from typing import TYPE_CHECKING

import pytest
from pyproject_hooks import BuildBackendWarning

from .conftest import PROJECT_TABLE, clean_env

if TYPE_CHECKING:
    from .conftest import MakeProject, Project

DYNAMIC_DEPS = """\
[project]
name = "demo-pkg"
version = "1.0"
description = "A demo."
dynamic = ["dependencies"]
"""


def _refused(project: Project, *fragments: str) -> str:
    """build_wheel must fail, print ``fragments``, and leave the output directory empty."""
    with pytest.raises(subprocess.CalledProcessError) as info:
        project.hooks().build_wheel(str(project.out()))
    stderr = str(info.value.stderr)
    for fragment in ("metaseal: metadata drift:", "was not written", "To fix:", *fragments):
        assert fragment in stderr
    assert stderr.count("metadata drift:") == 1, "the report must be shown once"
    assert "Traceback" not in stderr, "a refusal is a report, not a crash"
    assert list(project.out().iterdir()) == []
    return stderr


def test_drift_requires_from_sdist_is_refused(make_project: MakeProject) -> None:
    sdist_tree = make_project("fake_drift_requires").unpacked()
    _refused(sdist_tree, "Requires-Dist", "surprise>=2", "PKG-INFO")


def test_fix_line_knows_when_project_dynamic_already_lists_the_field(
    make_project: MakeProject,
) -> None:
    # The sdist sealed Requires-Dist although [project] says it is dynamic (hatchling does
    # this for a field a metadata hook sets): "declare it dynamic" would be no advice.
    stderr = _refused(make_project("fake_drift_requires", project=DYNAMIC_DEPS).unpacked())
    assert '`project.dynamic` already lists "dependencies"' in stderr
    assert "declare the field dynamic" not in stderr
    generic = _refused(make_project("fake_drift_requires").unpacked())
    assert "already lists" not in generic
    assert 'declare the field dynamic: "dependencies"' in generic


def test_drift_requires_after_fast_path_prepare_is_refused(make_project: MakeProject) -> None:
    sdist_tree = make_project("fake_drift_requires").unpacked()
    hooks = sdist_tree.hooks()
    meta = sdist_tree.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    with pytest.raises(subprocess.CalledProcessError) as info:
        hooks.build_wheel(str(sdist_tree.out()), metadata_directory=str(meta / dist_info))
    assert "surprise>=2" in str(info.value.stderr)
    assert list(sdist_tree.out().iterdir()) == []


LICENSED = PROJECT_TABLE + 'dynamic = ["license-files"]\n'


def _licensed(make_project: MakeProject, *top: str) -> Project:
    """An unpacked sdist of ``fake_license_found``: LICENSE listed, ``extra/NOTICE.txt`` found
    only when the wheel is built, and ``top`` files beside them."""
    project = make_project("fake_license_found", project=LICENSED)
    (project.root / "extra").mkdir()
    for name in ("LICENSE", "extra/NOTICE.txt", *top):
        (project.root / name).write_text("text\n", encoding="utf-8")
    return project.unpacked()


def test_a_license_file_found_at_wheel_time_is_kept_after_the_fast_path(
    make_project: MakeProject,
) -> None:
    """stevedore 5.10.0 through pip: metaseal answered prepare from PKG-INFO, whose License-File
    is Dynamic, and the wheel lists one file more. PKG-INFO allows that, and the prepared
    metadata was metaseal's guess, not the inner backend's promise: the wheel is kept."""
    tree = _licensed(make_project)
    hooks = tree.hooks()
    meta = tree.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert not tree.calls("prepare_metadata_for_build_wheel"), "the fast path answers"
    name = hooks.build_wheel(str(tree.out()), metadata_directory=str(meta / dist_info))
    assert (tree.out() / name).is_file()
    assert "metadata drift" not in tree.runner.stderr


def test_the_fast_paths_answer_binds_when_pkg_info_changed_since(make_project: MakeProject) -> None:
    """The frontend resolved with the answer: if PKG-INFO changed before build_wheel (here only
    its line endings), the answer binds the wheel again, License-File included."""
    tree = _licensed(make_project)
    hooks = tree.hooks()
    meta = tree.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    pkg_info = tree.root / "PKG-INFO"
    pkg_info.write_bytes(pkg_info.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(subprocess.CalledProcessError) as info:
        hooks.build_wheel(str(tree.out()), metadata_directory=str(meta / dist_info))
    assert "License-File [prepared-metadata]" in str(info.value.stderr)
    assert list(tree.out().iterdir()) == []


def test_the_backends_own_prepared_license_files_bind_its_wheel(make_project: MakeProject) -> None:
    """An AUTHORS file PKG-INFO does not list may be found at wheel time: the fast path declines,
    the inner backend prepares, and its promise binds its wheel (PEP 517), License-File too."""
    tree = _licensed(make_project, "AUTHORS")
    hooks = tree.hooks()
    meta = tree.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert tree.calls("prepare_metadata_for_build_wheel"), "the inner backend prepares"
    with pytest.raises(subprocess.CalledProcessError) as info:
        hooks.build_wheel(str(tree.out()), metadata_directory=str(meta / dist_info))
    assert "License-File [prepared-metadata]" in str(info.value.stderr)
    assert list(tree.out().iterdir()) == []


def test_drift_requires_from_source_tree_is_refused(make_project: MakeProject) -> None:
    _refused(make_project("fake_drift_requires"), "Requires-Dist", "surprise>=2")


def test_drift_between_prepare_and_build_is_refused(make_project: MakeProject) -> None:
    project = make_project("fake_drift_prepare", project=DYNAMIC_DEPS)
    hooks = project.hooks()
    meta = project.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    with pytest.raises(subprocess.CalledProcessError) as info:
        hooks.build_wheel(str(project.out()), metadata_directory=str(meta / dist_info))
    stderr = str(info.value.stderr)
    assert "prepared-metadata" in stderr
    assert "attrs>=20" in stderr
    assert "attrs>=21" in stderr
    assert list(project.out().iterdir()) == []
    # Without prepare, the same build passes: the dependencies are dynamic.
    assert project.hooks().build_wheel(str(project.out())) == "demo_pkg-1.0-py3-none-any.whl"


def test_metadata_rewritten_after_build_is_refused(make_project: MakeProject) -> None:
    sdist_tree = make_project("fake_rewrites").unpacked()
    _refused(sdist_tree, "Summary", "Rewritten later.")


def test_declared_dynamic_drift_passes(make_project: MakeProject) -> None:
    sdist_tree = make_project("fake_dynamic", project=DYNAMIC_DEPS).unpacked()
    name = sdist_tree.hooks().build_wheel(str(sdist_tree.out()))
    assert (sdist_tree.out() / name).is_file()


@pytest.mark.parametrize("allowed", ['["requires-dist"]', '["Requires-Dist", "License-File"]'])
def test_allow_dynamic_accepts_listed_fields(make_project: MakeProject, allowed: str) -> None:
    project = make_project("fake_dynamic", project=DYNAMIC_DEPS, tool=f"allow-dynamic = {allowed}")
    assert project.build_sdist().is_file()


def test_allow_dynamic_empty_refuses_any_dynamic_sdist(make_project: MakeProject) -> None:
    project = make_project("fake_dynamic", project=DYNAMIC_DEPS, tool="allow-dynamic = []")
    with pytest.raises(subprocess.CalledProcessError) as info:
        project.build_sdist()
    stderr = str(info.value.stderr)
    assert "allow-dynamic" in stderr
    assert "requires-dist" in stderr
    assert list(project.out("dist").iterdir()) == []


def test_unsealable_sdist_warns_naming_the_backend(make_project: MakeProject) -> None:
    project = make_project("fake_unsealed", tool="seal-old-sdists = false")
    with pytest.warns(BuildBackendWarning, match=r"Metadata-Version 2\.1, below 2\.2"):
        sdist = project.build_sdist()
    assert sdist.is_file()
    assert "`fakes.fake_unsealed`, in-tree" in project.runner.stderr


def test_installed_backends_are_named_with_their_version() -> None:
    from importlib.metadata import version

    from metaseal.backend._say import describe_backend
    from metaseal.backend.settings import Settings

    described = describe_backend(Settings(backend="packaging.version:Version"))
    assert described == f"`packaging.version:Version`, packaging {version('packaging')}"


def test_warn_mode_publishes_and_reports(make_project: MakeProject) -> None:
    sdist_tree = make_project("fake_drift_requires", tool='mode = "warn"').unpacked()
    with pytest.warns(BuildBackendWarning, match="metadata drift"):
        name = sdist_tree.hooks().build_wheel(str(sdist_tree.out()))
    assert (sdist_tree.out() / name).is_file()
    assert "surprise>=2" in sdist_tree.runner.stderr
    assert '`tool.metaseal.mode` is "warn"' in sdist_tree.runner.stderr


def test_escape_hatch_publishes_with_a_loud_warning(make_project: MakeProject) -> None:
    sdist_tree = make_project("fake_drift_requires").unpacked(
        env={"METASEAL_ALLOW_BROKEN_SEAL": "1"}
    )
    with pytest.warns(BuildBackendWarning, match="METASEAL_ALLOW_BROKEN_SEAL=1 is set"):
        name = sdist_tree.hooks().build_wheel(str(sdist_tree.out()))
    assert (sdist_tree.out() / name).is_file()
    assert "surprise>=2" in sdist_tree.runner.stderr


def test_warnings_pass_unless_strict(make_project: MakeProject) -> None:
    lenient = make_project("fake_mv_drift").unpacked()
    with pytest.warns(BuildBackendWarning, match="was kept; 1 warning"):
        lenient.hooks().build_wheel(str(lenient.out()))
    assert "Metadata-Version" in lenient.runner.stderr
    strict = make_project("fake_mv_drift", tool="strict = true").unpacked()
    _refused(strict, "Metadata-Version")


def test_wheel_from_unsealed_sdist_is_checked_against_project(make_project: MakeProject) -> None:
    """Metadata < 2.2 promises nothing, but the sdist's static [project] table still binds."""
    with pytest.warns(BuildBackendWarning):
        tree = make_project("fake_unsealed", tool="seal-old-sdists = false").unpacked()
    pyproject = tree.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace("attrs>=20", "attrs>=21"), encoding="utf-8"
    )
    stderr = _refused(tree, "Requires-Dist", "pyproject-static", "attrs>=21")
    assert "attrs>=20" in stderr


def test_old_sdist_is_sealed_with_the_projects_dynamic_fields(make_project: MakeProject) -> None:
    """pdm-backend and meson-python write Metadata 2.1 sdists, which promise nothing; metaseal
    rewrites PKG-INFO as 2.2 with Dynamic for what `project.dynamic` declares (issue 14)."""
    table = PROJECT_TABLE + 'dynamic = ["classifiers", "version"]\n'
    project = make_project("fake_unsealed", project=table.replace('version = "1.0"\n', ""))
    with pytest.warns(BuildBackendWarning, match=r"sealed `demo_pkg-1\.0\.tar\.gz`"):
        sdist = project.build_sdist()
    with tarfile.open(sdist) as archive:
        member = archive.extractfile("demo_pkg-1.0/PKG-INFO")
        assert member is not None
        pkg_info = member.read().decode()
    assert pkg_info.startswith("Metadata-Version: 2.2\nDynamic: Classifier\nName: demo-pkg\n")
    assert "Dynamic: Version" not in pkg_info  # Version is never Dynamic
    # The sealed sdist now binds its wheels; the fake's wheel says 2.1, which 2.2 only extends
    # with Dynamic: information, not a warning (so `strict` does not refuse it either).
    tree = make_project(
        "fake_unsealed", project=table.replace('version = "1.0"\n', ""), tool="strict = true"
    )
    with pytest.warns(BuildBackendWarning):
        unpacked = tree.unpacked()
    name = unpacked.hooks().build_wheel(str(unpacked.out()))
    assert (unpacked.out() / name).is_file()
    assert "metadata drift" not in unpacked.runner.stderr


#: Builds a wheel in-process; says whether the checking engine was loaded.
_WHEEL_PROBE = (
    "import sys, metaseal.backend as b\n"
    "print(b.build_wheel(sys.argv[1]))\n"
    "print('engine' if 'metaseal.engine.seal' in sys.modules else 'bytes')\n"
)


def _wheel_probe(project: Project) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WHEEL_PROBE, str(project.out())],
        cwd=project.root,
        env=clean_env(**project.env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_wheel_of_a_sealed_old_sdist_is_checked_without_the_engine(
    make_project: MakeProject,
) -> None:
    """A backend that writes 2.1 writes the wheel's METADATA as the sdist's PKG-INFO was before
    metaseal sealed it: the pair differs only in what sealing changed, which the engine reports
    as information, so it is decided from the bytes. Any other difference still reaches the
    engine, and is refused."""
    table = PROJECT_TABLE + 'dynamic = ["classifiers", "version"]\n'
    project = make_project("fake_unsealed", project=table.replace('version = "1.0"\n', ""))
    with pytest.warns(BuildBackendWarning):
        unpacked = project.unpacked()
    pkg_info = unpacked.root / "PKG-INFO"
    assert pkg_info.read_text(encoding="utf-8").startswith("Metadata-Version: 2.2\nDynamic: ")
    done = _wheel_probe(unpacked)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["demo_pkg-1.0-py3-none-any.whl", "bytes"]
    assert done.stderr == ""
    # The same pair with one more difference (a Summary only the sdist has) is the engine's.
    text = pkg_info.read_text(encoding="utf-8")
    pkg_info.write_text(text.replace("Name: demo-pkg\n", "Name: demo-pkg\nSummary: x\n"), "utf-8")
    for wheel in unpacked.out().iterdir():
        wheel.unlink()
    refused = _wheel_probe(unpacked)
    assert refused.returncode == 1, refused.stderr
    assert "Summary" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert list(unpacked.out().iterdir()) == []


def _build_prepared(project: Project, variant: str) -> str:
    """prepare, then build_wheel with the prepared directory, the wheel as FAKE_ENTRY_POINTS."""
    project.runner.env["FAKE_ENTRY_POINTS"] = variant
    hooks = project.hooks()
    meta = project.out(f"meta-{variant}")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert project.calls("prepare_metadata_for_build_wheel"), "the inner hook must prepare"
    return str(hooks.build_wheel(str(project.out()), metadata_directory=str(meta / dist_info)))


@pytest.mark.parametrize("from_sdist", [False, True], ids=["tree", "sdist"])
def test_entry_points_drift_between_prepare_and_build_is_refused(
    make_project: MakeProject, from_sdist: bool
) -> None:
    project = make_project("fake_entry_points", project=DYNAMIC_DEPS)
    if from_sdist:
        project = project.unpacked()
    with pytest.raises(subprocess.CalledProcessError) as info:
        _build_prepared(project, "drift")
    stderr = str(info.value.stderr)
    assert "metadata drift: the wheel's entry_points.txt differs from the `.dist-info`" in stderr
    assert "prepared-entry-points" in stderr
    assert "[console_scripts] demo = demo_pkg:other" in stderr
    assert "[console_scripts] demo = demo_pkg:main" in stderr
    assert "Traceback" not in stderr
    assert list(project.out().iterdir()) == []


@pytest.mark.parametrize("variant", ["respelled", "same"])
@pytest.mark.parametrize("from_sdist", [False, True], ids=["tree", "sdist"])
def test_entry_points_spelled_differently_are_accepted(
    make_project: MakeProject, from_sdist: bool, variant: str
) -> None:
    project = make_project("fake_entry_points", project=DYNAMIC_DEPS)
    if from_sdist:
        project = project.unpacked()
    assert _build_prepared(project, variant) == "demo_pkg-1.0-py3-none-any.whl"
    assert (project.out() / "demo_pkg-1.0-py3-none-any.whl").is_file()


def test_entry_points_stay_unbound_when_pkg_info_changed_after_the_fast_path(
    make_project: MakeProject,
) -> None:
    """PKG-INFO changed after the fast path answered: its METADATA binds the wheel again, but
    it never had entry points, so the wheel's entry_points.txt is still not compared."""
    project = make_project("fake_entry_points", env={"FAKE_STATIC": "1"}).unpacked()
    hooks = project.hooks()
    meta = project.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert not project.calls("prepare_metadata_for_build_wheel"), "the fast path answers"
    pkg_info = project.root / "PKG-INFO"
    pkg_info.write_bytes(pkg_info.read_bytes().replace(b"\n", b"\r\n"))
    name = hooks.build_wheel(str(project.out()), metadata_directory=str(meta / dist_info))
    assert (project.out() / name).is_file()
    assert "metadata drift" not in project.runner.stderr


def test_entry_points_are_not_bound_when_the_fast_path_prepared(make_project: MakeProject) -> None:
    """From a sealed sdist the wrapper answers prepare with PKG-INFO alone (it has no entry
    points); the wheel's entry_points.txt is then not compared with a file nobody prepared."""
    project = make_project("fake_entry_points", env={"FAKE_STATIC": "1"}).unpacked()
    hooks = project.hooks()
    meta = project.out("meta")
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta))
    assert not project.calls("prepare_metadata_for_build_wheel"), "the fast path answers"
    assert not (meta / dist_info / "entry_points.txt").exists()
    name = hooks.build_wheel(str(project.out()), metadata_directory=str(meta / dist_info))
    assert (project.out() / name).is_file()
    assert "metadata drift" not in project.runner.stderr
