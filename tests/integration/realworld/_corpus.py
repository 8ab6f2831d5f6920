"""The real-world corpus (issue 11, item 8): real sdists from PyPI, wrapped in metaseal.

:func:`load_corpus` reads ``corpus.toml``; :func:`fetch_sdist` downloads one sdist with pip into
a cache shared between runs (``~/.cache/metaseal-tests/sdists``, or ``$METASEAL_TEST_CACHE``) and
checks its sha256; :func:`wrap` unpacks it and makes metaseal its build backend, with the
project's own backend moved to ``[tool.metaseal]``, the way a project adopts metaseal.

The rewrite of ``pyproject.toml`` is textual: only the ``[build-system]`` table is replaced and
a ``[tool.metaseal]`` table appended, so every other byte of the file stays as the project wrote
it; the result is parsed again and compared with the original, so a file the rewrite would
misread fails loudly instead of building something else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib  # noqa: TID251 - metaseal's own modules are not imported here (they move)
else:  # pragma: no cover
    import tomli as tomllib  # noqa: TID251

__all__ = [
    "CORPUS",
    "LEGACY_BACKEND",
    "Project",
    "cache_dir",
    "fetch_sdist",
    "load_corpus",
    "unpack",
    "wrap",
]

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.toml"
#: PEP 517: a project without ``build-system.build-backend`` is built by setuptools' legacy path.
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
#: PEP 518's default ``requires`` for a project without ``[build-system]``.
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
#: pip resolving one sdist (it prepares the sdist's metadata in an isolated environment).
DOWNLOAD_TIMEOUT = 600


@dataclass(frozen=True)
class Project:
    """One ``[[project]]`` of ``corpus.toml``."""

    name: str
    version: str
    sha256: str
    #: The ``build-backend`` the sdist declares; empty for the implied legacy backend.
    backend: str
    family: str
    kind: str
    notes: str

    @property
    def id(self) -> str:
        return f"{self.name}-{self.version}"


def load_corpus(path: Path = CORPUS) -> list[Project]:
    """Every project of ``corpus.toml``, in file order."""
    data = tomllib.loads(path.read_text("utf-8"))
    fields = ("name", "version", "sha256", "backend", "family", "kind", "notes")
    return [Project(**{key: str(entry[key]) for key in fields}) for entry in data["project"]]


def cache_dir() -> Path:
    """Where downloaded sdists are kept between runs (created on demand)."""
    configured = os.environ.get("METASEAL_TEST_CACHE")
    base = Path(configured) if configured else Path.home() / ".cache" / "metaseal-tests"
    path = base / "sdists"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _cached(project: Project, where: Path) -> Path | None:
    """The cached sdist of ``project`` in ``where``, if one with the pinned hash is there."""
    prefix = _canonical(project.name)
    for candidate in sorted(where.iterdir()):
        if not candidate.name.endswith((".tar.gz", ".zip")):
            continue
        stem = candidate.name.rsplit("-", 1)[0]
        if (
            _canonical(stem) == prefix
            and project.version in candidate.name
            and _sha256(candidate) == project.sha256
        ):
            return candidate
    return None


def fetch_sdist(project: Project) -> Path:
    """The sdist of ``project`` from the cache, downloading it with pip first if needed.

    Raises :class:`AssertionError` when the downloaded file's sha256 is not the pinned one.
    """
    where = cache_dir()
    found = _cached(project, where)
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(prefix="metaseal-download-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps"]
        # Only the project itself from source: its build requirements may be wheels.
        command += [
            "--no-binary",
            project.name,
            "--dest",
            tmp,
            f"{project.name}=={project.version}",
        ]
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        env.pop("PIP_REQUIRE_VIRTUALENV", None)
        process = subprocess.run(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=DOWNLOAD_TIMEOUT,
            check=False,
        )
        files = [p for p in Path(tmp).iterdir() if p.name.endswith((".tar.gz", ".zip"))]
        if process.returncode != 0 or len(files) != 1:
            raise RuntimeError(f"pip could not download {project.id}:\n{process.stdout}")
        (downloaded,) = files
        actual = _sha256(downloaded)
        if actual != project.sha256:
            raise AssertionError(
                f"{downloaded.name}: sha256 {actual} is not the pinned {project.sha256} "
                f"(corpus.toml); the file on the index changed or the pin is wrong"
            )
        target = where / downloaded.name
        shutil.move(str(downloaded), target)
        return target


def unpack(sdist: Path, into: Path) -> Path:
    """Unpack ``sdist`` (``.tar.gz`` or ``.zip``) below ``into``; its one top-level directory."""
    into.mkdir(parents=True, exist_ok=True)
    if sdist.name.endswith(".zip"):
        with zipfile.ZipFile(sdist) as archive:
            archive.extractall(into)
    else:
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):
                archive.extractall(into, filter="data")
            else:  # pragma: no cover - Python < 3.10.12 / 3.11.4
                archive.extractall(into)  # pinned by sha256
    (top,) = [p for p in into.iterdir() if p.is_dir()]
    return top


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string for the characters requirements contain.
    return json.dumps(value, ensure_ascii=False)


def _toml_array(values: list[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


#: A table header at the start of a line: ``[name]`` or ``[[name]]`` (comments may follow).
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _table_span(lines: list[str], table: str) -> tuple[int, int] | None:
    """The line range ``[start, end)`` of the table ``table`` (header included), or None."""
    start: int | None = None
    for number, line in enumerate(lines):
        match = _HEADER.match(line)
        if match is None:
            continue
        name = re.sub(r"\s*\.\s*", ".", match.group(1)).replace('"', "")
        if start is None and name == table:
            start = number
        elif start is not None:
            return start, number
    return None if start is None else (start, len(lines))


def wrapped_text(original: str) -> str:
    """``pyproject.toml`` text ``original`` with metaseal as its build backend.

    The original backend goes to ``[tool.metaseal] backend``, a top-level ``backend-path`` to
    ``[tool.metaseal] backend-path``; ``requires`` keeps its entries and gains ``metaseal``.
    """
    data: dict[str, Any] = tomllib.loads(original) if original.strip() else {}
    system = data.get("build-system")
    if isinstance(system, dict) and "build-backend" in system:
        requires = [str(r) for r in system.get("requires", [])]
        backend = str(system["build-backend"])
    elif isinstance(system, dict):
        requires = [str(r) for r in system.get("requires", LEGACY_REQUIRES)]
        backend = LEGACY_BACKEND
    else:
        requires, backend = list(LEGACY_REQUIRES), LEGACY_BACKEND
    backend_path = system.get("backend-path") if isinstance(system, dict) else None
    if "metaseal" in data.get("tool", {}):
        raise ValueError("the project already has a [tool.metaseal] table")
    new_system = [
        "[build-system]",
        f"requires = {_toml_array([*requires, 'metaseal'])}",
        'build-backend = "metaseal"',
        "",
    ]
    settings = ["[tool.metaseal]", f"backend = {_toml_string(backend)}"]
    if backend_path is not None:
        settings.append(f"backend-path = {_toml_array([str(p) for p in backend_path])}")
    lines = original.splitlines()
    span = _table_span(lines, "build-system")
    if system is not None and span is None:
        raise ValueError("[build-system] is not written as a table header; rewrite by hand")
    if span is not None:
        start, end = span
        lines[start:end] = new_system
    else:
        lines = [*new_system, *lines]
    text = "\n".join(lines).rstrip("\n") + "\n\n" + "\n".join(settings) + "\n"
    _check_rewrite(data, tomllib.loads(text), backend, requires, backend_path)
    return text


def _check_rewrite(
    before: dict[str, Any],
    after: dict[str, Any],
    backend: str,
    requires: list[str],
    backend_path: Any,
) -> None:
    """The rewrite changed ``[build-system]`` and added ``[tool.metaseal]``, nothing else."""
    expected = {k: v for k, v in before.items() if k != "build-system"}
    tool = dict(expected.get("tool", {}))
    settings: dict[str, Any] = {"backend": backend}
    if backend_path is not None:
        settings["backend-path"] = backend_path
    tool["metaseal"] = settings
    expected["tool"] = tool
    expected["build-system"] = {
        "requires": [*requires, "metaseal"],
        "build-backend": "metaseal",
    }
    if after != expected:
        raise AssertionError(
            "rewriting pyproject.toml changed more than [build-system] and [tool.metaseal]"
        )


def wrap(project_dir: Path) -> Path:
    """Make metaseal the build backend of the unpacked sdist at ``project_dir`` (in place)."""
    pyproject = project_dir / "pyproject.toml"
    original = pyproject.read_text("utf-8") if pyproject.is_file() else ""
    pyproject.write_text(wrapped_text(original), "utf-8")
    return project_dir
