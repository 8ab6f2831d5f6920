"""How archive readers fail: the exceptions damaged or hostile archives raise, and the
messages for them. Standard library only, and no ``zipfile`` (which imports ``pathlib``): the
backend reads every sdist it builds through :mod:`metaseal.sources.sdist_layout`.
"""

from __future__ import annotations

import errno
import struct
import tarfile
import zlib

from metaseal.engine.formats import MAX_METADATA_BYTES
from metaseal.errors import ArtifactError

__all__ = ["STREAM_ERRORS", "corrupt", "exactly_one", "too_big"]

#: What tarfile, gzip and zlib raise for damaged or hostile archives (RuntimeError covers
#: encrypted zip members and NotImplementedError for unknown compression). ArtifactError is none
#: of these, so the readers' own errors pass through the ``except`` clauses unchanged.
STREAM_ERRORS: tuple[type[Exception], ...] = (OSError, EOFError, ValueError, RuntimeError)
STREAM_ERRORS += (struct.error, zlib.error, tarfile.TarError)
try:
    import lzma
except ImportError:  # pragma: no cover - CPython built without liblzma
    pass
else:
    STREAM_ERRORS += (lzma.LZMAError,)


def too_big(spec: str, what: str, size: int) -> ArtifactError:
    return ArtifactError(
        spec,
        f"{what} is {size:,} bytes, more than the {MAX_METADATA_BYTES:,}-byte limit for core "
        "metadata (real files are at most a few hundred KiB). Check that this is the right "
        "file, or rebuild the distribution.",
    )


def corrupt(spec: str, what: str, exc: Exception) -> ArtifactError:
    """The error for an archive that could not be read: a system error (permission denied, an
    I/O error: ``OSError`` with an ``errno``) says so; anything else is a damaged file."""
    if isinstance(exc, OSError) and exc.errno is not None:
        advice = (
            "check its permissions (and those of its directories)"
            if exc.errno in (errno.EACCES, errno.EPERM)
            else "check the file and the disk it is on"
        )
        return ArtifactError(spec, f"cannot be read ({exc.strerror or exc}); {advice}.")
    return ArtifactError(
        spec,
        f"cannot be read as {what} ({type(exc).__name__}: {exc}); the file is truncated or "
        "corrupt. Download or build it again.",
    )


def exactly_one(spec: str, what: str, member: str, count: int) -> None:
    """An archive must hold its metadata member once: missing or repeated is an error."""
    if not count:
        raise ArtifactError(spec, f"the {what} has no `{member}`; rebuild the {what}.")
    if count > 1:
        raise ArtifactError(
            spec,
            f"the {what} holds {count} entries named `{member}`; it must hold exactly one, "
            f"or tools may disagree on its metadata. Rebuild the {what}.",
        )
