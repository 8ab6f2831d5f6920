"""Shared pytest setup: make ``tests/`` importable so tests can ``import factories``,
and ``docs/_ext`` so the docs tests can import the reference generator."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent
# tests/ (``import factories``) and docs/_ext (the reference generator the docs tests check).
for _path in (str(_TESTS), str(_TESTS.parent / "docs" / "_ext")):
    if _path not in sys.path:
        sys.path.insert(0, _path)
