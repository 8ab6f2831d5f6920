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
import warnings

from metaseal.backend._fastpath import MARKER
from metaseal.backend._inner import import_backend
from metaseal.backend.settings import Loaded, Settings, load_settings
from metaseal.engine import formats
from metaseal.errors import (
    ArtifactError,
    ConfigError,
    MetasealWarning,
    SealBroken,
    escape_controls,
)

# Every hook call pays for this module's imports, so typing, zipfile and tempfile (and the
# engine: packaging, email) are imported only where they are used.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Literal

    from metaseal.engine.artifact import Artifact
    from metaseal.engine.findings import Finding

    Kind = Literal["sdist", "wheel", "editable"]

__all__ = ["Session", "build", "get_requires", "inner_attribute", "prepare_metadata", "verify"]

_HATCH = "METASEAL_ALLOW_BROKEN_SEAL=1"
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


def session(config_settings: Mapping[str, Any] | None) -> Session:
    """Load the settings for this hook call and the (cached) inner backend."""
    root = os.getcwd()
    pyproject, raw = _read_pyproject(root, config_settings)
    loaded = load_settings(pyproject, config_settings, os.environ, root=root)
    for message in loaded.demoted:
        if message not in _SHOUTED:
            _SHOUTED.add(message)
            _shout(f"metaseal: {_HATCH} is set, so this is ignored: {message}")
    settings = loaded.settings
    _check_vendored()
    backend = import_backend(settings.backend, settings.backend_path, root)
    return Session(root, pyproject, loaded, backend, raw)


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
        _shout(f"metaseal: warning: {problem}")


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
    from metaseal.backend._staging import accept, open_stage

    here = session(config_settings)
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

            message = seal_if_old(here.pyproject, staged, lambda: _describe_backend(here.settings))
            if message:
                _shout(message)
                memo = _memo_entry(here, staged)
        if memo is not None:
            from metaseal.backend._memo import recall

            said = recall(*memo)
            if said is not None:
                if said:
                    _shout(said)
                stage.publish(staged, os.path.basename(staged))
                return os.path.basename(staged)
        # Prepared metadata binds the wheel (PEP 517): the inner backend's, and PKG-INFO when
        # the fast path answered with it (even with a Dynamic License-File, the wheel must then
        # hold exactly those files). A reused wheel is its own prepared metadata.
        prepared = metadata_directory if who in ("inner", "pkg-info", None) else None
        said = verify(here, kind, staged, prepared, fast_path=who == "pkg-info")
        # Remembered only when nothing the check read changed while it ran.
        if said is not None and memo is not None and _memo_entry(here, staged) == memo:
            from metaseal.backend._memo import remember

            remember(*memo, said)
        stage.publish(staged, os.path.basename(staged))
        return os.path.basename(staged)


def _memo_entry(here: Session, sdist: str) -> tuple[str, str] | None:
    """Where and under which digest the verdict on ``sdist`` is remembered (see
    :mod:`metaseal.backend._memo`), or ``None``."""
    from metaseal.backend._memo import entry

    module = sys.modules.get(here.settings.backend.partition(":")[0])
    judged = (here.settings.allow_dynamic, here.settings.strict, getattr(module, "__file__", None))
    parsed = (here.pyproject_bytes, here.pyproject)
    return entry(here.settings.verdict_cache, here.root, parsed, judged, sdist)


def findings_for(
    here: Session,
    kind: Kind,
    built: Artifact,
    metadata_directory: str | None,
    *,
    fast_path: bool,
) -> list[Finding]:
    """Read the other inputs of one built file once and let the engine's seal verdict judge;
    ``fast_path`` says the prepared METADATA is PKG-INFO (answered without the inner backend)."""
    from pathlib import Path

    from metaseal.engine.seal import binds_project, check_built
    from metaseal.sources.artifacts import read_source
    from metaseal.sources.pyproject import static_project

    root = Path(here.root)
    pkg_info = root / "PKG-INFO"
    promise = read_source(str(pkg_info)) if kind != "sdist" and pkg_info.is_file() else None
    table = here.pyproject.get("project")
    project = None
    if isinstance(table, dict) and binds_project(kind, promise):
        project = static_project(here.pyproject, root / "pyproject.toml")
    dynamic = table.get("dynamic") if isinstance(table, dict) else None
    declared = (
        frozenset(k for k in dynamic if isinstance(k, str))
        if isinstance(dynamic, list)
        else frozenset()
    )
    prepared_dir = Path(metadata_directory) if metadata_directory else None
    prepared = entry_points = None
    if prepared_dir is not None and (prepared_dir / "METADATA").is_file():
        prepared = read_source(os.path.normpath(prepared_dir))
        # The fast path answers METADATA only (PKG-INFO has no entry points): entry_points.txt
        # binds the wheel when the inner backend prepared the .dist-info.
        if kind != "sdist" and not fast_path:
            from metaseal.backend._distinfo import entry_points_of

            entry_points = entry_points_of(prepared_dir, Path(built.source))
    return check_built(
        kind,
        built,
        promise=promise,
        project=project,
        prepared=prepared,
        allow_dynamic=here.settings.allow_dynamic,
        declared_dynamic=declared,
        entry_points=entry_points,
    )


