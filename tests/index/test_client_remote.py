"""Range reads of wheels, the sidecar cache, version selection and :class:`Index` per file."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import random
import zipfile
from typing import TYPE_CHECKING

import pytest

from factories import make_sdist, make_wheel, metadata_bytes
from index.client_support import big_wheel
from metaseal.engine.artifact import Kind, Role
from metaseal.errors import ArtifactError, NetworkError, UsageError
from metaseal.index._cache import SidecarCache
from metaseal.index._http import Client, HttpSettings
from metaseal.index._lazyzip import CHUNK, TAIL, LazyFile, RangeNotSupported
from metaseal.index.remote import Index, _verify, select_versions
from metaseal.index.simple import IndexFile, ProjectPage
from metaseal.sources.artifacts import read_source, read_wheel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from index.conftest import MakeIndex

META = metadata_bytes(
    [("Metadata-Version", "2.2"), ("Name", "demo"), ("Version", "1.0"), ("Requires-Dist", "a")]
)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    made = Client(HttpSettings(timeout=5, retries=0))
    yield made
    made.close()


# -- LazyFile -----------------------------------------------------------------------------------


def test_range_read_equals_a_local_read(
    static_index: MakeIndex, dists: Path, client: Client
) -> None:
    path = make_wheel(dists, "demo", "1.0", META, tag="cp312-cp312-manylinux_2_17_x86_64")
    server = static_index(sidecars=False)
    url = f"{server.url}/files/{path.name}"
    with LazyFile(client, url) as lazy:
        remote = read_wheel(url, path.name, lazy)
        assert (lazy.requests, lazy.fetched) == (1, path.stat().st_size)  # small: one request
    local = read_source(str(path))
    assert remote == dataclasses.replace(local, source=url)
    assert remote.dist_info == "demo-1.0.dist-info"


def test_a_big_wheel_costs_a_small_part(
    static_index: MakeIndex, dists: Path, client: Client
) -> None:
    path = big_wheel(dists)
    server = static_index(sidecars=False)
    url = f"{server.url}/files/{path.name}"
    with LazyFile(client, url) as lazy:
        artifact = read_wheel(url, path.name, lazy)
    assert artifact.metadata == read_source(str(path)).metadata
    size = path.stat().st_size
    assert size > 4_000_000
    assert lazy.requests == 1  # the tail holds the central directory and the .dist-info
    sent = sum(a.bytes_sent for a in server.log)
    assert sent == client.stats.bytes_received <= TAIL
    assert all(a.status == 206 for a in server.log)


def _metadata_first(directory: Path) -> Path:
    """A wheel whose METADATA is its first member, ahead of 2 MB of data: two ranges needed."""
    path = directory / "demo-1.0-py3-none-any.whl"
    blob = random.Random(1).getrandbits(8 * 2_000_000).to_bytes(2_000_000, "little")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo-1.0.dist-info/METADATA", META)
        archive.writestr("demo/blob.bin", blob)
        archive.writestr("demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
        archive.writestr("demo-1.0.dist-info/RECORD", "")
    return path


def test_metadata_far_from_the_tail_takes_one_more_request(
    static_index: MakeIndex, dists: Path, client: Client
) -> None:
    path = _metadata_first(dists)
    server = static_index(sidecars=False)
    url = f"{server.url}/files/{path.name}"
    with LazyFile(client, url) as lazy:
        assert read_wheel(url, path.name, lazy).metadata == META
    assert lazy.requests == 2
    assert [a.range for a in server.log] == [f"bytes=-{TAIL}", f"bytes=0-{CHUNK - 1}"]


def test_random_reads_match_the_file(static_index: MakeIndex, dists: Path, client: Client) -> None:
    path = _metadata_first(dists)
    data = path.read_bytes()
    server = static_index()
    rng = random.Random(7)
    with LazyFile(client, f"{server.url}/files/{path.name}", chunk=4096) as lazy:
        assert lazy.seek(0, io.SEEK_END) == lazy.size == len(data)
        for _ in range(200):
            start = rng.randrange(len(data) + 10)
            length = rng.choice([0, 1, 17, 4095, 4096, 10_000, 70_000])
            lazy.seek(start)
            assert lazy.read(length) == data[start : start + length]
            assert lazy.tell() == min(start + length, max(start, len(data)))
        lazy.seek(-5, io.SEEK_END)
        assert lazy.read() == data[-5:]
        assert lazy.read() == b""
        lazy.seek(0)
        assert lazy.read() == data


def test_hostile_wheel_over_ranges_fails_like_locally(
    static_index: MakeIndex, dists: Path, client: Client
) -> None:
    path = make_wheel(
        dists, "demo", "1.0", META, extra_files={"other-1.0.dist-info/METADATA": META}
    )
    server = static_index(sidecars=False)
    url = f"{server.url}/files/{path.name}"
    with pytest.raises(ArtifactError) as remote, LazyFile(client, url) as lazy:
        read_wheel(url, path.name, lazy)
    with pytest.raises(ArtifactError) as local:
        read_source(str(path))
    assert remote.value.path == url
    assert remote.value.reason == local.value.reason
    assert "2 `.dist-info` directories" in remote.value.reason


def test_no_range_support(static_index: MakeIndex, dists: Path, client: Client) -> None:
    path = big_wheel(dists)
    server = static_index(ranges=False)
    with pytest.raises(RangeNotSupported, match="pass `--allow-download`"):
        LazyFile(client, f"{server.url}/files/{path.name}")
    assert client.stats.bytes_received == 0
    assert [(a.status, a.range) for a in server.log] == [(200, f"bytes=-{TAIL}")]


def test_fetch_budget(static_index: MakeIndex, dists: Path, client: Client) -> None:
    path = _metadata_first(dists)
    server = static_index()
    with LazyFile(client, f"{server.url}/files/{path.name}", max_fetch=100_000) as lazy:
        lazy.seek(0)
        with pytest.raises(NetworkError, match="would fetch more than 100,000 bytes"):
            lazy.read(90_000)  # with the tail already fetched: over budget


# -- cache --------------------------------------------------------------------------------------


def test_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    cache = SidecarCache(tmp_path / "cache")
    key = hashlib.sha256(META).hexdigest()
    assert cache.get(key) is None
    cache.put(key, META)
    assert cache.get(key) == cache.get(key.upper()) == META
    entry = tmp_path / "cache" / key[:2] / key
    assert entry.read_bytes() == META
    entry.write_bytes(b"corrupt")
    assert cache.get(key) is None  # ignored...
    cache.put(key, META)
    assert cache.get(key) == META  # ...and rewritten
    assert sorted(p.name for p in entry.parent.iterdir()) == [key]  # no temporary files left


def test_cache_refuses_wrong_data_and_odd_keys(tmp_path: Path) -> None:
    cache = SidecarCache(tmp_path / "cache")
    cache.put(hashlib.sha256(b"other").hexdigest(), META)  # data does not match its key
    cache.put("../../escape", META)
    cache.put("a" * 63, META)
    assert not (tmp_path / "cache").exists()
    assert cache.get("../../escape") is None


# -- versions -----------------------------------------------------------------------------------


def _page(*files: tuple[str, bool]) -> ProjectPage:
    entries = tuple(
        IndexFile(f"demo-{v}.tar.gz", f"https://h/demo-{v}.tar.gz", {}, None, yanked=y)
        for v, y in files
    )
    return ProjectPage("demo", "https://h/simple/demo/", entries)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ((("1.0", False), ("1.1", False), ("2.0rc1", False)), "1.1"),
        ((("1.0", False), ("1.1", True), ("2.0rc1", False)), "1.0"),
        ((("1.0", True), ("2.0rc1", False), ("2.0b1", False)), "2.0rc1"),
        ((("1.0", True), ("0.9", True)), "1.0"),
        ((("1.0.post1", False), ("1.0", False), ("1.1.dev0", False)), "1.0.post1"),
        ((("10.0", False), ("9.0", False)), "10.0"),
    ],
)
def test_newest_version(files: tuple[tuple[str, bool], ...], expected: str) -> None:
    assert select_versions(_page(*files), None) == [expected]


def test_exact_and_all_versions() -> None:
    page = _page(("1.0", False), ("1.1", True), ("2.0rc1", False))
    assert select_versions(page, "==1.1") == ["1.1"]  # an exact pin may name a yanked one
    assert select_versions(page, "==1.0.0") == ["1.0"]  # normalized comparison
    assert select_versions(page, "==2.0.0rc1") == ["2.0rc1"]
    assert select_versions(page, None, all_versions=True) == ["1.0", "1.1", "2.0rc1"]


def test_absent_version_names_the_newest() -> None:
    page = _page(*((f"1.{n}", False) for n in range(8)))
    with pytest.raises(ArtifactError) as caught:
        select_versions(page, "==3.0")
    assert caught.value.exit_code == 3
    assert str(caught.value) == (
        "https://h/simple/demo/: has no files of `demo` 3.0; the newest versions there are "
        "1.7, 1.6, 1.5, 1.4, 1.3. Name one of them (`demo==1.7`), or leave the version out to "
        "check the newest."
    )


@pytest.mark.parametrize("spec", [">=1.0", "==1.*", "===1.0", "==nope"])
def test_bad_spec(spec: str) -> None:
    with pytest.raises(UsageError, match="write NAME or NAME==VERSION"):
        select_versions(_page(("1.0", False)), spec)


# -- Index, per file ----------------------------------------------------------------------------


def test_hash_verification() -> None:
    data = b"payload"

    def feed(digest: hashlib._Hash) -> None:
        digest.update(data)

    good = hashlib.sha512(data).hexdigest()
    _verify("u", {"sha512": good, "blake3": "zz"}, feed)  # the known algorithm is used
    _verify("u", {"blake3": "zz"}, feed)  # none known: not checked
    with pytest.raises(NetworkError) as caught:
        _verify("https://h/f.whl", {"md5": hashlib.md5(data).hexdigest(), "sha256": "00"}, feed)
    actual = hashlib.sha256(data).hexdigest()
    assert str(caught.value).startswith(
        f"https://h/f.whl: its sha256 digest is {actual}, but the index advertises 00; "
    )


def test_sidecar_cache_saves_requests(
    static_index: MakeIndex, dists: Path, client: Client, tmp_path: Path
) -> None:
    make_wheel(dists, "demo", "1.0", META)
    server = static_index()
    cache = SidecarCache(tmp_path / "cache")
    index = Index(client, index_url=server.index_url, cache=cache)
    page = index.project("demo")
    first, errors = index.artifacts(page, ["1.0"])
    assert errors == []
    assert len(server.requests("*.metadata")) == 1
    again, _ = index.artifacts(page, ["1.0"])
    assert again == first
    assert len(server.requests("*.metadata")) == 1  # from the cache
    key = hashlib.sha256(META).hexdigest()
    (tmp_path / "cache" / key[:2] / key).write_bytes(b"Name: evil\n")
    assert index.artifacts(page, ["1.0"])[0] == first  # a corrupt entry is not trusted
    assert len(server.requests("*.metadata")) == 2


def test_artifacts_look_like_local_reads(
    static_index: MakeIndex, dists: Path, client: Client
) -> None:
    wheel = make_wheel(dists, "demo", "1.0", META, tag="py2.py3-none-any")
    sdist = make_sdist(dists, "demo", "1.0", META)
    server = static_index()
    index = Index(client, index_url=server.index_url, sdists=True)
    artifacts, errors = index.artifacts(index.project("demo"), ["1.0"], jobs=4)
    assert errors == []
    local = {a.label: a for a in (read_source(str(sdist)), read_source(str(wheel)))}
    for artifact in artifacts:
        expected = local[artifact.label]
        assert artifact.source == f"{server.url}/files/{artifact.label}"
        # a sidecar does not name the .dist-info directory; everything else is the same
        dist_info = None if artifact.kind is Kind.WHEEL else expected.dist_info
        assert artifact == dataclasses.replace(
            expected, source=artifact.source, dist_info=dist_info
        )
    assert [(a.label, a.kind, a.role) for a in artifacts] == [  # sorted by label
        (wheel.name, Kind.WHEEL, Role.WHEEL),
        (sdist.name, Kind.SDIST, Role.SDIST),
    ]


def test_sdists_need_the_option(static_index: MakeIndex, dists: Path, client: Client) -> None:
    make_sdist(dists, "demo", "1.0", META)
    server = static_index()
    index = Index(client, index_url=server.index_url)
    artifacts, errors = index.artifacts(index.project("demo"), ["1.0"])
    assert artifacts == []
    [error] = errors
    assert str(error) == (
        f"{server.index_url}demo/: lists no wheel of `demo` 1.0, only sdists; pass `--sdists` "
        "to download and check them."
    )
    assert server.requests("/files/*") == []


def test_unknown_project(static_index: MakeIndex, dists: Path, client: Client) -> None:
    make_wheel(dists, "demo", "1.0", META)
    server = static_index()
    with pytest.raises(NetworkError) as caught:
        Index(client, index_url=server.index_url).project("nope")
    assert str(caught.value) == (
        f"{server.index_url}nope/: no project `nope` on {server.index_url} (HTTP 404); check "
        "the name's spelling, and that the project is published on this index."
    )
    assert caught.value.exit_code == 4


def test_find_links_alone_and_merged(static_index: MakeIndex, dists: Path, client: Client) -> None:
    make_wheel(dists, "demo", "1.0", META)
    make_wheel(dists, "other", "2.0", metadata_bytes([("Name", "other"), ("Version", "2.0")]))
    server = static_index()
    links = Index(client, find_links=[server.find_links_url])
    assert [f.filename for f in links.project("demo").files] == ["demo-1.0-py3-none-any.whl"]
    assert [f.filename for f in links.project("other").files] == ["other-2.0-py3-none-any.whl"]
    assert len(server.requests("/links/")) == 1  # one fetch for both projects
    with pytest.raises(NetworkError, match="lists no wheel or sdist of project `third`"):
        links.project("third")
    both = Index(client, index_url=server.index_url, find_links=[server.find_links_url])
    assert len(both.project("demo").files) == 1  # the same file from both: listed once


def test_index_needs_a_url(client: Client) -> None:
    with pytest.raises(UsageError, match="name an index"):
        Index(client)
