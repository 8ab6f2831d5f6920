"""The settings of the wrapper build backend: one frozen model, three sources.

:class:`Settings` is the single source of truth. Each field carries an :class:`Option` in its
``metadata`` (its documentation, its value kind and the sources allowed to set it); the loader
below, the JSON schema (:mod:`metaseal.backend.schema`) and the docs are all derived from it.

Sources, highest precedence first:

1. environment variables ``METASEAL_<KEY>`` (``KEY`` upper case, ``-`` becomes ``_``);
2. config-settings ``metaseal.<key>`` (``-Cmetaseal.mode=warn``); metaseal consumes these and
   forwards every other config-setting to the inner backend untouched;
3. the ``[tool.metaseal]`` table of ``pyproject.toml``.

Unknown keys in any source are a :class:`~metaseal.errors.ConfigError` naming the source and
the key path, with a "did you mean" suggestion. Strings from config-settings and the
environment are parsed: booleans accept ``1/0``, ``true/false``, ``yes/no``, ``on/off``; lists
are comma-separated (repeated ``-C`` options also make a list).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping

from metaseal.engine.formats import NEVER_DYNAMIC
from metaseal.errors import ConfigError

TYPE_CHECKING = False  # typing is not imported at run time: every hook call loads this module
if TYPE_CHECKING:
    from collections.abc import Iterator
    from os import PathLike
    from typing import Any, Literal

__all__ = [
    "ENV_PREFIX",
    "Loaded",
    "Option",
    "Settings",
    "Source",
    "load_settings",
    "options",
]

ENV_PREFIX = "METASEAL_"
CONF_PREFIX = "metaseal."
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_IDENT}(\.{_IDENT})*"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class Source(str, enum.Enum):
    """Where a setting can come from."""

    PYPROJECT = "pyproject.toml"
    CONFIG_SETTINGS = "config-settings"
    ENV = "environment"


_ALL_SOURCES = frozenset(Source)


class Option:
    """What the model says about one setting: its default, documentation, value kind and the
    sources allowed to set it."""

    __slots__ = (
        "choices",
        "default",
        "doc",
        "example",
        "kind",
        "pattern",
        "required",
        "sources",
        "why_not",
    )

    def __init__(
        self,
        *,
        doc: str,
        kind: Literal["str", "bool", "list", "choice"],
        default: object = None,
        choices: tuple[str, ...] = (),
        sources: frozenset[Source] = _ALL_SOURCES,
        required: bool = False,
        why_not: str = "",
        pattern: str = "",
        example: object = None,
    ) -> None:
        self.doc = doc
        self.kind = kind
        #: The value when no source sets it (meaningless when ``required``).
        self.default = default
        self.choices = choices
        self.sources = sources
        self.required = required
        #: Why a source is not allowed, for the error message.
        self.why_not = why_not
        #: A regular expression a string value must match in full (Python and JSON-schema).
        self.pattern = pattern
        self.example = example


_PROBED = (
    "the hooks a frontend sees are decided before it passes config-settings, so the inner "
    "backend cannot be chosen there"
)


#: The settings, in model order: attribute -> :class:`Option`.
_MODEL: dict[str, Option] = {
    "backend": Option(
        doc='The real build backend, as "module" or "module:object" (PEP 517 syntax).',
        kind="str",
        required=True,
        sources=frozenset({Source.PYPROJECT, Source.ENV}),
        why_not=_PROBED,
        pattern=rf"^{_DOTTED}(:{_DOTTED})?$",
        example="hatchling.build",
    ),
    "backend_path": Option(
        default=(),
        doc="Directories (relative, inside the source tree) the inner backend is loaded "
        "from, like PEP 517's build-system.backend-path.",
        kind="list",
        sources=frozenset({Source.PYPROJECT, Source.ENV}),
        why_not=_PROBED,
        example=["_build"],
    ),
    "mode": Option(
        default="error",
        doc='"error": a distribution that breaks the seal is deleted and the build fails. '
        '"warn": the report is printed and the distribution is kept.',
        kind="choice",
        choices=("error", "warn"),
    ),
    "strict": Option(
        default=False,
        doc="Warnings break the seal too, not only errors.",
        kind="bool",
    ),
    "allow_dynamic": Option(
        default=None,
        doc="Core metadata fields the sdist may declare Dynamic (case-insensitive). "
        "[] means fully static; unset means whatever the backend declares.",
        kind="list",
        example=["Requires-Dist"],
    ),
    "seal_old_sdists": Option(
        default=True,
        doc="When the inner backend writes an sdist as Metadata-Version 2.1 (pdm-backend and "
        "meson-python do unless a newer field needs more), rewrite its PKG-INFO as 2.2 with "
        "`Dynamic` for every field `project.dynamic` declares, so the sdist promises what "
        "its wheels keep (PEP 643) and resolvers can trust it without building it. The "
        "archive is repacked reproducibly. false keeps the backend's sdist as written.",
        kind="bool",
    ),
    "verdict_cache": Option(
        default="",
        doc="Where the verdicts on sdists that were kept (with their warnings) are "
        "remembered, so that an sdist built again from an unchanged project is not checked "
        "again (a digest of every input of the check names each entry). An absolute "
        "directory (a relative one turns the memo off), or 0/false/no/off to check every "
        "build; unset: `metaseal/verdicts` in the user cache directory. The directory must "
        "belong to the user and be writable by nobody else, or it is not used.",
        kind="str",
        sources=frozenset({Source.CONFIG_SETTINGS, Source.ENV}),
        why_not="where verdicts are cached concerns the machine that builds, not the project",
        example="off",
    ),
    "check_ahead": Option(
        default=True,
        doc="When the memo cannot answer, on Linux with 2+ usable CPUs and a single-threaded "
        "hook process: fork a checker that imports the seal check while the inner backend "
        "builds. Only a verdict that keeps the file (with its messages) is taken from it, "
        "and only when it ran the code the hook process would run; anything else is checked "
        "again in the hook process. false: check after the build, in the hook process.",
        kind="bool",
        sources=frozenset({Source.CONFIG_SETTINGS, Source.ENV}),
        why_not="how the check is scheduled concerns the machine that builds, not the project",
        example="false",
    ),
    "allow_broken_seal": Option(
        default=False,
        doc="Escape hatch for rebuilding patched sdists: every seal violation becomes a "
        "loud warning and the distribution is kept. Environment only.",
        kind="bool",
        sources=frozenset({Source.ENV}),
        why_not="it is an escape hatch for whoever runs the build, not project policy",
    ),
}


class Settings:
    """The settings of one build (``[tool.metaseal]`` and its overrides), immutable.

    A plain class, not a dataclass: every hook call loads this module, and ``dataclasses``
    imports ``inspect`` (several milliseconds on a build whose inner backend imports neither).
    """

    __slots__ = (
        "allow_broken_seal",
        "allow_dynamic",
        "backend",
        "backend_path",
        "check_ahead",
        "mode",
        "seal_old_sdists",
        "strict",
        "verdict_cache",
    )

    backend: str
    backend_path: tuple[str, ...]
    mode: str
    strict: bool
    allow_dynamic: tuple[str, ...] | None
    seal_old_sdists: bool
    verdict_cache: str
    check_ahead: bool
    allow_broken_seal: bool

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(_MODEL))
        if unknown:
            raise TypeError(f"unknown settings {unknown}")
        for attr, opt in _MODEL.items():
            if opt.required and attr not in values:
                raise TypeError(f"the setting {attr!r} is required")
            object.__setattr__(self, attr, values.get(attr, opt.default))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"settings are immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"settings are immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, tuple[dict[str, object]]]:
        """Pickle and copy through the constructor (``__setattr__`` refuses the default way)."""
        return (_settings, (dict(zip(_MODEL, self._values())),))

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, attr) for attr in _MODEL)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{attr}={getattr(self, attr)!r}" for attr in _MODEL)
        return f"Settings({shown})"


def _settings(values: dict[str, object]) -> Settings:
    return Settings(**values)


def options() -> Iterator[tuple[str, str, Option]]:
    """Yield ``(attribute, key, option)`` for every setting, in model order."""
    for attr, opt in _MODEL.items():
        yield attr, attr.replace("_", "-"), opt


def _option(attr: str) -> Option:
    return next(opt for name, _, opt in options() if name == attr)


def key_path(source: Source, key: str) -> str:
    """How a key is spelled in ``source``, for messages."""
    if source is Source.PYPROJECT:
        return f"tool.metaseal.{key}"
    if source is Source.CONFIG_SETTINGS:
        return f"{CONF_PREFIX}{key}"
    return ENV_PREFIX + key.upper().replace("-", "_")


class Loaded:
    """The result of :func:`load_settings`."""

    __slots__ = (
        "demoted",
        "forwarded",
        "settings",
    )

    def __init__(
        self,
        settings: Settings,
        forwarded: dict[str, Any] | None,
        demoted: tuple[str, ...] = (),
    ) -> None:
        self.settings = settings
        #: The config-settings for the inner backend: everything but the ``metaseal.*`` keys.
        self.forwarded = forwarded
        #: Problems demoted to warnings by ``METASEAL_ALLOW_BROKEN_SEAL``.
        self.demoted = demoted


class _Merge:
    """Accumulates values (with the source each came from) and problems, source by source."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.origins: dict[str, Source] = {}
        self.errors: list[tuple[str, str]] = []
        self.unknown: list[tuple[str, str]] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append((key, message))

    def where(self, attr: str) -> str:
        """The key path of the source that set ``attr`` (pyproject when unset)."""
        return key_path(self.origins.get(attr, Source.PYPROJECT), attr.replace("_", "-"))

    def read(self, source: Source, given: Mapping[str, Any]) -> None:
        known = {key: (attr, opt) for attr, key, opt in options()}
        for key, raw in given.items():
            path = key_path(source, key)
            if key not in known:
                self.unknown.append((path, _unknown_message(source, key, known)))
                continue
            attr, opt = known[key]
            if source not in opt.sources:
                allowed = " or ".join(f"`{key_path(s, key)}`" for s in Source if s in opt.sources)
                self.error(
                    path, f"`{path}` cannot be set in {source.value}: {opt.why_not}; use {allowed}."
                )
                continue
            try:
                self.values[attr] = _convert(opt, raw, from_text=source is not Source.PYPROJECT)
            except (TypeError, ValueError) as exc:
                self.error(path, f"`{path}` in {source.value} {exc}.")
            else:
                self.origins[attr] = source


