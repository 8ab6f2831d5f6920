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


def pytest_configure(config: object) -> None:
    """Keep the backend's verdict memo out of the user's cache: builds the tests run (through
    frontends, which pass the environment on) remember their verdicts in a directory of this
    session, removed at exit. A test that studies the memo sets its own directory."""
    import atexit
    import os
    import shutil
    import tempfile

    if "METASEAL_VERDICT_CACHE" not in os.environ:
        memo = tempfile.mkdtemp(prefix="metaseal-test-memo-")
        os.environ["METASEAL_VERDICT_CACHE"] = memo
        atexit.register(shutil.rmtree, memo, ignore_errors=True)
