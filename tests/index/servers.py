"""A static PEP 503 / PEP 691 index on 127.0.0.1 for tests and benchmarks (stdlib only).

:class:`StaticIndex` serves a flat directory of distribution files (``*.whl``, ``*.tar.gz``,
``*.zip``) the way a simple repository does:

- ``/simple/`` and ``/simple/<normalized-name>/``: PEP 691 JSON or PEP 503 HTML, chosen by the
  ``Accept`` header (q-values honoured; no header: ``text/html``) or the PEP 691 ``format``
  query parameter; sha256 hashes, ``requires-python``, ``size``, yanked state and, when
  ``sidecars``, the PEP 658/714 ``core-metadata`` / ``dist-info-metadata`` hashes;
  non-normalized names and missing slashes redirect (301). JSON file URLs are absolute (as
  on PyPI); HTML links are relative (``../../files/<filename>``, as on static mirrors);
- ``/files/<filename>``: the file, honouring one ``Range`` (``bytes=a-b``, ``bytes=a-``,
  ``bytes=-n``) with 206 + ``Content-Range`` or 416, unless ``ranges=False``;
- ``/files/<filename>.metadata``: the sidecar, extracted from the wheel's
  ``*.dist-info/METADATA`` or the sdist's ``<top>/PKG-INFO`` (a ``<filename>.metadata`` file
  next to the distribution in ``root`` is served instead, byte for byte);
- ``/links/``: a flat find-links HTML page with every file;
- ``/-/log``: the access log as JSON (for benchmarks against the standalone server; not logged).

The HTTP side (handler, negotiation, ranges, faults) is in :mod:`index._wire`; the dists and
their pages in :mod:`index._tree`. Every page is rendered once (again after
:meth:`StaticIndex.refresh`, :meth:`StaticIndex.fault` with ``wrong-hash`` and
:meth:`StaticIndex.yank`), so a request is a dict lookup and a write. Each request is appended
to :attr:`StaticIndex.log` before its first byte is sent, with the body bytes planned; a write
the client cut short corrects the entry to the bytes actually sent.

Standalone (benchmarks): ``python tests/index/servers.py ROOT [--no-sidecars] [--no-ranges]
[--port N] [--log] [--access-log FILE]`` prints the base URL (``http://127.0.0.1:PORT``; the
index is at ``/simple/``) on stdout, then serves until killed (SIGTERM or Ctrl-C); each
finished request is appended to ``FILE`` as one JSON line (the :class:`Access` fields).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fnmatch
import json
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar, cast

# run as a script (python tests/index/servers.py ROOT), ``index`` is found from ``tests/``
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index._tree import Body, Dist, Segment, dump_json, normalize, read_dist, render, sha256
from index._wire import (
    FAULT_KINDS,
    HTML_TYPE,
    JSON_TYPE,
    Access,
    Fault,
    Handler,
    Server,
    negotiate,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["FAULT_KINDS", "HTML_TYPE", "JSON_TYPE", "Access", "Closing", "StaticIndex", "negotiate"]


_C = TypeVar("_C", bound="Closing")


class Closing:
    """A context manager whose exit calls :meth:`close` (every test server here is one)."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class StaticIndex(Closing):
    """A threaded HTTP/1.1 keep-alive simple index over ``root``, on 127.0.0.1 (see module doc).

    A context manager; the server runs from construction until :meth:`close`.
    """

    def __init__(
        self,
        root: Path,
        *,
        sidecars: bool = True,
        ranges: bool = True,
        port: int = 0,
        on_access: Callable[[Access], None] | None = None,
    ) -> None:
        self.root = Path(root)
        #: Called with each final log entry once its response is complete (on a server thread).
        self.on_access = on_access
        self.sidecars = sidecars
        self.ranges = ranges
        self.log: list[Access] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._active = 0
        self._faults: list[Fault] = []
        self._yanked: dict[str, str] = {}
        self._dists: dict[str, Dist] = {}
        self._pages: dict[str, tuple[bytes, bytes]] = {}  # path -> (json, html)
        self._files: dict[str, tuple[str, Body]] = {}  # path -> (content type, body)
        self._connections: set[socket.socket] = set()
        self._server = Server(("127.0.0.1", port), Handler)
        self._server.index = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.index_url = self.url + "/simple/"
        self.find_links_url = self.url + "/links/"
        self.refresh()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and drop open keep-alive connections."""
        self._server.shutdown()
        self._server.server_close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join()

    # -- tree -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read ``root`` (files added, changed or removed) and re-render every page."""
        dists = {}
        for path in sorted(self.root.iterdir()):
            dist = read_dist(path, self._dists.get(path.name))
            if dist is not None:
                dists[path.name] = dist
        with self._lock:
            self._dists = dists
            self._render()

    def yank(self, filename: str, reason: str = "") -> None:
        """Mark a file yanked (PEP 592) on its project page."""
        with self._lock:
            self._yanked[filename] = reason
            self._render()

    def _render(self) -> None:
        self._pages, self._files = render(
            list(self._dists.values()),
            url=self.url,
            sidecars=self.sidecars,
            yanked=self._yanked,
            advertise=self._advertised,
        )

    def _advertised(self, path: str, digest: str) -> str:
        for fault in self._faults:
            if fault.kind == "wrong-hash" and fnmatch.fnmatchcase(path, fault.glob):
                return sha256(b"wrong:" + digest.encode())
        return digest

    def _route(
        self, path: str, accept: str | None, query_format: str | None
    ) -> tuple[int, str, Body, list[tuple[str, str]]]:
        if path in ("/simple", "/links") or (
            path.startswith("/simple/") and not path.endswith("/")
        ):
            return 301, "text/plain", b"", [("Location", path + "/")]
        if path == "/links/":
            return 200, "text/html; charset=utf-8", self._pages[path][1], []
        if path.startswith("/simple/"):
            target = f"/simple/{normalize(path[len('/simple/') : -1])}/"
            if path not in ("/simple/", target) and target in self._pages:
                return 301, "text/plain", b"", [("Location", target)]
            page = self._pages.get(path)
            if page is None:
                return 404, "text/plain", b"404 Not Found\n", []
            chosen = negotiate(query_format or accept)
            vary = [("Vary", "Accept")]
            if chosen is None:
                return 406, "text/plain", b"406 Not Acceptable\n", vary
            if chosen == JSON_TYPE:
                return 200, JSON_TYPE, page[0], vary
            ctype = HTML_TYPE if chosen == HTML_TYPE else "text/html; charset=utf-8"
            return 200, ctype, page[1], vary
        found = self._files.get(path)
        if found is None:
            return 404, "text/plain", b"404 Not Found\n", []
        ranged = self.ranges and isinstance(found[1], Segment)
        return 200, found[0], found[1], [("Accept-Ranges", "bytes")] if ranged else []

    # -- faults and log ---------------------------------------------------------------------

    def fault(self, path_glob: str, kind: str, **options: object) -> None:
        """Make requests whose path matches ``path_glob`` (:func:`fnmatch.fnmatchcase`) fail.

        Kinds: ``404``; ``500`` (``status``, ``retry_after``); ``wrong-hash`` (pages advertise
        a wrong sha256 for the matching file or sidecar paths); ``truncate`` (full
        Content-Length, half the body, then close); ``slow`` (``seconds`` of sleep after the
        headers); ``garbage`` (200 junk, ``content_type`` default text/html); ``no-range``;
        ``huge`` (200 with ``size`` bytes). ``times=n``: only the first n matching requests.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        times = options.pop("times", None)
        remaining = None if times is None else int(cast("int", times))
        with self._lock:
            self._faults.append(Fault(path_glob, kind, dict(options), remaining))
            if kind == "wrong-hash":
                self._render()

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._render()

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being served (so every log entry is final)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    def requests(self, path_glob: str = "*") -> list[Access]:
        """The logged requests whose path matches ``path_glob``."""
        with self._lock:
            return [a for a in self.log if fnmatch.fnmatchcase(a.path, path_glob)]

    def _take_fault(self, path: str) -> Fault | None:
        if not self._faults:
            return None
        with self._lock:
            for fault in self._faults:
                if fault.kind == "wrong-hash" or not fnmatch.fnmatchcase(path, fault.glob):
                    continue
                if fault.remaining is None:
                    return fault
                if fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
        return None

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        with self._lock:
            self._active += 1
        try:
            yield
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _record(self, entry: Access) -> None:
        with self._lock:
            self.log.append(entry)

    def _correct(self, entry: Access, sent: int) -> Access:
        fixed = dataclasses.replace(entry, bytes_sent=sent)
        with self._lock:
            for position in range(len(self.log) - 1, -1, -1):
                if self.log[position] is entry:
                    self.log[position] = fixed
                    break
        return fixed

    def _log_json(self) -> bytes:
        with self._lock:
            return dump_json([dataclasses.asdict(a) for a in self.log])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Serve a flat directory of dists as a PEP 503/691 index on 127.0.0.1; "
        "prints the base URL (the index is at /simple/, find-links at /links/)."
    )
    parser.add_argument("root", type=Path, help="directory of *.whl / *.tar.gz files")
    parser.add_argument("--no-sidecars", action="store_true", help="serve no .metadata files")
    parser.add_argument(
        "--no-ranges", "--no-range", action="store_true", help="ignore Range headers"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--log", action="store_true", help="print each request on stderr")
    parser.add_argument(
        "--access-log", metavar="FILE", type=Path, help="append each request to FILE (JSON lines)"
    )
    args = parser.parse_args(argv)
    lock = threading.Lock()
    out = args.access_log.open("a", encoding="utf-8") if args.access_log else None

    def on_access(access: Access) -> None:
        with lock:
            if out is not None:
                out.write(json.dumps(dataclasses.asdict(access)) + "\n")
                out.flush()
            if args.log:
                line = f"{access.method} {access.path} {access.status} {access.bytes_sent}"
                print(line, file=sys.stderr, flush=True)

    index = StaticIndex(
        args.root,
        sidecars=not args.no_sidecars,
        ranges=not args.no_ranges,
        port=args.port,
        on_access=on_access if out is not None or args.log else None,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(index.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        index.close()
        if out is not None:
            out.close()


if __name__ == "__main__":
    sys.exit(main())
