"""A remote file read through HTTP range requests: only the bytes :mod:`zipfile` asks for.

:class:`LazyFile` is a seekable, read-only file object over a URL. Its first request asks for
the last ``tail`` bytes (``Range: bytes=-N``): the ``Content-Range`` answer gives the file size,
and the tail of a wheel holds its central directory and, usually, its ``.dist-info`` members
(archivers write them last). Every later read fetches only the bytes missing from what it has,
rounded up to ``chunk`` bytes of read-ahead, so reading ``METADATA`` takes one request or two.
A server that ignores ranges (200 instead of 206) is dropped unread: :class:`RangeNotSupported`.
"""

from __future__ import annotations

import bisect
import io
import re
from typing import TYPE_CHECKING

from metaseal.errors import NetworkError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from _typeshed import WriteableBuffer

    from metaseal.index._http import Client

__all__ = ["CHUNK", "TAIL", "LazyFile", "RangeNotSupported"]

_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+)\s*", re.IGNORECASE)


#: The first request: the last ``TAIL`` bytes, which hold the zip's end record and, for most
#: wheels, the whole central directory and the ``*.dist-info`` members (written last).
TAIL = 16 * 1024
#: Read-ahead of every later request (a local header and a small ``METADATA`` fit in one).
CHUNK = 8 * 1024


class RangeNotSupported(NetworkError):
    """The server ignores range requests, or answers them wrongly; a full download may do."""

    def __init__(self, url: str, message: str | None = None) -> None:
        super().__init__(
            url,
            message
            or "the server ignores HTTP range requests (it answered 200 with the whole file "
            "instead of 206 with a part), and the index offers no PEP 658 `.metadata` file for "
            "this wheel, so its metadata cannot be read without downloading all of it; pass "
            "`--allow-download` to download such wheels in full.",
        )


class LazyFile(io.RawIOBase):
    """A read-only, seekable view of the file at ``url``, fetched in ranges on demand.

    At most ``max_fetch`` bytes are fetched in all; past that, reads raise
    :class:`NetworkError` (a wheel whose metadata needs more is not a normal wheel).
    """

    def __init__(
        self,
        client: Client,
        url: str,
        *,
        tail: int = TAIL,
        chunk: int = CHUNK,
        max_fetch: int = 64 * 1024 * 1024,
    ) -> None:
        super().__init__()
        self.url = url
        self._client = client
        self._chunk = chunk
        self._max_fetch = max_fetch
        self._starts: list[int] = []  # sorted starts of the fetched, non-adjacent segments
        self._data: list[bytes] = []
        self._position = 0
        #: Bytes and requests this file fetched.
        self.fetched = 0
        self.requests = 0
        response = client.get(url, byte_range=f"bytes=-{tail}", max_bytes=tail)
        self.requests += 1
        if response.status != 206:
            raise RangeNotSupported(url)
        first, last, self._size = self._content_range(response.headers, f"bytes=-{tail}")
        if len(response.body) != last - first + 1 or last != self._size - 1:
            raise self._unreliable(f"bytes=-{tail}", "a part other than the one asked for")
        self._store(first, response.body)

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._position = base + offset
        return self._position

    def read(self, size: int = -1, /) -> bytes:
        return super().read(size) or b""

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        start = self._position
        stop = min(start + len(view), self._size)
        if start >= stop:
            return 0
        self._ensure(start, stop)
        index = bisect.bisect_right(self._starts, start) - 1
        segment_start, data = self._starts[index], self._data[index]
        piece = data[start - segment_start : stop - segment_start]
        view[: len(piece)] = piece
        self._position += len(piece)
        return len(piece)

    # -- fetching ---------------------------------------------------------------------------

    def _ensure(self, start: int, stop: int) -> None:
        """Fetch whatever of ``[start, stop)`` is missing, with read-ahead up to the next part."""
        for gap_start, gap_stop in self._gaps(start, stop):
            index = bisect.bisect_left(self._starts, gap_stop)
            limit = self._starts[index] if index < len(self._starts) else self._size
            end = min(max(gap_stop, gap_start + self._chunk), limit)
            self._fetch(gap_start, end)

    def _gaps(self, start: int, stop: int) -> list[tuple[int, int]]:
        gaps = []
        position = start
        index = max(0, bisect.bisect_right(self._starts, start) - 1)
        for segment_start, data in zip(self._starts[index:], self._data[index:]):
            if segment_start >= stop:
                break
            if segment_start > position:
                gaps.append((position, segment_start))
            position = max(position, segment_start + len(data))
        if position < stop:
            gaps.append((position, stop))
        return gaps

    def _fetch(self, start: int, end: int) -> None:
        wanted = f"bytes={start}-{end - 1}"
        if self.fetched + (end - start) > self._max_fetch:
            raise NetworkError(
                self.url,
                f"reading the wheel's metadata would fetch more than {self._max_fetch:,} "
                "bytes of it; its central directory or `METADATA` is far larger than a normal "
                "wheel's. Check the file.",
            )
        response = self._client.get(self.url, byte_range=wanted, max_bytes=end - start)
        self.requests += 1
        if response.status != 206:
            raise self._unreliable(wanted, f"status {response.status}")
        first, last, size = self._content_range(response.headers, wanted)
        if (first, last, size) != (start, end - 1, self._size) or len(response.body) != end - start:
            raise self._unreliable(wanted, "a part other than the one asked for")
        self._store(start, response.body)

    def _store(self, start: int, data: bytes) -> None:
        """Insert ``data`` at ``start`` (it overlaps nothing) and join touching segments."""
        self.fetched += len(data)
        index = bisect.bisect_left(self._starts, start)
        self._starts.insert(index, start)
        self._data.insert(index, data)
        if index + 1 < len(self._starts) and start + len(data) == self._starts[index + 1]:
            self._data[index] += self._data.pop(index + 1)
            self._starts.pop(index + 1)
        if index > 0 and self._starts[index - 1] + len(self._data[index - 1]) == start:
            self._data[index - 1] += self._data.pop(index)
            self._starts.pop(index)

    def _content_range(self, headers: Mapping[str, str], wanted: str) -> tuple[int, int, int]:
        match = _CONTENT_RANGE.fullmatch(headers.get("Content-Range", ""))
        if match is None:
            raise self._unreliable(wanted, "no usable Content-Range header")
        first, last, size = (int(group) for group in match.groups())
        if first > last or last >= size:
            raise self._unreliable(wanted, "an impossible Content-Range")
        return first, last, size

    def _unreliable(self, wanted: str, what: str) -> RangeNotSupported:
        return RangeNotSupported(
            self.url,
            f"the server answered the range request `{wanted}` with {what}; it does not serve "
            "ranges reliably (or the file changed while it was read). Pass `--allow-download` "
            "to download wheels in full instead.",
        )
