"""A stand-in for a backend's own copy of pyproject-metadata, different from metaseal's."""

from __future__ import annotations

from typing import Any


class ConfigurationError(Exception):
    pass


class StandardMetadata:
    @classmethod
    def from_pyproject(cls, *args: Any, **kwargs: Any) -> StandardMetadata:
        raise ValueError("the vendored copy of pyproject-metadata (marker 7c1e)")
