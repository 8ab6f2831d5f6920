"""Fixtures: each bundled project is built once per session, with its real backend."""

from __future__ import annotations

import sys

import pytest

from ._build import BACKENDS, BuiltProject, build_project


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
