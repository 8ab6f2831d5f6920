"""The one place that papers over Python-version differences."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib  # noqa: TID251
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib  # noqa: TID251

__all__ = ["tomllib"]
