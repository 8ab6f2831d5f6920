"""vendors: like poetry-core, puts its own copies of libraries first on ``sys.path`` when
imported; here a pyproject-metadata that rejects every table. The sdist is honest."""

from __future__ import annotations

import os
import sys

_COPIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_vendored_copy")  # noqa: PTH100, PTH118, PTH120
if _COPIES not in sys.path:
    sys.path.insert(0, _COPIES)

from .fake_full import build_sdist, build_wheel  # noqa: E402

__all__ = ["build_sdist", "build_wheel"]
