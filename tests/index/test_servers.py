"""The static test index itself: negotiation, hashes, sidecars, Range math, faults, log."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from factories import make_sdist, make_sidecar, make_wheel, metadata_bytes
from index.servers import HTML_TYPE, JSON_TYPE, StaticIndex, negotiate

if TYPE_CHECKING:
    from collections.abc import Mapping

    from index.conftest import MakeIndex

META = metadata_bytes(
    [
        ("Metadata-Version", "2.4"),
        ("Name", "Demo_Pkg"),
        ("Version", "1.0"),
        ("Requires-Python", ">=3.9"),
    ],
    body="Long text.\n",
)
WHEEL = "demo_pkg-1.0-py3-none-any.whl"
SDIST = "demo_pkg-1.0.tar.gz"


def get(
    server: StaticIndex, path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(server.url[len("http://") :], timeout=10)
    try:
        connection.request(method, path, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def demo(dists: Path, static_index: MakeIndex) -> StaticIndex:
    make_wheel(dists, "Demo_Pkg", "1.0", META)
    make_wheel(dists, "Demo_Pkg", "1.0", META, tag="cp312-cp312-win_amd64")
    make_sdist(dists, "Demo_Pkg", "1.0", META.replace(b"Long", b"Other"))
    make_wheel(dists, "other", "2.0", META.replace(b"Demo_Pkg", b"other"))
    return static_index()


def page(server: StaticIndex, name: str) -> dict[str, Any]:
    status, headers, body = get(server, f"/simple/{name}/", {"Accept": JSON_TYPE})
    assert (status, headers["Content-Type"]) == (200, JSON_TYPE)
    document: dict[str, Any] = json.loads(body)
    return document


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "text/html"),
        (JSON_TYPE, JSON_TYPE),
        (f"{JSON_TYPE}, {HTML_TYPE};q=0.1, text/html;q=0.01", JSON_TYPE),
        (f"text/html;q=0.5, {JSON_TYPE};q=0.4", "text/html"),
        (f"{HTML_TYPE}", HTML_TYPE),
        ("application/vnd.pypi.simple.latest+json", JSON_TYPE),
        ("*/*", JSON_TYPE),  # equal q: JSON, then the versioned HTML
        ("text/*", "text/html"),
        (f"*/*;q=0.2, {HTML_TYPE};q=0.3", HTML_TYPE),
        (f"{JSON_TYPE};q=0, */*", HTML_TYPE),  # an explicit q=0 beats the wildcard
        ("application/json", None),
        (f"{JSON_TYPE};q=0", None),
    ],
)
def test_negotiate(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


def test_project_page_json_and_html_agree_and_hashes_match(demo: StaticIndex) -> None:
    document = page(demo, "demo-pkg")
    assert document["meta"] == {"api-version": "1.1"}
    assert document["name"] == "demo-pkg"
    assert document["versions"] == ["1.0"]
    files = {f["filename"]: f for f in document["files"]}
    assert sorted(files) == sorted([WHEEL, "demo_pkg-1.0-cp312-cp312-win_amd64.whl", SDIST])
    status, headers, html_body = get(demo, "/simple/demo-pkg/", {"Accept": HTML_TYPE})
    assert (status, headers["Content-Type"]) == (200, HTML_TYPE)
    text = html_body.decode()
    for name, entry in files.items():
        assert entry["url"] == f"{demo.url}/files/{name}"
        status, _, body = get(demo, f"/files/{name}")
        assert status == 200
        assert entry["size"] == len(body)
        assert entry["hashes"]["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["requires-python"] == ">=3.9"
        assert entry["yanked"] is False
        status, _, sidecar = get(demo, f"/files/{name}.metadata")
        assert status == 200
        assert entry["core-metadata"] == entry["dist-info-metadata"]
        assert entry["core-metadata"] == {"sha256": hashlib.sha256(sidecar).hexdigest()}
        expected = META.replace(b"Long", b"Other") if name == SDIST else META
        assert sidecar == expected
        sha, meta_sha = entry["hashes"]["sha256"], entry["core-metadata"]["sha256"]
        anchor = (
            f'<a href="../../files/{name}#sha256={sha}" data-requires-python="&gt;=3.9" '
            f'data-core-metadata="sha256={meta_sha}" data-dist-info-metadata="sha256={meta_sha}">'
        )
        assert anchor in text


def test_root_links_redirects_and_404(demo: StaticIndex) -> None:
    status, _, body = get(demo, "/simple/", {"Accept": JSON_TYPE})
    assert json.loads(body)["projects"] == [{"name": "demo-pkg"}, {"name": "other"}]
    status, headers, _ = get(demo, "/simple/Demo_Pkg/")
    assert (status, headers["Location"]) == (301, "/simple/demo-pkg/")
    assert get(demo, "/simple/demo-pkg")[1]["Location"] == "/simple/demo-pkg/"
    assert get(demo, "/simple/nothing/")[0] == 404
    assert get(demo, "/files/nothing.whl")[0] == 404
    status, _, body = get(demo, "/links/")
    assert status == 200
    assert len(re.findall(r"<a href=\"\.\./files/", body.decode())) == 4
    assert get(demo, "/simple/demo-pkg/", {"Accept": "application/json"})[0] == 406


def test_format_query_parameter_overrides_accept(demo: StaticIndex) -> None:
    path = f"/simple/demo-pkg/?format={quote(JSON_TYPE)}"
    status, headers, _ = get(demo, path, {"Accept": "text/html"})
    assert (status, headers["Content-Type"]) == (200, JSON_TYPE)
    assert demo.requests("/simple/demo-pkg/")[-1].path == "/simple/demo-pkg/"


@pytest.mark.parametrize(
    ("header", "status", "span"),
    [
        ("bytes=0-9", 206, (0, 9)),
        ("bytes=10-19", 206, (10, 19)),
        ("bytes=-22", 206, ("size-22", "size-1")),
        ("bytes=100-", 206, (100, "size-1")),
        ("bytes=0-999999", 206, (0, "size-1")),
        ("bytes=-999999", 206, (0, "size-1")),
        ("bytes=999999-", 416, None),
        ("bytes=-0", 416, None),
        ("bytes=5-2", 200, None),  # invalid: ignored
        ("bytes=0-1,4-5", 200, None),  # several ranges: the whole file
        ("items=0-1", 200, None),
    ],
)
def test_range_math(
    demo: StaticIndex, header: str, status: int, span: tuple[object, object] | None
) -> None:
    whole = (demo.root / WHEEL).read_bytes()
    size = len(whole)

    def at(value: object) -> int:
        if isinstance(value, int):
            return value
        return size - int(str(value)[len("size-") :])

    code, headers, body = get(demo, f"/files/{WHEEL}", {"Range": header})
    assert code == status
    if status == 206:
        assert span is not None
        first, last = at(span[0]), at(span[1])
        assert headers["Content-Range"] == f"bytes {first}-{last}/{size}"
        assert body == whole[first : last + 1]
    elif status == 416:
        assert headers["Content-Range"] == f"bytes */{size}"
        assert body == b""
    else:
        assert body == whole
    demo.wait_idle()
    entry = demo.log[-1]
    assert (entry.status, entry.range, entry.bytes_sent) == (status, header, len(body))


def test_ranges_off_and_no_range_fault_serve_the_whole_file(
    demo: StaticIndex, static_index: MakeIndex
) -> None:
    whole = (demo.root / WHEEL).read_bytes()
    plain = static_index(ranges=False)
    code, headers, body = get(plain, f"/files/{WHEEL}", {"Range": "bytes=0-9"})
    assert (code, body) == (200, whole)
    assert "Accept-Ranges" not in headers
    demo.fault(f"/files/{WHEEL}", "no-range")
    assert get(demo, f"/files/{WHEEL}", {"Range": "bytes=0-9"})[::2] == (200, whole)
    assert get(demo, f"/files/{SDIST}", {"Range": "bytes=0-9"})[0] == 206


def test_head_sends_headers_only(demo: StaticIndex) -> None:
    code, headers, body = get(demo, f"/files/{WHEEL}", method="HEAD")
    assert (code, body) == (200, b"")
    assert int(headers["Content-Length"]) == (demo.root / WHEEL).stat().st_size
    demo.wait_idle()
    assert demo.log[-1].bytes_sent == 0


def test_keep_alive_serves_several_requests_on_one_connection(demo: StaticIndex) -> None:
    connection = http.client.HTTPConnection(demo.url[len("http://") :], timeout=10)
    try:
        for path in ("/simple/", "/simple/demo-pkg/", f"/files/{WHEEL}.metadata"):
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200
            response.read()
            assert not response.will_close
    finally:
        connection.close()


def test_sidecar_file_in_root_is_served_verbatim_and_sidecars_off(
    dists: Path, static_index: MakeIndex
) -> None:
    make_wheel(dists, "Demo_Pkg", "1.0", META)
    make_sidecar(dists, WHEEL, b"Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n")
    served = static_index()
    assert get(served, f"/files/{WHEEL}.metadata")[2].startswith(b"Metadata-Version: 2.1\n")
    assert "requires-python" not in page(served, "demo-pkg")["files"][0]
    bare = static_index(sidecars=False)
    entry = page(bare, "demo-pkg")["files"][0]
    assert "core-metadata" not in entry
    assert "dist-info-metadata" not in entry
    assert get(bare, f"/files/{WHEEL}.metadata")[0] == 404
    assert "data-core-metadata" not in get(bare, "/simple/demo-pkg/")[2].decode()


def test_wheel_without_single_metadata_has_no_sidecar(dists: Path, static_index: MakeIndex) -> None:
    path = make_wheel(dists, "two", "1.0", META)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("two-2.0.dist-info/METADATA", META)
    entry = page(static_index(), "two")["files"][0]
    assert "core-metadata" not in entry


def test_refresh_and_yank(demo: StaticIndex) -> None:
    make_wheel(demo.root, "Demo_Pkg", "2.0", META.replace(b"1.0", b"2.0"))
    assert page(demo, "demo-pkg")["versions"] == ["1.0"]
    demo.refresh()
    assert page(demo, "demo-pkg")["versions"] == ["1.0", "2.0"]
    demo.yank(WHEEL, "broken")
    demo.yank(SDIST)
    yanked = {f["filename"]: f["yanked"] for f in page(demo, "demo-pkg")["files"]}
    assert (yanked[WHEEL], yanked[SDIST]) == ("broken", True)
    assert 'data-yanked="broken"' in get(demo, "/simple/demo-pkg/")[2].decode()


def test_fault_404_and_500_with_times(demo: StaticIndex) -> None:
    demo.fault("/simple/demo-pkg/", "404", times=1)
    demo.fault("/files/*.metadata", "500", times=2, retry_after=3)
    assert get(demo, "/simple/demo-pkg/")[0] == 404
    assert get(demo, "/simple/demo-pkg/")[0] == 200
    status, headers, _ = get(demo, f"/files/{WHEEL}.metadata")
    assert (status, headers["Retry-After"]) == (500, "3")
    assert get(demo, f"/files/{SDIST}.metadata")[0] == 500
    assert get(demo, f"/files/{WHEEL}.metadata")[0] == 200
    demo.fault("/simple/other/", "500", status=503)
    assert get(demo, "/simple/other/")[0] == 503
    demo.clear_faults()
    assert get(demo, "/simple/other/")[0] == 200
    with pytest.raises(ValueError, match="unknown fault kind"):
        demo.fault("*", "explode")


def test_fault_wrong_hash_changes_only_the_matching_advertisement(demo: StaticIndex) -> None:
    before = {f["filename"]: f for f in page(demo, "demo-pkg")["files"]}
    demo.fault(f"/files/{WHEEL}.metadata", "wrong-hash")
    after = {f["filename"]: f for f in page(demo, "demo-pkg")["files"]}
    sidecar = get(demo, f"/files/{WHEEL}.metadata")[2]
    assert after[WHEEL]["core-metadata"]["sha256"] != hashlib.sha256(sidecar).hexdigest()
    assert after[WHEEL]["hashes"] == before[WHEEL]["hashes"]
    assert after[SDIST] == before[SDIST]
    wrong = after[WHEEL]["core-metadata"]["sha256"]
    assert f'data-core-metadata="sha256={wrong}"' in get(demo, "/simple/demo-pkg/")[2].decode()
    demo.clear_faults()
    assert page(demo, "demo-pkg")["files"] == list(before.values())


def test_fault_truncate_declares_the_length_and_closes_after_half(demo: StaticIndex) -> None:
    size = (demo.root / WHEEL).stat().st_size
    demo.fault(f"/files/{WHEEL}", "truncate")
    with pytest.raises(http.client.IncompleteRead) as caught:
        get(demo, f"/files/{WHEEL}")
    assert len(caught.value.partial) == size // 2
    demo.wait_idle()
    assert demo.log[-1].bytes_sent == size // 2


def test_fault_slow_garbage_and_huge(demo: StaticIndex) -> None:
    demo.fault("/simple/other/", "slow", seconds=0.3, times=1)
    start = time.monotonic()
    assert get(demo, "/simple/other/")[0] == 200
    assert time.monotonic() - start >= 0.3
    demo.fault("/simple/demo-pkg/", "garbage")
    status, headers, body = get(demo, "/simple/demo-pkg/", {"Accept": JSON_TYPE})
    assert (status, headers["Content-Type"]) == (200, "text/html")
    with pytest.raises(ValueError, match="Expecting value"):
        json.loads(body.decode("latin-1"))
    size = 64 * 1024 * 1024
    demo.fault(f"/files/{SDIST}", "huge", size=size)
    connection = http.client.HTTPConnection(demo.url[len("http://") :], timeout=10)
    connection.request("GET", f"/files/{SDIST}")
    response = connection.getresponse()
    assert int(response.headers["Content-Length"]) == size
    assert len(response.read(1024)) == 1024
    connection.close()
    assert demo.wait_idle(10)
    assert demo.log[-1].bytes_sent < size


def test_standalone_prints_the_url_serves_and_logs(dists: Path) -> None:
    make_wheel(dists, "Demo_Pkg", "1.0", META)
    script = Path(__file__).with_name("servers.py")
    access_log = dists.parent / "access.jsonl"
    with subprocess.Popen(
        [sys.executable, str(script), str(dists), "--no-sidecars", "--access-log", str(access_log)],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
            connection = http.client.HTTPConnection(url[len("http://") :], timeout=10)
            connection.request("GET", "/simple/demo-pkg/", headers={"Accept": JSON_TYPE})
            entry = json.loads(connection.getresponse().read())["files"][0]
            assert entry["filename"] == WHEEL
            assert "core-metadata" not in entry
            connection.request("GET", f"/files/{WHEEL}", headers={"Range": "bytes=0-9"})
            assert connection.getresponse().read() == (dists / WHEEL).read_bytes()[:10]
            connection.request("GET", "/-/log")
            log = json.loads(connection.getresponse().read())
            assert [(a["path"], a["status"]) for a in log] == [
                ("/simple/demo-pkg/", 200),
                (f"/files/{WHEEL}", 206),
            ]
            connection.close()
        finally:
            process.terminate()
    assert process.returncode == 0  # SIGTERM ends it cleanly
    lines = [json.loads(line) for line in access_log.read_text().splitlines()]
    assert lines == log
    assert lines[1]["bytes_sent"] == 10
