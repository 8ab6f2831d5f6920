"""vendors_live: like poetry-core, puts its own copy of a library first on ``sys.path`` and
imports it when imported; the test copies metaseal's pyproject-metadata into
``_vendored_live``. The sdist is honest."""

from __future__ import annotations

import os
import sys

_COPIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_vendored_live")  # noqa: PTH100, PTH118, PTH120
if _COPIES not in sys.path:
    sys.path.insert(0, _COPIES)

import pyproject_metadata  # noqa: E402, F401 - loaded now, as poetry-core loads its packaging

from .fake_full import build_sdist, build_wheel  # noqa: E402

__all__ = ["build_sdist", "build_wheel"]
