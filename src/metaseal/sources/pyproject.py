"""Read a ``pyproject.toml``'s ``[project]`` table into a :class:`StaticProject` record.

``[project]`` is turned into core metadata by :mod:`pyproject_metadata` (the mapping is not
written by hand here); :mod:`metaseal.engine.project` compares the result with built files.
"""

from __future__ import annotations

import warnings
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from metaseal.engine.formats import MAX_METADATA_BYTES
from metaseal.engine.model import parse_metadata
from metaseal.engine.project import StaticProject
from metaseal.errors import ArtifactError
from metaseal.sources.toml import TomlProblem, load_toml

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["read_static_project", "static_project"]

_PLACEHOLDER_VERSION = "0"


def read_static_project(path: Path) -> StaticProject:
    """Read ``[project]`` from a pyproject.toml.

    Raise :class:`~metaseal.errors.ArtifactError` if it is unusable.
    """
    label = str(path)
    try:
        data = load_toml(label)
    except FileNotFoundError:
        raise ArtifactError(label, "does not exist; check the path.") from None
    except TomlProblem as exc:
        raise ArtifactError(label, f"{exc}. Fix the file.") from None
    return static_project(data, path)


def static_project(data: Mapping[str, Any], path: Path) -> StaticProject:
    """The :class:`StaticProject` of an already parsed ``pyproject.toml`` found at ``path``.

    ``[project]`` is read by :mod:`pyproject_metadata`; files it names (``readme``,
    ``license-files``) are read relative to ``path``'s directory.
    """

    label = str(path)
    project = data.get("project")
    if not isinstance(project, dict):
        raise ArtifactError(
            label,
            "has no `[project]` table, so it fixes no metadata; name "
            "pyproject.toml only for projects that use PEP 621 metadata.",
        )
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list) or not all(isinstance(k, str) for k in dynamic):
        raise ArtifactError(label, "`project.dynamic` must be a list of key names.")
    version = project.get("version")
    prepared: dict[str, Any] = {**data, "project": dict(project)}
    if "version" in dynamic or version is None:
        prepared["project"]["version"] = _PLACEHOLDER_VERSION
        prepared["project"]["dynamic"] = [k for k in dynamic if k != "version"]
    outside = _file_problems(prepared["project"], path.parent)
    for key, _ in outside:
        prepared["project"].pop(key, None)
    standard, problems = _standard(prepared, path)
    problems[:0] = outside
    return StaticProject(
        label=label,
        name=str(project.get("name", "")),
        version=None if "version" in dynamic else str(version),
        written=frozenset(k for k in project if k != "dynamic"),
        dynamic=frozenset(dynamic),
        metadata=parse_metadata(standard.as_rfc822().as_bytes()),
        allow_dynamic=_allow_dynamic(data),
        people={key: _people(project.get(key)) for key in ("authors", "maintainers")},
        license=_license(project.get("license"), standard.license),
        problems=tuple(problems),
    )


def _file_problems(project: dict[str, Any], root: Path) -> list[tuple[str, str]]:
    """The files ``readme`` and a ``license = {file = ...}`` table name, checked before any is
    read: inside the project directory (after symlinks) and of a size core metadata can hold.

    A file outside is not read (a `pyproject.toml` from an sdist must not make metaseal print
    `/etc/passwd`), and a huge one would exhaust memory; either way the key is left out of the
    comparison and reported, and the backend decides whether it accepts the file.
    """
    named: list[tuple[str, object]] = []
    readme, license_ = project.get("readme"), project.get("license")
    if isinstance(readme, str):
        named.append(("readme", readme))
    elif isinstance(readme, dict):
        named.append(("readme", readme.get("file")))
    if isinstance(license_, dict):
        named.append(("license", license_.get("file")))
    problems = []
    base = root.resolve()
    for key, relative in named:
        if not isinstance(relative, str):
            continue
        target = (root / relative).resolve()
        if PurePath(relative).is_absolute() or (base != target and base not in target.parents):
            problems.append(
                (key, f"`project.{key}` names `{relative}`, outside the project directory.")
            )
            continue
        try:
            size = target.stat().st_size
        except OSError:
            continue  # missing: pyproject-metadata says so
        if size > MAX_METADATA_BYTES:
            limit = f"{MAX_METADATA_BYTES:,}"
            message = f"`project.{key}` names `{relative}` of {size:,} bytes (limit {limit})."
            problems.append((key, message))
    return problems


