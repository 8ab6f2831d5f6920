"""Session fixtures for the wrapper-backend tests: metaseal's wheel and the frontend env."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ._frontends import build_metaseal_wheel, frontend_env


@pytest.fixture(scope="session")
def metaseal_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A find-links directory holding the metaseal wheel built from this checkout."""
    if sys.version_info < (3, 10):
        pytest.fail("the wrapper integration tests need Python >= 3.10", pytrace=False)
    wheelhouse = tmp_path_factory.mktemp("wheelhouse")
    try:
        build_metaseal_wheel(wheelhouse)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    return wheelhouse


@pytest.fixture(scope="session")
def env(metaseal_wheelhouse: Path) -> dict[str, str]:
    """Environment for frontends: metaseal from the wheelhouse, everything else from PyPI."""
    return frontend_env(metaseal_wheelhouse)
