"""``metaseal init``: rewrite a ``pyproject.toml`` so metaseal wraps its build backend.

The rewrite is a function of the file's text (no I/O): ``build-system.build-backend`` becomes
``"metaseal"``, the old backend moves to ``[tool.metaseal] backend``, a ``backend-path`` moves
with it (frontends then look only for metaseal there), and ``build-system.requires`` gains
``metaseal``, or, for a copy of metaseal vendored into the project (``in_tree``), metaseal's own
runtime dependencies and ``backend-path = ["_build"]``. :mod:`tomlkit` keeps every comment and
every untouched line as it was; it is an optional dependency (``metaseal[init]``), imported only
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from metaseal.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "IN_TREE_DIR",
    "LEGACY_BACKEND",
    "LEGACY_REQUIRES",
    "RUNTIME_REQUIRES",
    "Adoption",
    "adopt",
    "import_tomlkit",
]

#: PEP 517's fallback for a project without ``build-backend``.
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
#: ``build-system.requires`` PEP 518 implies for a project without ``[build-system]``.
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
#: What metaseal itself needs at build time; ``build-system.requires`` of an in-tree copy.
RUNTIME_REQUIRES = (
    "packaging>=26.3",
    "pyproject-metadata>=0.12.1",
    "tomli>=1.1; python_version < '3.11'",
)
#: Where ``init --in-tree`` vendors metaseal (``build-system.backend-path``).
IN_TREE_DIR = "_build"
_OURS = ("metaseal", "metaseal.backend")


@dataclass(frozen=True)
class Adoption:
    """The rewritten file, what was wrapped, and whether there was anything to do."""

    text: str
    backend: str
    changed: bool
    #: Already wrapped before (``changed`` is then ``False`` unless ``in_tree`` converted it).
    was_wrapped: bool = False
    #: What the user still has to do by hand (``in_tree``: get ``_build/`` into the sdist).
    notes: tuple[str, ...] = ()


def import_tomlkit() -> Any:
    """:mod:`tomlkit`, or a :class:`~metaseal.errors.UsageError` saying how to install it."""
    try:
        import tomlkit
    except ImportError:
        raise UsageError(
            "`metaseal init` needs tomlkit to rewrite pyproject.toml without losing its comments "
            "and formatting; install it with `pip install 'metaseal[init]'` (or "
            "`pip install tomlkit`)."
        ) from None
    return tomlkit


def _names(requires: Sequence[object]) -> set[str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    names = set()
    for item in requires:
        try:
            names.add(str(canonicalize_name(Requirement(str(item)).name)))
        except ValueError:
            continue
    return names


def _add_requires(table: Any, wanted: Sequence[str], tomlkit: Any) -> None:
    requires = table.get("requires")
    if requires is None:
        requires = tomlkit.array()
        table["requires"] = requires
    elif not isinstance(requires, list):
        raise ConfigError(
            "build-system.requires",
            "`build-system.requires` in pyproject.toml is not an array of requirement strings; "
            'fix it (for example `requires = ["hatchling"]`) and run `metaseal init` again.',
        )
    have = _names(requires)
    for requirement in wanted:
        if next(iter(_names([requirement]))) not in have:
            requires.append(requirement)


def adopt(text: str, *, legacy_setuptools: bool = False, in_tree: bool = False) -> Adoption:
    """Rewrite ``text`` (a pyproject.toml) so metaseal wraps its backend; see the module doc.

    Raises :class:`~metaseal.errors.ConfigError` when the file cannot be wrapped as asked (no
    ``[build-system]`` without ``legacy_setuptools``, a malformed table).
    """
    tomlkit = import_tomlkit()
    try:
        doc = tomlkit.parse(text)
    except Exception as exc:  # tomlkit.exceptions.ParseError and its relatives
        raise ConfigError(
            "pyproject.toml", f"pyproject.toml cannot be read as TOML ({exc}); fix it first."
        ) from None
    build_system = doc.get("build-system")
    if build_system is not None and not hasattr(build_system, "get"):
        raise ConfigError("build-system", "`build-system` in pyproject.toml is not a table.")
    backend = build_system.get("build-backend") if build_system is not None else None
    if backend is not None and not isinstance(backend, str):
        raise ConfigError("build-system.build-backend", "`build-backend` is not a string.")
    if backend is not None and str(backend).strip() in _OURS:
        return _already_wrapped(doc, text, tomlkit, in_tree=in_tree)
    if backend is None:
        if not legacy_setuptools:
            where = "no `[build-system]` table" if build_system is None else "no `build-backend`"
            raise ConfigError(
                "build-system",
                f"pyproject.toml has {where}, so frontends build it with the legacy setuptools "
                f"backend (`{LEGACY_BACKEND}`, PEP 517). Run `metaseal init --legacy-setuptools` "
                "to wrap that backend, or name your backend in `[build-system]` first.",
            )
        if build_system is None:
            build_system = tomlkit.table()
            doc.add("build-system", build_system)
            _add_requires(build_system, LEGACY_REQUIRES, tomlkit)
        backend = LEGACY_BACKEND
    inner = str(backend).strip()
    _add_requires(build_system, RUNTIME_REQUIRES if in_tree else ("metaseal",), tomlkit)
    build_system["build-backend"] = "metaseal"
    inner_path = build_system.get("backend-path")
    if inner_path is not None:
        del build_system["backend-path"]
    if in_tree:
        build_system["backend-path"] = [IN_TREE_DIR]
    settings = _metaseal_table(doc, tomlkit)
    settings["backend"] = inner
    if inner_path is not None:
        settings["backend-path"] = inner_path
    notes = _include_in_sdist(doc, inner, tomlkit) if in_tree else ()
    return Adoption(tomlkit.dumps(doc), inner, changed=True, notes=notes)


def _table_at(doc: Any, keys: Sequence[str], tomlkit: Any) -> Any:
    table = doc
    for key in keys:
        if key not in table:
            table.add(key, tomlkit.table(is_super_table=key != keys[-1]))
        table = table[key]
        if not hasattr(table, "get"):
            raise ConfigError(".".join(keys), f"`{'.'.join(keys)}` is not a table.")
    return table


def _append(table: Any, key: str, value: object, tomlkit: Any) -> None:
    values = table.get(key)
    if values is None:
        values = tomlkit.array()
        table[key] = values
    if value not in values:
        values.append(value)


def _include_in_sdist(doc: Any, inner: str, tomlkit: Any) -> tuple[str, ...]:
    """Make the inner backend put ``_build/`` into the sdist (frontends building a wheel from
    the sdist need the vendored metaseal there); a note where that takes more than TOML."""
    top = inner.partition(":")[0].split(".")[0]
    if top == "pdm":
        _append(
            _table_at(doc, ("tool", "pdm", "build"), tomlkit), "source-includes", "_build/", tomlkit
        )
    elif top == "flit_core":
        _append(_table_at(doc, ("tool", "flit", "sdist"), tomlkit), "include", "_build/", tomlkit)
    elif top == "uv_build":
        table = _table_at(doc, ("tool", "uv", "build-backend"), tomlkit)
        _append(table, "source-include", "_build/**", tomlkit)
    elif top == "hatchling":
        # hatchling puts every file Git does not ignore into the sdist, unless told otherwise.
        sdist = doc.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
        sdist = sdist.get("sdist", {}) if hasattr(sdist, "get") else {}
        for key in ("only-include", "include"):
            if hasattr(sdist, "get") and isinstance(sdist.get(key), list):
                _append(sdist, key, "_build", tomlkit)
    elif top == "poetry":
        table = _table_at(doc, ("tool", "poetry"), tomlkit)
        entry = tomlkit.inline_table()
        entry.update({"path": "_build", "format": "sdist"})
        _append(table, "include", entry, tomlkit)
    elif top == "setuptools":
        return (f"setuptools: add `graft {IN_TREE_DIR}` to MANIFEST.in so the sdist carries it.",)
    else:
        return (
            (
                f"`{inner}`: make sure `{IN_TREE_DIR}/` goes into the sdist (see the backend's "
                "sdist include setting), or wheels built from the sdist cannot find metaseal."
            ),
        )
    return ()


def _metaseal_table(doc: Any, tomlkit: Any) -> Any:
    tool = doc.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        doc.add("tool", tool)
    elif not hasattr(tool, "get"):
        raise ConfigError("tool", "`tool` in pyproject.toml is not a table.")
    table = tool.get("metaseal")
    if table is None:
        table = tomlkit.table()
        tool.add("metaseal", table)
    elif not hasattr(table, "get"):
        raise ConfigError("tool.metaseal", "`tool.metaseal` in pyproject.toml is not a table.")
    return table


def _already_wrapped(doc: Any, text: str, tomlkit: Any, *, in_tree: bool) -> Adoption:
    tool: Any = doc.get("tool")
    settings: Any = tool.get("metaseal") if hasattr(tool, "get") else None
    inner = settings.get("backend") if hasattr(settings, "get") else None
    inner_text = str(inner) if isinstance(inner, str) else "(not set)"
    build_system: Any = doc["build-system"]
    path = build_system.get("backend-path")
    if not in_tree or (isinstance(path, list) and IN_TREE_DIR in [str(p) for p in path]):
        return Adoption(text, inner_text, changed=False, was_wrapped=True)
    # Wrapped with metaseal from an index: vendor it instead.
    if path is not None:
        raise ConfigError(
            "build-system.backend-path",
            f"`build-system.backend-path` is {list(path)}, but metaseal is the build backend: "
            f"move it under `[tool.metaseal]` as `backend-path` and run `metaseal init --in-tree` "
            "again.",
        )
    requires = build_system.get("requires")
    if isinstance(requires, list):
        for index in reversed(range(len(requires))):
            if _names([requires[index]]) == {"metaseal"}:
                del requires[index]
    _add_requires(build_system, RUNTIME_REQUIRES, tomlkit)
    build_system["backend-path"] = [IN_TREE_DIR]
    return Adoption(tomlkit.dumps(doc), inner_text, changed=True, was_wrapped=True)
