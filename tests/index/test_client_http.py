"""The HTTP client against real servers on 127.0.0.1: retries, limits, credentials, proxies."""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

import pytest

from factories import make_wheel, metadata_bytes
from index.client_support import (
    TLS,
    Proxy,
    Script,
    Scripted,
    basic,
    clean_network_env,
    run_cli,
)
from metaseal.errors import NetworkError, UsageError
from metaseal.index._http import Client, HttpError, HttpSettings
from metaseal.index._netenv import strip_credentials

if TYPE_CHECKING:
    from collections.abc import Iterator
    from http.server import BaseHTTPRequestHandler
    from pathlib import Path

    from index.conftest import MakeIndex
    from index.servers import StaticIndex

FAST = HttpSettings(timeout=2.0, retries=2, backoff=0.05)
PAGE = "/simple/demo/"


@pytest.fixture(autouse=True)
def _no_proxies_or_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def index(static_index: MakeIndex, dists: Path) -> StaticIndex:
    make_wheel(dists, "demo", "1.0", metadata_bytes([("Name", "demo"), ("Version", "1.0")]))
    return static_index()


@pytest.fixture
def client() -> Iterator[Client]:
    made = Client(FAST)
    yield made
    made.close()


def _get(client: Client, url: str, **options: object) -> bytes:
    return client.get(url, max_bytes=1 << 20, **options).body  # type: ignore[arg-type]


def test_get_follows_redirects_and_counts(client: Client, index: StaticIndex) -> None:
    response = client.get(index.url + "/simple/DEMO", max_bytes=1 << 20)
    assert response.status == 200
    assert response.url == index.index_url + "demo/"  # two redirects: slash, then the name
    assert b"demo-1.0-py3-none-any.whl" in response.body
    assert [(a.path, a.status) for a in index.log] == [
        ("/simple/DEMO", 301),
        ("/simple/DEMO/", 301),
        ("/simple/demo/", 200),
    ]
    assert client.stats.requests == 3
    assert client.stats.bytes_received == len(response.body)
    assert response.headers["content-type"].startswith("text/html")


def test_server_errors_are_retried_with_backoff(client: Client, index: StaticIndex) -> None:
    index.fault(PAGE, "500", times=2)
    started = time.monotonic()
    assert b"demo" in _get(client, index.index_url + "demo/")
    assert time.monotonic() - started >= 0.05 + 0.1  # backoff doubles: 0.05 s, then 0.1 s
    assert [a.status for a in index.requests(PAGE)] == [500, 500, 200]


def test_server_errors_give_up_after_the_retries(client: Client, index: StaticIndex) -> None:
    index.fault(PAGE, "500", status=503)
    with pytest.raises(HttpError) as caught:
        _get(client, index.index_url + "demo/")
    assert caught.value.status == 503
    assert str(caught.value) == (
        f"{index.index_url}demo/: HTTP 503 (a server error); the server is failing or busy. "
        "Try again later (3 tries)."
    )
    assert len(index.requests(PAGE)) == 3


def test_not_found_is_not_retried(client: Client, index: StaticIndex) -> None:
    with pytest.raises(HttpError, match=r"HTTP 404 \(not found\); check the URL\.$") as caught:
        _get(client, index.index_url + "nothing/")
    assert caught.value.status == 404
    assert len(index.log) == 1


def test_retry_after_is_honoured(index: StaticIndex) -> None:
    index.fault(PAGE, "500", status=429, retry_after=1, times=1)
    started = time.monotonic()
    _get(Client(HttpSettings(retries=1, backoff=0.01)), index.index_url + "demo/")
    assert time.monotonic() - started >= 0.9
    assert [a.status for a in index.requests(PAGE)] == [429, 200]


def test_retry_after_is_capped(index: StaticIndex) -> None:
    index.fault(PAGE, "500", status=503, retry_after=4, times=1)
    settings = HttpSettings(retries=1, backoff=0.01, max_retry_after=0.2)
    started = time.monotonic()
    _get(Client(settings), index.index_url + "demo/")
    assert time.monotonic() - started < 2


def test_a_silent_server_times_out(index: StaticIndex) -> None:
    index.fault(PAGE, "slow", seconds=5)
    client = Client(HttpSettings(timeout=0.5, retries=1, backoff=0.05))
    started = time.monotonic()
    with pytest.raises(NetworkError, match="did not answer in time") as caught:
        _get(client, index.index_url + "demo/")
    assert time.monotonic() - started < 3
    assert str(caught.value).endswith(" (2 tries).")
    assert len(index.requests(PAGE)) == 2


