"""Helpers of the index-client tests: the CLI in a subprocess, a few small purpose-built servers
(scripted answers, a forwarding proxy, a password-protected page) and the releases the
acceptance tests publish."""

from __future__ import annotations

import base64
import os
import random
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from factories import make_sdist, make_wheel, metadata_bytes
from index.servers import Closing
from integration._cli import Run

__all__ = [
    "TLS",
    "CliRun",
    "Proxy",
    "Script",
    "Scripted",
    "basic",
    "big_wheel",
    "clean_network_env",
    "publish_releases",
    "run_cli",
]

SRC = Path(__file__).resolve().parents[2] / "src"
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def clean_network_env(**extra: str) -> dict[str, str]:
    """This environment without proxy variables or a netrc, metaseal importable from ``src``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in _PROXY_VARIABLES and not k.startswith("METASEAL_")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["NETRC"] = os.devnull
    env.update(extra)
    return env


#: One finished ``python -m metaseal`` process (the integration tests' record).
CliRun = Run


def run_cli(*args: str | Path, timeout: float = 60, env: dict[str, str] | None = None) -> CliRun:
    """``python -m metaseal ARGS``; the ``timeout`` is the hang guard (it fails the test)."""
    argv = tuple(str(a) for a in args)
    done = subprocess.run(
        [sys.executable, "-m", "metaseal", *argv],
        env=env or clean_network_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    return CliRun(argv, done.returncode, done.stdout, done.stderr)


# -- servers ------------------------------------------------------------------------------------


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass


#: A test CA (``ca.pem``) and a server certificate for 127.0.0.1 it signed (``server.pem``,
#: with its key), valid until 2126.
TLS = Path(__file__).resolve().parent / "tls"


class _Server(Closing):
    """A threaded server on 127.0.0.1 running ``handler``; ``requests`` lists what it got.

    With ``tls``, it speaks HTTPS with the certificate in ``TLS / "server.pem"``.
    """

    def __init__(self, handler: type[BaseHTTPRequestHandler], *, tls: bool = False) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.owner = self  # type: ignore[attr-defined]
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(TLS / "server.pem")
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


#: What a scripted handler does: gets the request path and headers and the raw output stream.
Script = Callable[[BaseHTTPRequestHandler], None]


class Scripted(_Server):
    """Every GET runs ``script(handler)``, which writes the raw response itself."""

    def __init__(self, script: Script, *, tls: bool = False) -> None:
        self.script = script

        class Handler(_Quiet):
            def do_GET(self) -> None:
                owner: Scripted = self.server.owner  # type: ignore[attr-defined]
                owner.requests.append((self.path, dict(self.headers.items())))
                owner.script(self)
                self.close_connection = True

        super().__init__(Handler, tls=tls)


class Proxy(_Server):
    """A forwarding HTTP proxy: records the absolute URL of each request, then fetches it."""

    def __init__(self) -> None:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        class Handler(_Quiet):
            def do_GET(self) -> None:
                owner: Proxy = self.server.owner  # type: ignore[attr-defined]
                owner.requests.append((self.path, dict(self.headers.items())))
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "proxy-authorization", "connection")
                }
                request = urllib.request.Request(self.path, headers=headers)
                try:
                    with direct.open(request, timeout=10) as answer:
                        status, body, reply = answer.status, answer.read(), answer.headers
                except urllib.error.HTTPError as error:
                    status, body, reply = error.code, error.read(), error.headers
                self.send_response(status)
                for key in ("Content-Type", "Content-Range", "Location", "Retry-After"):
                    if reply.get(key):
                        self.send_header(key, reply[key])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# -- releases -----------------------------------------------------------------------------------


def _meta(name: str, version: str, *extra: tuple[str, str], mv: str = "2.2") -> bytes:
    return metadata_bytes(
        [("Metadata-Version", mv), ("Name", name), ("Version", version), *extra], "A readme.\n"
    )


def publish_releases(root: Path) -> dict[str, str]:
    """Write the acceptance releases into ``root``; returns project name -> expected version.

    - ``alpha``: 0.9 and 1.0 (sdist + wheel, consistent), and a 2.0rc1 pre-release;
    - ``beta`` 2.0: the wheel drops a Requires-Dist its sdist promises (an error);
    - ``gamma`` 3.0: three platform wheels whose Requires-Dist varies (a marker proposal).
    """
    for version in ("0.9", "1.0", "2.0rc1"):
        meta = _meta("alpha", version, ("Requires-Dist", "requests>=2"))
        make_sdist(root, "alpha", version, meta)
        make_wheel(root, "alpha", version, meta)
    make_sdist(root, "beta", "2.0", _meta("beta", "2.0", ("Requires-Dist", "attrs")))
    make_wheel(root, "beta", "2.0", _meta("beta", "2.0"))
    for tag, extra in (
        ("cp312-cp312-manylinux_2_17_x86_64", [("Requires-Dist", "uvloop")]),
        ("cp312-cp312-macosx_11_0_arm64", [("Requires-Dist", "uvloop")]),
        ("cp312-cp312-win_amd64", [("Requires-Dist", "colorama")]),
    ):
        make_wheel(root, "gamma", "3.0", _meta("gamma", "3.0", *extra), tag=tag)
    return {"alpha": "1.0", "beta": "2.0", "gamma": "3.0"}


def big_wheel(root: Path, name: str = "bulky", size: int = 4 * 1024 * 1024) -> Path:
    """A wheel padded with ``size`` incompressible bytes ahead of its ``.dist-info``."""
    blob = random.Random(0).getrandbits(8 * size).to_bytes(size, "little")
    meta = _meta(name, "1.0", ("Requires-Dist", "numpy"))
    return make_wheel(root, name, "1.0", meta, extra_files={f"{name}/blob.bin": blob})
