"""metaseal: every file of a release carries the same core metadata, or the build fails.

The public Python API is small and lazily imported so that ``import metaseal`` stays cheap
(the build backend lives in this package and must import only the standard library).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

# ``build-backend = "metaseal"``: the PEP 517/660 hooks are attributes of this package, resolved
# lazily (PEP 562) from metaseal.backend, which decides which optional hooks exist.
_HOOKS = frozenset(
    {
        "build_editable",
        "build_sdist",
        "build_wheel",
        "get_requires_for_build_editable",
        "get_requires_for_build_sdist",
        "get_requires_for_build_wheel",
        "prepare_metadata_for_build_editable",
        "prepare_metadata_for_build_wheel",
        "UnsupportedOperation",
    }
)


def __getattr__(name: str) -> object:
    if name in _HOOKS:
        from metaseal import backend

        return getattr(backend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
