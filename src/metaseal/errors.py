"""The one exception hierarchy of metaseal.

Every error a user can see derives from :class:`MetasealError`. Its ``str()`` is one paragraph:
what is wrong, where (a file, a field or a settings key, in backticks) and what to do next.
Only the outermost layer (``cli.main`` or the build backend hook) turns one into an exit code.
"""

from __future__ import annotations

import re

__all__ = [
    "ArtifactError",
    "ConfigError",
    "MetasealError",
    "MetasealWarning",
    "NetworkError",
    "SealBroken",
    "UsageError",
    "escape_controls",
    "plural",
]

# C0 controls but tab and newline, DEL and the C1 controls (U+0080-U+009F, which include the
# single-character CSI a terminal acts on).
# Patterns (compiled on first use, ``re`` caches them: every hook call imports this module).
_CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f]"
_CONTROL_AND_NEWLINE = "[\x00-\x08\x0a-\x1f\x7f-\x9f]"


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """``1 file``, ``2 files``; ``plural`` when adding an ``s`` is wrong (``entries``)."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def escape_controls(text: str, *, newlines: bool = False) -> str:
    """``text`` with terminal control characters shown as escapes (``\\x1b``), so metadata
    values, file names and archive member names cannot drive a terminal; with ``newlines``, a
    line break is escaped too (``\\n``), so a name cannot forge a line of output."""
    pattern = _CONTROL_AND_NEWLINE if newlines else _CONTROL
    return re.sub(pattern, lambda m: repr(m.group())[1:-1], text)


class MetasealError(Exception):
    """Root of every metaseal error; ``exit_code`` is what the CLI exits with.

    ``path`` names what the error is about (a file, an ``installed:NAME`` source, a URL), or is
    empty when it is about nothing in particular.
    """

    exit_code = 3
    path = ""


class UsageError(MetasealError):
    """The command line or API call itself is wrong (exit code 2)."""

    exit_code = 2


class ArtifactError(MetasealError):
    """A distribution file or metadata source is unreadable or invalid (exit code 3).

    ``path`` names the file (or ``installed:NAME`` source) the message is about.
    """

    exit_code = 3

    def __init__(self, path: str, message: str) -> None:
        super().__init__(escape_controls(f"{path}: {message}", newlines=True))
        self.path = path
        self.reason = message


class ConfigError(MetasealError):
    """A settings key or a ``pyproject.toml`` table is wrong (exit code 3).

    ``key`` is the dotted key path, for example ``tool.metaseal.mode``.
    """

    exit_code = 3

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class NetworkError(MetasealError):
    """The index could not be read or served something wrong (exit code 4).

    ``url`` names the page or file the message is about; ``reason`` is the message without it.
    ``path`` is the same as ``url``, so reports list network and file errors alike.
    """

    exit_code = 4

    def __init__(self, url: str, message: str) -> None:
        super().__init__(escape_controls(f"{url}: {message}", newlines=True))
        self.url = url
        self.path = url
        self.reason = message


class SealBroken(MetasealError):
    """The build backend refused a distribution whose metadata breaks the seal (exit code 1).

    ``str()`` is the whole human report: the per-field diff and the fix. ``artifact`` is the
    basename of the refused file; it was deleted and the output directory was left as it was.
    """

    exit_code = 1

    def __init__(self, artifact: str, report: str) -> None:
        super().__init__(report)
        self.artifact = artifact
        self.report = report


class MetasealWarning(UserWarning):
    """Warnings metaseal emits through :mod:`warnings` (for example from the build backend)."""
