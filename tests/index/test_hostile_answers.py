"""Hostile index answers (issue 13, class 3): odd charsets, file names longer than a file system
allows, credentials in the links of a page. Each runs the real CLI against a scripted server.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from factories import make_sdist, make_wheel, metadata_bytes
from index.client_support import Scripted, run_cli

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler
    from pathlib import Path

PATIENCE = ("--retries", "0", "--timeout", "5", "--no-cache")


def _reply(handler: BaseHTTPRequestHandler, status: int, ctype: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _serve(pages: dict[str, tuple[str, bytes]]) -> Scripted:
    def script(handler: BaseHTTPRequestHandler) -> None:
        found = pages.get(handler.path.split("?")[0])
        if found is None:
            _reply(handler, 404, "text/plain", b"404 Not Found\n")
        else:
            _reply(handler, 200, *found)

    return Scripted(script)


@pytest.mark.parametrize(
    "charset", ["punycode", "made-up-charset", "base64", "unicode_escape", "x" * 5000]
)
def test_odd_charset_is_a_network_error(charset: str) -> None:
    body = b'<html><a href="alpha-1.0.tar.gz">alpha</a>\\N</html>'
    with _serve({"/simple/alpha/": (f"text/html; charset={charset}", body)}) as server:
        run = run_cli("check", *PATIENCE, "--index", f"{server.url}/simple/", "alpha")
    assert run.returncode == 4, str(run)
    assert run.stderr.startswith(f"metaseal: error: {server.url}/simple/alpha/: "), str(run)
    assert "cannot be decoded as charset" in run.stderr
    assert run.stderr.count("\n") == 1
    assert len(run.stderr) < 1000
    assert "Traceback" not in run.stderr


def _meta(name: str, version: str = "1.0") -> bytes:
    return metadata_bytes(
        [("Metadata-Version", "2.2"), ("Name", name), ("Version", version)], "A readme.\n"
    )


def test_a_file_name_longer_than_the_file_system_allows(tmp_path: Path) -> None:
    name = "a" * 300
    sdist = make_sdist(tmp_path, name, "1.0", _meta(name), filename="short.tar.gz").read_bytes()
    filename = f"{name}-1.0.tar.gz"
    digest = hashlib.sha256(sdist).hexdigest()
    page = f'<html><a href="/files/{filename}#sha256={digest}">x</a></html>'.encode()
    pages = {
        f"/simple/{name}/": ("text/html", page),
        f"/files/{filename}": ("application/octet-stream", sdist),
    }
    with _serve(pages) as server:
        run = run_cli("check", *PATIENCE, "--sdists", "--index", f"{server.url}/simple/", name)
    assert run.returncode == 0, str(run)
    assert "Traceback" not in run.stderr


def _credential_pages(tmp_path: Path, port_url: str, *, good: bool) -> dict[str, tuple[str, bytes]]:
    meta = _meta("alpha")
    wheel = make_wheel(tmp_path, "alpha", "1.0", meta).read_bytes()
    sdist = make_sdist(tmp_path, "alpha", "1.0", meta).read_bytes()
    advertised = hashlib.sha256(meta if good else b"something else").hexdigest()
    host = port_url.split("://", 1)[1]
    links = "".join(
        f'<a href="http://user:s3cret@{host}/files/{f}" data-core-metadata="sha256={advertised}">'
        f"{f}</a>"
        for f in ("alpha-1.0-py3-none-any.whl", "alpha-1.0.tar.gz")
    )
    return {
        "/simple/alpha/": ("text/html", f"<html>{links}</html>".encode()),
        "/files/alpha-1.0-py3-none-any.whl": ("application/octet-stream", wheel),
        "/files/alpha-1.0-py3-none-any.whl.metadata": ("application/octet-stream", meta),
        "/files/alpha-1.0.tar.gz": ("application/octet-stream", sdist),
        "/files/alpha-1.0.tar.gz.metadata": ("application/octet-stream", meta),
    }


@pytest.mark.parametrize("good", [True, False], ids=["passing", "bad-hash"])
@pytest.mark.parametrize("output", ["text", "json"])
def test_credentials_in_links_are_never_shown(tmp_path: Path, good: bool, output: str) -> None:
    pages: dict[str, tuple[str, bytes]] = {}
    with _serve(pages) as server:
        pages.update(_credential_pages(tmp_path, server.url, good=good))
        run = run_cli(
            "check", *PATIENCE, "--format", output, "--index", f"{server.url}/simple/", "alpha"
        )
        sent = [headers.get("Authorization") for path, headers in server.requests]
    assert run.returncode == (0 if good else 4), str(run)
    assert "s3cret" not in run.stdout + run.stderr
    assert "user:" not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert any(value and value.startswith("Basic ") for value in sent)  # still used, unseen
    if output == "json":
        report = json.loads(run.stdout)
        sources = [a["source"] for r in report["releases"] for a in r.get("artifacts", [])]
        assert all(s.startswith(f"{server.url}/files/") for s in sources), sources
    if not good:
        assert f"{server.url}/files/alpha-1.0-py3-none-any.whl.metadata" in run.stdout + run.stderr
