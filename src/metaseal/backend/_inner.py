"""Importing the inner backend (``tool.metaseal.backend``), once per process.

``backend-path`` entries go in front of ``sys.path`` and the module must then come from one of
them, as PEP 517 requires of in-tree backends; without ``backend-path``, pathlib is not imported
(see :mod:`metaseal.backend._lifecycle`).
"""

# ruff: noqa: PTH118

from __future__ import annotations

import functools
import importlib
import os
import sys

from metaseal.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ["import_backend"]


#: The packages the engine imports, bound before an in-tree backend can shadow them: poetry-core's
#: own backend puts its vendored (older) packaging first on ``sys.path`` when imported. Binding
#: the top-level package is enough (its submodules are then found through its ``__path__``)
#: and costs next to nothing: ``packaging/__init__.py`` holds only its version.
_OWN_PACKAGES = ("packaging",)


@functools.cache
def import_backend(spec: str, backend_path: tuple[str, ...], root: str) -> Any:
    module_name, _, object_path = spec.partition(":")
    dirs = _resolved(root, backend_path)
    if dirs:
        for package in _OWN_PACKAGES:
            importlib.import_module(package)
    sys.path[:0] = [str(d) for d in dirs if str(d) not in sys.path]
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        where = f" from `tool.metaseal.backend-path` {list(backend_path)}" if dirs else ""
        advice = (
            "Add the package that provides it to `build-system.requires`, or fix "
            "`tool.metaseal.backend`."
        )
        if not dirs and _top_level_backend_path(root):
            advice = (
                "`build-system.backend-path` is set: with metaseal as the build backend, move "
                "it under `[tool.metaseal]` as `backend-path`, where metaseal loads the inner "
                "backend from it (frontends only look for metaseal itself there)."
            )
        raise ConfigError(
            "tool.metaseal.backend",
            f"cannot import the inner backend `{module_name}`{where}: {exc}. {advice}",
        ) from exc
    origin = _resolved("/", (getattr(obj, "__file__", None) or "/",))[0] if dirs else None
    if origin is not None and not any(d in origin.parents for d in dirs):
        raise ConfigError(
            "tool.metaseal.backend-path",
            f"the inner backend `{module_name}` was loaded from `{origin}`, not from "
            f"`tool.metaseal.backend-path` {list(backend_path)}; PEP 517 requires an in-tree "
            "backend to come from there. Rename the module or fix the path.",
        )
    for part in filter(None, object_path.split(".")):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigError(
                "tool.metaseal.backend",
                f"the inner backend module `{module_name}` has no `{object_path}` (looking up "
                f'`{part}`); fix `tool.metaseal.backend`, which is written "module" or '
                '"module:object".',
            ) from None
    return obj


def _resolved(root: str, entries: tuple[str, ...]) -> list[Path]:
    """``entries`` resolved against ``root`` (pathlib is imported only when there are any)."""
    if not entries:
        return []
    from pathlib import Path

    return [(Path(root) / entry).resolve() for entry in entries]


def _top_level_backend_path(root: str) -> bool:
    from metaseal.sources.toml import TomlProblem, load_toml

    try:
        data = load_toml(os.path.join(root, "pyproject.toml"))
    except (OSError, TomlProblem):
        return False
    table = data.get("build-system")
    return isinstance(table, dict) and "backend-path" in table
