"""metaseal: every file of a release carries the same core metadata, or the build fails.

The public Python API is small and lazily imported so that ``import metaseal`` stays cheap
(the build backend lives in this package and must import only the standard library).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]


def __dir__() -> list[str]:
    return __all__
