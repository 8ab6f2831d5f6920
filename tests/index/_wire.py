"""The HTTP side of :class:`index.servers.StaticIndex`: a threaded HTTP/1.1 keep-alive handler,
``Accept`` negotiation, single ``Range`` requests and fault injection (stdlib only)."""

from __future__ import annotations

import re
import socket
import sys
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qs, unquote, urlsplit

from index._tree import Body, Junk, Segment

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from index.servers import StaticIndex

__all__ = [
    "FAULT_KINDS",
    "HTML_TYPE",
    "JSON_TYPE",
    "TEXT_HTML",
    "Access",
    "Fault",
    "Handler",
    "Server",
    "apply_fault",
    "negotiate",
    "range_reply",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"
_OFFERS = (JSON_TYPE, HTML_TYPE, TEXT_HTML)  # preference order on equal q and specificity
_ALIASES = {
    "application/vnd.pypi.simple.latest+json": JSON_TYPE,
    "application/vnd.pypi.simple.latest+html": HTML_TYPE,
}
FAULT_KINDS = ("404", "500", "wrong-hash", "truncate", "slow", "garbage", "no-range", "huge")
_GARBAGE = b'<<<\x00garbage\xff\xfe>>> {"meta": <a href=\n\x01\x02 not a page'
_CHUNK = 64 * 1024
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")


@dataclass(frozen=True)
class Access:
    """One request as served: ``bytes_sent`` counts body bytes only (0 for HEAD)."""

    method: str
    path: str  # the URL path, unquoted, without the query
    status: int
    range: str | None
    bytes_sent: int
    accept: str | None


@dataclass
class Fault:
    glob: str
    kind: str
    options: dict[str, object]
    remaining: int | None  # None: forever


def negotiate(accept: str | None) -> str | None:
    """The offered media type the ``Accept`` value prefers (``None``: nothing acceptable).

    The most specific matching range gives each offer its q; ties go to JSON, then the
    versioned HTML, then ``text/html``. No header means ``text/html`` (PEP 691).
    """
    if accept is None or not accept.strip():
        return TEXT_HTML
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            media = media.lower()
            ranges.append((_ALIASES.get(media, media), q))
    best: tuple[float, int, int] | None = None
    chosen = None
    for preference, offer in enumerate(_OFFERS):
        kind = offer.split("/")[0]
        matches = [
            (specificity, q)
            for media, q in ranges
            for specificity, pattern in ((2, offer), (1, f"{kind}/*"), (0, "*/*"))
            if media == pattern
        ]
        if not matches:
            continue
        specificity, q = max(matches)
        rank = (q, specificity, -preference)
        if q > 0 and (best is None or rank > best):
            best, chosen = rank, offer
    return chosen


def byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """(first, last) of one satisfiable range; ``"unsatisfiable"``; ``None`` to ignore it."""
    match = _RANGE.fullmatch(header)
    if match is None or match.group(1) + match.group(2) == "":
        return None  # several ranges, other units or bad syntax: serve the whole file
    first, last = match.group(1), match.group(2)
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    index: StaticIndex

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: str
    ) -> None:
        """Quiet about clients that went away (reset, broken pipe); loud about anything else."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60  # an idle keep-alive connection is dropped after a minute
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the access log is :attr:`StaticIndex.log` (``--log`` prints it)."""

    def setup(self) -> None:
        super().setup()
        self.server.index._connections.add(self.connection)

    def finish(self) -> None:
        self.server.index._connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def _handle(self, *, head: bool) -> None:
        index = self.server.index
        split = urlsplit(self.path)
        path = unquote(split.path)
        if path == "/-/log":
            self._reply(None, 200, "application/json", index._log_json(), head=head)
            return
        with index._busy():
            fault = index._take_fault(path)
            status, ctype, body, headers = index._route(
                path, self.headers.get("Accept"), parse_qs(split.query).get("format", [None])[0]
            )
            if fault is not None:
                status, ctype, body, headers = apply_fault(
                    fault, path, status, ctype, body, headers
                )
            ranged = index.ranges and not (fault is not None and fault.kind == "no-range")
            wanted = self.headers.get("Range")
            if status == 200 and isinstance(body, Segment) and ranged and wanted is not None:
                status, body, headers = range_reply(body, wanted, headers)
            self._reply(path, status, ctype, body, head=head, headers=headers, fault=fault)

    def _reply(
        self,
        path: str | None,
        status: int,
        ctype: str,
        body: Body,
        *,
        head: bool,
        headers: Sequence[tuple[str, str]] = (),
        fault: Fault | None = None,
    ) -> None:
        index = self.server.index
        length = body_length(body)
        planned = 0 if head else length
        truncate = fault is not None and fault.kind == "truncate"
        if truncate:
            planned = min(planned, length // 2)
        entry = None
        if path is not None:
            entry = Access(
                self.command, path, status, self.headers.get("Range"), planned,
                self.headers.get("Accept"),
            )  # fmt: skip
            index._record(entry)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if fault is not None and fault.kind == "slow":
            time.sleep(float(cast("float", fault.options.get("seconds", 1.0))))
        if not head:
            sent = self._write(chunks(body, planned if truncate else length))
            if truncate:
                self.close_connection = True
            if sent != planned and entry is not None:
                entry = index._correct(entry, sent)
        if entry is not None and index.on_access is not None:
            index.on_access(entry)

    def _write(self, chunks: Iterator[bytes]) -> int:
        sent = 0
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:  # the client went away (broken pipe, reset, timeout)
            self.close_connection = True
        return sent


def body_length(body: Body) -> int:
    if isinstance(body, bytes):
        return len(body)
    return body.size if isinstance(body, Junk) else body.length


def chunks(body: Body, limit: int) -> Iterator[bytes]:
    if isinstance(body, bytes):
        yield body[:limit]
    elif isinstance(body, Junk):
        block = b" " * _CHUNK
        for start in range(0, limit, _CHUNK):
            yield block[: min(_CHUNK, limit - start)]
    else:
        with body.path.open("rb") as handle:
            handle.seek(body.start)
            left = min(limit, body.length)
            while left > 0:
                chunk = handle.read(min(_CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk


def range_reply(
    body: Segment, wanted: str, headers: list[tuple[str, str]]
) -> tuple[int, Body, list[tuple[str, str]]]:
    span = byte_range(wanted, body.length)
    if span is None:
        return 200, body, headers
    if isinstance(span, str):
        return 416, b"", [*headers, ("Content-Range", f"bytes */{body.length}")]
    first, last = span
    segment = Segment(body.path, first, last - first + 1)
    return 206, segment, [*headers, ("Content-Range", f"bytes {first}-{last}/{body.length}")]


def apply_fault(
    fault: Fault,
    path: str,
    status: int,
    ctype: str,
    body: Body,
    headers: list[tuple[str, str]],
) -> tuple[int, str, Body, list[tuple[str, str]]]:
    """The response a request-time fault turns the normal one into."""
    if fault.kind == "404":
        return 404, "text/plain", b"404 Not Found (fault)\n", []
    if fault.kind == "500":
        extra = []
        if "retry_after" in fault.options:
            extra.append(("Retry-After", str(fault.options["retry_after"])))
        code = int(cast("int", fault.options.get("status", 500)))
        return code, "text/plain", b"500 Internal Server Error (fault)\n", extra
    if fault.kind == "garbage":
        return 200, str(fault.options.get("content_type", TEXT_HTML)), _GARBAGE, []
    if fault.kind == "huge":
        size = int(cast("int", fault.options.get("size", 128 * 1024 * 1024)))
        kind = "application/octet-stream" if path.startswith("/files/") else TEXT_HTML
        return 200, kind, Junk(size), []
    return status, ctype, body, headers
