"""The PEP 517 / PEP 660 hooks of the metaseal wrapper backend.

Use it in ``pyproject.toml``::

    [build-system]
    requires = ["metaseal", "hatchling"]
    build-backend = "metaseal"          # or "metaseal.backend"

    [tool.metaseal]
    backend = "hatchling.build"         # the real backend: "module" or "module:object"

Every hook runs the real (inner) backend and checks what it built: an sdist against the static
``[project]`` fields and ``allow-dynamic``; a wheel against the sdist's PKG-INFO (when built from
an sdist) or the static ``[project]`` fields (from a source tree), and against the metadata
prepared for it. A file that breaks the seal is deleted and the hook raises
:class:`~metaseal.errors.SealBroken` with a per-field report (``mode = "warn"`` prints it and
keeps the file). Settings are described in :mod:`metaseal.backend.settings`.

The hook surface mirrors the inner backend: ``build_editable``,
``get_requires_for_build_editable`` and ``prepare_metadata_for_build_editable`` exist only when
the inner backend has ``build_editable`` (frontends probe hooks with ``hasattr``), and
``UnsupportedOperation`` is the inner backend's own class when it has one.
``prepare_metadata_for_build_wheel`` always exists: from a sealed sdist it is answered from
PKG-INFO without importing the inner backend (:mod:`metaseal.backend._fastpath`).

Escape hatch: ``METASEAL_ALLOW_BROKEN_SEAL=1`` in the environment turns every seal violation
(and every unknown settings key) into a loud warning and keeps the file. It exists for Linux
distributions and others who rebuild a patched sdist on purpose; never set it in a project's
own CI.

This module imports only the standard library; hooks import the rest when they run.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~3 ms per hook call
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    T = TypeVar("T")

__all__ = [
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_wheel",
]


def _plainly(step: Callable[..., T], *args: Any) -> T:
    """Run one step of a hook. A metaseal error (a refused file, bad settings, an invalid file
    from the inner backend) ends the hook process with its message on stderr and exit code 1,
    and no traceback: it is a finding about the project, not a crash. Anything else is a bug
    and keeps its traceback."""
    from metaseal.errors import MetasealError, SealBroken, escape_controls

    try:
        return step(*args)
    except MetasealError as exc:
        import sys

        text = str(exc) if isinstance(exc, SealBroken) else f"metaseal: error: {exc}"
        text = escape_controls(text)
        print(text, file=sys.stderr, flush=True)  # noqa: T201 - how a hook tells its frontend
        raise SystemExit(1) from None


def get_requires_for_build_sdist(config_settings: dict[str, Any] | None = None) -> list[str]:
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.get_requires, "get_requires_for_build_sdist", config_settings)


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.get_requires, "get_requires_for_build_wheel", config_settings)


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    from metaseal.backend import _fastpath

    answer = _fastpath.prepare(metadata_directory)
    if answer is not None:
        return answer
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.prepare_metadata, metadata_directory, config_settings, "wheel")


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.build, "sdist", sdist_directory, config_settings)


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.build, "wheel", wheel_directory, config_settings, metadata_directory)


def _get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.get_requires, "get_requires_for_build_editable", config_settings)


def _prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.prepare_metadata, metadata_directory, config_settings, "editable")


def _build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    from metaseal.backend import _lifecycle as _proxy

    return _plainly(_proxy.build, "editable", wheel_directory, config_settings, metadata_directory)


_EDITABLE_HOOKS = {
    "build_editable": _build_editable,
    "get_requires_for_build_editable": _get_requires_for_build_editable,
    "prepare_metadata_for_build_editable": _prepare_metadata_for_build_editable,
}
for _name, _hook in _EDITABLE_HOOKS.items():
    _hook.__name__ = _hook.__qualname__ = _name
del _name, _hook


def __getattr__(name: str) -> Any:
    """PEP 562: the optional hooks, present only when the inner backend has them."""
    if name == "UnsupportedOperation":
        from metaseal.backend import _lifecycle as _proxy

        inner = _plainly(_proxy.inner_attribute, name)
        if inner is not None:
            return inner
    elif name in _EDITABLE_HOOKS:
        from metaseal.backend import _lifecycle as _proxy

        if _plainly(_proxy.inner_attribute, "build_editable") is not None:
            return _EDITABLE_HOOKS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