def verify(
    here: Session, kind: Kind, path: str, metadata_directory: str | None, *, fast_path: bool
) -> str | None:
    """THE seal check: raise :class:`SealBroken`, or report and keep, as the settings say;
    ``fast_path`` says ``metadata_directory`` holds PKG-INFO as METADATA (no entry points).
    Return the warnings printed when the verdict kept the file ("" for none), ``None`` when
    it was kept only because of ``mode = "warn"`` or the escape hatch."""
    from metaseal.backend._bytewise import identical_to_pkg_info
    from metaseal.backend._staging import check_identity

    headers = identical_to_pkg_info(here.root, kind, path, metadata_directory, fast_path=fast_path)
    if headers is not None:
        try:
            check_identity(kind, path, _first(headers, "name"), _first(headers, "version"))
        except ArtifactError as exc:
            raise _not_published(here, path, exc) from None
        return ""
    from metaseal.engine.seal import Verdict
    from metaseal.sources.artifacts import read_source

    settings = here.settings
    # The built file itself must be readable and say what its name says, escape hatch or not:
    # the hatch publishes drifting metadata, never a file that is not a valid distribution.
    try:
        built = read_source(path)
        check_identity(
            kind,
            path,
            next(iter(built.parsed.values("name")), "").strip(),
            next(iter(built.parsed.values("version")), "").strip(),
        )
    except ArtifactError as exc:
        raise _not_published(here, path, exc) from None
    try:
        findings = findings_for(here, kind, built, metadata_directory, fast_path=fast_path)
    except ArtifactError as exc:
        if not settings.allow_broken_seal:
            raise
        name = os.path.basename(path)
        _shout(f"metaseal: warning: {exc}; {_HATCH} is set, so `{name}` was not checked.")
        return None
    if kind == "sdist":
        _warn_if_unsealed(here, built)
    verdict = Verdict.of(findings, strict=settings.strict)
    blocking, warned = list(verdict.blocking), list(verdict.warned)
    if not blocking and not warned:
        return ""
    from metaseal.report.seal import render_refusal, render_warnings

    name, backend = built.label, _describe_backend(settings)
    if not blocking:
        said = render_warnings(kind, name, backend, warned)
        _shout(said)
        return said
    from_sdist = kind != "sdist" and os.path.isfile(os.path.join(here.root, "PKG-INFO"))
    has_project = isinstance(here.pyproject.get("project"), dict)
    if settings.mode == "error" and not settings.allow_broken_seal:
        report = render_refusal(
            kind,
            name,
            backend,
            blocking + warned,
            from_sdist=from_sdist,
            inner=settings.backend,
            has_project=has_project,
        )
        raise SealBroken(name, report)
    why = f"{_HATCH} is set" if settings.allow_broken_seal else '`tool.metaseal.mode` is "warn"'
    _shout(
        render_refusal(
            kind, name, backend, blocking + warned, from_sdist=from_sdist, kept_because=why
        )
    )
    return None


def _not_published(here: Session, path: str, exc: ArtifactError) -> ArtifactError:
    """``exc`` about a staged file, named by its file name (the staging path means nothing)."""
    backend = _describe_backend(here.settings)
    name = os.path.basename(path)
    return ArtifactError(name, f"{exc.reason} It was built by {backend} and not published.")


def _first(headers: Mapping[str, list[str]], name: str) -> str:
    values = headers.get(name, [])
    return values[0] if values else ""


def _warn_if_unsealed(here: Session, sdist: Artifact) -> None:
    version = sdist.parsed.metadata_version or "(missing)"
    if formats.is_sealed(version):
        return
    _shout(
        f"metaseal: `{sdist.label}` says Metadata-Version {version}, below 2.2, so it cannot be "
        "sealed: wheels built from it promise nothing and are not checked against it. It was "
        f"built by {_describe_backend(here.settings)}: upgrade to a version that writes "
        "Metadata-Version 2.2 or later."
    )


def _shout(message: str) -> None:
    """A warning frontends show: the whole text on stderr; in-process callers also get a
    :class:`MetasealWarning` (frontends run hooks in a subprocess and show only stderr, so the
    warning is attributed to the package, not to a line of metaseal's code)."""
    message = escape_controls(message)
    print(message, file=sys.stderr)  # noqa: T201
    warnings.warn_explicit(
        message.split("\n", 1)[0], MetasealWarning, filename="metaseal", lineno=0
    )


def _describe_backend(settings: Settings) -> str:
    """The backend spec plus the distribution and version providing it, for messages."""
    if settings.backend_path:
        return f"`{settings.backend}`, in-tree from `tool.metaseal.backend-path`"
    from importlib import metadata

    top = settings.backend.partition(":")[0].split(".")[0]
    lookup = getattr(metadata, "packages_distributions", None)  # Python 3.10+
    candidates: list[str] = (lookup().get(top) if lookup else None) or [top]
    for dist in candidates:
        try:
            return f"`{settings.backend}`, {dist} {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return f"`{settings.backend}`, version unknown"
