"""A memo of clean sdist verdicts: the ``[project]`` check once per project state.

Checking a built sdist against the static ``[project]`` table needs the checking engine,
pyproject-metadata and packaging: about 50 ms of imports per build on a slow machine, more than
uv-build takes to build the whole sdist. The verdict is a pure function of what the engine reads,
so a verdict that kept the file is remembered, with the warnings it printed, under a SHA-256
digest of all of it:

- the sdist's file name, the name, type and link target of every member (the layout rules
  read nothing else of them), the size and sparseness of every ``PKG-INFO`` member, and the
  bytes of every ``PKG-INFO`` copy, read by the same one-pass reader the engine uses
  (:mod:`metaseal.sources.sdist_layout`), so a damaged archive is refused either way. The
  contents of the project's other files are not part of the key: an edited module (no file
  added, removed or renamed) finds the verdict again;
- ``pyproject.toml``'s bytes, and the resolved path and bytes of every file ``[project]`` names
  (``readme``, a ``license = {file = ...}`` table, the ``license-files`` matches);
- ``allow-dynamic`` and ``strict`` as finally set (config-settings and the environment included);
- the code that judges and the code that built: the Python version, the size and modification
  time of every module of metaseal, packaging, pyproject-metadata and tomli (when installed),
  and of the inner backend's module file (its version is named in the warnings).

On a hit the engine is not imported: the remembered warnings are printed again and the sdist is
published as the verdict published it. A refusal, or a file kept only because of ``mode =
"warn"`` or the escape hatch, is never remembered: it is decided afresh. A digest names a file in
the memo directory (see :func:`directory`) holding the warnings (empty for a clean verdict);
when the directory cannot be read or written, the engine runs, as without a memo.
``METASEAL_VERDICT_CACHE=0`` turns the memo off.

Standard library only, like the rest of the backend's hook path.
"""

# pathlib is avoided here, as in _fastpath: this runs on every sdist build.
# ruff: noqa: PTH100, PTH103, PTH105, PTH107, PTH111, PTH116, PTH117, PTH118, PTH119
# ruff: noqa: PTH113, PTH120, PTH123, PTH208

from __future__ import annotations

import functools
import os
import re
import sys

try:  # CPython's own SHA-256, without loading OpenSSL (2 ms) as `import hashlib` does
    if sys.version_info >= (3, 12):
        from _sha2 import sha256 as _sha256
    else:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - a Python built without its own hash modules
    from hashlib import sha256 as _sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    import tarfile
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = [
    "MAX_ENTRIES",
    "checked_before",
    "directory",
    "early_setting",
    "entry",
    "key",
    "mark",
    "parsed_toml",
    "recall",
    "remember",
]

_FORMAT = b"metaseal-verdict-memo 1\n"
_TOML = b"metaseal-parsed-toml marshal 1\n"
#: The names of the memo's own files: verdicts, parsed tables, and partial writes.
_ENTRY = r"(toml-|seen-)?[0-9a-f]{64}"  # compiled when pruning: not on every hook call
_PART = ".part-"
_OFF = frozenset({"0", "false", "no", "off"})
#: Entries kept; beyond this the oldest half is removed when a new one is written.
MAX_ENTRIES = 4096
#: Most bytes of one file ``[project]`` names that are hashed; a larger file disables the memo
#: (the engine refuses to read it too).
_MAX_FILE = 16 * 1024 * 1024
#: Most files the ``license-files`` patterns may match before the memo gives up.
_MAX_MATCHES = 1000


def early_setting(config_settings: Mapping[str, Any] | None) -> str:
    """``verdict-cache`` as the settings loader will read it (the environment first, then
    config-settings), before ``pyproject.toml`` is parsed; an unusable value reads as off
    (the loader then reports it)."""
    value: object = os.environ.get("METASEAL_VERDICT_CACHE")
    if value is None and config_settings:
        table = config_settings.get("metaseal")
        value = config_settings.get("metaseal.verdict-cache")
        if value is None and isinstance(table, dict):
            value = table.get("verdict-cache")
    return value if isinstance(value, str) else ("" if value is None else "off")