#: Keys without which nothing can be compared: their problems stay errors.
_ESSENTIAL = frozenset({"name", "version", "dynamic"})


def _standard(prepared: dict[str, Any], path: Path) -> tuple[Any, list[tuple[str, str]]]:
    """pyproject-metadata's reading of ``[project]``, without the keys it rejects.

    The inner backend, not this stricter reader, decides what is valid: a key it rejects is
    left out (and reported as a problem) and the rest of the table is read again. A problem
    with ``name`` or ``version``, or one that names no key, is an error.
    """
    from pyproject_metadata import ConfigurationError, StandardMetadata
    from pyproject_metadata.errors import ExceptionGroup

    problems: list[tuple[str, str]] = []
    for _attempt in range(len(prepared["project"]) + 1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                standard = StandardMetadata.from_pyproject(prepared, path.parent, all_errors=True)
                standard.as_rfc822()
        except (ConfigurationError, ExceptionGroup) as exc:
            found = list(exc.exceptions) if isinstance(exc, ExceptionGroup) else [exc]
            keys = [_key_of(error) for error in found]
            if any(key is None or key in _ESSENTIAL for key in keys):
                raise ArtifactError(
                    str(path),
                    f"`[project]` is not valid PEP 621 metadata: {exc}. Fix the key it names.",
                ) from None
            for key, error in zip(keys, found):
                assert key is not None
                problems.append((key, f"{error}."))
                prepared["project"].pop(key, None)
            continue
        except (ValueError, TypeError, OSError) as exc:
            raise ArtifactError(
                str(path),
                f"`[project]` is not valid PEP 621 metadata: {exc}. Fix the key it names.",
            ) from None
        return standard, problems
    raise ArtifactError(str(path), "`[project]` could not be read as PEP 621 metadata.")


def _key_of(error: BaseException) -> str | None:
    """The ``[project]`` key a pyproject-metadata error names (``project.license``: ``license``)."""
    key = getattr(error, "key", None)
    if not isinstance(key, str) or not key.startswith("project."):
        return None
    return key[len("project.") :].split(".")[0]


def _people(value: object) -> tuple[tuple[str, str], ...]:
    """``authors``/``maintainers`` as written: ``(name, email)`` pairs, either may be empty."""
    if not isinstance(value, list):
        return ()
    return tuple(
        (str(person.get("name", "")), str(person.get("email", "")))
        for person in value
        if isinstance(person, dict)
    )


def _license(value: object, read: object) -> tuple[str, ...]:
    """``project.license`` as written, with the text of a ``{file = ...}`` table."""
    if isinstance(value, str):
        return ("spdx", value)
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return ("text", value["text"])
    if isinstance(value, dict) and isinstance(value.get("file"), str):
        return ("file", value["file"], str(getattr(read, "text", "") or ""))
    return ()


def _allow_dynamic(data: Mapping[str, Any]) -> tuple[str, ...] | None:
    """``tool.metaseal.allow-dynamic`` when it is a list of names (the backend validates it)."""
    tool = data.get("tool")
    table = tool.get("metaseal") if isinstance(tool, dict) else None
    allowed = table.get("allow-dynamic") if isinstance(table, dict) else None
    if isinstance(allowed, list) and all(isinstance(name, str) for name in allowed):
        return tuple(name.strip() for name in allowed)
    return None
