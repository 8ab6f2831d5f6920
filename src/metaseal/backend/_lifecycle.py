"""The inner backend's lifecycle: settings, import, hook calls, staging, the seal check.

Every hook of :mod:`metaseal.backend` except the prepare fast path lands here. The inner backend
is imported once per process (:mod:`metaseal.backend._inner`). Distributions are built
into a private staging directory outside the output directory (:mod:`metaseal.backend._staging`,
which also validates the inner backend's answer), checked by :func:`verify`, and only then moved
into place, so a refused (or half-built) file never appears there.

``metadata_directory`` bookkeeping: the prepare hooks write a marker file next to the
``.dist-info`` they return, saying who prepared it: ``pkg-info`` (the fast path), ``inner`` (the
inner backend's own hook) or ``wheel <path>`` (a wheel built once to answer the hook, kept in a
private directory beside the ``.dist-info``). The inner ``build_wheel`` only ever sees a
``metadata_directory`` its own prepare hook made, and a wheel built for the prepare hook is
reused, not rebuilt.
"""

# pathlib is avoided on the hook path (it imports urllib.parse: milliseconds per hook call for
# a light inner backend such as uv-build); the engine path imports it where it is needed.
# ruff: noqa: PTH100, PTH109, PTH113, PTH118, PTH119, PTH120, PTH123

from __future__ import annotations

import functools
import os
import shutil
import sys

from metaseal.backend._fastpath import MARKER
from metaseal.backend._inner import import_backend
from metaseal.backend.settings import Loaded, Settings, load_settings
from metaseal.errors import ConfigError

# Every hook call pays for this module's imports, so typing, zipfile and tempfile (and the
# engine: packaging, email) are imported only where they are used.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Literal

    from metaseal.backend._ahead import Checker

    Kind = Literal["sdist", "wheel", "editable"]

__all__ = ["Session", "build", "get_requires", "inner_attribute", "prepare_metadata"]

_SHOUTED: set[str] = set()


class Session:
    """Everything one hook call needs: where, which settings, which inner backend (a plain
    class: ``dataclasses`` imports ``inspect``, milliseconds a light inner backend never pays)."""

    __slots__ = ("backend", "loaded", "pyproject", "pyproject_bytes", "root")

    def __init__(
        self,
        root: str,
        pyproject: Mapping[str, Any],
        loaded: Loaded,
        backend: Any,
        pyproject_bytes: bytes = b"",
    ) -> None:
        #: The source tree (the working directory), as a string: pathlib is not imported on
        #: the hook path (it costs a light inner backend milliseconds per hook call).
        self.root = root
        self.pyproject = pyproject
        self.loaded = loaded
        self.backend = backend
        #: The bytes ``pyproject`` was parsed from (the verdict memo's key).
        self.pyproject_bytes = pyproject_bytes

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    def import_backend(self) -> None:
        settings = self.settings
        self.backend = import_backend(settings.backend, settings.backend_path, self.root)

    def call(self, hook: str, *args: object) -> Any:
        """Call an inner hook positionally (as pyproject-hooks does) with forwarded settings."""
        return getattr(self.backend, hook)(*args[:1], self.loaded.forwarded, *args[1:])


def _read_pyproject(
    root: str, config_settings: Mapping[str, Any] | None
) -> tuple[dict[str, Any], bytes]:
    """``pyproject.toml`` (the table and its bytes), parsed once per build: the other hook
    calls find the table in the memo (:func:`metaseal.backend._memo.parsed_toml`)."""
    from metaseal.backend._memo import directory, early_setting, parsed_toml
    from metaseal.sources.toml import TomlProblem, load_toml, parse_toml

    path = os.path.join(root, "pyproject.toml")
    where = directory(early_setting(config_settings))
    read: list[bytes] = []

    def parse(text: bytes) -> dict[str, Any]:
        read.append(text)
        return parsed_toml(where, text, parse_toml)

    try:
        data = load_toml(path, parse)
    except FileNotFoundError:
        raise ConfigError(
            "tool.metaseal",
            f"`{path}` not found: metaseal runs as the build backend of a project and reads "
            "`[tool.metaseal]` from its pyproject.toml.",
        ) from None
    except TomlProblem as exc:
        raise ConfigError("tool.metaseal", f"`{path}` {exc}; fix the file.") from None
    return data, read[0]


def session(config_settings: Mapping[str, Any] | None, *, backend: bool = True) -> Session:
    """Load the settings for this hook call and the (cached) inner backend (with ``backend``;
    otherwise :attr:`Session.backend` is ``None`` until :meth:`Session.import_backend`)."""
    root = os.getcwd()
    pyproject, raw = _read_pyproject(root, config_settings)
    loaded = load_settings(pyproject, config_settings, os.environ, root=root)
    for message in loaded.demoted:
        if message not in _SHOUTED:
            _SHOUTED.add(message)
            from metaseal.backend._say import HATCH, shout

            shout(f"metaseal: {HATCH} is set, so this is ignored: {message}")
    _check_vendored()
    here = Session(root, pyproject, loaded, None, raw)
    if backend:
        here.import_backend()
    return here


@functools.cache
def _check_vendored() -> None:
    """Warn once per process when this metaseal is a vendored copy (``init --in-tree``) that
    no longer matches its stamp."""
    package_dir = os.path.dirname(os.path.abspath(__file__ or "."))
    package_dir = os.path.dirname(package_dir)
    if not os.path.isfile(os.path.join(package_dir, "VENDORED.json")):
        return
    from metaseal.backend._vendored import check_stamp

    problem = check_stamp(package_dir)
    if problem is not None:
        from metaseal.backend._say import shout

        shout(f"metaseal: warning: {problem}")


def inner_attribute(name: str) -> Any:
    """An attribute of the inner backend (``None`` when absent), for probing optional hooks."""
    return getattr(session(None).backend, name, None)


def get_requires(hook: str, config_settings: Mapping[str, Any] | None) -> list[str]:
    here = session(config_settings)
    return list(here.call(hook)) if hasattr(here.backend, hook) else []


def prepare_metadata(
    metadata_directory: str, config_settings: Mapping[str, Any] | None, kind: Kind
) -> str:
    """Paths (2) and (3) of the prepare hooks: the inner hook, else one real build."""
    import tempfile
    from pathlib import Path

    here = session(config_settings)
    target = Path(metadata_directory)
    prepare = f"prepare_metadata_for_build_{kind}"
    if hasattr(here.backend, prepare):
        answer: str = here.call(prepare, metadata_directory)
        (target / MARKER).write_text("inner\n", encoding="utf-8")
        return answer
    private = Path(tempfile.mkdtemp(dir=metadata_directory, prefix=".metaseal-wheel-"))
    wheel = private / here.call(f"build_{kind}", str(private))
    from metaseal.backend._distinfo import extract_dist_info

    dist_info = extract_dist_info(wheel, target)
    (target / MARKER).write_text(f"wheel {wheel.relative_to(target).as_posix()}\n", "utf-8")
    return dist_info


def _prepared_by(metadata_directory: str | None) -> tuple[str | None, str | None]:
    """Who prepared ``metadata_directory`` (see the module docstring), and the reusable wheel."""
    if metadata_directory is None:
        return None, None
    parent = os.path.dirname(os.path.abspath(metadata_directory))  # no symlink resolution
    try:
        with open(os.path.join(parent, MARKER), encoding="utf-8") as file:
            text = file.read().strip()
    except OSError:
        return None, None
    who, _, wheel = text.partition(" ")
    return who, (os.path.join(parent, *wheel.split("/")) if wheel else None)


def build(
    kind: Kind,
    directory: str,
    config_settings: Mapping[str, Any] | None,
    metadata_directory: str | None = None,
) -> str:
    """Build with the inner backend into a private staging directory (see
    :mod:`metaseal.backend._staging`), accept its answer, verify, then publish atomically."""
    here = session(config_settings, backend=False)
    # The check will need the engine unless a memo entry or PKG-INFO's bytes decide it: import
    # it in a forked checker while the inner backend imports and builds (see _ahead).
    checker = fork = None
    if here.settings.check_ahead and (
        (kind == "sdist" and not _rebuild(here))
        or (kind != "sdist" and not os.path.isfile(os.path.join(here.root, "PKG-INFO")))
    ):
        from metaseal.backend._ahead import start
        from metaseal.backend._verify import answer, warm

        fork = functools.partial(start, warm, functools.partial(answer, here))
        checker = fork()
    try:
        path = sys.path[:]
        here.import_backend()
        if checker is not None and fork is not None and sys.path != path:
            from metaseal.backend._verify import shadowed

            if shadowed(path):
                # The backend put its own copy of a library first (poetry-core): the checker's
                # answer would not count. One forked now runs this process's code.
                checker.close()
                checker = fork()
        return _build(here, kind, directory, metadata_directory, checker)
    finally:
        if checker is not None:
            checker.close()


