"""A small progress line on stderr: count, rate and ETA (no dependency).

On a terminal the line is redrawn in place (``\\r``) at most ten times a second; otherwise a
plain line is written every few seconds, so logs of CI jobs stay short. Disabled, it writes
nothing.
"""

from __future__ import annotations

import math
import sys
import time
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["Progress", "format_eta"]


def format_eta(seconds: float | None) -> str:
    """``H:MM:SS`` (``M:SS`` under an hour); ``?`` when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "?"
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """``done/total unit, rate/s, ETA`` for a known total; call :meth:`advance` per item."""

    def __init__(
        self,
        total: int,
        *,
        unit: str = "projects",
        label: str = "scan",
        delay: float = 0.0,
        stream: TextIO | None = None,
        enabled: bool = True,
        tty: bool | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.unit = unit
        self.label = label
        #: Seconds before the first line: nothing is shown for work that ends sooner.
        self.delay = delay
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty() if tty is None else tty
        #: Seconds between two writes: a tenth of a second on a terminal, else five.
        self.interval = interval if interval is not None else (0.1 if self.tty else 5.0)
        self._clock = clock
        self._start = clock()
        self._last: float | None = None
        self._width = 0

    def line(self) -> str:
        """The current line, without any carriage return or newline."""
        elapsed = max(self._clock() - self._start, 1e-9)
        rate = self.done / elapsed
        left = self.total - self.done
        eta = left / rate if rate > 0 else None
        percent = f" {100 * self.done // self.total:3d}%" if self.total else ""
        return (
            f"{self.label}{percent} {self.done}/{self.total} {self.unit}, "
            f"{rate:.1f}/s, ETA {format_eta(eta if left else 0.0)}"
        )

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self._clock()
        if self._last is None and now - self._start < self.delay:
            return
        if self._last is None or now - self._last >= self.interval:
            self._write()
            self._last = now

    def close(self) -> None:
        """Write the final line (and end it, on a terminal)."""
        if self.enabled and self.done and self._last is not None:
            self._write()
            if self.tty:
                self.stream.write("\n")
                self.stream.flush()

    def _write(self) -> None:
        if not self.enabled:
            return
        text = self.line()
        if self.tty:
            pad = " " * max(0, self._width - len(text))
            self._width = len(text)
            self.stream.write(f"\r{text}{pad}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
