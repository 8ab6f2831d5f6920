"""What the wrapper tells whoever builds: warnings on stderr, and which inner backend built.

Standard library only, like the rest of the backend's hook path.
"""

from __future__ import annotations

import sys
import warnings

from metaseal.errors import MetasealWarning, escape_controls

TYPE_CHECKING = False
if TYPE_CHECKING:
    from metaseal.backend.settings import Settings

__all__ = ["HATCH", "describe_backend", "shout"]

#: The escape hatch, as messages name it.
HATCH = "METASEAL_ALLOW_BROKEN_SEAL=1"


def shout(message: str) -> None:
    """A warning frontends show: the whole text on stderr; in-process callers also get a
    :class:`MetasealWarning` (frontends run hooks in a subprocess and show only stderr, so the
    warning is attributed to the package, not to a line of metaseal's code)."""
    message = escape_controls(message)
    print(message, file=sys.stderr)  # noqa: T201
    warnings.warn_explicit(
        message.split("\n", 1)[0], MetasealWarning, filename="metaseal", lineno=0
    )


def describe_backend(settings: Settings) -> str:
    """The backend spec plus the distribution and version providing it, for messages."""
    if settings.backend_path:
        return f"`{settings.backend}`, in-tree from `tool.metaseal.backend-path`"
    from importlib import metadata

    top = settings.backend.partition(":")[0].split(".")[0]
    lookup = getattr(metadata, "packages_distributions", None)  # Python 3.10+
    candidates: list[str] = (lookup().get(top) if lookup else None) or [top]
    for dist in candidates:
        try:
            return f"`{settings.backend}`, {dist} {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return f"`{settings.backend}`, version unknown"
