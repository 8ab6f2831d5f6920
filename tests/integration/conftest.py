"""Fixtures: each bundled project is built once per session, with its real backend; metaseal's
own wheel (the code under test) is built once per session for the projects that name it as their
build backend (``wrapper/``, ``test_examples.py``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from ._build import BACKENDS, BuiltProject, build_project
from .wrapper._frontends import build_metaseal_wheel, frontend_env

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="session", params=BACKENDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> BuiltProject:
    """The sdist and wheel of ``projects/<backend>``, built by ``python -m build``."""
    backend: str = request.param
    if sys.version_info < (3, 10):
        pytest.fail(
            "the integration builds need Python >= 3.10: the pinned setuptools 84.2.1, "
            "hatchling 1.33.0 and poetry-core 2.5.0 require it",
            pytrace=False,
        )
    try:
        return build_project(backend, tmp_path_factory.mktemp(f"build-{backend}"))
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


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