def parsed_toml(
    where: str | None, data: bytes, parse: Callable[[bytes], dict[str, Any]]
) -> dict[str, Any]:
    """``parse(data)``, remembered in the memo directory under a digest of the bytes and the
    parsing code, so that the later hook calls of a build do not import the TOML reader
    (``typing`` and ``datetime`` come with it). The table is stored with :mod:`marshal`, which
    is built into the interpreter (``json`` costs a light inner backend a millisecond per hook
    call) and keeps every type a TOML table holds apart from dates; the digest covers Python's
    version, so the format always matches the reader, and each entry starts with the SHA-256
    of its own bytes, so a damaged one is parsed again rather than loaded. A table that does
    not come back equal (a date, NaN) is parsed every time."""
    import marshal

    if where is None or not _private(where):
        return parse(data)
    try:
        path = os.path.join(where, "toml-" + _sha256(_TOML + _parser() + data).hexdigest())
    except (OSError, LookupError):
        return parse(data)
    try:
        with open(path, "rb") as file:
            stored = file.read(_MAX_FILE)
        check, blob = stored[:32], stored[32:]
        if check == _sha256(blob).digest():
            remembered = marshal.loads(blob)
            if type(remembered) is dict:
                return remembered
    except (OSError, EOFError, ValueError, TypeError, MemoryError):
        pass  # absent or unreadable: parse (and remember) again
    table = parse(data)
    try:
        blob = marshal.dumps(table)
        if marshal.loads(blob) == table:
            _write(where, path, _sha256(blob).digest() + blob)
    except (ValueError, EOFError, TypeError, RecursionError):
        pass  # not marshallable (a date, or nested too deep), or not equal again (NaN)
    return table