def _build(
    here: Session,
    kind: Kind,
    directory: str,
    metadata_directory: str | None,
    checker: Checker | None,
) -> str:
    from metaseal.backend._staging import accept, open_stage

    hook, prepare = f"build_{kind}", f"prepare_metadata_for_build_{kind}"
    with open_stage(directory) as stage:
        staging = stage.directory
        who, wheel = _prepared_by(metadata_directory) if kind != "sdist" else (None, None)
        basename: object
        if wheel is not None and os.path.isfile(wheel):
            basename = os.path.basename(wheel)
            shutil.copyfile(wheel, os.path.join(staging, basename))
        elif kind == "sdist":
            basename = here.call(hook, str(staging))
        else:
            # The inner backend sees a metadata_directory only if its own hook could have made it.
            own = who == "inner" or (who is None and hasattr(here.backend, prepare))
            basename = here.call(hook, str(staging), metadata_directory if own else None)
        staged = accept(kind, staging, basename, f"`{here.settings.backend}`", hook)
        memo = _memo_entry(here, staged) if kind == "sdist" else None
        if kind == "sdist" and memo is None and here.settings.seal_old_sdists:
            # No memo entry: no memo, or the sdist is unsealed (a sealed one needs no reseal).
            from metaseal.backend._reseal import seal_if_old
            from metaseal.backend._say import describe_backend, shout

            message = seal_if_old(here.pyproject, staged, lambda: describe_backend(here.settings))
            if message:
                shout(message)
                memo = _memo_entry(here, staged)
        if memo is not None:
            from metaseal.backend._memo import recall

            said = recall(*memo)
            if said is not None:
                if said:
                    from metaseal.backend._say import shout

                    shout(said)
                stage.publish(staged, os.path.basename(staged))
                return os.path.basename(staged)
        fast_path = who == "pkg-info"
        prepared = _binding(here.root, who, metadata_directory)
        from metaseal.backend._say import shout
        from metaseal.backend._verify import consult, verify

        told = None
        if checker is not None:
            told = consult(checker, kind, staged, prepared, fast_path=fast_path)
        if told is not None:  # the checker ran the same check on the same file: its verdict
            said, shouted = told
            for message in shouted:
                shout(message)
        else:
            said = verify(here, kind, staged, prepared, fast_path=fast_path)
        # Remembered only when nothing the check read changed while it ran.
        if said is not None and memo is not None and _memo_entry(here, staged) == memo:
            from metaseal.backend._memo import mark, remember

            remember(*memo, said)
            mark(memo[0], here.root, here.pyproject_bytes)
        stage.publish(staged, os.path.basename(staged))
        return os.path.basename(staged)


def _binding(root: str, who: str | None, metadata_directory: str | None) -> str | None:
    """The prepared metadata that binds the wheel. The inner backend's does (PEP 517), and so
    does one nobody marked. PKG-INFO, when the fast path answered with it, binds nothing
    PKG-INFO does not: the wheel is held to it anyway, and the fast path's one guess, the files
    of a Dynamic License-File, is metaseal's, not the backend's promise; unless PKG-INFO changed
    since (the frontend resolved with the answer). A reused wheel is its own prepared metadata.
    """
    if metadata_directory is None or who in ("inner", None):
        return metadata_directory
    if who == "pkg-info" and not _still_pkg_info(root, metadata_directory):
        return metadata_directory
    return None


def _still_pkg_info(root: str, metadata_directory: str) -> bool:
    """Whether the fast path's answer in ``metadata_directory`` is PKG-INFO's bytes still."""
    from metaseal.engine.formats import MAX_METADATA_BYTES

    try:
        with open(os.path.join(metadata_directory, "METADATA"), "rb") as answer:
            given = answer.read(MAX_METADATA_BYTES + 1)
        with open(os.path.join(root, "PKG-INFO"), "rb") as pkg_info:
            return given == pkg_info.read(MAX_METADATA_BYTES + 1)
    except OSError:
        return False


def _rebuild(here: Session) -> bool:
    """Whether this sdist build will likely find its verdict in the memo (no checker then)."""
    from metaseal.backend._memo import checked_before

    return checked_before(here.settings.verdict_cache, here.root, here.pyproject_bytes)


def _memo_entry(here: Session, sdist: str) -> tuple[str, str] | None:
    """Where and under which digest the verdict on ``sdist`` is remembered (see
    :mod:`metaseal.backend._memo`), or ``None``."""
    from metaseal.backend._memo import entry

    module = sys.modules.get(here.settings.backend.partition(":")[0])
    judged = (here.settings.allow_dynamic, here.settings.strict, getattr(module, "__file__", None))
    parsed = (here.pyproject_bytes, here.pyproject)
    return entry(here.settings.verdict_cache, here.root, parsed, judged, sdist)
