"""A real index for tests: pypiserver in a subprocess on 127.0.0.1, serving a directory.

``python -m pypiserver run -p PORT -i 127.0.0.1 --disable-fallback -a . -P . ROOT``: no
uploads, no authentication, no redirect to PyPI for unknown names. It serves PEP 503 HTML
(``/simple/``, with ``#sha256=`` fragments), honours Range requests and has no PEP 658 sidecars,
so metaseal reads its wheels by ranges. The find-links page is ``/packages/``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from index.servers import Closing

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["PypiServer"]

#: Seconds pypiserver has to start answering.
STARTUP = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PypiServer(Closing):
    """``with PypiServer(root) as server:`` -> ``server.index_url``, ``server.find_links_url``."""

    def __init__(self, root: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.index_url = self.url + "/simple/"
        self.find_links_url = self.url + "/packages/"
        self.log = root.parent / f"pypiserver-{self.port}.log"
        command = [
            sys.executable, "-m", "pypiserver", "run", "-p", str(self.port), "-i", "127.0.0.1",
            "--disable-fallback", "-a", ".", "-P", ".", str(root),
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            self._wait()
        except BaseException:
            self.close()
            raise

    def _wait(self) -> None:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"pypiserver exited with code {self._process.returncode}:\n"
                    + self.log.read_text(errors="replace")
                )
            if self._answers(direct):
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"pypiserver did not answer within {STARTUP:g} s:\n" + self.log.read_text()
        )

    def _answers(self, opener: urllib.request.OpenerDirector) -> bool:
        try:
            with opener.open(self.index_url, timeout=2) as answer:
                return bool(answer.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