def _trickle(handler: BaseHTTPRequestHandler) -> None:
    """A byte every 0.1 s of a declared 10,000: each read is quick, the whole never ends."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "10000")
    handler.end_headers()
    try:
        for _ in range(10000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def test_a_trickling_server_hits_the_response_deadline() -> None:
    with Scripted(_trickle) as server:
        client = Client(HttpSettings(timeout=1.0, retries=0))
        started = time.monotonic()
        with pytest.raises(NetworkError, match="did not answer in time"):
            _get(client, server.url + "/page")
        assert time.monotonic() - started < 3


def test_truncated_body(index: StaticIndex) -> None:
    index.fault(PAGE, "truncate")
    client = Client(HttpSettings(retries=1, backoff=0.01))
    with pytest.raises(NetworkError) as caught:
        _get(client, index.index_url + "demo/")
    message = str(caught.value)
    assert message.startswith(f"{index.index_url}demo/: the response was cut off after ")
    assert message.endswith("Try again later (2 tries).")
    assert len(index.requests(PAGE)) == 2


@pytest.mark.parametrize("declared", [True, False])
def test_oversized_body_stops_reading(declared: bool) -> None:
    def big(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        if declared:
            handler.send_header("Content-Length", str(50 << 20))
        handler.end_headers()
        try:
            for _ in range(50 << 4):
                handler.wfile.write(b"y" * (64 << 10))
        except OSError:
            pass

    with Scripted(big) as server:
        client = Client(HttpSettings(retries=0))
        with pytest.raises(NetworkError) as caught:
            client.get(server.url + "/page", max_bytes=1 << 20)
        assert str(caught.value).startswith(
            f"{server.url}/page: the response is larger than the 1,048,576-byte limit"
        )
        assert client.stats.bytes_received <= (1 << 20) + (256 << 10)


def _gzipped(plain: bytes) -> Script:
    packed = gzip.compress(plain)

    def script(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(packed)))
        handler.end_headers()
        handler.wfile.write(packed)

    return script


def test_pages_may_come_compressed_and_the_limit_counts_what_they_unpack_to() -> None:
    with Scripted(_gzipped(b"<html>hello</html>")) as server:
        assert _get(Client(FAST), server.url + "/page") == b"<html>hello</html>"
        assert "gzip" in server.requests[0][1]["Accept-Encoding"]
    bomb = Scripted(_gzipped(bytes(20 << 20)))  # 20 MiB of zeros in 20 KiB
    with bomb, pytest.raises(NetworkError, match="larger than the 1,048,576-byte limit"):
        Client(FAST).get(bomb.url + "/page", max_bytes=1 << 20)


def test_range_request_ignored_returns_200_unread(static_index: MakeIndex, dists: Path) -> None:
    make_wheel(
        dists,
        "big",
        "1.0",
        metadata_bytes([("Name", "big"), ("Version", "1.0")]),
        extra_files={"big/data.bin": bytes(range(256)) * 40000},
    )
    server = static_index(ranges=False)
    client = Client(FAST)
    url = f"{server.url}/files/big-1.0-py3-none-any.whl"
    response = client.get(url, byte_range="bytes=-100", max_bytes=100)
    assert (response.status, response.body) == (200, b"")
    assert client.stats.bytes_received == 0
    ranged = client.get(url, byte_range="bytes=0-9", max_bytes=10)
    assert (ranged.status, client.stats.bytes_received) == (200, 0)  # ignored, nothing read


def test_not_http() -> None:
    with pytest.raises(NetworkError, match=r"^file:///tmp/x: is not an http:// or https:// URL"):
        Client(FAST).get("file:///tmp/x", max_bytes=10)


def test_bad_cert_bundle_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"`--cert .*missing\.pem` cannot be used as a CA bundle"):
        Client(HttpSettings(cert=str(tmp_path / "missing.pem")))


def test_missing_urllib3_says_what_to_install() -> None:
    script = (
        "import sys\nsys.modules['urllib3'] = None\n"
        "from metaseal.index._http import Client\n"
        "try:\n    Client()\nexcept Exception as exc:\n"
        "    print(type(exc).__name__, exc.exit_code, exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_network_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == (
        "UsageError 2 checking an index needs urllib3, which is missing; install it with "
        '`pip install "metaseal[index]"`.'
    )


# -- credentials --------------------------------------------------------------------------------


def _guarded(handler: BaseHTTPRequestHandler) -> None:
    """200 only with the right basic credentials, else 401."""
    ok = handler.headers.get("Authorization") == basic("alice", "s3cret:pw")
    body = b"<html><body>welcome</body></html>" if ok else b"who are you?"
    handler.send_response(200 if ok else 401)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_netrc_credentials_are_sent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1\n  login alice\n  password s3cret:pw\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with Scripted(_guarded) as server:
        assert b"welcome" in _get(Client(FAST), server.url + "/simple/")
        assert server.requests[0][1]["Authorization"] == basic("alice", "s3cret:pw")


def test_without_credentials_the_message_says_where_to_put_them() -> None:
    with Scripted(_guarded) as server:
        with pytest.raises(HttpError, match=r"HTTP 401 \(access denied\).*~/\.netrc") as caught:
            _get(Client(FAST), server.url + "/simple/")
        assert caught.value.status == 401
        assert "Authorization" not in server.requests[0][1]
        assert len(server.requests) == 1  # 4xx: no retry


def test_url_credentials_are_used_and_never_shown() -> None:
    with Scripted(_guarded) as server:
        secret_url = server.url.replace("//", "//alice:s3cret%3Apw@") + "/simple/"
        client = Client(FAST)
        assert b"welcome" in _get(client, secret_url)
        wrong = server.url.replace("//", "//alice:WRONGPW@") + "/simple/"
        with pytest.raises(HttpError) as caught:
            _get(client, wrong)
    assert "WRONGPW" not in str(caught.value)
    assert str(caught.value).startswith(f"{server.url}/simple/: HTTP 401")
    assert "s3cret" not in repr(client)


def test_strip_credentials() -> None:
    assert strip_credentials("https://u:p%40ss@h:8443/simple/?q#f") == (
        "https://h:8443/simple/?q#f",
        ("u", "p@ss"),
    )
    assert strip_credentials("https://h/simple/") == ("https://h/simple/", None)


# -- proxies ------------------------------------------------------------------------------------


def test_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch, index: StaticIndex) -> None:
    with Proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        body = _get(Client(FAST), index.index_url + "demo/")
    assert b"demo-1.0" in body
    assert [path for path, _ in proxy.requests] == [index.index_url + "demo/"]
    assert [a.path for a in index.log] == [PAGE]  # reached through the proxy


def test_no_proxy_bypasses_it(monkeypatch: pytest.MonkeyPatch, index: StaticIndex) -> None:
    with Proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        _get(Client(FAST), index.index_url + "demo/")
    assert proxy.requests == []
    assert [a.path for a in index.log] == [PAGE]


# -- threads ------------------------------------------------------------------------------------


def test_stats_add_up_across_threads(client: Client, index: StaticIndex) -> None:
    url = index.index_url + "demo/"
    size = len(_get(client, url))
    threads = [threading.Thread(target=_get, args=(client, url)) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.stats.requests == 17
    assert client.stats.bytes_received == 17 * size


# -- TLS ----------------------------------------------------------------------------------------


def _empty_page(handler: BaseHTTPRequestHandler) -> None:
    body = b'{"meta": {"api-version": "1.1"}, "name": "demo", "files": []}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_tls_needs_the_right_ca(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with Scripted(_empty_page, tls=True) as server:
        url = server.url + "/simple/demo/"
        with pytest.raises(NetworkError) as caught:
            _get(Client(FAST), url)
        assert str(caught.value).startswith(f"{url}: the TLS connection failed (")
        assert "certificate verify failed" in str(caught.value)
        assert str(caught.value).endswith(
            "; if the index uses a private CA, pass its certificate bundle with `--cert PATH` "
            "(or set SSL_CERT_FILE)."
        )
        assert server.requests == []  # no HTTP request got through, and no retry
        assert b'"files": []' in _get(Client(HttpSettings(cert=str(TLS / "ca.pem"))), url)
        monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))
        assert b'"files": []' in _get(Client(FAST), url)  # the default store honours it


def test_cli_cert_option(tmp_path: Path) -> None:
    env = clean_network_env(SSL_CERT_FILE=str(tmp_path / "none.pem"), SSL_CERT_DIR=str(tmp_path))
    with Scripted(_empty_page, tls=True) as server:
        index = server.url + "/simple/"
        refused = run_cli("check", "--no-cache", "--index", index, "demo", env=env)
        trusted = run_cli(
            "check", "--no-cache", "--cert", TLS / "ca.pem", "--index", index, "demo", env=env
        )
    assert refused.returncode == 4, str(refused)
    assert "the TLS connection failed" in refused.stderr
    assert trusted.returncode == 4, str(trusted)  # connected: the page lists nothing
    assert trusted.stderr == (
        f"metaseal: error: {index}demo/: lists no wheel or sdist of project `demo`; check the "
        "name's spelling, and that the project is published there.\n"
    )