def directory(setting: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """Where verdicts are remembered: the ``verdict-cache`` setting when it names an absolute
    directory (``~`` expanded), ``None`` when it turns the memo off or is relative, else the
    platform's user cache directory."""
    value = setting.strip()
    if value.lower() in _OFF:
        return None
    if value:
        # Hooks run in the source tree or in an unpacked sdist: a relative directory would
        # scatter memos there, so only an absolute one is used.
        value = os.path.expanduser(value)
        return os.path.normpath(value) if os.path.isabs(value) else None
    if sys.platform == "win32":
        base = environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
        return os.path.join(base, "metaseal", "Cache", "verdicts")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/metaseal/verdicts")
    base = environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.expanduser("~/.cache")
    if not os.path.isabs(base):
        return None  # no home directory to speak of
    return os.path.join(base, "metaseal", "verdicts")


@functools.cache
def _code() -> bytes:
    """What identifies the judging code: Python, the files of metaseal a build needs (those
    ``init --in-tree`` vendors: not the command line, index or scan code), and every module
    file of packaging, pyproject-metadata and tomli (when installed: Python 3.11+ reads TOML
    with tomllib)."""
    from metaseal.backend._vendored import vendored_files

    metaseal = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = [os.path.join(metaseal, *rel.split("/")) for rel in vendored_files(metaseal)]
    return _fingerprint([sys.version], files, ["packaging", "pyproject_metadata", "tomli?"])


def _fingerprint(lines: list[str], files: list[str], packages: list[str]) -> bytes:
    """``lines``, then the size and modification time of each of ``files`` and of every module
    file of ``packages``; a package ending in ``?`` may be missing, any other raises
    :class:`LookupError`, as does a package without module files to stat (a zip, bytecode
    only). A package already imported is found where it was imported from, any other as
    ``import`` would find it (every finder of ``sys.meta_path``, an editable install's
    included): :func:`importlib.util.find_spec`."""
    import importlib.util

    files = list(files)
    for entry in packages:
        name, optional = entry.rstrip("?"), entry.endswith("?")
        try:
            spec = importlib.util.find_spec(name)
        except Exception:  # a broken finder, a module without a spec: no fingerprint, no memo
            spec = None
        locations = spec.submodule_search_locations if spec is not None else None
        if not locations:
            if optional:
                continue
            raise LookupError(name)
        found = []
        for root in locations:
            for folder, dirs, names in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                found += [os.path.join(folder, f) for f in sorted(names) if f.endswith(".py")]
        if not found:
            raise LookupError(name)
        files += found
    for path in files:
        info = os.stat(path)
        lines.append(f"{path} {info.st_size} {info.st_mtime_ns}")
    return "\n".join(lines).encode()


@functools.cache
def _parser() -> bytes:
    """What identifies the TOML reader: Python (tomllib), or also tomli's module files."""
    if sys.version_info >= (3, 11):
        return sys.version.encode()
    return _fingerprint([sys.version], [], ["tomli"])


def _file(digest: Any, root: str, relative: object) -> None:
    """Feed the resolved path and the bytes of one file ``[project]`` names: only a regular
    file inside the project is read (the engine reports any other and does not read it)."""
    if not isinstance(relative, str):
        digest.update(b"-\n")
        return
    path = os.path.realpath(os.path.join(root, relative))
    digest.update(f"{relative!r} {path!r}\n".encode())
    if os.path.isabs(relative) or os.path.commonpath([root, path]) != root:
        digest.update(b"outside\n")
        return
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            digest.update(b"not a regular file\n")  # a FIFO would block the read
            return
        with open(path, "rb") as file:
            data = file.read(_MAX_FILE + 1)
    except OSError as exc:
        digest.update(f"unreadable {exc.errno}\n".encode())
        return
    if len(data) > _MAX_FILE:
        raise ValueError(path)
    digest.update(f"{len(data)}\n".encode() + data)


def _project_files(digest: Any, root: str, project: Mapping[str, Any]) -> None:
    readme, license_ = project.get("readme"), project.get("license")
    _file(digest, root, readme.get("file") if isinstance(readme, dict) else readme)
    _file(digest, root, license_.get("file") if isinstance(license_, dict) else None)
    patterns = project.get("license-files")
    if not isinstance(patterns, list):
        digest.update(f"license-files {patterns!r}\n".encode())
        return
    from pathlib import Path  # as pyproject-metadata matches them

    matched = 0
    for pattern in patterns:
        digest.update(f"pattern {pattern!r}\n".encode())
        if not isinstance(pattern, str) or not pattern or _outside(pattern):
            continue  # pyproject-metadata rejects it before matching anything
        # Only the names count: the files become License-File entries, their text is not read.
        for found in sorted(str(p) for p in Path(root).glob(pattern) if p.is_file()):
            matched += 1
            if matched > _MAX_MATCHES:
                raise ValueError(pattern)
            digest.update(f"match {os.path.relpath(found, root)!r}\n".encode())


def _outside(pattern: str) -> bool:
    """pyproject-metadata's test for a ``license-files`` pattern it rejects unmatched: absolute,
    or with ``..``, read as a POSIX or as a Windows path."""
    from pathlib import PurePosixPath, PureWindowsPath

    posix, windows = PurePosixPath(pattern), PureWindowsPath(pattern)
    return (
        posix.is_absolute() or windows.is_absolute() or ".." in posix.parts or ".." in windows.parts
    )


def key(
    root: str,
    parsed: tuple[bytes, Mapping[str, Any]],
    judged: tuple[object, ...],
    sdist: str,
) -> tuple[str, bytes] | None:
    """The digest of every input of the sdist check and the sdist's ``PKG-INFO``; ``None``
    when an input cannot be read (the engine then runs and explains). ``parsed`` is
    ``pyproject.toml`` as the hook read it: its bytes and its table. ``judged`` holds the
    settings the verdict depends on and the inner backend's module file."""
    from metaseal.errors import ArtifactError
    from metaseal.sources.sdist_layout import Layout, tar_pkg_info

    digest = _sha256(_FORMAT)

    def seen(info: tarfile.TarInfo) -> None:
        # What the check reads of a member: its name, type and link target (the layout), and
        # for a PKG-INFO (any name that could be one) its size and sparseness too. No other
        # member's size or bytes matter, so editing a module of the project without adding or
        # removing files finds the verdict again.
        facts: tuple[object, ...] = (info.name, info.type, info.linkname)
        if "PKG-INFO" in info.name:
            facts += (info.size, info.sparse is not None)
        digest.update(repr(facts).encode() + b"\n")

    try:
        code = _code()
        digest.update(f"code {len(code)}\n".encode() + code)
        digest.update(f"\n{os.path.basename(sdist)!r} {judged!r}\n".encode())
        module = judged[-1]
        if isinstance(module, str):
            info = os.stat(module)
            digest.update(f"{info.st_size} {info.st_mtime_ns}\n".encode())
        root = os.path.realpath(root)  # what "inside the project" is judged against
        text, table = parsed
        digest.update(f"root {root!r}\npyproject.toml {len(text)}\n".encode() + text)
        project = table.get("project")
        if isinstance(project, dict):
            _project_files(digest, root, project)
        data, _, copies = tar_pkg_info(sdist, sdist, Layout(sdist), seen)  # type: ignore[arg-type]
    except (OSError, ValueError, LookupError, RuntimeError, ArtifactError):
        return None  # RuntimeError: pathlib's NotImplementedError, RecursionError
    for copy in (*copies, data):
        digest.update(f"\n--PKG-INFO {len(copy)}\n".encode() + copy)
    return digest.hexdigest(), data


def entry(
    setting: str,
    root: str,
    parsed: tuple[bytes, Mapping[str, Any]],
    judged: tuple[object, ...],
    sdist: str,
) -> tuple[str, str] | None:
    """Where and under which digest the verdict on a built ``sdist`` is remembered; ``None``
    without a memo, or for an unsealed sdist (its warning is printed on every build)."""
    from metaseal.engine.formats import is_sealed, metadata_version

    where = directory(setting)
    if where is None or not _private(where):
        return None
    found = key(root, parsed, judged, sdist)
    if found is None or not is_sealed(metadata_version(found[1])):
        return None
    return where, found[0]


def _seen(where: str, root: str, pyproject: bytes) -> str:
    state = f"{os.path.realpath(root)!r}\n".encode() + pyproject
    return os.path.join(where, "seen-" + _sha256(_FORMAT + state).hexdigest())


def checked_before(setting: str, root: str, pyproject: bytes) -> bool:
    """Whether a verdict on an sdist built from this directory with this ``pyproject.toml``
    was remembered (:func:`mark`): a build is then likely to find its verdict in the memo.
    A hint for scheduling the check (see :mod:`metaseal.backend._ahead`), never a verdict."""
    where = directory(setting)
    return where is not None and _private(where) and os.path.isfile(_seen(where, root, pyproject))


def mark(where: str, root: str, pyproject: bytes) -> None:
    """Note that a verdict on an sdist of this project state was remembered."""
    if _private(where):
        _write(where, _seen(where, root, pyproject), b"")


def recall(where: str, digest: str) -> str | None:
    """The warnings of the verdict remembered under ``digest`` ("" for none), or ``None``."""
    if not _private(where):
        return None
    try:
        with open(os.path.join(where, digest), "rb") as file:
            return file.read(_MAX_FILE).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def remember(where: str, digest: str, said: str) -> None:
    """Remember a verdict that kept the file and what it said; any failure leaves the memo
    as it was."""
    if _private(where):
        _write(where, os.path.join(where, digest), said.encode("utf-8"))


def _write(where: str, path: str, data: bytes) -> None:
    """Write one entry atomically (pruning first when the memo is full); failures are quiet."""
    import tempfile

    try:
        entries = os.listdir(where)
        if len(entries) >= MAX_ENTRIES:
            _prune(where, entries)
        fd, part = tempfile.mkstemp(dir=where, prefix=_PART)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(part, path)
        except OSError:
            os.remove(part)
            raise
    except OSError:
        return


def _prune(where: str, entries: list[str]) -> None:
    """Remove the older half of the memo's own entries (and left-over partial writes); any
    other file in the directory is left alone."""
    dated = []
    for entry in entries:
        if not re.fullmatch(_ENTRY, entry) and not entry.startswith(_PART):
            continue
        try:
            dated.append((os.stat(os.path.join(where, entry)).st_mtime_ns, entry))
        except OSError:
            continue
    dated.sort()
    for _, entry in dated[: len(dated) // 2]:
        try:
            os.remove(os.path.join(where, entry))
        except OSError:
            continue


@functools.cache
def _private(where: str) -> bool:
    """Whether ``where`` can hold the memo: created private (mode 0700) when missing; an
    existing directory must belong to this user and be writable by nobody else, or anyone who
    can write there could plant a verdict. Elsewhere than POSIX, any directory will do."""
    try:
        os.makedirs(where, mode=0o700, exist_ok=True)
        info = os.stat(where)
    except (OSError, ValueError):  # ValueError: a NUL byte in the configured path
        return False
    if os.name != "posix":
        return True
    import stat

    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )
