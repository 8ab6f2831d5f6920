"""Fixtures for index tests: static simple indexes on 127.0.0.1, closed after each test."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from index.servers import StaticIndex

if TYPE_CHECKING:
    from collections.abc import Iterator


class MakeIndex(Protocol):
    def __call__(
        self, root: Path | None = None, *, sidecars: bool = True, ranges: bool = True
    ) -> StaticIndex: ...


@pytest.fixture
def dists(tmp_path: Path) -> Path:
    """An empty flat directory for distribution files (``tmp_path / "dists"``)."""
    root = tmp_path / "dists"
    root.mkdir()
    return root


@pytest.fixture
def static_index(dists: Path) -> Iterator[MakeIndex]:
    """Factory: ``static_index(root=dists, sidecars=True, ranges=True)`` starts a
    :class:`StaticIndex` over ``root`` (default: the ``dists`` fixture); all are closed after
    the test."""
    started: list[StaticIndex] = []

    def make(
        root: Path | None = None, *, sidecars: bool = True, ranges: bool = True
    ) -> StaticIndex:
        server = StaticIndex(root or dists, sidecars=sidecars, ranges=ranges)
        started.append(server)
        return server

    yield make
    for server in started:
        server.close()
