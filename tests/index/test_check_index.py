"""``metaseal check --index/--find-links`` through the real CLI against a static index.

The report of a release read over HTTP must be the report of the same files read from disk
(``source`` aside), whichever way the metadata arrives: sidecars, range requests or downloads.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from index.client_support import big_wheel, clean_network_env, publish_releases, run_cli
from metaseal.index._lazyzip import TAIL

if TYPE_CHECKING:
    from pathlib import Path

    from index.conftest import MakeIndex
    from index.servers import StaticIndex

PROJECTS = ("alpha", "beta", "gamma")


def _releases(document: dict[str, Any], keep: set[tuple[str, str]] | None = None) -> list[Any]:
    """The releases of a JSON report without the ``source`` of each file."""
    releases = []
    for release in document["releases"]:
        if keep is not None and (release["name"], release["version"]) not in keep:
            continue
        for artifact in release["artifacts"]:
            artifact.pop("source")
        releases.append(release)
    return releases


@pytest.fixture
def published(dists: Path) -> dict[str, str]:
    return publish_releases(dists)


@pytest.fixture
def local(dists: Path, published: dict[str, str]) -> tuple[int, list[Any]]:
    """Exit code and releases of a local ``check`` of the newest release of each project."""
    run = run_cli("check", "--format", "json", dists)
    return run.returncode, _releases(run.json(), set(published.items()))


def _remote(index: StaticIndex, *options: str) -> tuple[int, list[Any]]:
    run = run_cli(
        "check", "--format", "json", "--no-cache", "--index", index.index_url, *options, *PROJECTS
    )
    assert run.stderr == "", str(run)
    return run.returncode, _releases(run.json())


def test_the_acceptance_releases_mean_something(local: tuple[int, list[Any]]) -> None:
    code, releases = local
    by_name = {r["name"]: r for r in releases}
    assert code == 1
    assert [r["version"] for r in releases] == ["1.0", "2.0", "3.0"]
    assert by_name["alpha"]["summary"]["error"] == 0
    assert by_name["beta"]["summary"]["error"] == 1
    assert by_name["gamma"]["proposal"]["requires_dist"]
    assert len(by_name["gamma"]["variation"]) == 2


def test_with_sidecars_no_wheel_is_fetched(
    static_index: MakeIndex, local: tuple[int, list[Any]]
) -> None:
    index = static_index()
    assert _remote(index, "--sdists") == local
    assert index.requests("*.whl") == []
    assert len(index.requests("*.whl.metadata")) == 5
    assert [a.path for a in index.requests("/files/*.tar.gz")] == [
        "/files/alpha-1.0.tar.gz",
        "/files/beta-2.0.tar.gz",
    ]


def test_without_sidecars_wheels_are_read_by_ranges(
    static_index: MakeIndex, dists: Path, published: dict[str, str]
) -> None:
    bulky = big_wheel(dists)
    expected = run_cli("check", "--format", "json", dists)
    keep = {*published.items(), ("bulky", "1.0")}
    index = static_index(sidecars=False)
    run = run_cli(
        "check", "--format", "json", "--no-cache", "--sdists", "--index", index.index_url,
        *PROJECTS, "bulky",
    )  # fmt: skip
    assert run.returncode == expected.returncode == 1, str(run)
    assert _releases(run.json()) == _releases(expected.json(), keep)
    wheels = index.requests("*.whl")
    assert len(wheels) == 6
    assert {(a.status, a.range) for a in wheels} == {(206, f"bytes=-{TAIL}")}
    sent = sum(a.bytes_sent for a in index.requests(f"/files/{bulky.name}"))
    assert sent <= TAIL < bulky.stat().st_size // 60


def test_a_server_without_ranges_needs_allow_download(
    static_index: MakeIndex, local: tuple[int, list[Any]]
) -> None:
    index = static_index(sidecars=False, ranges=False)
    run = run_cli("check", "--no-cache", "--index", index.index_url, "alpha")
    assert run.returncode == 4, str(run)
    url = f"{index.url}/files/alpha-1.0-py3-none-any.whl"
    assert run.stderr == (
        f"metaseal: error: {url}: the server ignores HTTP range requests (it answered 200 with "
        "the whole file instead of 206 with a part), and the index offers no PEP 658 "
        "`.metadata` file for this wheel, so its metadata cannot be read without downloading "
        "all of it; pass `--allow-download` to download such wheels in full.\n"
    )
    assert _remote(index, "--sdists", "--allow-download") == local


def test_sdists_only_with_the_option(static_index: MakeIndex, dists: Path) -> None:
    publish_releases(dists)
    index = static_index()
    run = run_cli("check", "--format", "json", "--no-cache", "--index", index.index_url, "beta")
    assert run.returncode == 0, str(run)  # the wheel alone has nothing to disagree with
    assert [a["label"] for a in run.json()["releases"][0]["artifacts"]] == [
        "beta-2.0-py3-none-any.whl"
    ]
    assert index.requests("*.tar.gz") == []
    run = run_cli("check", "--no-cache", "--sdists", "--index", index.index_url, "beta")
    assert run.returncode == 1, str(run)
    assert "error: Requires-Dist" in run.stdout
    assert [(a.status, a.range) for a in index.requests("*.tar.gz")] == [(200, None)]


def test_find_links_and_exact_versions(
    static_index: MakeIndex, dists: Path, published: dict[str, str]
) -> None:
    index = static_index()
    run = run_cli(
        "check", "--no-cache", "--find-links", index.find_links_url, "alpha==0.9", "ALPHA",
        "gamma",
    )  # fmt: skip
    assert run.returncode == 0, str(run)
    assert run.stdout.startswith("alpha 0.9: 1 file, PASSED\n")
    assert "alpha 1.0: 1 file, PASSED\n" in run.stdout
    assert "gamma 3.0: 3 files, PASSED (2 info)\n" in run.stdout
    assert len(index.requests("/links/")) == 1


def test_missing_version_is_exit_3(static_index: MakeIndex, published: dict[str, str]) -> None:
    index = static_index()
    run = run_cli("check", "--no-cache", "--index", index.index_url, "alpha==5")
    assert run.returncode == 3, str(run)
    assert run.stderr == (
        f"metaseal: error: {index.index_url}alpha/: has no files of `alpha` 5; the newest "
        "versions there are 2.0rc1, 1.0, 0.9. Name one of them (`alpha==2.0rc1`), or leave the "
        "version out to check the newest.\n"
    )


def test_jobs_do_not_change_the_report(
    static_index: MakeIndex, local: tuple[int, list[Any]]
) -> None:
    index = static_index(sidecars=False)
    assert _remote(index, "--sdists", "--jobs", "1") == _remote(index, "--sdists", "--jobs", "16")


def test_the_cache_is_used_between_runs(
    static_index: MakeIndex, published: dict[str, str], tmp_path: Path
) -> None:
    index = static_index()
    cache = tmp_path / "cache"
    args = ("check", "--jobs", "1", "--cache-dir", cache, "--index", index.index_url, *PROJECTS)
    first = run_cli(*args)
    # 5 wheels, but two gamma wheels have the same metadata: the second is a cache hit already
    assert len(index.requests("*.metadata")) == 4
    second = run_cli(*args)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    assert "gamma 3.0: 3 files" in second.stdout
    assert len(index.requests("*.metadata")) == 4  # the second run read them from the cache


def test_default_cache_dir_is_the_user_cache(
    static_index: MakeIndex, published: dict[str, str], tmp_path: Path
) -> None:
    index = static_index()
    env = clean_network_env(XDG_CACHE_HOME=str(tmp_path / "xdg"))
    assert run_cli("check", "--index", index.index_url, "alpha", env=env).returncode == 0
    entries = list((tmp_path / "xdg" / "metaseal" / "metadata").glob("*/*"))
    assert len(entries) == 1


def test_pyproject_toml_joins_the_release(
    static_index: MakeIndex, published: dict[str, str], tmp_path: Path
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "alpha"\nversion = "1.0"\ndependencies = ["attrs"]\n')
    index = static_index()
    run = run_cli(
        "check", "--format", "json", "--no-cache", "--index", index.index_url, "alpha", pyproject
    )
    release = run.json()["releases"][0]
    assert release["checked_against"] == [str(pyproject)]
    assert any(f["rule"] == "pyproject-static" for f in release["findings"]), str(run)


@pytest.mark.parametrize("source", ["alpha>=1", "alpha[extra]", "./dist/", "alpha==1.*", "a b"])
def test_sources_must_be_projects(source: str) -> None:
    run = run_cli("check", "--index", "http://127.0.0.1:9/simple/", source)
    assert run.returncode == 2, str(run)
    assert run.stderr == (
        f"metaseal: error: `{source}` is not a project to check: with --index or --find-links, "
        "each SOURCE is a project name, optionally with one exact version (`NAME` or "
        "`NAME==VERSION`).\n"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--sdists"], "--sdists only apply with --index or --find-links."),
        (["--jobs", "0"], "argument --jobs: expected a number >= 1, got '0'"),
        (["--timeout", "-1"], "argument --timeout: expected a number >= 0.001, got '-1'"),
    ],
)
def test_network_option_errors(options: list[str], message: str, tmp_path: Path) -> None:
    run = run_cli("check", *options, tmp_path)
    assert run.returncode == 2, str(run)
    assert message in run.stderr


def test_cli_import_does_not_load_the_network_stack() -> None:
    script = (
        "import metaseal.cli, sys\n"
        "heavy = ('urllib3', 'platformdirs', 'metaseal.index._http', 'metaseal.index.remote', "
        "'metaseal.index.simple', 'metaseal.index._lazyzip', 'metaseal.index._cache')\n"
        "print(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_network_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"
