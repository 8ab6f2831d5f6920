"""A cache of PEP 658 sidecars, keyed by the sha256 the index advertises for them.

An entry is the sidecar's bytes in ``<directory>/<first two hex digits>/<sha256>``. It is
written atomically (a temporary file in the same directory, then an atomic rename) and trusted
only while its content still hashes to its name: a corrupt entry is ignored (and rewritten by
the next :meth:`SidecarCache.put`). The cache is an optimisation: any error reading or writing
it is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from metaseal.errors import UsageError

__all__ = ["SidecarCache", "default_cache_dir"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


def user_cache_dir(what: str, instead: str) -> Path:
    """metaseal's user cache directory (``~/.cache/metaseal`` on Linux, via platformdirs).

    The one place platformdirs is imported; without it, a usage error says that ``what`` needs
    it and that ``instead`` avoids it.
    """
    try:
        import platformdirs
    except ImportError as exc:
        raise UsageError(
            f"{what} lives in the user cache directory, found with platformdirs, which is "
            f'missing; install it (`pip install "metaseal[index]"`), or pass {instead}.'
        ) from exc
    return Path(platformdirs.user_cache_dir("metaseal"))


def default_cache_dir() -> Path:
    """``<user cache dir>/metadata``: where sidecars are cached by default."""
    return user_cache_dir("the sidecar cache", "`--cache-dir DIR` or `--no-cache`") / "metadata"


class SidecarCache:
    """Sidecar bytes by sha256, in ``directory`` (created on the first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"SidecarCache({str(self.directory)!r})"

    def _path(self, sha256: str) -> Path | None:
        key = sha256.lower()
        # An index chooses the key: only a real hex digest may become a file name.
        return self.directory / key[:2] / key if _SHA256.fullmatch(key) else None

    def get(self, sha256: str) -> bytes | None:
        """The cached bytes whose sha256 is ``sha256``, or ``None`` (absent or corrupt)."""
        path = self._path(sha256)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == sha256.lower() else None

    def put(self, sha256: str, data: bytes) -> None:
        """Store ``data`` under ``sha256``, only if that is its digest."""
        path = self._path(sha256)
        if path is None or hashlib.sha256(data).hexdigest() != sha256.lower():
            return
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                Path(temporary).replace(path)
            except OSError:
                Path(temporary).unlink(missing_ok=True)
                raise