def load_settings(
    pyproject: Mapping[str, Any],
    config_settings: Mapping[str, Any] | None,
    environ: Mapping[str, str],
    *,
    root: str | PathLike[str],
) -> Loaded:
    """Merge the three sources into :class:`Settings`; raise one ConfigError listing all problems.

    ``pyproject`` is the parsed ``pyproject.toml``; ``root`` the source tree (``backend-path``
    entries must resolve inside it).
    """
    merge = _Merge()
    table = _tool_table(pyproject, merge)
    conf, forwarded = _split_config_settings(config_settings, merge)
    env = {
        name[len(ENV_PREFIX) :].lower().replace("_", "-"): value
        for name, value in environ.items()
        if name.startswith(ENV_PREFIX)
    }
    merge.read(Source.PYPROJECT, table)
    merge.read(Source.CONFIG_SETTINGS, conf)
    merge.read(Source.ENV, env)

    hatch = merge.values.get("allow_broken_seal", False) is True
    demoted = tuple(message for _, message in merge.unknown) if hatch else ()
    if not hatch:
        merge.errors[:0] = merge.unknown
    _check_values(merge, root)
    if merge.errors:
        body = "\n".join(f"- {message}" for _, message in merge.errors)
        raise ConfigError(merge.errors[0][0], f"metaseal settings are invalid:\n{body}")
    return Loaded(Settings(**merge.values), forwarded, demoted)


