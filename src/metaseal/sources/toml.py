"""Read a ``pyproject.toml`` with bounded size and nesting (standard library only).

The build backend and the readers both parse ``pyproject.toml``; a hostile one (deep nesting
that exhausts the parser's recursion, or gigabytes of text) must give one clear message.
"""

# pathlib is avoided on purpose: this module is on the build backend's hook path.
# ruff: noqa: PTH123

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (the backend's hook path)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["MAX_PYPROJECT_BYTES", "TomlProblem", "load_toml", "parse_toml"]

#: Largest ``pyproject.toml`` read (real ones are a few KiB; the largest known, tens of KiB).
MAX_PYPROJECT_BYTES = 4 * 1024 * 1024


class TomlProblem(ValueError):
    """The file cannot be used; ``str()`` says why, without the path (callers add it)."""


def load_toml(path: str, parse: Callable[[bytes], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Parse the TOML file at ``path``; raise :class:`FileNotFoundError` or :class:`TomlProblem`.

    ``parse`` (default :func:`parse_toml`) turns the file's bytes into the table: the build
    backend passes one that remembers what it parsed (:mod:`metaseal.backend._memo`).
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_PYPROJECT_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise TomlProblem(f"cannot be read ({exc.strerror})") from None
    if len(data) > MAX_PYPROJECT_BYTES:
        raise TomlProblem(
            f"is larger than {MAX_PYPROJECT_BYTES:,} bytes; a pyproject.toml is a few KiB"
        )
    return (parse or parse_toml)(data)


def parse_toml(data: bytes) -> dict[str, Any]:
    """The table of a TOML document; raise :class:`TomlProblem`. The TOML reader (``typing``
    and ``datetime`` come with it) is imported on the first call only."""
    from metaseal._compat import tomllib

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise TomlProblem(f"is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TomlProblem(f"cannot be read as TOML ({exc})") from None
    except RecursionError:
        raise TomlProblem(
            "nests arrays or tables too deeply to be read; a pyproject.toml nests a few levels"
        ) from None