def _tool_table(pyproject: Mapping[str, Any], merge: _Merge) -> Mapping[str, Any]:
    tool = pyproject.get("tool", {})
    table = tool.get("metaseal", {}) if isinstance(tool, Mapping) else {}
    if not isinstance(table, Mapping):
        merge.error("tool.metaseal", "`tool.metaseal` in pyproject.toml must be a table.")
        return {}
    return table


def _split_config_settings(
    config_settings: Mapping[str, Any] | None, merge: _Merge
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Take the ``metaseal.*`` keys (and a ``metaseal`` table from JSON); forward the rest."""
    if config_settings is None:
        return {}, None
    mine: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in config_settings.items():
        if key.startswith(CONF_PREFIX):
            mine[key[len(CONF_PREFIX) :]] = value
        elif key == "metaseal":
            if isinstance(value, Mapping):
                mine.update(value)
            else:
                merge.error("metaseal", "config-setting `metaseal` must be a table of settings.")
        else:
            rest[key] = value
    return mine, rest


def _unknown_message(source: Source, key: str, known: Mapping[str, Any]) -> str:
    import difflib

    path = key_path(source, key)
    candidates = [k for k, (_, opt) in known.items() if source in opt.sources]
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.6)
    hint = (
        "did you mean " + " or ".join(f"`{key_path(source, c)}`" for c in close) + "?"
        if close
        else "known keys: " + ", ".join(f"`{key_path(source, c)}`" for c in candidates) + "."
    )
    return f"unknown setting `{path}` in {source.value}; {hint}"


def _convert(opt: Option, raw: Any, *, from_text: bool) -> Any:
    if opt.kind == "bool":
        if isinstance(raw, bool):
            return raw
        if from_text and isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise TypeError(f"must be a boolean (true or false), not {raw!r}")
    if opt.kind == "list":
        if from_text and isinstance(raw, str):
            raw = [part.strip() for part in raw.split(",") if part.strip()]
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return tuple(raw)
        raise TypeError(f"must be a list of strings, not {raw!r}")
    if not isinstance(raw, str):
        raise TypeError(f"must be a string, not {raw!r}")
    if opt.kind == "choice" and raw not in opt.choices:
        choices = ", ".join(f'"{c}"' for c in opt.choices)
        raise ValueError(f"must be one of {choices}, not {raw!r}")
    return raw


def _plain_backend(text: str) -> bool:
    """``module`` or ``module:object`` of ASCII identifiers: the common case of the ``backend``
    pattern, decided without compiling it (this runs on every hook call)."""
    module, colon, attribute = text.partition(":")
    parts = module.split(".") + (attribute.split(".") if colon else [])
    return text.isascii() and all(part.isidentifier() for part in parts)


def _check_values(merge: _Merge, root: str | PathLike[str]) -> None:
    values, where = merge.values, merge.where
    backend = values.get("backend")
    if backend is None:
        merge.error(
            where("backend"),
            "`tool.metaseal.backend` is required: name the real build backend in pyproject.toml, "
            'for example `backend = "hatchling.build"`.',
        )
    elif not _plain_backend(backend) and not re.fullmatch(_option("backend").pattern, backend):
        merge.error(
            where("backend"),
            f'`{where("backend")}` must be "module" or "module:object", not {backend!r}.',
        )
    elif backend.partition(":")[0].split(".")[0] == "metaseal":
        merge.error(
            where("backend"),
            f"`{where('backend')}` names metaseal itself; name the real build backend.",
        )
    for entry in values.get("backend_path", ()):
        problem = _backend_path_problem(entry, root)
        if problem:
            merge.error(
                where("backend_path"), f"`{where('backend_path')}` entry {entry!r} {problem}."
            )
    allow = values.get("allow_dynamic")
    if allow is not None:
        values["allow_dynamic"] = tuple(name.strip() for name in allow)
        for name in values["allow_dynamic"]:
            if name.lower() in NEVER_DYNAMIC or not name:
                merge.error(
                    where("allow_dynamic"),
                    f"`{where('allow_dynamic')}` cannot contain {name!r}: Name, Version and "
                    "Metadata-Version are never Dynamic.",
                )


def _backend_path_problem(entry: str, root: str | PathLike[str]) -> str:
    """PEP 517 rules: relative, and inside the source tree after resolving symlinks."""
    from pathlib import Path, PurePath  # only an in-tree backend pays for pathlib

    if not entry or PurePath(entry).is_absolute():
        return "must be a relative path (PEP 517)"
    real_root = Path(root).resolve()
    real = (real_root / entry).resolve()
    if real != real_root and real_root not in real.parents:
        return "must resolve inside the source tree (PEP 517)"
    if not real.is_dir():
        return "is not a directory"
    return ""
